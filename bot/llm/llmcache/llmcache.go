// Package llmcache keeps a model's answers on disk, so that running an
// evaluation suite again with the same configuration costs no model call.
//
// A response is keyed by the server's base URL, the model and the exact
// messages sent; only successful responses are stored, so an error, a
// timeout or an empty answer is asked again next time. Each response is
// one small JSON file, written to a temporary file and renamed, so that
// concurrent runs and interrupted ones never leave a torn entry; an entry
// that cannot be read is treated as missing and replaced.
package llmcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/declbot/declbot/bot/llm"
)

// Model is the streaming call the answering engine makes (*llm.Client).
type Model interface {
	Stream(ctx context.Context, msgs []llm.Message, onDelta func(delta string)) (string, error)
}

type completer interface {
	Complete(ctx context.Context, msgs []llm.Message) (string, error)
}

// keyVersion changes when the key's recipe or the entry format does, so
// that old entries are not misread.
const keyVersion = 1

// Cache wraps a Model with an on-disk cache. It is safe for concurrent use.
type Cache struct {
	inner          Model
	dir            string
	baseURL, model string
	onError        func(context.Context, error)
	hits, misses   atomic.Int64
}

// Option configures a Cache.
type Option func(*Cache)

// WithOnError calls f with every error the model returns (errors are not
// cached), with the context of the call: an evaluation uses it to record
// which item the model failed on.
func WithOnError(f func(context.Context, error)) Option { return func(c *Cache) { c.onError = f } }

// New returns a cache in dir (created on first write) for the model named
// model at baseURL, which together with the messages key each response.
func New(inner Model, dir, baseURL, model string, opts ...Option) *Cache {
	c := &Cache{inner: inner, dir: dir, baseURL: baseURL, model: model}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Stats returns how many calls were answered from the cache and how many
// went to the model.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

type entry struct {
	Version int           `json:"version"`
	BaseURL string        `json:"base_url"`
	Model   string        `json:"model"`
	Msgs    []llm.Message `json:"messages"`
	Text    string        `json:"text"`
}

// Key returns the cache key of a call.
func (c *Cache) Key(msgs []llm.Message) string {
	b, _ := json.Marshal(struct {
		V       int           `json:"v"`
		BaseURL string        `json:"base_url"`
		Model   string        `json:"model"`
		Msgs    []llm.Message `json:"messages"`
	}{keyVersion, c.baseURL, c.model, msgs})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key[:2], key+".json") }

// Stream answers from the cache when it can, delivering the whole text as
// one delta; otherwise it asks the model and stores a successful answer.
func (c *Cache) Stream(ctx context.Context, msgs []llm.Message, onDelta func(delta string)) (string, error) {
	key := c.Key(msgs)
	if text, ok := c.get(key, msgs); ok {
		c.hits.Add(1)
		if onDelta != nil {
			onDelta(text)
		}
		return text, nil
	}
	c.misses.Add(1)
	text, err := c.inner.Stream(ctx, msgs, onDelta)
	return c.keep(ctx, key, msgs, text, err)
}

// Complete is the non-streaming call, cached the same way. A model without
// one is asked through Stream.
func (c *Cache) Complete(ctx context.Context, msgs []llm.Message) (string, error) {
	key := c.Key(msgs)
	if text, ok := c.get(key, msgs); ok {
		c.hits.Add(1)
		return text, nil
	}
	c.misses.Add(1)
	var text string
	var err error
	if cm, ok := c.inner.(completer); ok {
		text, err = cm.Complete(ctx, msgs)
	} else {
		text, err = c.inner.Stream(ctx, msgs, nil)
	}
	return c.keep(ctx, key, msgs, text, err)
}

func (c *Cache) keep(ctx context.Context, key string, msgs []llm.Message, text string, err error) (string, error) {
	if err != nil {
		if c.onError != nil {
			c.onError(ctx, err)
		}
		return text, err
	}
	// A failed write costs only a model call next time.
	_ = c.put(key, entry{Version: keyVersion, BaseURL: c.baseURL, Model: c.model, Msgs: msgs, Text: text})
	return text, nil
}

func (c *Cache) get(key string, msgs []llm.Message) (string, bool) {
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return "", false
	}
	var e entry
	if json.Unmarshal(b, &e) != nil || e.Version != keyVersion || e.BaseURL != c.baseURL || e.Model != c.model || !sameMessages(e.Msgs, msgs) {
		return "", false
	}
	return e.Text, true
}

func sameMessages(a, b []llm.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (c *Cache) put(key string, e entry) error {
	path := c.path(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache %s: %w", key, werr)
	}
	return nil
}
