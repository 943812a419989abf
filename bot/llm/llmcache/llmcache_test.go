package llmcache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/declbot/declbot/bot/llm"
)

type fakeModel struct {
	calls int
	err   error
}

func (f *fakeModel) Stream(_ context.Context, msgs []llm.Message, onDelta func(string)) (string, error) {
	f.calls++
	if f.err != nil {
		return "", f.err
	}
	if onDelta != nil {
		onDelta("answer to " + msgs[len(msgs)-1].Content)
	}
	return "answer to " + msgs[len(msgs)-1].Content, nil
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	m := &fakeModel{}
	c := New(m, dir, "http://a/v1", "m1")
	msgs := []llm.Message{{Role: "system", Content: "s"}, {Role: "user", Content: "q"}}
	ctx := context.Background()
	for i := range 2 {
		var streamed string
		text, err := c.Stream(ctx, msgs, func(d string) { streamed += d })
		if err != nil || text != "answer to q" || streamed != text {
			t.Fatalf("call %d: %q %q %v", i, text, streamed, err)
		}
	}
	if m.calls != 1 {
		t.Errorf("model called %d times, want 1", m.calls)
	}
	if h, mi := c.Stats(); h != 1 || mi != 1 {
		t.Errorf("stats %d hits %d misses", h, mi)
	}
	// Complete shares the entry; other messages, model or server do not.
	if _, err := c.Complete(ctx, msgs); err != nil || m.calls != 1 {
		t.Errorf("Complete: %v, %d calls", err, m.calls)
	}
	for _, other := range []*Cache{
		New(m, dir, "http://b/v1", "m1"),
		New(m, dir, "http://a/v1", "m2"),
	} {
		other.Stream(ctx, msgs, nil)
	}
	c.Stream(ctx, []llm.Message{{Role: "user", Content: "q2"}}, nil)
	if m.calls != 4 {
		t.Errorf("%d calls, want 4: the key must include base URL, model and messages", m.calls)
	}

	// A corrupt entry is a miss and is replaced.
	path := c.path(c.Key(msgs))
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if text, err := c.Stream(ctx, msgs, nil); err != nil || text != "answer to q" || m.calls != 5 {
		t.Errorf("after corruption: %q %v, %d calls", text, err, m.calls)
	}
	if _, err := c.Stream(ctx, msgs, nil); err != nil || m.calls != 5 {
		t.Errorf("the entry was not rewritten: %d calls", m.calls)
	}
}

func TestCacheNeverKeepsErrors(t *testing.T) {
	dir := t.TempDir()
	m := &fakeModel{err: errors.New("boom")}
	var seen []error
	c := New(m, dir, "u", "m", WithOnError(func(_ context.Context, err error) { seen = append(seen, err) }))
	msgs := []llm.Message{{Role: "user", Content: "q"}}
	for range 2 {
		if _, err := c.Stream(context.Background(), msgs, nil); err == nil {
			t.Fatal("no error")
		}
	}
	if m.calls != 2 || len(seen) != 2 {
		t.Errorf("%d calls, %d errors reported; an error must be asked again", m.calls, len(seen))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 0 {
		t.Errorf("files written for errors: %v", files)
	}
}
