package importer

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// maxFileSize bounds what is read as one declaration: the Tianjin text is
// 32 KB; a file a thousand times larger is not a declaration.
const maxFileSize = 8 << 20

// lineKind is what a line is on its own, before paragraphs are made.
type lineKind int

const (
	kBlank     lineKind = iota
	kSkip               // markup with no text: ---, ```, <!-- -->
	kText               // a line of running text
	kHeading            // a section heading: 一, 二、…, III., ## 第四部分
	kTitle              // a document title: 《…宣言》, …的声明
	kDate               // a date and place line: 2025 年 9 月 1 日 天津
	kSource             // a news agency line: （新华社天津9月1日电）
	kPageMark           // a page break: （下转第四版）
	kMarker             // a preamble's last line: 「天津宣言」全文如下：
	kMDHeading          // a Markdown heading that is neither a section nor a title
)

// line is one line of the input with what classification found in it.
type line struct {
	n    int    // 1-based line number in the file
	end  int    // last line number: a title the page broke in two spans two
	text string // trimmed, Markdown markup removed, spaces as in the file
	key  string // text without spaces, in simplified script: what patterns match
	kind lineKind

	sec     int    // kHeading: section number (1 for 一 or I)
	numeral string // kHeading: the numeral as written
	rest    string // kHeading: what follows the numeral on the line

	title     string // kTitle: the title, in the file's script
	statement bool   // kTitle: a statement (声明), not a declaration (宣言)

	date, place string // kDate: YYYY-MM-DD and the place, if any

	terminated bool // ends with sentence-final punctuation (。！？：)
	unpunct    bool // has no punctuation at all (a headline, a list title)
	newsStart  bool // opens a news item: 新华社天津9月1日电…
	caption    bool // ends with a photo credit: 新华社记者 翟健岚摄
	listItem   bool // starts with a list number: 1.…, （一）…
	signature  bool // a signatory: 中华人民共和国主席 习近平
}

// decode checks that data is text, strips a byte-order mark and splits it
// into lines on LF, CRLF, CR or form feed (pdftotext's page break).
func decode(name string, data []byte) ([]string, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for a declaration (at most %d)", name, len(data), maxFileSize)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, fmt.Errorf("%s: UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)", name)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, fmt.Errorf("%s: a PDF file, not text; extract its text first (e.g. pdftotext %s out.txt)", name, name)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	n := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, fmt.Errorf("%s: line %d: not UTF-8 text (a binary file, or GBK/Big5 text: convert it with iconv -f GB18030 -t UTF-8)", name, n)
		case r == '\n':
			n++
		case r == 0 || (r < 0x20 && r != '\t' && r != '\r' && r != '\f' && r != '\v') || r == 0x7F:
			return nil, fmt.Errorf("%s: line %d: control character %U: a binary file, not text", name, n, r)
		}
		i += size
	}
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\v", "\n").Replace(string(data))
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, nil
}

var hanNumerals = map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// hanNumber reads 一 to 九十九; 0 if s is not one.
func hanNumber(s string) int {
	rs := []rune(s)
	switch len(rs) {
	case 1:
		return hanNumerals[rs[0]]
	case 2: // 十一, 二十
		if rs[0] == '十' && hanNumerals[rs[1]] < 10 {
			return 10 + hanNumerals[rs[1]]
		}
		if rs[1] == '十' && hanNumerals[rs[0]] < 10 {
			return 10 * hanNumerals[rs[0]]
		}
	case 3: // 二十一
		if rs[1] == '十' && hanNumerals[rs[0]] < 10 && hanNumerals[rs[2]] < 10 {
			return 10*hanNumerals[rs[0]] + hanNumerals[rs[2]]
		}
	}
	return 0
}

var romanNumerals = map[string]int{
	"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
	"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "Ⅵ": 6, "Ⅶ": 7, "Ⅷ": 8, "Ⅸ": 9, "Ⅹ": 10,
}

// noSpace removes every space, ideographic ones too.
func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// hasPunct reports whether s holds any punctuation mark.
func hasPunct(s string) bool {
	for _, r := range s {
		if unicode.IsPunct(r) {
			return true
		}
	}
	return false
}

// isASCII reports whether s is all ASCII: with no letter or digit, a line
// of markup (---, ***, ```), while a line of CJK punctuation (a 。 the PDF
// put on a line of its own) is text.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasText reports whether s holds a letter or digit.
func hasText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// classify reads one line.
func classify(n int, raw string) line {
	t := strings.TrimSpace(raw)
	l := line{n: n, end: n}
	if t == "" {
		l.kind = kBlank
		return l
	}
	if strings.HasPrefix(t, "<!--") && strings.HasSuffix(t, "-->") {
		l.kind = kSkip
		return l
	}
	md := false
	if m := rx().mdHeadingRE.FindString(t); m != "" {
		t, md = strings.TrimSpace(t[len(m):]), true
	}
	t = strings.TrimSpace(rx().mdBulletRE.ReplaceAllString(t, ""))
	t = strings.TrimSpace(rx().mdEmphRE.ReplaceAllString(t, ""))
	if !hasText(t) && isASCII(t) {
		l.kind = kSkip
		return l
	}
	l.text = t
	l.key = corpus.ToHans(corpus.FoldWidth(noSpace(t)))
	l.kind = kText
	k := l.key

	if m := rx().headingHanRE.FindStringSubmatch(k); m != nil && hanNumber(m[1]) > 0 {
		l.kind, l.sec, l.numeral, l.rest = kHeading, hanNumber(m[1]), m[1], m[2]
	} else if m := rx().headingRomanRE.FindStringSubmatch(k); m != nil && romanNumerals[m[1]] > 0 {
		l.kind, l.sec, l.numeral, l.rest = kHeading, romanNumerals[m[1]], m[1], m[2]
	}
	if l.kind == kHeading {
		// The numeral may carry the section's first paragraph rather than a
		// heading: a headed section's title is short and unpunctuated.
		if l.rest != "" {
			l.rest = restOf(t, l.numeral)
		}
		return l
	}
	switch {
	case rx().titleQuotedRE.MatchString(k):
		l.kind = kTitle
		l.title = rx().titleQuotedRE.FindStringSubmatch(noSpace(t))[1]
	case !strings.ContainsAny(k, "。，；：！？,;:!?《》") && rx().titleBareRE.MatchString(k):
		l.kind = kTitle
		l.title = rx().titleBareRE.FindStringSubmatch(noSpace(t))[1]
	case rx().dateRE.MatchString(k):
		m := rx().dateRE.FindStringSubmatch(k)
		l.kind = kDate
		l.date = fmt.Sprintf("%s-%02s-%02s", m[1], m[2], m[3])
		l.place = m[4]
	case rx().sourceRE.MatchString(k):
		l.kind = kSource
	case rx().pageMarkRE.MatchString(k):
		l.kind = kPageMark
	case utf8.RuneCountInString(k) <= 60 && rx().markerRE.MatchString(k):
		l.kind = kMarker
	case md:
		l.kind = kMDHeading
	}
	if l.kind == kTitle {
		if l.title == "" {
			l.kind = kText
		}
		l.statement = strings.HasSuffix(l.title, "声明") || strings.HasSuffix(l.title, "聲明")
		return l
	}
	l.terminated = rx().terminalRE.MatchString(k)
	l.unpunct = !hasPunct(k)
	l.newsStart = rx().newsStartRE.MatchString(k)
	l.caption = rx().captionRE.MatchString(k)
	l.listItem = rx().listItemRE.MatchString(k)
	l.signature = rx().signatureRE.MatchString(corpus.ToHans(collapseSpace(t)))
	return l
}

// restOf returns what follows the numeral and its punctuation in t, with
// the file's spaces and script.
func restOf(t, numeral string) string {
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "第")
	rs := []rune(t)
	i := 0
	// Skip the numeral (its length in runes is the same in both scripts),
	// then 部分/章 and the punctuation after it.
	i = min(i+utf8.RuneCountInString(numeral), len(rs))
	for i < len(rs) && unicode.IsSpace(rs[i]) {
		i++
	}
	if i+1 < len(rs) && string(rs[i:i+2]) == "部分" {
		i += 2
	} else if i < len(rs) && rs[i] == '章' {
		i++
	}
	for i < len(rs) && (strings.ContainsRune("、.．:：", rs[i]) || unicode.IsSpace(rs[i])) {
		i++
	}
	return strings.TrimSpace(string(rs[i:]))
}

// collapseSpace turns every run of spaces into one ASCII space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mergeTitles joins a title the page broke in two (上海合作组织成员国元首
// 理事会关于 / 第二次世界大战胜利……的声明): an unpunctuated line directly above
// a title line, with no blank line between, whose words run on into it.
func mergeTitles(ls []line) []line {
	for i := 1; i < len(ls); i++ {
		a, b := &ls[i-1], &ls[i]
		if b.kind != kTitle || a.kind != kText || !a.unpunct || a.n+1 != b.n || utf8.RuneCountInString(a.key) > 40 {
			continue
		}
		joined := a.key + b.key
		if !rx().titleBareRE.MatchString(joined) {
			continue
		}
		b.title = noSpace(a.text) + b.title
		b.key = joined
		b.n = a.n
		a.kind = kSkip
		a.end = b.end
	}
	return ls
}

// patterns are the importer's regular expressions, compiled on first
// use: every declbot command links the importer, few run it.
type patterns struct {
	mdHeadingRE    *regexp.Regexp
	mdBulletRE     *regexp.Regexp
	mdEmphRE       *regexp.Regexp
	headingHanRE   *regexp.Regexp
	headingRomanRE *regexp.Regexp
	titleQuotedRE  *regexp.Regexp
	titleBareRE    *regexp.Regexp
	dateRE         *regexp.Regexp
	sourceRE       *regexp.Regexp
	pageMarkRE     *regexp.Regexp
	markerRE       *regexp.Regexp
	newsStartRE    *regexp.Regexp
	captionRE      *regexp.Regexp
	listItemRE     *regexp.Regexp
	signatureRE    *regexp.Regexp
	terminalRE     *regexp.Regexp
	quotedDeclRE   *regexp.Regexp
	openingDateRE  *regexp.Regexp
	heldRE         *regexp.Regexp
}

var rx = sync.OnceValue(func() *patterns {
	return &patterns{
		mdHeadingRE:    regexp.MustCompile(`^#{1,6}\s+`),
		mdBulletRE:     regexp.MustCompile(`^(?:[-*+]|>)\s+`),
		mdEmphRE:       regexp.MustCompile(`\*\*|__`),
		headingHanRE:   regexp.MustCompile(`^第?([一二三四五六七八九十]{1,3})(?:部分|章)?(?:[、.．:：]|$)(.*)$`),
		headingRomanRE: regexp.MustCompile(`^(X|IX|IV|V?I{1,3}|V|[Ⅰ-Ⅹ])(?:[.．、:：]|$)(.*)$`),
		titleQuotedRE:  regexp.MustCompile(`^[《“「"](.{2,120}?(?:宣言|声明|聲明))[》”」"](?:[（(]全文[）)])?$`),
		titleBareRE:    regexp.MustCompile(`^(.{4,120}?(?:宣言|声明|聲明))(?:[（(]全文[）)])?$`),
		dateRE:         regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日[，,]?(?:于|在)?(\p{Han}{0,12})$`),
		sourceRE:       regexp.MustCompile(`^[（(]?新华社\p{Han}{0,10}(?:\d{1,2}月\d{1,2}日)?电[）)]?$`),
		pageMarkRE:     regexp.MustCompile(`^[（(](?:下转|上接|接上|转|接)第?[\p{Han}\d]{1,4}版[）)]$`),
		markerRE:       regexp.MustCompile(`(?:全文|原文)(?:如下)?[：:]$`),
		newsStartRE:    regexp.MustCompile(`^(?:新华社|中新社|本报)\p{Han}{0,10}(?:\d{1,2}月\d{1,2}日)?电|^本报讯`),
		captionRE:      regexp.MustCompile(`记者\p{Han}{1,12}摄$`),
		listItemRE:     regexp.MustCompile(`^(?:\d{1,3}[.．、]|[（(][一二三四五六七八九十\d]{1,3}[）)])`),
		signatureRE:    regexp.MustCompile(`^\p{Han}{2,24}(?:总统|总理|主席|国王|首相|元首|苏丹|埃米尔|总督)[ ]+\p{Han}[\p{Han}·・]{0,15}$`),
		terminalRE:     regexp.MustCompile(`[。！？：!?:…][”’」』）)》]*$`),
		quotedDeclRE:   regexp.MustCompile(`[《“「"]([^》”」"]{2,60}?(?:宣言))[》”」"]`),
		openingDateRE:  regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*在\s*(\p{Han}{2,12}?)\s*(?:举行|召开)`),
		heldRE:         regexp.MustCompile(`在(\p{Han}{2,12}?)举行(?:元首理事会|峰会)`),
	}
})
