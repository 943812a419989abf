package query

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// truncateRunes returns the first n runes of s (invalid bytes count as one
// rune each).
func truncateRunes(s string, n int) string {
	if len(s) <= n { // n runes take at least n bytes
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

type segKind uint8

const (
	segHan   segKind = iota // Chinese text, with digits that touch it ("2026年")
	segWords                // letters, digits and soft separators: a run of words
	segBreak                // hard punctuation between word runs
)

type seg struct {
	kind segKind
	text string
}

type runeClass uint8

const (
	cOther runeClass = iota
	cHan
	cAlnum
	cSoft // separators that do not break a phrase: spaces, hyphens, slashes
)

func classify(r rune) runeClass {
	switch {
	case r < 0x80:
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return cAlnum
		case r == ' ', r == '-', r == '/', r == '&', r == '.', r == '\'', r == '_', r == '+':
			return cSoft
		}
		return cOther
	case corpus.IsHan(r), r == '〇':
		return cHan
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
		return cAlnum
	case unicode.IsSpace(r), r == '’', r == '‐', r == '‑', r == '–', r == '—', r == '－', r == '·', r == '・':
		return cSoft
	}
	return cOther
}

// segment splits cleaned text into Chinese runs, free-standing numbers and
// runs of words. Digits touching Chinese characters belong to the Chinese
// run, since the corpus writes dates and counts that way ("2025年4月22日").
func segment(s string) []seg {
	type run struct {
		c      runeClass
		digits bool // alnum run made only of digits
		start  int
		end    int
	}
	var buf [48]run // no allocation for a question of a few dozen runs
	runs := buf[:0]
	for i, r := range s {
		c := classify(r)
		if n := len(runs); n > 0 && runs[n-1].c == c && runs[n-1].end == i {
			runs[n-1].end = i + utf8.RuneLen(r)
			if c == cAlnum && !unicode.IsDigit(r) {
				runs[n-1].digits = false
			}
			continue
		}
		runs = append(runs, run{c: c, digits: c == cAlnum && unicode.IsDigit(r), start: i, end: i + utf8.RuneLen(r)})
	}
	// Digits touching Han become Han, and so does a "+" right after Han
	// (the corpus's "上合组织+" is SCO Plus); then adjacent Han runs merge.
	for i := range runs {
		if runs[i].c == cSoft && i > 0 && runs[i-1].c == cHan {
			if t := s[runs[i].start:runs[i].end]; t == "+" || t == "＋" {
				runs[i].c = cHan
			}
		}
		if runs[i].c == cAlnum && runs[i].digits &&
			((i > 0 && runs[i-1].c == cHan) || (i+1 < len(runs) && runs[i+1].c == cHan)) {
			runs[i].c = cHan
		}
	}
	var segs []seg
	for i := 0; i < len(runs); {
		r := runs[i]
		switch r.c {
		case cHan:
			j := i + 1
			for j < len(runs) && runs[j].c == cHan {
				j++
			}
			segs = append(segs, seg{segHan, s[r.start:runs[j-1].end]})
			i = j
			continue
		case cAlnum, cSoft:
			j := i
			for j < len(runs) && (runs[j].c == cAlnum || runs[j].c == cSoft) {
				j++
			}
			segs = append(segs, seg{segWords, s[r.start:runs[j-1].end]})
			i = j
			continue
		default:
			segs = append(segs, seg{segBreak, ""})
		}
		i++
	}
	return segs
}

// token is one word of an English or Russian run, or a break between runs.
type token struct {
	surface string // folded, lower case
	stem    string
	lang    string // a word language's tag ("en", "ru"; see wordLangs), or "" for other scripts
	num     bool   // a number such as "2231" or "80th"
	brk     bool
	cap     bool // written with a capital first letter
}

// expandPlus spells out the "+" of "SCO+" / "ШОС+" (the SCO Plus format)
// as a word the glossary knows; any other "+" (ОПЕК+) only separates words.
func expandPlus(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r != '+' && r != '＋' {
			b.WriteRune(r)
			continue
		}
		before := strings.ToLower(s[:i])
		switch {
		case strings.HasSuffix(before, "sco"):
			b.WriteString(" plus ")
		case strings.HasSuffix(before, "шос"):
			b.WriteString(" плюс ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// stemCache maps folded words to their tokens. New fills it with every
// word of the glossary and stop lists, so the common words of a question
// skip the stemmer; it is read-only afterwards.
type stemCache map[string]token

// tokenize splits a run of words into tokens, folding and stemming each.
// cache may be nil.
func tokenize(s string, cache stemCache, memo *stemMemo) []token {
	return appendTokens(nil, s, cache, memo)
}

// appendTokens is tokenize appending to dst. The fields are walked
// without making a list of them, and a word is lowered for the cache
// lookup in a buffer on the stack.
func appendTokens(dst []token, s string, cache stemCache, memo *stemMemo) []token {
	if strings.IndexByte(s, '+') >= 0 || strings.Contains(s, "＋") {
		s = expandPlus(s)
	}
	var lower [128]byte
	for i := 0; i < len(s); {
		// The next field of strings.FieldsFunc(s, isTokenSep).
		r, n := utf8.DecodeRuneInString(s[i:])
		if isTokenSep(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if isTokenSep(r) {
				break
			}
			j += n
		}
		f := trimQuotes(s[i:j])
		i = j
		if f == "" {
			continue
		}
		// Case carries meaning for a few acronyms that are also common
		// words once folded: "US" (not "us"), "WHO" (not "who").
		switch f {
		case "US", "U.S", "U.S.":
			f = "USA"
		case "WHO":
			dst = append(dst, token{surface: "who", stem: "\x01who", lang: "en"})
			continue
		}
		if utf8.RuneCountInString(f) > maxTokenRunes {
			dst = append(dst, token{brk: true})
			continue
		}
		first, _ := utf8.DecodeRuneInString(f)
		// newToken folds case anyway.
		if t, ok := cache[string(appendLower(lower[:0], f))]; ok {
			t.cap = unicode.IsUpper(first)
			dst = append(dst, t)
			if t.lang != "" {
				// newToken made it: its stem is the stemmer's.
				memo.put(t.surface, t.stem)
			}
			continue
		}
		t := newToken(f, memo)
		t.cap = unicode.IsUpper(first)
		dst = append(dst, t)
	}
	return dst
}

// isTokenSep reports whether r separates the words tokenize makes.
func isTokenSep(r rune) bool {
	return classify(r) == cSoft && r != '\'' && r != '’'
}

// trimQuotes is strings.Trim(s, "'’").
func trimQuotes(s string) string {
	for {
		switch {
		case strings.HasPrefix(s, "'"):
			s = s[1:]
		case strings.HasPrefix(s, "’"):
			s = s[len("’"):]
		default:
			for {
				switch {
				case strings.HasSuffix(s, "'"):
					s = s[:len(s)-1]
				case strings.HasSuffix(s, "’"):
					s = s[:len(s)-len("’")]
				default:
					return s
				}
			}
		}
	}
}

// appendLower appends strings.ToLower(s) to dst: each rune through
// unicode.ToLower, as strings.ToLower maps them.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
			return dst
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// newToken folds and stems a word; memo may be nil.
func newToken(w string, memo *stemMemo) token {
	t, wl := wordToken(w)
	if wl != nil {
		t.stem = memo.stem(wl, t.surface)
	}
	return t
}

// stemMemo remembers the stems made while one question is processed: the
// words tokenize stems are stemmed again by ContentStems and, when the
// glossary does not know them, for the relevance signal, and Snowball
// (for a word outside stems_gen.go's table) costs microseconds a word.
// It is a short list, not a map: a question has a few dozen words, and
// past memoWords the rest are stemmed as they come.
type stemMemo struct {
	n               int
	surfaces, stems [memoWords]string
}

const memoWords = 64

// stem returns wl's stem of the folded word w. A nil memo only stems.
func (m *stemMemo) stem(wl *wordLang, w string) string {
	if m == nil {
		return wl.stemmer.stem(w)
	}
	for i, s := range m.surfaces[:m.n] {
		if s == w {
			return m.stems[i]
		}
	}
	st := wl.stemmer.stem(w)
	m.put(w, st)
	return st
}

// put remembers that the stemmer gives st for the folded word w (if the
// memo is not full and does not know it).
func (m *stemMemo) put(w, st string) {
	if m == nil || m.n >= memoWords || slices.Contains(m.surfaces[:m.n], w) {
		return
	}
	// A word's language follows from its first letter, so its surface
	// alone names its stem.
	m.surfaces[m.n], m.stems[m.n] = w, st
	m.n++
}

// wordToken is newToken without the stemming: the token's stem is its
// surface, and wl, when not nil, is the language whose stemmer gives its
// stem.
func wordToken(w string) (t token, wl *wordLang) {
	w = foldWord(w)
	// Fold has already turned ’ into '.
	w = strings.TrimSuffix(w, "'s")
	if strings.IndexByte(w, '\'') >= 0 {
		w = strings.ReplaceAll(w, "'", "")
	}
	t = token{surface: w, stem: w}
	if isNumber(w) {
		// Numbers match glossary keys as written ("80th anniversary") and
		// otherwise go to the search text as digits.
		t.num = true
		return t, nil
	}
	first, _ := utf8.DecodeRuneInString(w)
	for i := range wordLangs {
		if wordLangs[i].letter(first) {
			t.lang = wordLangs[i].tag
			return t, &wordLangs[i]
		}
	}
	return t, nil
}

// foldWord is corpus.Fold(w) for a word. A word made only of letters and
// digits that are not Han and not full-width folds rune by rune to lower
// case (TestFoldWord checks every such rune against corpus.Fold), which
// costs no allocation for one already in lower case; anything else goes
// to corpus.Fold.
func foldWord(w string) string {
	for _, r := range w {
		switch {
		case r < 0x80:
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return corpus.Fold(w)
			}
		case r >= 0xFF01 && r <= 0xFF5E, corpus.IsHan(r), !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return corpus.Fold(w)
		}
	}
	return strings.ToLower(w)
}

// snowballStemmer is a snowball stemmer with the spelling declbot
// normalises before it (britishToAmerican, ё as е) and its stop list.
type snowballStemmer struct {
	stem func(w string) string
	stop func(w string) bool
}

// stemmers are the stemmers a registered language may name
// (corpus.Language.Stemmer).
var stemmers = map[string]snowballStemmer{
	"english": {
		stem: tableStem("en", enStemWords[:], enStems[:], englishStem),
		stop: english.IsStopWord,
	},
	"russian": {
		stem: russianStemTabled,
		stop: func(w string) bool { return russian.IsStopWord(strings.ReplaceAll(w, "ё", "е")) },
	},
}

// russianStemTabled is russianStem answered from stems_gen.go where it
// can; buildRussianAliases uses it too.
var russianStemTabled = tableStem("ru", ruStemWords[:], ruStems[:], russianStem)

func englishStem(w string) string { return english.Stem(britishToAmerican(w), true) }

// tableStem returns stem answered from a precomputed table where it can.
// Snowball is most of what building a Processor and the retrieval index's
// English and Russian fields cost (about 20 ms of every process start);
// stems_gen.go holds the stems of every word the glossary, stop lists,
// off-topic list, translations and question lists give it, sorted by word
// (`go generate ./retrieval/query`; TestStemTable keeps it right and
// current). A word outside the table is stemmed as before.
func tableStem(lang string, words, stems []string, stem func(string) string) func(string) string {
	return func(w string) string {
		if stemObserver != nil {
			stemObserver(lang, w)
		}
		if i, ok := slices.BinarySearch(words, w); ok {
			return stems[i]
		}
		return stem(w)
	}
}

// stemObserver, set only by the test that writes stems_gen.go, sees every
// word stemmed, with its language.
var stemObserver func(lang, w string)

// wordLang is a language written in words, as tokens are tagged with it.
type wordLang struct {
	tag     string // the corpus.Lang tag: "en", "ru"; also the data files' language column
	letter  func(rune) bool
	stemmer snowballStemmer
}

// wordLangs are the registered languages that are not Chinese, in
// registry order, each with its stemmer (corpus.Languages).
var wordLangs = func() []wordLang {
	var out []wordLang
	for _, l := range corpus.Languages() {
		if l.Chinese {
			continue
		}
		st, ok := stemmers[l.Stemmer]
		if !ok {
			panic(fmt.Sprintf("query: %s names stemmer %q; add it to stemmers", l.Tag, l.Stemmer))
		}
		out = append(out, wordLang{tag: string(l.Tag), letter: l.Letter, stemmer: st})
	}
	return out
}()

// isWordLang reports whether tag is a language of wordLangs (a valid
// language column of glossary.tsv, stop.tsv and offtopic.tsv besides zh).
func isWordLang(tag string) bool {
	for _, wl := range wordLangs {
		if wl.tag == tag {
			return true
		}
	}
	return false
}

// russianStem stems a lower-case Russian word. Snowball reads the final
// "-ан"/"-ян" of a nominative noun as a verb ending and drops the "н"
// ("иран" -> "ира") but keeps it once a case ending follows ("ирану" ->
// "иран"); dropping that "н" everywhere makes all cases of Иран,
// Афганистан, Казахстан, Пакистан … share one stem.
func russianStem(w string) string {
	s := russian.Stem(strings.ReplaceAll(w, "ё", "е"), true)
	if strings.HasSuffix(s, "ан") || strings.HasSuffix(s, "ян") {
		s = s[:len(s)-len("н")]
	}
	return s
}

// isNumber reports whether w is digits, optionally followed by an English
// ordinal suffix ("80th", "2nd").
func isNumber(w string) bool {
	i := 0
	for i < len(w) && '0' <= w[i] && w[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	switch w[i:] {
	case "", "st", "nd", "rd", "th":
		return true
	}
	return false
}

// britishToAmerican spells the words the stemmer treats differently in one
// way, so a glossary entry written once matches both spellings.
func britishToAmerican(w string) string {
	switch w {
	case "centre", "centres":
		return "center" + w[6:]
	case "programme", "programmes":
		return "program" + w[9:]
	case "defence":
		return "defense"
	case "labour":
		return "labor"
	case "neighbour", "neighbours", "neighbourly", "neighbourliness":
		return "neighbor" + w[9:]
	}
	if i := strings.Index(w, "isation"); i > 0 {
		return w[:i] + "ization" + w[i+7:]
	}
	if i := strings.Index(w, "yse"); i > 0 && i+3 <= len(w) && (w[i+3:] == "" || w[i+3:] == "s" || w[i+3:] == "d") {
		return w[:i] + "yze" + w[i+3:] // analyse -> analyze
	}
	return w
}

// glue words (articles, prepositions, auxiliaries, conjunctions) are
// dropped before phrase matching, from glossary keys and questions alike,
// so "the Belt and Road", "belt & road" and "development bank of the SCO"
// meet the same keys, and "was the declaration adopted" matches
// "declaration adopted".
var glue = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "is": true, "was": true, "were": true,
	"be": true, "been": true, "being": true, "are": true, "am": true, "to": true, "in": true,
	"on": true, "at": true, "by": true, "for": true, "with": true, "from": true, "and": true,
	"or": true, "its": true, "it": true, "this": true, "that": true, "these": true,
	"those": true, "has": true, "have": true, "had": true, "do": true, "does": true,
	"did": true, "into": true, "&": true,
	"в": true, "во": true, "на": true, "о": true, "об": true, "обо": true, "и": true,
	"с": true, "со": true, "к": true, "ко": true, "по": true, "за": true, "из": true,
	"от": true, "для": true, "у": true, "а": true, "ли": true, "же": true, "бы": true,
	"была": true, "был": true, "были": true, "было": true,
}

func dropGlue(toks []token) []token {
	out := toks[:0]
	for _, t := range toks {
		if !glue[t.surface] {
			out = append(out, t)
		}
	}
	return out
}

// isStopWord reports whether a single unmatched word is too common to
// search for: snowball's stop lists for the language, single letters.
func isStopWord(t token) bool {
	if utf8.RuneCountInString(t.surface) < 2 {
		return true
	}
	for _, wl := range wordLangs {
		if wl.tag == t.lang {
			return wl.stemmer.stop(t.surface)
		}
	}
	return false
}

// ContentStems returns the stems of the English and Russian content words
// of s, in order, numbers as written: what the working translations and
// question lists are indexed and searched by (retrieval). Stop words,
// single letters and Chinese are left out.
func ContentStems(s string) []string { return contentStems(corpus.CleanText(s), nil) }

// contentStems is ContentStems of the text that gives cleaned to
// corpus.CleanText.
func contentStems(cleaned string, memo *stemMemo) []string {
	var out []string
	// The fields of strings.FieldsFunc and their parts between hyphens
	// (strings.Split), walked without making either list.
	for i := 0; i < len(cleaned); {
		r, n := utf8.DecodeRuneInString(cleaned[i:])
		if !inContentField(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(cleaned) {
			r, n := utf8.DecodeRuneInString(cleaned[j:])
			if !inContentField(r) {
				break
			}
			j += n
		}
		f := trimFieldMarks(cleaned[i:j])
		i = j
		for {
			w, rest, more := strings.Cut(f, "-")
			if w != "" && utf8.RuneCountInString(w) <= maxTokenRunes {
				// Stop words are left out before they are stemmed.
				t, wl := wordToken(w)
				switch {
				case t.num:
					out = append(out, t.stem)
				case wl != nil && !isStopWord(t):
					out = append(out, memo.stem(wl, t.surface))
				}
			}
			if !more {
				break
			}
			f = rest
		}
	}
	return out
}

// inContentField reports whether r belongs in a field of ContentStems:
// a letter, a digit, an apostrophe or a hyphen.
func inContentField(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '\'' || r == '-'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’'
}

// trimFieldMarks is strings.Trim(s, "'’-").
func trimFieldMarks(s string) string {
	for {
		switch {
		case strings.HasPrefix(s, "'"), strings.HasPrefix(s, "-"):
			s = s[1:]
		case strings.HasPrefix(s, "’"):
			s = s[len("’"):]
		default:
			for {
				switch {
				case strings.HasSuffix(s, "'"), strings.HasSuffix(s, "-"):
					s = s[:len(s)-1]
				case strings.HasSuffix(s, "’"):
					s = s[:len(s)-len("’")]
				default:
					return s
				}
			}
		}
	}
}
