//go:build linux

package retrieval

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A full disk while the embedding cache is rewritten (the corpus grew, so
// the cache must be saved again): the index works, the failure is logged
// once, and the old cache file is left exactly as it was, with no
// temporary file behind; the next start with room saves it in full.
//
// The full disk is RLIMIT_FSIZE=0 (every write to a file fails in the
// kernel with EFBIG, even for root), set in a child process running
// TestCacheDiskFullChild, since the limit holds for the whole process.
func TestCacheSurvivesFullDisk(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	dir := t.TempDir()
	old := newCounting("counting-v1")
	if _, err := newIndex(ctx, c.Passages()[:40], WithEmbedder(old), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, cacheFileName("counting-v1"))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCacheDiskFullChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "DECLBOT_TEST_CACHE_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestCacheDiskFullChild")) {
		t.Fatalf("index on a full disk (child process): %v\n%s", err, out)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the old cache file changed while the disk was full")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if n := e.Name(); n != filepath.Base(path) && !(strings.HasPrefix(n, "index-") && strings.HasSuffix(n, ".bin")) {
			t.Errorf("cache dir holds %s: want only the cache and index snapshots (no temporary file left)", n)
		}
	}

	// Room again: saved in full, and the next start embeds nothing.
	if _, err := New(ctx, c, WithEmbedder(newCounting("counting-v1")), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	warm := newCounting("counting-v1")
	if _, err := New(ctx, c, WithEmbedder(warm), WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	if n := warm.texts.Load(); n != 0 {
		t.Errorf("after the disk had room again, a start embedded %d texts, want 0", n)
	}
}

func TestCacheDiskFullChild(t *testing.T) {
	dir := os.Getenv("DECLBOT_TEST_CACHE_DIR")
	if dir == "" {
		t.Skip("run by TestCacheSurvivesFullDisk in a child process")
	}
	c := loadCorpus(t)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = 0
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	e := newCounting("counting-v1")
	x, err := New(context.Background(), c, WithEmbedder(e), WithCacheDir(dir), WithLogger(logs.logger()))
	if err != nil {
		t.Fatalf("New on a full disk: %v", err)
	}
	if n := e.texts.Load(); n != int64(c.Len()-40) {
		t.Errorf("embedded %d texts, want the %d the old cache lacks", n, c.Len()-40)
	}
	res, err := x.Search(context.Background(), "开发银行", 3)
	if err != nil || len(res.Items) == 0 {
		t.Fatalf("Search on a full disk: %v, %d results", err, len(res.Items))
	}
	if got := logs.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "embedding cache not saved") || !strings.Contains(got, "file too large") {
		t.Errorf("want one line saying the cache was not saved, got:\n%s", got)
	}
}
