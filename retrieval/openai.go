package retrieval

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/declbot/declbot/bot/llm/retry"
)

// OpenAIEmbedder calls an OpenAI-compatible embeddings endpoint (OpenAI,
// Ollama's /v1, vLLM, LocalAI, llama.cpp's server): POST {base}/embeddings
// with up to openAIBatch inputs per request. Failed requests are retried by
// the same policy as the chat client's (package retry): rate limits, server
// and network errors are retried, honouring Retry-After; an exhausted quota
// and other errors (a wrong model name, a bad key) are returned at once,
// since retrying cannot fix them.
type OpenAIEmbedder struct {
	client  *openai.Client
	baseURL string
	model   string
	retry   retry.Policy
	logger  *slog.Logger
}

// openAIBatch is how many texts go in one request.
const openAIBatch = 64

// openAITimeout bounds each request (each attempt).
const openAITimeout = 60 * time.Second

// OpenAIOption configures an OpenAIEmbedder.
type OpenAIOption func(*OpenAIEmbedder)

// WithOpenAIRetry sets how failed requests are retried (default: 4
// retries, backoff from 500ms doubling up to 20s). The zero retry.Policy
// disables retries.
func WithOpenAIRetry(p retry.Policy) OpenAIOption {
	return func(e *OpenAIEmbedder) { e.retry = p }
}

// WithOpenAILogger sets the logger retries are reported to.
func WithOpenAILogger(l *slog.Logger) OpenAIOption {
	return func(e *OpenAIEmbedder) {
		if l != nil {
			e.logger = l
		}
	}
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
		baseURL: baseURL,
		model:   model,
		retry:   retry.Policy{Retries: 4, Base: 500 * time.Millisecond, Max: 20 * time.Second},
		logger:  slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(e)
	}
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	cfg.HTTPClient = retry.Watch(&http.Client{Timeout: openAITimeout})
	e.client = openai.NewClientWithConfig(cfg)
	return e
}

// Name is "openai:" + base URL + ":" + model: the same model name on two
// servers may be two different models.
func (e *OpenAIEmbedder) Name() string { return "openai:" + e.baseURL + ":" + e.model }

// Embed sends the texts in batches and returns their vectors in order.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += openAIBatch {
		end := min(start+openAIBatch, len(texts))
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
	var resp openai.EmbeddingResponse
	attempts, err := e.retry.Do(ctx, nil,
		func(attempt int, err error, wait time.Duration) {
			e.logger.Warn("embeddings request failed; retrying", "url", e.baseURL, "model", e.model,
				"attempt", attempt, "max_attempts", e.retry.Retries+1, "wait", wait, "err", err)
		},
		func(ctx context.Context) (err error) {
			resp, err = e.client.CreateEmbeddings(ctx, req)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("embeddings request to %s (model %q, %d inputs, attempt %d): %w", e.baseURL, e.model, len(texts), attempts, err)
	}
	return e.check(resp, len(texts))
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
