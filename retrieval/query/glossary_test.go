package query

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// foldedCorpus returns every passage's simplified text, folded as the
// retriever folds it.
func foldedCorpus(t testing.TB) []string {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range c.Passages() {
		out = append(out, corpus.Fold(p.TextHans))
	}
	return out
}

func occurs(texts []string, term string) bool {
	for _, s := range texts {
		if strings.Contains(s, term) {
			return true
		}
	}
	return false
}

// TestGlossaryTermsOccurInCorpus is the "reviewed against the text"
// guarantee: every Chinese term the glossary can add to a query occurs in
// at least one passage, so an expansion never searches for words the
// declaration does not use.
func TestGlossaryTermsOccurInCorpus(t *testing.T) {
	texts := foldedCorpus(t)
	checked := 0
	err := lines(glossaryTSV, func(n int, f []string) error {
		for _, term := range strings.Split(f[2], ",") {
			term = corpus.Fold(strings.TrimSpace(term))
			checked++
			if !occurs(texts, term) {
				t.Errorf("glossary.tsv:%d: %s %q -> %q does not occur in any passage", n, f[0], f[1], term)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no glossary terms checked")
	}
}

// Chinese synonyms exist for words the declaration does not use; a key
// that occurs in the corpus is already searchable as it is.
func TestChineseSynonymsAbsentFromCorpus(t *testing.T) {
	texts := foldedCorpus(t)
	n := 0
	_ = lines(glossaryTSV, func(line int, f []string) error {
		if f[0] != "zh" {
			return nil
		}
		n++
		if key := corpus.Fold(f[1]); occurs(texts, key) {
			t.Errorf("glossary.tsv:%d: zh %q occurs in the corpus; no synonym needed", line, key)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no zh synonyms")
	}
}

// TestStopPhrasesAbsentFromCorpus keeps Chinese stop-phrase removal from
// eating the declaration's own words: a stop phrase may occur in the
// corpus only if it is listed here on purpose (it occurs in nearly every
// paragraph, or only names the document) or is covered there by a
// protected term.
func TestStopPhrasesAbsentFromCorpus(t *testing.T) {
	onPurpose := map[string]bool{
		"宣言": true, "上合组织": true, "上海合作组织": true, "上合": true, "本组织": true,
		"成员国": true, "关于": true, "有关": true, "方面": true, "立场": true, "峰会": true,
	}
	texts := foldedCorpus(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	_ = lines(stopTSV, func(n int, f []string) error {
		if f[0] != "zh" || onPurpose[f[1]] {
			return nil
		}
		for _, s := range texts {
			// What remains of the passage after stripping must still
			// contain everything but on-purpose stop phrases.
			if strings.Contains(s, f[1]) && !protectedEverywhere(p, s, f[1]) {
				t.Errorf("stop.tsv:%d: %q occurs in the corpus (%.40s…); protect it with zh-keep or drop it", n, f[1], s)
				break
			}
		}
		return nil
	})
}

// protectedEverywhere reports whether every occurrence of stop in s is
// inside a protected term, by stripping s and looking for the phrase.
func protectedEverywhere(p *Processor, s, stop string) bool {
	p.zhTables()
	pieces, _, _ := p.zh.strip(s)
	kept := strings.Join(pieces, "")
	return strings.Count(kept, stop) == strings.Count(s, stop)
}

// TestAdjectivesMapped: Snowball stems some adjectives apart from their
// nouns ("environmental" to environment, "environment" to environ), so the
// glossary lists them itself; without them "environmental cooperation"
// searched nothing.
func TestAdjectivesMapped(t *testing.T) {
	p := newProcessor(t)
	for _, tt := range []struct{ q, term string }{
		{"environmental cooperation", "环境保护"},
		{"political settlement", "政治"},
		{"territorial disputes", "领土"},
		{"sanitary services", "卫生防疫"},
	} {
		if got := p.Process(tt.q).Text; !strings.Contains(got, tt.term) {
			t.Errorf("Process(%q).Text = %q, want %s in it", tt.q, got, tt.term)
		}
	}
}
