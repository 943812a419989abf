package retrieval

import (
	"context"
	"slices"
	"testing"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval/query"
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

// Prepare builds every language's fields at once; searching afterwards
// builds nothing more and finds what it found before.
func TestPrepareBuildsEveryField(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	lazy := 0
	for _, a := range x.alt {
		if a.fields == nil {
			lazy++
		}
	}
	if lazy == 0 {
		t.Fatal("no language's fields are left to build on first use; nothing for Prepare to do")
	}
	x.Prepare()
	for l, a := range x.alt {
		if a.fields == nil || a.build != nil {
			t.Errorf("%s: fields not built by Prepare", l)
		}
	}
	res, err := x.Search(context.Background(), "Что говорится о терроризме?", 5)
	if err != nil || len(res.Items) == 0 {
		t.Fatalf("search after Prepare: %v, %d results", err, len(res.Items))
	}
}

// rank scores each passage by its best entry, whether a passage's entries
// are listed together or apart.
func TestAltFieldRankBestEntry(t *testing.T) {
	texts := []string{"开发银行", "上合组织开发银行", "银行", "数字经济", "开发", "经济合作", "上合组织", "开发银行和经济", "合作"}
	for _, owners := range [][]int32{
		{0, 0, 1, 1, 1, 2, 2, 3, 3},
		{0, 1, 0, 2, 1, 3, 2, 3, 0},
		{3, 3, 3, 3, 3, 3, 3, 3, 3},
	} {
		f := buildAltField(FieldQuestions, corpus.LangHans, texts, owners)
		var s scratch
		q := s.altQueryTerms(query.Query{}, corpus.Fold("上合组织的开发银行和数字经济合作"), corpus.LangHans)
		const n = 5
		acc := make([]float64, len(owners)+n)
		got := f.rank(nil, acc, q, n, 50, nil)
		// The best entry by passage, scored one entry at a time.
		entries := make([]float64, len(owners))
		f.lex.accumulate(q, entries)
		var want []docScore
		for p := range int32(n) {
			best := 0.0
			for e, o := range owners {
				if o == p {
					best = max(best, entries[e])
				}
			}
			if best > 0 {
				want = append(want, docScore{p, best})
			}
		}
		slices.SortFunc(want, compareScores)
		if !slices.Equal(got, want) {
			t.Errorf("owners %v: rank = %v, want %v", owners, got, want)
		}
		if slices.ContainsFunc(acc, func(x float64) bool { return x != 0 }) {
			t.Errorf("owners %v: rank left its accumulators dirty", owners)
		}
	}
}
