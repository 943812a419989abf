package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// countingEmbedder wraps the offline embedder and counts what it is asked
// to embed, to prove what the caches save.
type countingEmbedder struct {
	inner  Embedder
	name   string
	calls  atomic.Int64 // Embed calls
	texts  atomic.Int64 // texts embedded
	failOn string       // Embed fails when a text contains this
}

func newCounting(name string) *countingEmbedder {
	return &countingEmbedder{inner: NewHashEmbedder(64), name: name}
}

func (c *countingEmbedder) Name() string { return c.name }

// EmbedsProcessedQuery: it is the hash embedder underneath.
func (c *countingEmbedder) EmbedsProcessedQuery() {}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	c.texts.Add(int64(len(texts)))
	for _, t := range texts {
		if c.failOn != "" && strings.Contains(t, c.failOn) {
			return nil, errors.New("embedder down")
		}
	}
	return c.inner.Embed(ctx, texts)
}

func loadCorpus(t testing.TB) *corpus.Corpus {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// logBuffer collects slog output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestSearchFindsParagraph(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q string }{
		{"上合组织开发银行"},
		{"上合組織開發銀行"}, // traditional: same passages
	}
	var first []Result
	for i, tt := range tests {
		res, err := x.Search(context.Background(), tt.q, 5)
		if err != nil {
			t.Fatalf("Search(%q): %v", tt.q, err)
		}
		if len(res.Items) != 5 {
			t.Fatalf("Search(%q) returned %d items, want 5", tt.q, len(res.Items))
		}
		if !strings.Contains(res.Items[0].Passage.TextHans, "开发银行") {
			t.Errorf("Search(%q) top passage %s does not mention 开发银行: %s", tt.q, res.Items[0].Passage.ID, res.Items[0].Passage.TextHans)
		}
		it := res.Items[0]
		if it.VectorRank == 0 || it.LexicalRank == 0 || it.LexicalScore <= 0 || it.VectorScore <= 0 {
			t.Errorf("top result lacks a component: %+v", it)
		}
		// Each ranking adds its weight times a share of 0 to 1 plus
		// the reciprocal rank (TestFuseShares has the exact sums).
		lo := x.vecWeight/(DefaultRRFK+float64(it.VectorRank)) + 1/(DefaultRRFK+float64(it.LexicalRank))
		hi := lo + x.vecWeight + 1
		for f, r := range it.AltRanks.Map() {
			w := translationWeight
			if f == FieldQuestions {
				w = questionsWeight
			}
			lo += w / (DefaultRRFK + float64(r))
			hi += w * (1 + 1/(DefaultRRFK+float64(r)))
		}
		if !slices.Contains(it.Fields, FieldText) || !slices.Contains(it.Fields, FieldVector) {
			t.Errorf("top result's fields %q lack text or vector", it.Fields)
		}
		if it.Score < lo || it.Score > hi {
			t.Errorf("fused score %v outside [%v, %v], the sums of its rankings' reciprocal ranks without and with full shares", it.Score, lo, hi)
		}
		for j := 1; j < len(res.Items); j++ {
			if res.Items[j].Score > res.Items[j-1].Score {
				t.Errorf("items not sorted by fused score at %d", j)
			}
		}
		if i == 0 {
			first = res.Items
		} else {
			for j := range first {
				if first[j].Passage.ID != res.Items[j].Passage.ID {
					t.Errorf("traditional query ranks %s at %d, simplified ranks %s", res.Items[j].Passage.ID, j, first[j].Passage.ID)
				}
			}
		}
	}
}

func TestSearchEmptyQuery(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "   ", "？！。", "🙂"} {
		if _, err := x.Search(context.Background(), q, 5); !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("Search(%q) error = %v, want ErrEmptyQuery", q, err)
		}
	}
}

func TestSearchAllStopPhrases(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	// Every word of this question is a stop phrase; it still finds the
	// opening paragraph, which names the declaration, lexically first.
	res, err := x.Search(context.Background(), "天津宣言说了什么？", 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	found := false
	for _, r := range res.Items {
		ids = append(ids, r.Passage.ID)
		found = found || (r.Passage.ID == "0.1" && r.LexicalRank == 1)
	}
	if !found {
		t.Errorf("top results %v, want 0.1 among them as the best lexical match", ids)
	}
}

func TestSearchConcurrent(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	qs := []string{"开发银行", "外空", "恐怖主义", "世界贸易组织", "联合国"}
	want := map[string]string{}
	for _, q := range qs {
		res, err := x.Search(context.Background(), q, 3)
		if err != nil {
			t.Fatal(err)
		}
		want[q] = res.Items[0].Passage.ID
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				q := qs[(g+i)%len(qs)]
				res, err := x.Search(context.Background(), q, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Items[0].Passage.ID != want[q] {
					t.Errorf("concurrent Search(%q) top = %s, want %s", q, res.Items[0].Passage.ID, want[q])
				}
			}
		}()
	}
	wg.Wait()
}

func TestWarmRestartMakesNoCorpusEmbeddingCalls(t *testing.T) {
	c := loadCorpus(t)
	dir := t.TempDir()
	ctx := context.Background()

	cold := newCounting("counting-v1")
	if _, err := New(ctx, c, WithEmbedder(cold), WithCacheDir(dir), WithBatchSize(64)); err != nil {
		t.Fatal(err)
	}
	if got := cold.texts.Load(); got != int64(c.Len()) {
		t.Fatalf("cold start embedded %d texts, want %d", got, c.Len())
	}
	if got, want := cold.calls.Load(), int64((c.Len()+63)/64); got != want {
		t.Errorf("cold start made %d Embed calls, want %d batches of 64", got, want)
	}

	warm := newCounting("counting-v1")
	x, err := New(ctx, c, WithEmbedder(warm), WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := warm.calls.Load(); got != 0 {
		t.Fatalf("warm start made %d Embed calls, want 0", got)
	}
	if _, err := x.Search(ctx, "开发银行", 5); err != nil {
		t.Fatal(err)
	}
	if got := warm.calls.Load(); got != 1 {
		t.Fatalf("a new query made %d Embed calls, want 1", got)
	}
	for range 3 {
		if _, err := x.Search(ctx, "開發銀行", 5); err != nil { // folds to the same query text
			t.Fatal(err)
		}
	}
	if got := warm.calls.Load(); got != 1 {
		t.Fatalf("repeated queries made %d Embed calls in all, want still 1 (LRU)", got)
	}

	// Another embedder must not read this one's vectors.
	other := newCounting("counting-v2")
	if _, err := New(ctx, c, WithEmbedder(other), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	if got := other.texts.Load(); got != int64(c.Len()) {
		t.Errorf("a different embedder embedded %d texts, want all %d", got, c.Len())
	}
}

// TestCacheOfAnotherDimension: the model behind one embedder name now
// returns vectors of another length (a server that swapped the model behind
// the name). The cached vectors cannot be mixed with new ones: they are
// dropped, every passage is embedded again, and the cache is rewritten.
func TestCacheOfAnotherDimension(t *testing.T) {
	ps := slices.Clone(loadCorpus(t).Passages())
	dir := t.TempDir()
	ctx := context.Background()
	old := &countingEmbedder{inner: NewHashEmbedder(32), name: "same-name"}
	if _, err := newIndex(ctx, ps, WithEmbedder(old), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	ps[3].TextHans += "（修订）" // one passage not in the cache
	var logs logBuffer
	now := &countingEmbedder{inner: NewHashEmbedder(64), name: "same-name"}
	x, err := newIndex(ctx, ps, WithEmbedder(now), WithCacheDir(dir), WithLogger(logs.logger()))
	if err != nil {
		t.Fatalf("New with a cache of another dimension: %v", err)
	}
	if got := now.texts.Load(); got != int64(len(ps)) {
		t.Errorf("embedded %d texts, want all %d", got, len(ps))
	}
	if !strings.Contains(logs.String(), "dimensions") {
		t.Errorf("the dropped cache was not reported: %q", logs.String())
	}
	res, err := x.Search(ctx, "开发银行", 5)
	if err != nil || len(res.Items) == 0 || res.Items[0].VectorRank == 0 {
		t.Fatalf("Search after the rebuild: %+v, %v; want a vector-ranked result", res.Items, err)
	}
	again := &countingEmbedder{inner: NewHashEmbedder(64), name: "same-name"}
	if _, err := newIndex(ctx, ps, WithEmbedder(again), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	if got := again.calls.Load(); got != 0 {
		t.Errorf("the rewritten cache was not used: %d Embed calls", got)
	}

	// Every passage cached: nothing is embedded at start, so the change
	// shows only in the query's vector. Search falls back to the lexical
	// ranking and the log says what to do.
	logs = logBuffer{}
	changed := &countingEmbedder{inner: NewHashEmbedder(16), name: "same-name"}
	x, err = newIndex(ctx, ps, WithEmbedder(changed), WithCacheDir(dir), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	res, err = x.Search(ctx, "开发银行", 5)
	if err != nil || len(res.Items) == 0 || res.Items[0].VectorRank != 0 {
		t.Fatalf("Search with a query vector of another length: %+v, %v; want lexical results", res.Items, err)
	}
	if !strings.Contains(logs.String(), "delete the embeddings-*.bin files") {
		t.Errorf("the log does not say how to fix it: %q", logs.String())
	}
}

func TestQueryLRUEvicts(t *testing.T) {
	l := newLRU(2)
	l.put("a", []float32{1})
	l.put("b", []float32{2})
	l.get("a") // a is now the most recent
	l.put("c", []float32{3})
	if _, ok := l.get("b"); ok {
		t.Error("b should have been evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := l.get(k); !ok {
			t.Errorf("%s should be cached", k)
		}
	}
}

func TestCacheRejectsBadFiles(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		damage  func(t *testing.T, path string)
		wantLog string
	}{
		{"truncated", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			writeFile(t, path, data[:len(data)/2])
		}, "truncated"},
		{"bit flip", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			data[len(data)/2] ^= 0x40
			writeFile(t, path, data)
		}, "checksum mismatch"},
		{"foreign file", func(t *testing.T, path string) {
			writeFile(t, path, []byte("PK\x03\x04 this is a zip file, not ours"))
		}, "bad magic"},
		{"empty file", func(t *testing.T, path string) {
			writeFile(t, path, nil)
		}, "bad magic"},
		{"another embedder's cache", func(t *testing.T, path string) {
			dc := &diskCache{path: path, name: "someone-else"}
			if err := dc.write([]textKey{keyOf("x")}, [][]float32{{1, 0}}); err != nil {
				t.Fatal(err)
			}
		}, `made by embedder \"someone-else\"`},
		{"future version", func(t *testing.T, path string) {
			data, _ := os.ReadFile(path)
			data[len(cacheMagic)] = 99
			// Recompute the checksum so only the version is wrong.
			body := data[:len(data)-32]
			sum := sha256.Sum256(body)
			writeFile(t, path, append(body, sum[:]...))
		}, "version 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e := newCounting("counting-v1")
			if _, err := New(ctx, c, WithEmbedder(e), WithCacheDir(dir)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, cacheFileName(e.Name()))
			tt.damage(t, path)

			var logs logBuffer
			e2 := newCounting("counting-v1")
			x, err := New(ctx, c, WithEmbedder(e2), WithCacheDir(dir), WithLogger(logs.logger()))
			if err != nil {
				t.Fatalf("New with a damaged cache: %v", err)
			}
			if got := logLines(logs.String()); got != 1 {
				t.Errorf("logged %d cache lines, want exactly 1:\n%s", got, logs.String())
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log does not say %q:\n%s", tt.wantLog, logs.String())
			}
			if got := e2.texts.Load(); got != int64(c.Len()) {
				t.Errorf("rebuilt %d embeddings, want %d", got, c.Len())
			}
			if res, err := x.Search(ctx, "开发银行", 1); err != nil || len(res.Items) != 1 {
				t.Errorf("search after rebuild: %v, %d items", err, len(res.Items))
			}

			// The rebuilt file is good: the next start embeds nothing
			// and logs nothing.
			var logs3 logBuffer
			e3 := newCounting("counting-v1")
			if _, err := New(ctx, c, WithEmbedder(e3), WithCacheDir(dir), WithLogger(logs3.logger())); err != nil {
				t.Fatal(err)
			}
			if e3.calls.Load() != 0 || logs3.String() != "" {
				t.Errorf("after the rebuild: %d Embed calls, logs %q; want 0 and none", e3.calls.Load(), logs3.String())
			}
			// No temporary files are left behind: the cache file and the
			// index snapshots.
			ents, _ := os.ReadDir(dir)
			var names []string
			for _, e := range ents {
				if n := e.Name(); n != cacheFileName(e3.Name()) && !(strings.HasPrefix(n, "index-") && strings.HasSuffix(n, ".bin")) {
					names = append(names, n)
				}
			}
			if len(names) > 0 {
				t.Errorf("cache dir holds %v besides the cache file and index snapshots", names)
			}
		})
	}
}

func TestCacheDirUnusable(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	// A directory that cannot be created (its parent is a file): this
	// fails even for root, unlike a chmod'ed directory.
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, []byte("x"))
	var logs logBuffer
	e := newCounting("counting-v1")
	x, err := New(ctx, c, WithEmbedder(e), WithCacheDir(filepath.Join(file, "cache")), WithLogger(logs.logger()))
	if err != nil {
		t.Fatalf("New with an unusable cache dir: %v", err)
	}
	if _, err := x.Search(ctx, "外空", 3); err != nil {
		t.Fatal(err)
	}
	if got := logLines(logs.String()); got != 1 {
		t.Errorf("logged %d cache lines, want 1:\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), "cache disabled") {
		t.Errorf("log does not say the cache is disabled:\n%s", logs.String())
	}
}

func TestCacheDirReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to read-only directories; TestCacheDirUnusable covers the unusable-directory path")
	}
	c := loadCorpus(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	var logs logBuffer
	x, err := New(context.Background(), c, WithEmbedder(newCounting("counting-v1")), WithCacheDir(dir), WithLogger(logs.logger()))
	if err != nil {
		t.Fatalf("New with a read-only cache dir: %v", err)
	}
	if _, err := x.Search(context.Background(), "外空", 3); err != nil {
		t.Fatal(err)
	}
	if got := logLines(logs.String()); got != 1 {
		t.Errorf("logged %d cache lines, want 1:\n%s", got, logs.String())
	}
}

func TestEmbedderFailure(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	e := newCounting("counting-v1")
	e.failOn = "开发银行"
	_, err := New(ctx, c, WithEmbedder(e))
	if err == nil || !strings.Contains(err.Error(), "embedder down") || !strings.Contains(err.Error(), "counting-v1") {
		t.Fatalf("New with a failing embedder: err = %v, want it to name the embedder and the cause", err)
	}

	// At query time a failing embedder degrades to the lexical ranking.
	e2 := newCounting("counting-v1")
	var logs logBuffer
	x, err := New(ctx, c, WithEmbedder(e2), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	e2.failOn = "开发银行"
	res, err := x.Search(ctx, "开发银行", 3)
	if err != nil {
		t.Fatalf("Search with a failing embedder: %v", err)
	}
	if len(res.Items) == 0 || res.Items[0].VectorRank != 0 || res.Items[0].LexicalRank != 1 {
		t.Errorf("want lexical-only results, got %+v", res.Items)
	}
	if !strings.Contains(logs.String(), "lexical ranking only") {
		t.Errorf("the fallback was not logged: %s", logs.String())
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	if p := newProgressBar(&buf, "x", 10); p != nil {
		t.Fatal("a progress bar on a buffer, which is not a terminal")
	}
	// Drive the renderer directly, as on a terminal.
	p := &progressBar{w: &buf, label: "embedding passages", total: 4, drawn: -1}
	p.add(1)
	p.add(3)
	p.finish()
	want := "\rembedding passages [#######.......................] 1/4" +
		"\rembedding passages [##############################] 4/4\n"
	if buf.String() != want {
		t.Errorf("progress output %q, want %q", buf.String(), want)
	}
	// Index writes nothing to a non-terminal progress writer.
	var out bytes.Buffer
	if _, err := New(context.Background(), loadCorpus(t), WithProgress(&out)); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("progress written to a non-terminal: %q", out.String())
	}
}

func TestHashEmbedder(t *testing.T) {
	e := NewHashEmbedder(0)
	vs, err := e.Embed(context.Background(), []string{"上合组织开发银行", "上合組織開發銀行", "外空", "", "，。"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs[0]) != DefaultHashDim {
		t.Fatalf("dim %d, want %d", len(vs[0]), DefaultHashDim)
	}
	dot := func(a, b []float32) (s float64) {
		for i := range a {
			s += float64(a[i]) * float64(b[i])
		}
		return s
	}
	if d := dot(vs[0], vs[0]); d < 0.9999 || d > 1.0001 {
		t.Errorf("not unit length: |v|² = %v", d)
	}
	if d := dot(vs[0], vs[1]); d < 0.9999 {
		t.Errorf("traditional and simplified differ: cos = %v", d)
	}
	if d := dot(vs[0], vs[2]); d > 0.5 {
		t.Errorf("unrelated texts too similar: cos = %v", d)
	}
	if !isZero(vs[3]) || !isZero(vs[4]) {
		t.Error("texts without letters should embed to zero vectors")
	}
	again, _ := e.Embed(context.Background(), []string{"上合组织开发银行"})
	for i := range again[0] {
		if again[0][i] != vs[0][i] {
			t.Fatal("not deterministic")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Embed(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Embed with a cancelled context: %v", err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// logLines counts the log records in s.
func logLines(s string) int { return strings.Count(s, "level=") }
