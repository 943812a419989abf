package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/corpus/packtest"
	"github.com/declbot/declbot/retrieval"
)

// BenchmarkSearchPacks searches the golden questions with the built-in
// texts alone (1 pack, 166 passages) and with 3 and 15 synthetic packs
// of 150 paragraphs added (4 packs, 616 passages; 16 packs, 2,416): how
// search time grows with the number of loaded documents (issue 14: no
// more than linearly with the number of passages). It reports the median
// and 95th percentile per search and the passages indexed.
//
//	go test ./retrieval -run '^$' -bench BenchmarkSearchPacks -benchtime 3000x
func BenchmarkSearchPacks(b *testing.B) {
	c0, err := corpus.Load()
	if err != nil {
		b.Fatal(err)
	}
	s, err := eval.Default(c0)
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for _, it := range s.Items {
		qs = append(qs, it.Question)
	}
	for _, packs := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("packs=%d", packs), func(b *testing.B) {
			dir := b.TempDir()
			if err := packtest.Write(dir, packs-1, 150); err != nil {
				b.Fatal(err)
			}
			c, err := corpus.Load(corpus.WithPackDir(dir))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			x, err := retrieval.New(ctx, c, retrieval.WithCacheDir(b.TempDir()))
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range qs { // every field built, query vectors cached
				if _, err := x.Search(ctx, q, 5); err != nil {
					b.Fatal(err)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := x.Search(ctx, qs[i%len(qs)], 5); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "p95-µs")
			b.ReportMetric(float64(c.Len()), "passages")
		})
	}
}
