package i18n_test

import (
	"testing"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/prompts"
	"github.com/declbot/declbot/retrieval/query"
)

// TestLanguagesComplete walks the language registry (corpus/lang.go) and
// fails when a language lacks any of its parts, the places the checklist
// in docs/DEVELOPERS.md ("Adding a language") names:
//
//  1. its registry entry: prompt name (and, for a language written in
//     words, a stemmer query knows: checked when query builds);
//  2. bot/i18n/<tag>/: every text, and a cue file;
//  3. retrieval/query's data: glossary lines, for a language written in
//     words;
//  4. bot/eval/golden.jsonl: answerable and out-of-scope questions.
func TestLanguagesComplete(t *testing.T) {
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	suite, err := eval.Default(c)
	if err != nil {
		t.Fatal(err)
	}
	answerable, outOfScope := map[corpus.Lang]int{}, map[corpus.Lang]int{}
	for _, it := range suite.Items {
		if it.OutOfScope {
			outOfScope[it.Lang]++
		} else {
			answerable[it.Lang]++
		}
	}
	p, err := query.New()
	if err != nil {
		t.Fatal(err)
	}
	glossary := p.Stats().ByLang
	for _, l := range corpus.Languages() {
		if prompts.LanguageName(string(l.Tag)) != l.PromptName {
			t.Errorf("%s: the prompt does not name the language", l.Tag)
		}
		for _, k := range i18n.Keys() {
			if !i18n.Has(l.Tag, k) {
				t.Errorf("%s: no text %s in bot/i18n/%s/text.tsv", l.Tag, k, l.Tag)
			}
		}
		cues := 0
		for list := range i18n.CueLists {
			cues += len(i18n.Cues(l.Tag, list))
		}
		if cues == 0 {
			t.Errorf("%s: no cues in bot/i18n/%s/cues.tsv", l.Tag, l.Tag)
		}
		if !l.Chinese && glossary[string(l.Tag)] == 0 {
			t.Errorf("%s: no glossary lines in retrieval/query/glossary.tsv: questions in it would find nothing", l.Tag)
		}
		if answerable[l.Tag] == 0 || outOfScope[l.Tag] == 0 {
			t.Errorf("%s: bot/eval/golden.jsonl has %d answerable and %d out-of-scope questions in it; it needs both", l.Tag, answerable[l.Tag], outOfScope[l.Tag])
		}
	}
}
