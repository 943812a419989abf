package compose

import (
	"context"
	"testing"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// BenchmarkNew is what a composer costs at start: the term statistics and
// every passage's sentences and terms in both scripts.
func BenchmarkNew(b *testing.B) {
	c := loadCorpus(b)
	stats := retrieval.NewTermStats(c)
	b.ReportAllocs()
	for b.Loop() {
		New(c, stats)
	}
}

// BenchmarkCompose is one offline answer from search results already
// found (retrieval excluded).
func BenchmarkCompose(b *testing.B) {
	r := realSearcher(b)
	cp := testComposer()
	q := "宣言对外空武器化持什么立场？"
	res, err := r.Search(context.Background(), q, 8)
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Question: q, Lang: corpus.LangHans, Results: res}
	b.ReportAllocs()
	for b.Loop() {
		cp.Compose(in)
	}
}
