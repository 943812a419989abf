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
	qs := make([]string, len(s.Items))
	for i, it := range s.Items {
		qs[i] = it.Question
		if _, err := x.Search(ctx, qs[i], 5); err != nil {
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
