package query

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// FuzzProcess checks that Process never panics, always returns valid
// UTF-8, and keeps its output bounded whatever it is given. Seeds live in
// testdata/fuzz/FuzzProcess; run longer with
// go test -fuzz=FuzzProcess ./retrieval/query.
func FuzzProcess(f *testing.F) {
	for _, s := range []string{
		"", "上合组织开发银行是什么？", "What does the declaration say about sanctions?",
		"Что говорится в декларации о санкциях?", "<b>x</b>&amp;", "\x00\xff\u202e", "SCO+ 80-летие 2231",
	} {
		f.Add(s)
	}
	p, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := p.Process(s)
		if !utf8.ValidString(q.Text) || !utf8.ValidString(q.Original) {
			t.Fatalf("invalid UTF-8: Text %q Original %q", q.Text, q.Original)
		}
		for _, w := range append(append([]string{}, q.Terms...), q.Unmatched...) {
			if !utf8.ValidString(w) || w == "" || strings.ContainsAny(w, " \x00") {
				t.Fatalf("bad word %q", w)
			}
		}
		if utf8.RuneCountInString(q.Original) > DefaultMaxRunes {
			t.Fatalf("Original not cut: %d runes", utf8.RuneCountInString(q.Original))
		}
		if strings.ContainsRune(q.Text, 0) || strings.Contains(q.Text, "  ") || strings.TrimSpace(q.Text) != q.Text {
			t.Fatalf("Text %q: NUL, double or edge spaces", q.Text)
		}
		checkStems(t, q)
		if got, want := ContentStems(s), refContentStems(s); !slices.Equal(got, want) {
			t.Fatalf("ContentStems(%q) = %q, want %q", s, got, want)
		}
	})
}

// checkStems checks that the stems Process made with its memo are what
// refContentStems makes of the same words.
func checkStems(t *testing.T, q Query) {
	t.Helper()
	if q.Lang.IsChinese() {
		if q.ContentStems != nil || q.UnmatchedStems != nil {
			t.Fatalf("%q: stems for a Chinese question", q.Original)
		}
		return
	}
	if want := refCleanStems(WithoutInstructions(corpus.CleanText(q.Original))); !slices.Equal(q.ContentStems, want) {
		t.Fatalf("%q: ContentStems %q, want %q", q.Original, q.ContentStems, want)
	}
	if len(q.UnmatchedStems) != len(q.Unmatched) {
		t.Fatalf("%q: %d unmatched words, %d stem lists", q.Original, len(q.Unmatched), len(q.UnmatchedStems))
	}
	for i, u := range q.Unmatched {
		// Names too: relevance checks them against the translation.
		if want := refContentStems(u); !slices.Equal(q.UnmatchedStems[i], want) {
			t.Fatalf("%q: stems of %q %q, want %q", q.Original, u, q.UnmatchedStems[i], want)
		}
	}
}

// TestProcessStems checks the stems of every question of the evaluation
// suites, and of one with more words than the memo holds.
func TestProcessStems(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, suite := range []string{"golden", "heldout", "blind", "blind2"} {
		data, err := os.ReadFile("../../bot/eval/" + suite + ".jsonl")
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(data)) {
			var it struct{ Question string }
			if json.Unmarshal([]byte(line), &it) == nil && it.Question != "" {
				checkStems(t, p.Process(it.Question))
				n++
			}
		}
	}
	if n < 400 {
		t.Fatalf("%d questions read from the suites", n)
	}
	long := strings.Repeat("Какие меры предлагаются против односторонних ограничительных мер и санкций? ", 12) +
		strings.Repeat("sanctions cooperation pulled okay ", 30)
	checkStems(t, p.Process(long))
}

// refContentStems is ContentStems as it was written first: the fields of
// strings.FieldsFunc, split at hyphens by strings.Split, each word
// stemmed (then dropped if a stop word).
func refContentStems(s string) []string { return refCleanStems(corpus.CleanText(s)) }

// refCleanStems is refContentStems of text already cleaned: CleanText is
// not idempotent ("<\x00A0>" is "<A0>" once, a tag and so "" twice).
func refCleanStems(cleaned string) []string {
	fields := strings.FieldsFunc(cleaned, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' && r != '-'
	})
	var out []string
	for _, f := range fields {
		for _, w := range strings.Split(strings.Trim(f, "'’-"), "-") {
			if w == "" || utf8.RuneCountInString(w) > maxTokenRunes {
				continue
			}
			t := newToken(w, nil)
			switch {
			case t.num:
				out = append(out, t.stem)
			case t.lang != "" && !isStopWord(t):
				out = append(out, t.stem)
			}
		}
	}
	return out
}

// FuzzContentStems checks ContentStems against refContentStems.
func FuzzContentStems(f *testing.F) {
	for _, s := range []string{
		"", "well-being of non-member states", "China’s 80th anniversary -- co-operation", "'quoted' -x- y-",
		"Что говорится о ШОС-плюс?", "a\xffb-c", "上合组织 SCO-Plus", "--- '' ’’",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ContentStems(s), refContentStems(s); !slices.Equal(got, want) {
			t.Fatalf("ContentStems(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimFieldMarks(s), strings.Trim(s, "'’-"); got != want {
			t.Fatalf("trimFieldMarks(%q) = %q, want %q", s, got, want)
		}
		for _, r := range s {
			if want := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-'; inContentField(r) != want {
				t.Fatalf("inContentField(%q) = %v, want %v", r, !want, want)
			}
		}
	})
}

// refTokenize is tokenize as it was written first: the fields of
// strings.FieldsFunc, trimmed by strings.Trim, looked up in the cache by
// strings.ToLower.
func refTokenize(s string, cache stemCache) []token {
	if strings.ContainsAny(s, "+＋") {
		s = expandPlus(s)
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return classify(r) == cSoft && r != '\'' && r != '’'
	})
	toks := make([]token, 0, len(fields))
	for _, f := range fields {
		f = strings.Trim(f, "'’")
		if f == "" {
			continue
		}
		switch f {
		case "US", "U.S", "U.S.":
			f = "USA"
		case "WHO":
			toks = append(toks, token{surface: "who", stem: "\x01who", lang: "en"})
			continue
		}
		if utf8.RuneCountInString(f) > maxTokenRunes {
			toks = append(toks, token{brk: true})
			continue
		}
		first, _ := utf8.DecodeRuneInString(f)
		if t, ok := cache[strings.ToLower(f)]; ok {
			t.cap = unicode.IsUpper(first)
			toks = append(toks, t)
			continue
		}
		t := newToken(f, nil)
		t.cap = unicode.IsUpper(first)
		toks = append(toks, t)
	}
	return toks
}

// FuzzTokenize checks tokenize against refTokenize, and the helpers
// against the strings functions they stand for.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"", "What does the SCO say about the WHO and the U.S.?", "'quoted' ’curly’ '' ’’ ' ’", "SCO+ ШОС＋ OPEC+",
		"Что говорится о ШОС-плюс?", "a\xffb c", "İstanbul ǅ Ⱥ ΣΑΣ", "China’s 80th anniversary", strings.Repeat("x", 50),
	} {
		f.Add(s)
	}
	p, err := New()
	if err != nil {
		f.Fatal(err)
	}
	p.wordTables()
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tokenize(s, p.cache, nil), refTokenize(s, p.cache); !slices.Equal(got, want) {
			t.Fatalf("tokenize(%q) = %v, want %v", s, got, want)
		}
		if got, want := trimQuotes(s), strings.Trim(s, "'’"); got != want {
			t.Fatalf("trimQuotes(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(appendLower(nil, s)), strings.ToLower(s); got != want {
			t.Fatalf("appendLower(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestInContentField(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if want := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-'; inContentField(r) != want {
			t.Fatalf("inContentField(%q) = %v, want %v", r, !want, want)
		}
	}
}
