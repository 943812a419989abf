package retrieval

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/llm/retry"
)

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings server on loopback.
// Its vectors are the offline embedder's, so search through it works.
type fakeEmbeddings struct {
	t        *testing.T
	mu       sync.Mutex
	requests []embeddingsRequest
	// fail answers the next len(fail) requests with these statuses.
	fail    []int
	reverse bool // return the data in reverse order, as servers may
	inner   *HashEmbedder
}

type embeddingsRequest struct {
	Input          []string `json:"input"`
	Model          string   `json:"model"`
	EncodingFormat string   `json:"encoding_format"`
	auth           string
}

func newFakeEmbeddings(t *testing.T) (*fakeEmbeddings, string) {
	f := &fakeEmbeddings{t: t, inner: NewHashEmbedder(64)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1"
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	var req embeddingsRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": err.Error(), "type": "invalid_request_error"}})
		return
	}
	req.auth = r.Header.Get("Authorization")
	f.mu.Lock()
	f.requests = append(f.requests, req)
	var status int
	if len(f.fail) > 0 {
		status, f.fail = f.fail[0], f.fail[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": http.StatusText(status), "type": "server_error", "code": status,
		}})
		return
	}
	if req.Model != "test-embed" {
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": "model " + req.Model + " not found", "type": "invalid_request_error", "code": "model_not_found",
		}})
		return
	}
	vs, _ := f.inner.Embed(r.Context(), req.Input)
	data := make([]map[string]any, len(vs))
	for i, v := range vs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	if f.reverse {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": len(req.Input), "total_tokens": len(req.Input)},
	})
}

func (f *fakeEmbeddings) reqs() []embeddingsRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]embeddingsRequest(nil), f.requests...)
}

func TestOpenAIEmbedderBatchesAndIndexes(t *testing.T) {
	f, url := newFakeEmbeddings(t)
	f.reverse = true
	c := loadCorpus(t)
	e := NewOpenAIEmbedder(url, "sk-test", "test-embed", WithOpenAIRetry(retry.Policy{Retries: 2, Base: time.Millisecond}))
	x, err := New(context.Background(), c, WithEmbedder(e), WithBatchSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.reqs()
	if want := (c.Len() + 63) / 64; len(reqs) != want {
		t.Fatalf("%d requests for %d passages, want %d batches of at most 64", len(reqs), c.Len(), want)
	}
	for _, r := range reqs {
		if len(r.Input) > 64 || r.auth != "Bearer sk-test" || r.EncodingFormat != "float" {
			t.Errorf("request: %d inputs, auth %q, format %q", len(r.Input), r.auth, r.EncodingFormat)
		}
	}
	// Vectors came back reversed; sorted by index they must match the
	// offline embedder's for the same text.
	got, err := e.Embed(context.Background(), []string{"外空", "开发银行"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := NewHashEmbedder(64).Embed(context.Background(), []string{"外空", "开发银行"})
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("vector %d differs from the offline embedding of the same text", i)
			}
		}
	}

	// A multilingual model is given the user's own words.
	n := len(f.reqs())
	if _, err := x.Search(context.Background(), "What about the development bank?", 3); err != nil {
		t.Fatal(err)
	}
	reqs = f.reqs()
	if len(reqs) != n+1 || len(reqs[n].Input) != 1 || reqs[n].Input[0] != "What about the development bank?" {
		t.Errorf("query request: %+v", reqs[n:])
	}
}

func TestOpenAIEmbedderRetries(t *testing.T) {
	tests := []struct {
		name     string
		fail     []int
		attempts int
		wantErr  string
		wantReqs int
	}{
		{"429 then success", []int{429, 429}, 3, "", 3},
		{"503 then success", []int{503}, 3, "", 2},
		{"gives up after the attempts", []int{500, 500, 500}, 3, "500", 3},
		{"400 is not retried", []int{400}, 3, "400", 1},
		{"401 is not retried", []int{401}, 3, "401", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, url := newFakeEmbeddings(t)
			f.fail = tt.fail
			e := NewOpenAIEmbedder(url, "", "test-embed", WithOpenAIRetry(retry.Policy{Retries: tt.attempts - 1, Base: time.Millisecond}))
			vs, err := e.Embed(context.Background(), []string{"和平", "发展"})
			if tt.wantErr == "" {
				if err != nil || len(vs) != 2 {
					t.Fatalf("Embed: %v, %d vectors", err, len(vs))
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Embed error = %v, want it to mention %s", err, tt.wantErr)
			}
			if got := len(f.reqs()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
		})
	}
}

func TestOpenAIEmbedderErrors(t *testing.T) {
	_, url := newFakeEmbeddings(t)
	e := NewOpenAIEmbedder(url, "", "no-such-model", WithOpenAIRetry(retry.Policy{Retries: 2, Base: time.Millisecond}))
	_, err := New(context.Background(), loadCorpus(t), WithEmbedder(e))
	if err == nil || !strings.Contains(err.Error(), "no-such-model") || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown model: err = %v", err)
	}

	// Nothing listening: a network error, retried, then reported.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	e = NewOpenAIEmbedder(deadURL, "", "test-embed", WithOpenAIRetry(retry.Policy{Retries: 1, Base: time.Millisecond}))
	if _, err := e.Embed(context.Background(), []string{"x"}); err == nil || !strings.Contains(err.Error(), "attempt 2") {
		t.Errorf("dead server: err = %v, want a failure after 2 attempts", err)
	}

	// Cancellation stops the backoff.
	f, url := newFakeEmbeddings(t)
	f.fail = []int{503, 503, 503}
	e = NewOpenAIEmbedder(url, "", "test-embed", WithOpenAIRetry(retry.Policy{Retries: 4, Base: time.Hour, Max: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Embed(ctx, []string{"x"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled backoff: err = %v", err)
	}
	if e.Name() != "openai:"+url+":test-embed" {
		t.Errorf("Name() = %q", e.Name())
	}
}
