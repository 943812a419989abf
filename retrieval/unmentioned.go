package retrieval

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval/query"
)

// unmentioned returns what a question names that the texts never do: its
// capitalised English or Russian words that neither the glossary nor the
// working translations know ("Arctic", "Бразилия"), the Chinese proper
// names of zhnames.txt (names the texts lack: 北约, 世界杯) in its pieces,
// years the texts never give (absentYears), and what it asks for that the
// texts never provide (query.Query.OffTopic: 天气, "single currency",
// безвизовый) as the question words it. It runs only for a question already judged out of scope:
// "not in the text" then names what is missing instead of speaking of
// "this question". At most three, in the question's order.
func (x *Index) unmentioned(pq query.Query) []string {
	var out []string
	add := func(s string) {
		if len(out) < 3 && s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	for i, u := range pq.Unmatched {
		if containsString(pq.Names, u) && !x.knowsWord(pq, i) {
			add(originalWord(pq.Original, u))
		}
	}
	for _, piece := range pq.Pieces {
		if containsString(pq.Mapped, piece) || !corpus.HasHan(piece) {
			continue
		}
		rs := []rune(piece)
		inPlace, _ := x.places.mark(nil, piece)
		lackedNames(x.zhNames, piece, inPlace, func(pos, runes int) {
			if name := string(rs[pos : pos+runes]); !x.namesInText()[name] {
				add(name)
			}
		})
	}
	for _, y := range x.absentYears(pq.Original) {
		add(y)
	}
	for _, o := range pq.OffTopic {
		add(offTopicWords(pq.Original, o))
	}
	return out
}

// selfLeads open a clause in which the asker describes themselves ("我是
// 香港人", "我在台湾做科技新创"): a name there is not what is asked about.
var selfLeads = []string{"我是", "我在", "我们是", "我们在", "我来自", "本人", "作为", "最近在看", "最近看"}

// lacking returns the Chinese proper names (zhnames.txt) of a question
// in scope that the texts never use (Results.Lacking), at most three, in
// the question's order.
func (x *Index) lacking(pq query.Query) []string {
	var out []string
	f := corpus.Fold(pq.Original)
	self := ""
	for _, l := range selfLeads {
		if strings.HasPrefix(f, l) {
			if i := strings.IndexAny(f, "，,。；;！!？?"); i > 0 {
				self = f[:i]
			}
			break
		}
	}
	for _, piece := range pq.Pieces {
		if containsString(pq.Mapped, piece) || !corpus.HasHan(piece) || self != "" && strings.Contains(self, piece) {
			continue
		}
		rs := []rune(piece)
		inPlace, _ := x.places.mark(nil, piece)
		lackedNames(x.zhNames, piece, inPlace, func(pos, runes int) {
			name := string(rs[pos : pos+runes])
			if len(out) < 3 && !x.namesInText()[name] && !containsString(out, name) && !x.locates(f, name) && !x.inWord(piece, pos, runes) && !guessed(f, name) {
				out = append(out, name)
			}
		})
	}
	return out
}

// inWord reports whether the name at rs[pos:pos+runes] of piece is part
// of a longer word the texts use: its last character and the next, or
// its first and the one before, are a pair the lexical index holds
// (DocFreq; "大通" of 物流大通道, whose 通道 the texts have; "国防部" of
// 国防部门). A function character (和, 的 …: isFunctionChar) joins a name
// to its neighbours rather than forming a word with them: 和金 of 和金融 is
// no word in "和金砖国家".
func (x *Index) inWord(piece string, pos, runes int) bool {
	rs := []rune(piece)
	if end := pos + runes; end < len(rs) && !isFunctionChar(rs[end]) && x.DocFreq(string(rs[end-1:end+1])) > 0 {
		return true
	}
	return pos > 0 && !isFunctionChar(rs[pos-1]) && x.DocFreq(string(rs[pos-1:pos+1])) > 0
}

// guessed reports whether name, where the folded question f first has
// it, is the asker's guess at the answer in a clause of its own after the
// question ("…有人提议在哪儿开，日内瓦吗？"): what the texts say answers the
// question, the guess or not.
func guessed(f, name string) bool {
	i := strings.Index(f, name)
	if i <= 0 {
		return false
	}
	// The name opens a clause of its own, or nearly ("，是日内瓦吗").
	before := []rune(f[:i])
	opens := false
	for k := len(before) - 1; k >= 0 && k >= len(before)-3; k-- {
		if strings.ContainsRune("，,；;", before[k]) {
			opens = true
			break
		}
	}
	if !opens {
		return false
	}
	rest := f[i+len(name):]
	for _, tail := range []string{"吗", "吧", "么", "是吗", "对吗", "对吧"} {
		if strings.HasPrefix(rest, tail) {
			return true
		}
	}
	return false
}

// locates reports whether name, where the folded question f first has
// it, is followed by a place the texts name, directly or after a word of
// place (那边, 的, 地区 …): it only says where that place is ("克什米尔那边
// 帕哈尔加姆", "印度克什米尔帕哈尔加姆"), which is not what is asked about.
func (x *Index) locates(f, name string) bool {
	i := strings.Index(f, name)
	if i < 0 {
		return false
	}
	rest := f[i+len(name):]
	for _, w := range []string{"那边的", "那边", "这边", "地区的", "地区", "一带的", "一带", "境内的", "境内", "的", ""} {
		if strings.HasPrefix(rest, w) {
			r := []rune(rest[len(w):])
			if mask, n := x.places.mark(nil, string(r[:min(len(r), 8)])); n > 0 && len(mask) > 0 && mask[0] {
				return true
			}
		}
	}
	return false
}

// offTopicWords returns an off-topic phrase as the question words it: a
// Chinese key as it is (it is folded, as names are), an English or
// Russian phrase in the question's own letters when its words stand
// together there ("Single Currency"), and "" when they do not ("best time
// year" of "best time of year" is no phrase to quote).
func offTopicWords(q, phrase string) string {
	if corpus.HasHan(phrase) {
		// The stretch of the question that folds to the key, in the
		// question's script (免簽 for 免签; ToHant would write 免籤).
		rs, n := []rune(q), utf8.RuneCountInString(phrase)
		for i := 0; i+n <= len(rs); i++ {
			if corpus.Fold(string(rs[i:i+n])) == phrase {
				return string(rs[i : i+n])
			}
		}
		return phrase
	}
	lower := strings.ToLower(q)
	i := strings.Index(lower, phrase)
	if i < 0 || len(lower) != len(q) {
		return ""
	}
	return q[i : i+len(phrase)]
}

// namesInText is the set of zhNames that occur in foldedText, found in
// one pass over it at first use: looking each name up in the whole text
// (60 KB) as a question names it was a twentieth of an out-of-scope
// Chinese search.
func (x *Index) namesInText() map[string]bool {
	x.namesOnce.Do(func() {
		x.inText = map[string]bool{}
		s := x.foldedText()
		for i := range s {
			x.zhNames.startingAt(s[i:], func(name string) { x.inText[name] = true })
		}
	})
	return x.inText
}

// foldedText is every passage's simplified text, folded, one a line:
// what a Chinese piece is looked up in. Built on first use.
func (x *Index) foldedText() string {
	x.foldOnce.Do(func() {
		var b strings.Builder
		for _, p := range x.passages {
			b.WriteString(corpus.Fold(p.TextHans))
			b.WriteByte('\n')
		}
		x.folded = b.String()
	})
	return x.folded
}

// originalWord finds word (folded, lower case) in the question as it was
// written, to quote it with its capital: "arctic" -> "Arctic".
func originalWord(q, word string) string {
	for _, f := range strings.FieldsFunc(q, func(r rune) bool { return !isWordRune(r) }) {
		if strings.EqualFold(f, word) {
			return f
		}
	}
	return word
}

func isWordRune(r rune) bool {
	return r == '-' || r == '\'' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0 && r < 0x2E80
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// foldState is the lazily built folded corpus text of an Index, and the
// zhNames and years it contains.
type foldState struct {
	foldOnce  sync.Once
	folded    string
	namesOnce sync.Once
	inText    map[string]bool
	yearsOnce sync.Once
	years     map[string]bool
}

// absentYears returns the years (1900-2099, written in digits) that q
// names and the texts never do: "the 2028 Olympics", "2019年峰会". The
// texts speak of 2024-2026 and of the years of what they cite; a question
// about another year asks about what they do not record.
func (x *Index) absentYears(q string) []string {
	var out []string
	for _, y := range corpus.Years(q) {
		if !x.yearsInText()[y] && !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	return out
}

// yearsInText is the set of the texts' years (corpus.Years).
func (x *Index) yearsInText() map[string]bool {
	x.yearsOnce.Do(func() {
		x.years = map[string]bool{}
		for _, y := range corpus.Years(x.foldedText()) {
			x.years[y] = true
		}
	})
	return x.years
}
