package i18n

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// verbs lists a text's fmt verbs in order ("%%" is not one).
func verbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// Every key exists in every language, with the same fmt verbs in the same
// order; no table has a key the program does not use; the two Chinese
// scripts say the same thing; English has no Chinese and Russian reads as
// Russian.
func TestTables(t *testing.T) {
	keys := Keys()
	for _, l := range corpus.Languages() {
		table, err := parseText(l.Tag)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			s, ok := table[k]
			if !ok {
				t.Errorf("%s: no text for %s: add it to bot/i18n/%s/text.tsv", l.Tag, k, l.Tag)
				continue
			}
			if got, want := verbs(s), verbs(tables()[corpus.Fallback][k]); !slices.Equal(got, want) {
				t.Errorf("%s %s: verbs %v, English has %v", l.Tag, k, got, want)
			}
		}
		for k := range table {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: %s is not a key the program uses (a typo, or add it to Keys)", l.Tag, k)
			}
		}
	}
	// The engine's texts are the same words in both Chinese scripts and
	// quote no Chinese in other languages; Telegram's use regional words
	// (搜尋, 人工智慧) and show Chinese citation forms (第二部分第36段).
	for _, k := range keys[:slices.Index(keys, Welcome)] {
		hans, hant := Text(corpus.LangHans, k), Text(corpus.LangHant, k)
		if corpus.Fold(hans) != corpus.Fold(hant) {
			t.Errorf("%s: zh-Hant %q is not the traditional form of %q", k, hant, hans)
		}
		if en := Text(corpus.LangEn, k); corpus.HasHan(en) {
			t.Errorf("%s: English text has Chinese: %q", k, en)
		}
	}
	for _, k := range keys {
		// Separators ("; ", ", ") and arrows have no letters to detect a
		// language by.
		ru := verbRE.ReplaceAllString(Text(corpus.LangRu, k), "")
		if strings.IndexFunc(ru, unicode.IsLetter) >= 0 && corpus.DetectLang(ru) != corpus.LangRu {
			t.Errorf("%s: Russian text %q is not detected as Russian", k, ru)
		}
	}
}

func TestText(t *testing.T) {
	if got := Text(corpus.LangRu, Related, "космос"); got != "Ближайшие темы, которые в них есть: космос." {
		t.Errorf("Text(ru, Related) = %q", got)
	}
	if got, want := Text("fr", NotAddressed), Text(corpus.LangEn, NotAddressed); got != want || got == "" {
		t.Errorf("unknown language: %q, want the English %q", got, want)
	}
	if got := Text(corpus.LangEn, Key("no_such_key")); got != "" {
		t.Errorf("unknown key: %q, want empty", got)
	}
	if got := Text(corpus.LangEn, TopicSeparator); got != "; " {
		t.Errorf(`\s escape: %q, want "; "`, got)
	}
	if got := Text(corpus.LangHans, Welcome); !strings.Contains(got, "\n\n") {
		t.Errorf(`\n escape: %q has no blank line`, got)
	}
}

// Every cue file parses, and every cue list is read in some language.
func TestCueFiles(t *testing.T) {
	used := map[string]bool{}
	for _, l := range corpus.Languages() {
		lists, err := parseCues(l.Tag)
		if err != nil {
			t.Fatal(err)
		}
		for name, cs := range lists {
			used[name] = true
			seen := map[string]bool{}
			for _, c := range cs {
				if seen[c.text] {
					t.Errorf("%s %s: %q listed twice", l.Tag, name, c.text)
				}
				seen[c.text] = true
			}
		}
	}
	for name := range CueLists {
		if !used[name] {
			t.Errorf("cue list %s is in no language's cues.tsv", name)
		}
	}
}

// A data directory that belongs to no registered language is a language
// half added (or half removed).
func TestNoStrayDirectories(t *testing.T) {
	dirs, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := corpus.Lang(d.Name()).Info(); !ok {
			t.Errorf("bot/i18n/%s belongs to no language of the registry (corpus/lang.go)", d.Name())
		}
	}
}
