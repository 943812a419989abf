package retrieval_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

func BenchmarkSearchLang(b *testing.B) {
	ctx := context.Background()
	c, _ := corpus.Load()
	s, _ := eval.Default(c)
	x, _ := retrieval.New(ctx, c, retrieval.WithCacheDir(b.TempDir()))
	var qs []string
	for _, it := range s.Items {
		if strings.HasPrefix(string(it.Lang), os.Getenv("LANGF")) && !it.OutOfScope {
			qs = append(qs, it.Question)
			x.Search(ctx, it.Question, 5)
		}
	}
	lat := make([]time.Duration, 0, 4096)
	i := 0
	for b.Loop() {
		t := time.Now()
		x.Search(ctx, qs[i%len(qs)], 5)
		lat = append(lat, time.Since(t))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
}
