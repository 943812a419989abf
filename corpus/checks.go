package corpus

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The checks a working translation and a question list must pass. The
// shipped files are held to them by the package tests, and "declbot
// enrich" holds every model output to them before writing it: one source
// of the rules, whoever wrote the text.

//go:embed data/translations/names.tsv
var namesTSV []byte

// Name is one row of the proper-names table (data/translations/names.tsv):
// a name as the Chinese writes it and its one English and one Russian
// rendering.
type Name struct{ Zh, En, Ru string }

// Rendering returns n's rendering in l ("" for a language the table has no
// column for).
func (n Name) Rendering(l Lang) string {
	switch l {
	case LangEn:
		return n.En
	case LangRu:
		return n.Ru
	}
	return ""
}

// The names table is parsed once; it is embedded, so it cannot change
// while the program runs.
var namesOnce = sync.OnceValues(func() ([]Name, error) { return parseNames(namesTSV) })

// Names returns the proper-names table, in file order. The slice is
// shared: callers must not modify it.
func Names() ([]Name, error) { return namesOnce() }

func parseNames(data []byte) ([]Name, error) {
	var out []Name
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 || strings.TrimSpace(text) == "" {
			continue // the header
		}
		fs := strings.Split(text, "\t")
		if len(fs) != 3 || fs[0] == "" || fs[1] == "" || fs[2] == "" {
			return nil, fmt.Errorf("names.tsv line %d: want Chinese, English and Russian, tab-separated: %q", line, text)
		}
		if seen[fs[0]] {
			return nil, fmt.Errorf("names.tsv line %d: %s is listed twice", line, fs[0])
		}
		seen[fs[0]] = true
		out = append(out, Name{fs[0], fs[1], fs[2]})
	}
	return out, sc.Err()
}

// NamesIn returns the rows of the names table whose Chinese occurs in zh
// (a simplified Chinese text) as a name of its own: a name inside a longer
// name of the table counts as that one's, and words that hold a name but
// are none (发展中国家, "developing countries", is not China) are skipped.
func NamesIn(zh string) ([]Name, error) {
	names, err := Names()
	if err != nil {
		return nil, err
	}
	for _, w := range notNames {
		zh = strings.ReplaceAll(zh, w, "")
	}
	var out []Name
	for _, n := range names {
		rest := zh
		for _, longer := range names {
			if len(longer.Zh) > len(n.Zh) && strings.Contains(longer.Zh, n.Zh) {
				rest = strings.ReplaceAll(rest, longer.Zh, "")
			}
		}
		if strings.Contains(rest, n.Zh) {
			out = append(out, n)
		}
	}
	return out, nil
}

// notNames are words that hold a name but are none.
var notNames = []string{"发展中国家"}

var digitRun = lazyRegexp(`[0-9]+`)

// monthNames are the words a translation may write a month as ("1
// September 2025", "в июне 2025 года"), English and Russian.
var monthNames = map[string][]string{
	"1": {"January", "января", "январь", "январе"}, "2": {"February", "февраля", "февраль", "феврале"}, "3": {"March", "марта", "март", "марте"},
	"4": {"April", "апреля", "апрель", "апреле"}, "5": {"May", "мая", "май", "мае"}, "6": {"June", "июня", "июнь", "июне"},
	"7": {"July", "июля", "июль", "июле"}, "8": {"August", "августа", "август", "августе"}, "9": {"September", "сентября", "сентябрь", "сентябре"},
	"10": {"October", "октября", "октябрь", "октябре"}, "11": {"November", "ноября", "ноябрь", "ноябре"}, "12": {"December", "декабря", "декабрь", "декабре"},
}

// The length band of a translation: 2 to 7 characters per Chinese
// character. Measured on the shipped files: English 2.9-5.7 (median 4.2),
// Russian 2.9-6.0 (median 4.1), for passages of more than 20 characters;
// Chinese packs a word into one or two characters, and the declaration's
// formulas ("成员国注意到") take a phrase each in English and Russian.
// Below 2 something was left out; above 7 something was added. Short
// passages (titles, the signature block) are not measured: their ratios
// say nothing.
const (
	minPerChar, maxPerChar = 2.0, 7.0
	bandFrom               = 20 // characters of Chinese
	signatureBlock         = "5.8"
)

// isCJK reports whether r is a Han character or CJK punctuation (other
// than the ideographic space), which no translation should contain.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f && r != 0x3000
}

// CheckTranslation reports every way text fails as the working
// translation of p into l (a language with a translation: English or
// Russian), joined in one error, or nil:
//   - it is empty, or the Chinese itself;
//   - it contains Chinese characters or punctuation;
//   - a number of the Chinese is not in it in digits (a month, a number
//     before 月, may be its name);
//   - it has fewer than 2 or more than 7 characters per Chinese character
//     (passages of more than 20 characters, the signature block aside);
//   - the signature block (5.8) is not one line per line of the Chinese;
//   - a proper name of the names table that the Chinese has is not
//     rendered as the table says (Russian names may take case endings).
func CheckTranslation(p Passage, l Lang, text string) error {
	if info, ok := l.Info(); !ok || info.Chinese {
		return fmt.Errorf("%s: not a language with a working translation", l)
	}
	if strings.TrimSpace(text) == "" {
		return errors.New("empty translation")
	}
	if text == p.TextHans || text == p.TextHant {
		return errors.New("the translation is the Chinese text")
	}
	var errs []error
	if i := strings.IndexFunc(text, isCJK); i >= 0 {
		r, _ := utf8.DecodeRuneInString(text[i:])
		errs = append(errs, fmt.Errorf("%q: Chinese left in the translation at byte %d", r, i))
	}
	zh := FoldWidth(p.TextHans)
	have := map[string]bool{}
	for _, d := range digitRun().FindAllString(text, -1) {
		have[strings.TrimLeft(d, "0")] = true
	}
	missing := map[string]bool{}
	for _, m := range digitRun().FindAllStringIndex(zh, -1) {
		d := strings.TrimLeft(zh[m[0]:m[1]], "0")
		if have[d] || missing[d] {
			continue
		}
		if strings.HasPrefix(zh[m[1]:], "月") && slices.ContainsFunc(monthNames[d], func(name string) bool { return strings.Contains(text, name) }) {
			continue
		}
		missing[d] = true
		errs = append(errs, fmt.Errorf("the number %s of the Chinese is missing", d))
	}
	if n := utf8.RuneCountInString(p.TextHans); n > bandFrom && p.ID != signatureBlock {
		r := float64(utf8.RuneCountInString(text)) / float64(n)
		if r < minPerChar || r > maxPerChar {
			errs = append(errs, fmt.Errorf("%.1f characters per Chinese character, want %.0f-%.0f (something left out or added)", r, minPerChar, maxPerChar))
		}
	}
	if p.ID == signatureBlock {
		want := len(strings.Split(strings.TrimSpace(p.TextHans), "\n"))
		if got := len(strings.Split(strings.TrimSpace(text), "\n")); got != want {
			errs = append(errs, fmt.Errorf("the signature block has %d lines, the Chinese %d (one line per leader)", got, want))
		}
	}
	names, err := NamesIn(p.TextHans)
	if err != nil {
		return err
	}
	for _, n := range names {
		ok := false
		switch l {
		case LangEn:
			ok = strings.Contains(strings.ToLower(text), strings.ToLower(n.En))
		case LangRu:
			ok = ruWordsIn(text, n.Ru)
		}
		if !ok {
			errs = append(errs, fmt.Errorf("%s should be rendered %q (names table)", n.Zh, n.Rendering(l)))
		}
	}
	return errors.Join(errs...)
}

// ruWordsIn reports whether every word of name occurs in text with at
// most its last two letters changed (Russian names take case endings:
// «Устав ООН», «Устава ООН»).
func ruWordsIn(text, name string) bool {
	words := strings.Fields(strings.ToLower(text))
	for _, w := range strings.Fields(strings.ToLower(name)) {
		w = strings.Trim(w, "«»„“”\"(),.;:")
		rs := []rune(w)
		stem := string(rs[:max(len(rs)-2, min(len(rs), 3))])
		if !slices.ContainsFunc(words, func(x string) bool {
			return strings.HasPrefix(strings.Trim(x, "«»„“”\"(),.;:"), stem)
		}) {
			return false
		}
	}
	return true
}

// How many questions a passage's list holds, and how long one may be: the
// shipped lists have 16-22 per passage (3-5 written first, then the rest
// in everyday words over four rounds), none over 110 characters; a longer
// "question" is a paragraph, not something a person types. A model asked
// by "declbot enrich" for 6-10 stays within the band.
const (
	MinQuestions, MaxQuestions = 3, 24
	maxQuestionRunes           = 150
)

// CheckQuestions reports every way qs fails as the question list of p in
// language l (simplified Chinese, English or Russian), joined in one
// error, or nil: fewer than MinQuestions or more than MaxQuestions
// questions; a question that is empty, spans lines or holds a tab, is
// longer than 150 characters, or repeats another (ignoring case); a
// Chinese question without Han characters; an English or Russian one with
// Chinese characters or without a letter of its language.
func CheckQuestions(p Passage, l Lang, qs []string) error {
	info, ok := l.Info()
	if !ok || l == LangHant {
		return fmt.Errorf("%s: not a language with a question list", l)
	}
	var errs []error
	if len(qs) < MinQuestions || len(qs) > MaxQuestions {
		errs = append(errs, fmt.Errorf("%d questions, want %d-%d", len(qs), MinQuestions, MaxQuestions))
	}
	seen := map[string]bool{}
	for i, q := range qs {
		n := i + 1
		switch {
		case strings.TrimSpace(q) == "":
			errs = append(errs, fmt.Errorf("question %d is empty", n))
			continue
		case strings.ContainsAny(q, "\t\r\n"):
			errs = append(errs, fmt.Errorf("question %d spans lines or holds a tab: %q", n, q))
		case utf8.RuneCountInString(q) > maxQuestionRunes:
			errs = append(errs, fmt.Errorf("question %d has %d characters, at most %d", n, utf8.RuneCountInString(q), maxQuestionRunes))
		}
		if k := strings.ToLower(strings.TrimSpace(q)); seen[k] {
			errs = append(errs, fmt.Errorf("question %d repeats an earlier one: %q", n, q))
		} else {
			seen[k] = true
		}
		if info.Chinese {
			if !HasHan(q) {
				errs = append(errs, fmt.Errorf("question %d is not Chinese: %q", n, q))
			}
			continue
		}
		if strings.IndexFunc(q, isCJK) >= 0 {
			errs = append(errs, fmt.Errorf("question %d contains Chinese: %q", n, q))
		} else if info.Letter != nil && strings.IndexFunc(q, info.Letter) < 0 {
			errs = append(errs, fmt.Errorf("question %d is not in %s: %q", n, info.Name, q))
		}
	}
	return errors.Join(errs...)
}
