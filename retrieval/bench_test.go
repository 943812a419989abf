package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/declbot/declbot/corpus"
)

// Benchmarks for docs/BENCHMARKS.md. Run them with
//
//	go test ./retrieval -run '^$' -bench BenchmarkSearch -benchmem
//
// The synthetic corpora are built once per process (the 100,000-paragraph
// one takes seconds) and reported with their build time and heap size.

// benchQueries mixes the languages and kinds users ask.
var benchQueries = []string{
	"上合组织开发银行",
	"成员国对外空武器化的立场是什么？",
	"宣言對阿富汗問題都說了些什麼？",
	"What does the declaration say about outer space?",
	"sanctions and unilateral coercive measures",
	"Что говорится о терроризме и экстремизме?",
	"下一次元首理事会会议在哪里举行",
	"人工智能合作",
}

// syntheticPassages returns n deterministic Chinese paragraphs made by
// recombining 2-4 sentences of the real corpus, so that their character
// statistics (and so posting-list lengths) are the real ones.
func syntheticPassages(tb testing.TB, n int) []corpus.Passage {
	tb.Helper()
	c := loadCorpus(tb)
	var sentences []string
	for _, p := range c.Passages() {
		for _, s := range strings.SplitAfter(p.TextHans, "。") {
			for _, part := range strings.SplitAfter(s, "；") {
				if len([]rune(part)) >= 8 {
					sentences = append(sentences, part)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(2025, 9))
	out := make([]corpus.Passage, n)
	var b strings.Builder
	for i := range out {
		b.Reset()
		for range 2 + rng.IntN(3) {
			b.WriteString(sentences[rng.IntN(len(sentences))])
		}
		text := b.String()
		out[i] = corpus.Passage{ID: fmt.Sprintf("S%d", i+1), Doc: "synthetic", Section: "S", TextHans: text, TextHant: text, Seq: i + 1, Index: i}
	}
	return out
}

type builtIndex struct {
	x      *Index
	build  time.Duration
	heapMB float64
}

var (
	benchMu      sync.Mutex
	benchIndexes = map[int]*builtIndex{}
)

// benchIndex builds (once per size) an index over n synthetic paragraphs;
// n == 0 means the real corpus.
func benchIndex(b *testing.B, n int) *builtIndex {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bi, ok := benchIndexes[n]; ok {
		return bi
	}
	var ps []corpus.Passage
	if n == 0 {
		ps = loadCorpus(b).Passages()
	} else {
		ps = syntheticPassages(b, n)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	// No query LRU: every search pays for its query embedding.
	x, err := newIndex(context.Background(), ps, WithQueryCacheSize(0))
	if err != nil {
		b.Fatal(err)
	}
	bi := &builtIndex{x: x, build: time.Since(start)}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	bi.heapMB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	benchIndexes[n] = bi
	return bi
}

func benchSearch(b *testing.B, n int) {
	bi := benchIndex(b, n)
	ctx := context.Background()
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		t := time.Now()
		if _, err := bi.x.Search(ctx, q, 5); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(bi.build.Seconds(), "build-s")
	b.ReportMetric(bi.heapMB, "index-MB")
}

// BenchmarkSearchCorpus searches the real corpus (166 paragraphs).
func BenchmarkSearchCorpus(b *testing.B) { benchSearch(b, 0) }

// BenchmarkSearchSynthetic10k searches 10,000 synthetic paragraphs.
func BenchmarkSearchSynthetic10k(b *testing.B) { benchSearch(b, 10_000) }

// BenchmarkSearchSynthetic100k searches 100,000 synthetic paragraphs.
func BenchmarkSearchSynthetic100k(b *testing.B) { benchSearch(b, 100_000) }

// BenchmarkSearchIndexBuild measures building the index (embedding every
// paragraph offline, chromem-go collection, BM25) without a disk cache.
func BenchmarkSearchIndexBuild(b *testing.B) {
	for _, n := range []int{0, 10_000} {
		name := "corpus"
		if n > 0 {
			name = fmt.Sprintf("synthetic%dk", n/1000)
		}
		b.Run(name, func(b *testing.B) {
			var ps []corpus.Passage
			if n == 0 {
				ps = loadCorpus(b).Passages()
			} else {
				ps = syntheticPassages(b, n)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := newIndex(context.Background(), ps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearchWarmStart measures New on the real corpus with a warm
// embedding cache: read and verify the file, build the indexes.
func BenchmarkSearchWarmStart(b *testing.B) {
	dir := b.TempDir()
	c := loadCorpus(b)
	if _, err := New(context.Background(), c, WithCacheDir(dir)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(context.Background(), c, WithCacheDir(dir)); err != nil {
			b.Fatal(err)
		}
	}
}
