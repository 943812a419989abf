package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAIEmbedder calls an OpenAI-compatible embeddings endpoint (OpenAI,
// Ollama's /v1, vLLM, LocalAI, llama.cpp's server): POST {base}/embeddings
// with many inputs per request. Rate limits (429) and server errors (5xx)
// are retried with exponential backoff; other errors (a wrong model name, a
// bad key) are returned at once, since retrying cannot fix them.
type OpenAIEmbedder struct {
	client     *openai.Client
	clientHTTP *http.Client
	baseURL    string
	model      string
	batch      int
	attempts   int
	backoff    time.Duration
	logger     *slog.Logger
}

// OpenAIOption configures an OpenAIEmbedder.
type OpenAIOption func(*OpenAIEmbedder)

// WithOpenAIBatchSize sets how many texts go in one request (default 64).
func WithOpenAIBatchSize(n int) OpenAIOption {
	return func(e *OpenAIEmbedder) {
		if n > 0 {
			e.batch = n
		}
	}
}

// WithOpenAIRetry sets how many times a request is tried in all (default 5)
// and the first backoff (default 500ms; doubled after each failure, ±25%
// jitter, capped at 20s).
func WithOpenAIRetry(attempts int, backoff time.Duration) OpenAIOption {
	return func(e *OpenAIEmbedder) {
		if attempts > 0 {
			e.attempts = attempts
		}
		if backoff >= 0 {
			e.backoff = backoff
		}
	}
}

// WithOpenAILogger sets the logger retries are reported to.
func WithOpenAILogger(l *slog.Logger) OpenAIOption {
	return func(e *OpenAIEmbedder) {
		if l != nil {
			e.logger = l
		}
	}
}

// WithOpenAIHTTPClient sets the HTTP client (default: one with a 60s
// timeout per request).
func WithOpenAIHTTPClient(c *http.Client) OpenAIOption {
	return func(e *OpenAIEmbedder) { e.clientHTTP = c }
}

// DefaultOpenAIBaseURL is used when baseURL is empty.
const DefaultOpenAIBaseURL = "https://api.openai.com/v1"

// NewOpenAIEmbedder returns an embedder for model at baseURL (e.g.
// "http://localhost:11434/v1" for Ollama). apiKey may be empty for local
// servers.
func NewOpenAIEmbedder(baseURL, apiKey, model string, opts ...OpenAIOption) *OpenAIEmbedder {
	if baseURL == "" {
		baseURL = DefaultOpenAIBaseURL
	}
	baseURL = strings.TrimRight(baseURL, "/")
	e := &OpenAIEmbedder{
		baseURL:  baseURL,
		model:    model,
		batch:    64,
		attempts: 5,
		backoff:  500 * time.Millisecond,
		logger:   slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(e)
	}
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	if e.clientHTTP != nil {
		cfg.HTTPClient = e.clientHTTP
	} else {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	e.client = openai.NewClientWithConfig(cfg)
	return e
}

// Name is "openai:" + base URL + ":" + model: the same model name on two
// servers may be two different models.
func (e *OpenAIEmbedder) Name() string { return "openai:" + e.baseURL + ":" + e.model }

// Embed sends the texts in batches and returns their vectors in order.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batch {
		end := min(start+e.batch, len(texts))
		vs, err := e.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (e *OpenAIEmbedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	req := openai.EmbeddingRequestStrings{
		Input:          texts,
		Model:          openai.EmbeddingModel(e.model),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	}
	wait := e.backoff
	for attempt := 1; ; attempt++ {
		resp, err := e.client.CreateEmbeddings(ctx, req)
		if err == nil {
			return e.check(resp, len(texts))
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= e.attempts || !retryable(err) {
			return nil, fmt.Errorf("embeddings request to %s (model %q, %d inputs, attempt %d): %w", e.baseURL, e.model, len(texts), attempt, err)
		}
		d := time.Duration(float64(wait) * (0.75 + 0.5*rand.Float64()))
		e.logger.Warn("embeddings request failed; retrying", "url", e.baseURL, "model", e.model, "attempt", attempt, "wait", d, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, 20*time.Second)
	}
}

// check puts the vectors in input order and rejects answers that do not fit.
func (e *OpenAIEmbedder) check(resp openai.EmbeddingResponse, n int) ([][]float32, error) {
	if len(resp.Data) != n {
		return nil, fmt.Errorf("embeddings from %s (model %q): sent %d inputs, got %d vectors", e.baseURL, e.model, n, len(resp.Data))
	}
	data := slices.Clone(resp.Data)
	slices.SortFunc(data, func(a, b openai.Embedding) int { return a.Index - b.Index })
	out := make([][]float32, n)
	for i, d := range data {
		if d.Index != i {
			return nil, fmt.Errorf("embeddings from %s (model %q): vector indexes are not 0..%d", e.baseURL, e.model, n-1)
		}
		if len(d.Embedding) == 0 || len(d.Embedding) != len(data[0].Embedding) {
			return nil, fmt.Errorf("embeddings from %s (model %q): vector %d has %d dimensions, want %d", e.baseURL, e.model, i, len(d.Embedding), len(data[0].Embedding))
		}
		out[i] = d.Embedding
	}
	return out, nil
}

// retryable reports whether err is worth another attempt: a rate limit, a
// server error or a network failure.
func retryable(err error) bool {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode == http.StatusTooManyRequests || apiErr.HTTPStatusCode >= 500
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode == http.StatusTooManyRequests || reqErr.HTTPStatusCode >= 500
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
