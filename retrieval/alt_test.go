package retrieval

import (
	"context"
	"slices"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// Every question of the question lists finds its own passage in the top
// five, nearly always: the lists are what the field is searched by, so a
// miss means the field is not used. (Measured: see the test's log.)
func TestQuestionListsFindTheirPassage(t *testing.T) {
	c := loadCorpus(t)
	x := corpusIndex(t)
	for _, l := range []corpus.Lang{corpus.LangHans, corpus.LangEn, corpus.LangRu} {
		qs := c.Questions(l)
		hit, viaQuestions := 0, 0
		for _, q := range qs {
			res, err := x.Search(context.Background(), q.Text, 5)
			if err != nil {
				continue
			}
			for _, it := range res.Items {
				if it.Passage.ID == q.ID {
					hit++
					if slices.Contains(it.Fields, FieldQuestions) {
						viaQuestions++
					}
					break
				}
			}
		}
		rate := float64(hit) / float64(len(qs))
		t.Logf("%s: %d of %d questions find their passage in the top 5 (%.3f); %d through the question lists", l, hit, len(qs), rate, viaQuestions)
		if rate < 0.9 || viaQuestions < hit/2 {
			t.Errorf("%s: %.3f of the list's questions find their passage (want >= 0.9), %d of %d through the lists", l, rate, viaQuestions, hit)
		}
	}
}

// An English or Russian question is matched against the working
// translation: a passage's own translated words find it, and say so.
func TestTranslationFieldFindsPassage(t *testing.T) {
	c := loadCorpus(t)
	x := corpusIndex(t)
	for _, l := range []corpus.Lang{corpus.LangEn, corpus.LangRu} {
		found := 0
		for _, p := range c.Passages() {
			res, err := x.Search(context.Background(), p.TextIn(l), 5)
			if err != nil {
				continue
			}
			for _, it := range res.Items {
				if it.Passage.ID == p.ID && slices.Contains(it.Fields, FieldTranslation) {
					found++
					break
				}
			}
		}
		if rate := float64(found) / float64(c.Len()); rate < 0.95 {
			t.Errorf("%s: %.3f of the passages found by their own translation through the translation field, want >= 0.95", l, rate)
		}
	}
}
