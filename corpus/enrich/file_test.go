package enrich

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// Setting one passage changes its lines and nothing else, byte for byte.
func TestFileSetKeepsTheRest(t *testing.T) {
	c := load(t)
	for _, tt := range []struct {
		kind Kind
		lang corpus.Lang
		read func(corpus.Lang) ([]byte, error)
		out  Output
	}{
		{Translations, corpus.LangEn, corpus.ShippedTranslation, Output{Text: `A new <text> & "quotes"`}},
		{Questions, corpus.LangRu, corpus.ShippedQuestions, Output{Questions: []string{"Первый?", "Второй?", "Третий?"}}},
	} {
		data, err := tt.read(tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFile(tt.kind, tt.lang, data)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Bytes(), data) {
			t.Fatalf("%s: parsing and writing changed the file", tt.kind)
		}
		p, _ := c.Get("2.36")
		old := f.Bytes()
		if f.Set(p, Output{Text: p.TextEn, Questions: f.Questions("2.36")}, c) {
			t.Errorf("%s: setting the same entry changed the file", tt.kind)
		}
		if !f.Set(p, tt.out, c) {
			t.Fatalf("%s: Set reports no change", tt.kind)
		}
		oldLines, newLines := strings.SplitAfter(string(old), "\n"), strings.SplitAfter(string(f.Bytes()), "\n")
		var removed, added []string
		for _, l := range oldLines {
			if !strings.Contains(string(f.Bytes()), l) {
				removed = append(removed, l)
			}
		}
		for _, l := range newLines {
			if !strings.Contains(string(old), l) {
				added = append(added, l)
			}
		}
		for _, l := range append(removed, added...) {
			if !strings.HasPrefix(l, "2.36\t") && !strings.HasPrefix(l, `{"id":"2.36"`) {
				t.Errorf("%s: a line of another passage changed: %q", tt.kind, l)
			}
		}
		if tt.kind == Translations && !strings.Contains(string(f.Bytes()), `{"id":"2.36","text":"A new <text> & \"quotes\""}`+"\n") {
			t.Errorf("translation line not written as the shipped ones are")
		}
		if tt.kind == Questions && len(f.Questions("2.36")) != 3 {
			t.Errorf("questions of 2.36: %v", f.Questions("2.36"))
		}
	}
}

// A passage the file lacks goes after the passage before it in corpus
// order; a new translation file gets a header that corpus.Load accepts.
func TestFileInsert(t *testing.T) {
	c := load(t)
	get := func(id string) corpus.Passage { p, _ := c.Get(id); return p }
	f, err := ParseFile(Questions, corpus.LangEn, []byte("0.1\ta?\n2.1\tb?\n2.3\tc?")) // no final newline
	if err != nil {
		t.Fatal(err)
	}
	f.Set(get("2.2"), Output{Questions: []string{"x?"}}, c)
	f.Set(get("W1"), Output{Questions: []string{"y?"}}, c)
	if got, want := string(f.Bytes()), "0.1\ta?\n2.1\tb?\n2.2\tx?\n2.3\tc?\nW1\ty?\n"; got != want {
		t.Errorf("got %q", got)
	}
	tr, _ := ParseFile(Translations, corpus.LangRu, nil)
	tr.Set(get("0.1"), Output{Text: "Текст"}, c)
	lines := strings.Split(strings.TrimSpace(string(tr.Bytes())), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"lang":"ru"`) || !strings.Contains(lines[0], "authoritative") {
		t.Errorf("new file: %q", tr.Bytes())
	}
	if _, err := ParseFile(Translations, corpus.LangRu, []byte("{\"lang\":\"ru\"}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a broken line: %v", err)
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "en.jsonl")
	if err := WriteAtomic(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if string(b) != "two\n" || st.Mode().Perm() != 0o600 || len(entries) != 1 {
		t.Errorf("content %q, mode %v, %d entries (a temporary file left?)", b, st.Mode().Perm(), len(entries))
	}
}
