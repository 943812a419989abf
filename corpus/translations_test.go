package corpus

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEveryPassageIsTranslated(t *testing.T) {
	c := load(t)
	for _, l := range translated() {
		info, ok := c.Translation(l)
		if !ok || !strings.Contains(strings.ToLower(info.Note), "unofficial") || !strings.Contains(info.Note, "authoritative") {
			t.Errorf("%s: header note %q must say the translation is unofficial and the Chinese authoritative", l, info.Note)
		}
		for _, p := range c.Passages() {
			if strings.TrimSpace(p.TextIn(l)) == "" || p.TextIn(l) == p.TextHans {
				t.Errorf("%s: %s has no translation", l, p.ID)
			}
		}
	}
}

var digitRun = regexp.MustCompile(`[0-9]+`)

// Months the translations may write as words ("1 September 2025").
var monthNames = map[string][]string{
	"1": {"January", "января", "январь"}, "2": {"February", "февраля", "февраль"}, "3": {"March", "марта", "март"},
	"4": {"April", "апреля", "апрель"}, "5": {"May", "мая", "май"}, "6": {"June", "июня", "июнь"},
	"7": {"July", "июля", "июль"}, "8": {"August", "августа", "август"}, "9": {"September", "сентября", "сентябрь"},
	"10": {"October", "октября", "октябрь"}, "11": {"November", "ноября", "ноябрь"}, "12": {"December", "декабря", "декабрь"},
}

// Every number of the Chinese is in both translations, in digits; a month
// (a number before 月) may be written as its name.
func TestTranslationsKeepEveryNumber(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		zh := FoldWidth(p.TextHans)
		for _, l := range translated() {
			tr := p.TextIn(l)
			have := map[string]bool{}
			for _, d := range digitRun.FindAllString(tr, -1) {
				have[strings.TrimLeft(d, "0")] = true
			}
			for _, m := range digitRun.FindAllStringIndex(zh, -1) {
				d := strings.TrimLeft(zh[m[0]:m[1]], "0")
				if have[d] {
					continue
				}
				if strings.HasPrefix(zh[m[1]:], "月") && slices.ContainsFunc(monthNames[d], func(name string) bool { return strings.Contains(tr, name) }) {
					continue
				}
				t.Errorf("%s %s: the number %s of the Chinese is missing:\n%s", l, p.ID, d, tr)
			}
		}
	}
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f && r != 0x3000
}

func TestTranslationsHaveNoChinese(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		for _, l := range translated() {
			if i := strings.IndexFunc(p.TextIn(l), isCJK); i >= 0 {
				t.Errorf("%s %s: Chinese left in the translation at byte %d: %q", l, p.ID, i, p.TextIn(l))
			}
		}
	}
}

// The length band: a working translation of a paragraph of Chinese prose
// is 2 to 7 characters per Chinese character. Measured on the shipped
// files: English 2.9-5.7 (median 4.2), Russian 2.9-6.0 (median 4.1), for
// the passages of more than 20 characters; Chinese packs a word into one
// or two characters, and the declaration's formulas ("成员国注意到") take
// a phrase each in English and Russian. Below 2 something was left out;
// above 7 something was added. Short passages (titles, the signature
// block) are left out: their ratios say nothing.
func TestTranslationLengthBand(t *testing.T) {
	const lo, hi = 2.0, 7.0
	c := load(t)
	for _, p := range c.Passages() {
		zh := utf8.RuneCountInString(p.TextHans)
		if zh <= 20 || p.ID == "5.8" {
			continue
		}
		for _, l := range translated() {
			r := float64(utf8.RuneCountInString(p.TextIn(l))) / float64(zh)
			if r < lo || r > hi {
				t.Errorf("%s %s: %.1f characters per Chinese character, want %.0f-%.0f:\n%s", l, p.ID, r, lo, hi, p.TextIn(l))
			}
		}
	}
}

// The signature block is one line per leader in every language.
func TestSignatureBlockLines(t *testing.T) {
	c := load(t)
	p, _ := c.Get("5.8")
	want := len(strings.Split(strings.TrimSpace(p.TextHans), "\n"))
	for _, l := range translated() {
		if got := len(strings.Split(strings.TrimSpace(p.TextIn(l)), "\n")); got != want {
			t.Errorf("%s: 5.8 has %d lines, the Chinese %d", l, got, want)
		}
	}
}

type name struct{ zh, en, ru string }

func loadNames(t *testing.T) []name {
	t.Helper()
	f, err := os.Open("data/translations/names.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []name
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) != 3 || fs[0] == "" || fs[1] == "" || fs[2] == "" {
			t.Fatalf("names.tsv line %d: want Chinese, English and Russian, tab-separated: %q", line, sc.Text())
		}
		out = append(out, name{fs[0], fs[1], fs[2]})
	}
	return out
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

// notNames are words that hold a name but are none: 发展中国家 is
// "developing countries", not China.
var notNames = []string{"发展中国家"}

// Each proper name has one English and one Russian rendering, in one
// table, and each translation uses it wherever the Chinese has the name
// (a name inside a longer name of the table counts as that one's).
func TestTranslationsUseTheNamesTable(t *testing.T) {
	c := load(t)
	names := loadNames(t)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n.zh] {
			t.Errorf("names.tsv: %s is listed twice", n.zh)
		}
		seen[n.zh] = true
	}
	for _, p := range c.Passages() {
		text := p.TextHans
		for _, w := range notNames {
			text = strings.ReplaceAll(text, w, "")
		}
		for _, n := range names {
			rest := text
			for _, longer := range names {
				if len(longer.zh) > len(n.zh) && strings.Contains(longer.zh, n.zh) {
					rest = strings.ReplaceAll(rest, longer.zh, "")
				}
			}
			if !strings.Contains(rest, n.zh) {
				continue
			}
			if !strings.Contains(strings.ToLower(p.TextEn), strings.ToLower(n.en)) {
				t.Errorf("en %s: %s should be %q:\n%s", p.ID, n.zh, n.en, p.TextEn)
			}
			if !ruWordsIn(p.TextRu, n.ru) {
				t.Errorf("ru %s: %s should be %q:\n%s", p.ID, n.zh, n.ru, p.TextRu)
			}
		}
	}
}

// Broken translation data stops the load, naming the file and line.
func TestTranslationDataErrors(t *testing.T) {
	header := `{"lang":"en","note":"Unofficial working translation; the Chinese text is authoritative."}` + "\n"
	var all strings.Builder
	all.WriteString(header)
	c := load(t)
	for _, p := range c.Passages() {
		all.WriteString(`{"id":"` + p.ID + `","text":"x"}` + "\n")
	}
	for _, tt := range []struct{ name, data, want string }{
		{"missing passage", strings.Replace(all.String(), `{"id":"2.36","text":"x"}`+"\n", "", 1), "t.jsonl: no translation of 2.36"},
		{"unknown ID", all.String() + `{"id":"9.99","text":"x"}` + "\n", "t.jsonl line 168: unknown paragraph ID \"9.99\""},
		{"malformed line", strings.Replace(all.String(), `{"id":"1.1","text":"x"}`, `{"id":"1.1",`, 1), "t.jsonl line 3:"},
		{"repeated", all.String() + `{"id":"0.1","text":"y"}` + "\n", "t.jsonl line 168: 0.1 is translated twice"},
		{"empty text", strings.Replace(all.String(), `{"id":"1.1","text":"x"}`, `{"id":"1.1","text":" "}`, 1), "t.jsonl line 3: empty translation of 1.1"},
		{"no note", strings.Replace(all.String(), header, `{"lang":"en"}`+"\n", 1), "t.jsonl line 1:"},
		{"empty file", "", "t.jsonl: empty file"},
	} {
		c := load(t)
		err := c.addTranslation(LangEn, "t.jsonl", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestQuestionListsCoverEveryPassage(t *testing.T) {
	c := load(t)
	for _, l := range questionLangs() {
		per := map[string]int{}
		for _, q := range c.Questions(l) {
			per[q.ID]++
		}
		for _, p := range c.Passages() {
			if per[p.ID] < 3 {
				t.Errorf("%s: %s has %d questions, want at least 3", l, p.ID, per[p.ID])
			}
		}
	}
	if len(c.Questions(LangHant)) == 0 || &c.Questions(LangHant)[0] != &c.Questions(LangHans)[0] {
		t.Error("traditional questions are not matched against the simplified list")
	}
}

// Broken question lists stop the load, naming the file and line.
func TestQuestionListErrors(t *testing.T) {
	c := load(t)
	var all strings.Builder
	for _, p := range c.Passages() {
		all.WriteString(p.ID + "\twhat does it say?\n")
	}
	for _, tt := range []struct{ name, data, want string }{
		{"missing passage", strings.Replace(all.String(), "2.36\twhat does it say?\n", "", 1), "q.tsv: no question for 2.36"},
		{"unknown ID", "9.99\twhat?\n" + all.String(), "q.tsv line 1: unknown paragraph ID \"9.99\""},
		{"no tab", "0.1 what?\n" + all.String(), "q.tsv line 1: want ID<TAB>question"},
		{"empty question", "0.1\t \n" + all.String(), "q.tsv line 1: empty question for 0.1"},
		{"repeated", all.String() + "0.1\twhat does it say?\n", "has this question twice"},
	} {
		_, err := c.parseQuestions("q.tsv", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
