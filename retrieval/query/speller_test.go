package query

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

func TestOneEdit(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"kyrgystan", "kyrgyzstan", true}, // insertion
		{"afganistan", "afghanistan", true},
		{"uzbekistn", "uzbekistan", true},
		{"pakistam", "pakistan", true},    // substitution
		{"pakitsan", "pakistan", true},    // neighbours swapped
		{"афганстан", "афганистан", true}, // Cyrillic
		{"pakistan", "pakistan", false},   // no edit
		{"kyrgstan", "kyrgyzstan", false}, // two
		{"tashkent", "bishkek", false},
	} {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// Misspelt names are read as the names the vocabulary writes with a
// capital; ordinary words, short ones and names it does not have are
// left as typed.
func TestCorrectWords(t *testing.T) {
	texts := []string{
		"The member states support the people of Afghanistan and welcome Kyrgyzstan as chair.",
		"They stress the Treaty on the Non-Proliferation of Nuclear Weapons; they treated it at length.",
		"Государства-члены поддерживают народ Афганистана.",
	}
	p, err := New(WithVocabulary(func() []string { return texts }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, want string }{
		{"What about Afganistan?", "What about Afghanistan?"},
		{"china kyrgystan railway", "china kyrgyzstan railway"},
		{"Какое правительство нужно Афганстану?", "Какое правительство нужно Афганистана?"},
		{"Are terrorists treated alike?", "Are terrorists treated alike?"}, // "treat" is a word the texts use
		{"What about Ukraine?", "What about Ukraine?"},                     // no name one edit away
		{"What about Iram?", "What about Iram?"},                           // too short to guess
	} {
		var m stemMemo
		got, _ := p.correctWords(corpus.CleanText(tt.q), &m)
		if got != tt.want {
			t.Errorf("correctWords(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	// Processed, the corrected name is the glossary's.
	if q := p.Process("Что ШОС думает об Афганстане?"); !slices.Contains(q.Terms, "阿富汗") || q.Original != "Что ШОС думает об Афганстане?" {
		t.Errorf("Process: terms %v, original %q; want 阿富汗 and the question as typed", q.Terms, q.Original)
	}
	// Without a vocabulary nothing is corrected.
	bare, _ := New()
	if got, changed := bare.correctWords("What about Afganistan?", &stemMemo{}); changed || got != "What about Afganistan?" {
		t.Errorf("no vocabulary: %q, changed %v", got, changed)
	}
}

// FuzzCorrectWords: any question is read without a panic; a correction
// replaces a word by one word, so the question keeps its words' count,
// stays valid UTF-8, and is left as it was when nothing is corrected.
func FuzzCorrectWords(f *testing.F) {
	for _, s := range []string{"What about Afganistan?", "Какое правительство нужно Афганстану?", "", "kyrgystan\x00uzbekistn", "阿富汗 Afganistan 阿富汗", strings.Repeat("Afganistan ", 200)} {
		f.Add(s)
	}
	texts := []string{"The member states support the people of Afghanistan and welcome Kyrgyzstan and Uzbekistan.", "Государства-члены поддерживают народ Афганистана."}
	p, err := New(WithVocabulary(func() []string { return texts }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		cleaned := corpus.CleanText(q)
		var m stemMemo
		got, changed := p.correctWords(cleaned, &m)
		if !changed && got != cleaned {
			t.Fatalf("unchanged but %q -> %q", cleaned, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("%q -> invalid UTF-8 %q", cleaned, got)
		}
		count := func(s string) int {
			n := 0
			for range corpus.Runs(s, isSpellLetter) {
				n++
			}
			return n
		}
		if count(got) != count(cleaned) {
			t.Fatalf("%q -> %q: %d words, want %d", cleaned, got, count(got), count(cleaned))
		}
		p.Process(q)
	})
}
