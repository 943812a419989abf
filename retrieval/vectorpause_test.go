package retrieval

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// While the embeddings API is down, one query pays for finding out and the
// following ones go straight to BM25 instead of each waiting out retries.
func TestVectorSearchPausesAfterAFailure(t *testing.T) {
	ctx := context.Background()
	emb := newCounting("pause-test")
	x, err := New(ctx, loadCorpus(t), WithEmbedder(emb), WithCacheDir(t.TempDir()), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	emb.failOn = "开发" // no passage is embedded again; queries about 开发 fail
	before := emb.calls.Load()
	res, err := x.Search(ctx, "上合组织开发银行", 5)
	if err != nil {
		t.Fatalf("Search with the embedder down: %v", err)
	}
	if len(res.Items) == 0 || res.Items[0].Passage.ID != "3.21" {
		t.Fatalf("lexical fallback did not find 3.21: %+v", res.Items)
	}
	if got := emb.calls.Load() - before; got != 1 {
		t.Fatalf("first query: %d embed calls, want 1", got)
	}
	if _, err := x.Search(ctx, "开发银行的进展", 5); err != nil {
		t.Fatal(err)
	}
	if got := emb.calls.Load() - before; got != 1 {
		t.Errorf("second query during the pause: %d embed calls in all, want still 1", got)
	}
	// After the pause the vector side is tried again.
	x.vecDownUntil.Store(1)
	emb.failOn = ""
	if _, err := x.Search(ctx, "外空武器化", 5); err != nil {
		t.Fatal(err)
	}
	if got := emb.calls.Load() - before; got != 2 {
		t.Errorf("after the pause: %d embed calls in all, want 2", got)
	}
	if x.vecDownUntil.Load() != 0 {
		t.Error("a successful query did not clear the pause")
	}
}
