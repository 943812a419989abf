package retrieval_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// BenchmarkSearchGolden searches the golden suite's questions, in turn,
// on the index `declbot search` and the bot use (retrieval.New: every
// field, the query-embedding cache warm after the first round), as
// ../shared/bench/sidebyside/run.sh does, and reports the p50 and p95 of
// single searches.
//
//	go test ./retrieval -run '^$' -bench BenchmarkSearchGolden -benchmem
func BenchmarkSearchGolden(b *testing.B) {
	x, items := goldenIndex(b)
	qs := make([]string, len(items))
	for i, it := range items {
		qs[i] = it.Question
	}
	benchSearches(b, x, qs)
}

// BenchmarkSearchGoldenLang is BenchmarkSearchGolden by the questions'
// language, for finding where a search's time goes.
//
//	go test ./retrieval -run '^$' -bench BenchmarkSearchGoldenLang -benchmem
func BenchmarkSearchGoldenLang(b *testing.B) {
	x, items := goldenIndex(b)
	for _, l := range corpus.LangTags() {
		var qs []string
		for _, it := range items {
			if it.Lang == l {
				qs = append(qs, it.Question)
			}
		}
		if len(qs) == 0 {
			continue
		}
		b.Run(string(l), func(b *testing.B) { benchSearches(b, x, qs) })
	}
}

// goldenIndex returns the index retrieval.New builds over the built-in
// corpus and the golden suite's items.
func goldenIndex(b *testing.B) (*retrieval.Index, []eval.Item) {
	ctx := context.Background()
	c, err := corpus.Load()
	if err != nil {
		b.Fatal(err)
	}
	s, err := eval.Default(c)
	if err != nil {
		b.Fatal(err)
	}
	x, err := retrieval.New(ctx, c, retrieval.WithCacheDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	return x, s.Items
}

// benchSearches searches qs in turn, after one untimed round that warms
// the query-embedding cache, and reports the p50 and p95 of single
// searches.
func benchSearches(b *testing.B, x *retrieval.Index, qs []string) {
	ctx := context.Background()
	for _, q := range qs {
		if _, err := x.Search(ctx, q, 5); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t := time.Now()
		if _, err := x.Search(ctx, qs[i%len(qs)], 5); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*95/100].Nanoseconds())/1000, "p95-µs")
}
