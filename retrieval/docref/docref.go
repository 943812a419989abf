// Package docref finds the documents a question names, when several
// declarations are loaded: "what did the Astana declaration say about AI?"
// names one by its place, "the 2024 declaration" by its year, "compared
// with last year" asks to set two side by side. It reads the question
// only; what to do with the answer (search one pack, or each of several)
// is the caller's.
//
// A year steers only when it qualifies a document ("2024年宣言", "the 2024
// declaration", "декларация 2024 года"): the texts are full of years
// ("2026年在吉尔吉斯斯坦举办"), and a year in a question is usually what
// is asked about, not where to look.
package docref

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Ref is what a question says about documents.
type Ref struct {
	// Packs are the packs the question names, oldest first.
	Packs []string
	// Compare is true when the question asks how documents differ, or
	// what is new ("compared with last year", "有什么变化", "что нового").
	Compare bool
	// Query is the question without what names documents or asks for a
	// comparison ("青湖宣言对人工智能说了什么？" -> "对人工智能说了什么？"),
	// lower-cased: what to search each document for, since the names
	// would only dilute the question's own words. "" when nothing was
	// removed.
	Query string
}

// Finder reads questions against a set of packs. Build it once with New;
// it is safe for concurrent use.
type Finder struct {
	packs []packNames
}

type packNames struct {
	id   string
	year int
	// names mean this pack: its ID, its place in every language, its
	// documents' short and full titles; folded (corpus.Fold) when written
	// in Han characters, lower-cased when in letters.
	names []string
	// raw are the same names as written (lower-cased, full-width
	// folded), longest first: what Query removes.
	raw []string
}

// New prepares a Finder for packs (corpus.Corpus.Packs()).
func New(packs []corpus.Pack) *Finder {
	f := &Finder{}
	for _, p := range packs {
		pn := packNames{id: p.ID}
		pn.year, _ = strconv.Atoi(p.Year())
		add := func(s string) {
			s = strings.TrimSpace(s)
			if isWordy(s) {
				s = lowerWidth(s)
			} else {
				s = corpus.Fold(s)
			}
			if len([]rune(s)) >= 2 && !slices.Contains(pn.names, s) {
				pn.names = append(pn.names, s)
			}
		}
		addRaw := func(s string) {
			if s = lowerWidth(strings.TrimSpace(s)); len([]rune(s)) >= 2 && !slices.Contains(pn.raw, s) {
				pn.raw = append(pn.raw, s)
			}
		}
		all := []string{p.ID}
		for _, s := range p.Place {
			all = append(all, s)
		}
		for _, d := range p.Documents {
			for _, s := range d.Short {
				all = append(all, s)
			}
			for _, s := range d.Titles {
				all = append(all, s)
			}
		}
		for _, s := range all {
			add(s)
			addRaw(s)
		}
		slices.SortFunc(pn.raw, func(a, b string) int { return len(b) - len(a) })
		f.packs = append(f.packs, pn)
	}
	slices.SortStableFunc(f.packs, func(a, b packNames) int { return a.year - b.year })
	return f
}

// patterns are the package's regular expressions, compiled on first use
// (most processes load one pack and never need them):
//   - yearBeforeDoc: a year before a document word, a few characters
//     apart at most: "2024年宣言", "2024年阿斯塔纳峰会宣言", "the 2024
//     declaration", "2024 sco statement";
//   - docBeforeYear: a document word, then the year: "the declaration of
//     2024", "декларация 2024 года", "декларации саммита 2024 года";
//   - lastYear, thisYear: relative references to a document by its year;
//   - compareRE: words that ask for a comparison or what changed.
type patterns struct {
	yearBeforeDoc *regexp.Regexp
	docBeforeYear *regexp.Regexp
	lastYear      *regexp.Regexp
	thisYear      *regexp.Regexp
	compareRE     *regexp.Regexp
}

var rx = sync.OnceValue(func() *patterns {
	return &patterns{
		yearBeforeDoc: regexp.MustCompile(`((?:19|20)[0-9]{2})\s*(?:年)?[^。？?！!，,.;；]{0,10}?(宣言|声明|declaration|statement|декларац|заявлен)`),
		docBeforeYear: regexp.MustCompile(`(declaration|statement|декларац\pL*|заявлен\pL*)\s+(?:(?:of|from|in|adopted|signed|саммита|шос|sco|summit)\s+){0,3}((?:19|20)[0-9]{2})`),
		lastYear:      regexp.MustCompile(`去年|上一年|上一届|上届|上次|前一年|last\s+year|previous\s+(?:year|summit|declaration)|прошл\pL*\s+год|прошлогодн|предыдущ`),
		thisYear:      regexp.MustCompile(`今年|本届|this\s+year|этого\s+года|в\s+этом\s+году|нынешн`),
		compareRE:     regexp.MustCompile(`比较|相比|对比|比起|不同|区别|差别|变化|新增|新提出|有什么新|有何新|compar\pL*|differ\pL*|chang\pL*|what'?s\s+new|what\s+is\s+new|new\s+(?:in|on|about)|versus|\bvs\b|сравн\pL*|отлич\pL*|измен\pL*|нового|разниц\pL*`),
	}
})

// lowerWidth lower-cases s with full-width forms folded, spaces kept.
func lowerWidth(s string) string { return strings.ToLower(corpus.FoldWidth(s)) }

// Find reads question q. With a single pack loaded it returns nothing:
// there is nothing to steer between.
func (f *Finder) Find(q string) Ref {
	var ref Ref
	if f == nil || len(f.packs) < 2 {
		return ref
	}
	folded := corpus.Fold(q)
	lower := lowerWidth(q)
	named := map[string]bool{}
	for _, p := range f.packs {
		for _, n := range p.names {
			if containsName(folded, lower, n) {
				named[p.id] = true
				break
			}
		}
	}
	years := map[int]bool{}
	for _, text := range []string{folded, lower} {
		for _, m := range rx().yearBeforeDoc.FindAllStringSubmatch(text, -1) {
			y, _ := strconv.Atoi(m[1])
			years[y] = true
		}
		for _, m := range rx().docBeforeYear.FindAllStringSubmatch(text, -1) {
			y, _ := strconv.Atoi(m[2])
			years[y] = true
		}
	}
	newest := f.packs[len(f.packs)-1].year
	if rx().lastYear.MatchString(lower) || rx().lastYear.MatchString(folded) {
		years[newest-1] = true
		// "Compared with last year" speaks from the newest text.
		years[newest] = true
	}
	if rx().thisYear.MatchString(lower) || rx().thisYear.MatchString(folded) {
		years[newest] = true
	}
	for _, p := range f.packs {
		if years[p.year] {
			named[p.id] = true
		}
	}
	ref.Compare = rx().compareRE.MatchString(lower) || rx().compareRE.MatchString(folded)
	for _, p := range f.packs {
		if named[p.id] {
			ref.Packs = append(ref.Packs, p.id)
		}
	}
	ref.Query = f.strip(lower)
	return ref
}

// strip removes from lower (a lower-cased question) every pack's names, a
// year with its document word, relative years and comparison words.
func (f *Finder) strip(lower string) string {
	q := lower
	for _, re := range []*regexp.Regexp{rx().yearBeforeDoc, rx().docBeforeYear, rx().lastYear, rx().thisYear, rx().compareRE} {
		q = re.ReplaceAllString(q, " ")
	}
	for _, p := range f.packs {
		for _, n := range p.raw {
			if isWordy(n) {
				q = replaceWord(q, n)
			} else {
				q = strings.ReplaceAll(q, n, " ")
			}
		}
	}
	q = strings.Join(strings.Fields(q), " ")
	if q == strings.Join(strings.Fields(lower), " ") {
		return ""
	}
	return q
}

// replaceWord replaces each occurrence of name's words in s (as
// findWords finds them) with a space.
func replaceWord(s, name string) string {
	var b strings.Builder
	at := 0
	for {
		start, end, ok := findWords(s, name, at)
		if !ok {
			b.WriteString(s[at:])
			return b.String()
		}
		b.WriteString(s[at:start] + " ")
		at = end
	}
}

// Targets decides where to look for r: one pack to search alone, or two
// or more to answer side by side (compare). A comparison that names one
// pack or none is completed with the pack before it (or the newest two),
// so "what is new on AI?" sets the newest declaration beside the one
// before. No targets means: search everything.
func (f *Finder) Targets(r Ref) (packs []string, compare bool) {
	if f == nil || len(f.packs) < 2 {
		return nil, false
	}
	packs = slices.Clone(r.Packs)
	if r.Compare && len(packs) < 2 {
		at := len(f.packs) - 1
		if len(packs) == 1 {
			at = slices.IndexFunc(f.packs, func(p packNames) bool { return p.id == packs[0] })
		}
		other := at - 1
		if other < 0 {
			other = at + 1
		}
		if len(packs) == 0 {
			packs = []string{f.packs[other].id, f.packs[at].id}
		} else {
			packs = append([]string{f.packs[other].id}, packs...)
			if other > at {
				packs = []string{packs[1], packs[0]}
			}
		}
	}
	return packs, len(packs) >= 2
}

// containsName reports whether text holds name: as a substring for
// Chinese (text folded), as whole words for names written in letters
// (text lower-cased; "Astana" is not in "Astanaev"), a Cyrillic word in
// any of its case forms ("Цинхуской декларации" for "Цинхуская
// декларация").
func containsName(folded, lower, name string) bool {
	if !isWordy(name) {
		return strings.Contains(folded, name)
	}
	_, _, ok := findWords(lower, name, 0)
	return ok
}

// maxEnding is how many letters a Cyrillic word of a name may have after
// its stem in a question: a place name made an adjective and declined
// ("Тяньцзинь" -> "Тяньцзиньской") adds up to five.
const maxEnding = 5

// findWords finds name's words, in order and as whole words, in s (lower
// case) from byte from on; start and end are the bytes they span. A word
// in Cyrillic matches a word that starts with its stem (stem) and has at
// most maxEnding letters more; any other must be equal.
func findWords(s, name string, from int) (start, end int, ok bool) {
	want := strings.FieldsFunc(name, func(r rune) bool { return !wordRune(r) })
	if len(want) == 0 {
		return 0, 0, false
	}
	type span struct{ start, end int }
	var words []span
	for i, j := range corpus.Runs(s[from:], wordRune) {
		words = append(words, span{from + i, from + j})
	}
	for i := 0; i+len(want) <= len(words); i++ {
		match := true
		for k, w := range want {
			if !wordMatches(s[words[i+k].start:words[i+k].end], w) {
				match = false
				break
			}
		}
		if match {
			return words[i].start, words[i+len(want)-1].end, true
		}
	}
	return 0, 0, false
}

// wordMatches reports whether a question's word is the name's word w.
func wordMatches(got, w string) bool {
	if got == w {
		return true
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.Is(unicode.Cyrillic, r) {
		return false
	}
	st := stem(w)
	return strings.HasPrefix(got, st) && utf8.RuneCountInString(got[len(st):]) <= maxEnding
}

// stem is a Cyrillic word without its ending: up to two final vowels, й
// or ь of a word of six letters or more ("цинхуская" -> "цинхуск",
// "декларация" -> "декларац"); shorter words are kept whole ("цинху").
func stem(w string) string {
	if utf8.RuneCountInString(w) < 6 {
		return w
	}
	for range 2 {
		r, size := utf8.DecodeLastRuneInString(w)
		if !strings.ContainsRune("аеёиоуыэюяйь", r) {
			break
		}
		w = w[:len(w)-size]
	}
	return w
}

// isWordy: the name is written in letters (Latin, Cyrillic), not Han.
func isWordy(s string) bool {
	for _, r := range s {
		if wordRune(r) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func wordRune(r rune) bool { return (unicode.IsLetter(r) || unicode.IsDigit(r)) && r < 0x2E80 }
