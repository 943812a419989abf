package retrieval_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// SearchPacks ranks a pack's passages among themselves: a scope that is
// the whole index gives exactly Search's results, and a scope of one pack
// gives only its passages, found as well as if it were alone.
func TestSearchPacks(t *testing.T) {
	ctx := context.Background()
	c, err := corpus.Load(corpus.WithPackDir("../testdata/packs"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := retrieval.New(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"宣言对外空武器化持什么立场？", "What did they say about Gaza?", "人工智能", "Афганистан"} {
		all, err := x.Search(ctx, q, 8)
		if err != nil {
			t.Fatal(err)
		}
		scoped, err := x.SearchPacks(ctx, q, 8, []string{corpus.BuiltinPack, "qinghu2026"})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(all)
		b, _ := json.Marshal(scoped)
		if string(a) != string(b) {
			t.Errorf("%q: a scope of every pack differs from Search:\n%s\n%s", q, a, b)
		}
		one, err := x.SearchPacks(ctx, q, 8, []string{"qinghu2026"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range one.Items {
			if it.Passage.Pack != "qinghu2026" {
				t.Errorf("%q: scoped to qinghu2026, got %s", q, it.Passage.ID)
			}
		}
	}
	res, err := x.SearchPacks(ctx, "人工智能伦理委员会", 3, []string{"qinghu2026"})
	if err != nil || len(res.Items) == 0 || res.Items[0].Passage.ID != "qinghu2026:1.1" {
		t.Errorf("scoped search for the AI committee: %+v, %v", res.Items, err)
	}
	if res, err := x.SearchPacks(ctx, "人工智能", 3, []string{"nosuch2030"}); err != nil || len(res.Items) != 0 {
		t.Errorf("unknown pack: %+v, %v", res, err)
	}
	if !strings.Contains(c.ValidRanges(), "qinghu2026:A1-A2") {
		t.Error("test pack not loaded")
	}
}
