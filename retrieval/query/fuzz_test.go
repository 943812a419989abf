package query

import (
	"strings"
	"testing"
	"unicode/utf8"
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
	})
}
