// Package llm is declbot's client for OpenAI-compatible chat completion
// servers (OpenAI, DeepSeek, Qwen, Ollama, vLLM, llama.cpp), built on
// github.com/sashabaranov/go-openai.
//
// It adds what a bot answering real users needs on top of the wire
// protocol: a deadline for every attempt, an idle timeout so a stalled
// stream cannot hang forever, retries by the policy of package retry (the
// same as the embeddings client's: Retry-After honoured, an exhausted quota
// not retried) plus timeouts and stalls, detection of malformed or
// truncated streams, and errors that name the model and server but never
// contain the API key.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/declbot/declbot/bot/llm/retry"
)

// Message is one chat message. Role is "system", "user" or "assistant".
type Message struct {
	Role    string
	Content string
}

// Roles of chat messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Errors a call can wrap; test for them with errors.Is.
var (
	// ErrEmpty: the model answered, but with no content (or only spaces).
	ErrEmpty = errors.New("the model returned no content")
	// ErrMalformed: the server's response (or stream) could not be read as
	// the OpenAI protocol: invalid JSON, or a stream cut off before its end.
	ErrMalformed = errors.New("malformed response")
	// ErrStalled: a stream sent nothing for longer than the idle timeout.
	ErrStalled = errors.New("stream stalled")
	// ErrTimeout: an attempt ran past its per-request deadline.
	ErrTimeout = errors.New("request timed out")
)

// DefaultBaseURL is used when the base URL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults for the options.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultIdleTimeout = 30 * time.Second
	DefaultRetries     = 2
	DefaultBackoffBase = 500 * time.Millisecond
	DefaultBackoffMax  = 8 * time.Second
	// DefaultMaxTokens is sent as max_tokens with every request: room for
	// a thorough chat answer (some 700 English words, 1,000-1,500 Chinese
	// characters), not for a runaway one.
	DefaultMaxTokens = 1024
)

// Client talks to one model on one OpenAI-compatible server. It is safe
// for concurrent use.
type Client struct {
	api     *openai.Client
	baseURL string // normalised
	shown   string // baseURL without any user:password, for messages
	urlErr  error
	apiKey  string
	model   string

	timeout     time.Duration
	idle        time.Duration
	retry       retry.Policy
	httpClient  *http.Client
	log         *slog.Logger
	temperature float32
	maxTokens   int
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout sets the deadline of each attempt, from sending the request
// to the end of the answer (default 60s). A retry gets a fresh deadline; the
// caller's context bounds the whole call.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithIdleTimeout sets how long a stream may send nothing before the
// attempt fails with ErrStalled (default 30s).
func WithIdleTimeout(d time.Duration) Option { return func(c *Client) { c.idle = d } }

// WithRetry sets how failed attempts are retried (default: DefaultRetries
// retries, backoff from DefaultBackoffBase up to DefaultBackoffMax). The
// zero retry.Policy disables retries.
func WithRetry(p retry.Policy) Option { return func(c *Client) { c.retry = p } }

// WithHTTPClient sets the HTTP client (for proxies or custom TLS). Its own
// Timeout, if any, applies on top of WithTimeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.httpClient = hc } }

// WithLogger sets where retries and failures are logged (default: nowhere).
// The API key is never logged.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithTemperature sets the sampling temperature. Unset, the server's
// default applies. go-openai omits a temperature of 0 from the request, so
// use a small positive value (e.g. 0.01) for near-deterministic answers.
// Reasoning models (o1, o3, o4, gpt-5…) accept no temperature; it is then
// left out.
func WithTemperature(t float32) Option { return func(c *Client) { c.temperature = t } }

// WithMaxTokens caps the length of an answer in tokens, sent with every
// request (default DefaultMaxTokens; n <= 0 keeps the default). Servers
// that ignore it are still bounded by the engine's answer cap.
func WithMaxTokens(n int) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxTokens = n
		}
	}
}

// New returns a client for model at baseURL. The base URL may be given with
// or without the /v1 suffix: "http://host:11434" (Ollama's address) becomes
// "http://host:11434/v1", while a URL with any other path is used as given
// (e.g. "https://dashscope.aliyuncs.com/compatible-mode/v1"). A trailing
// "/chat/completions" is removed. An empty base URL means the OpenAI API.
// An invalid base URL does not panic: every call then returns the error,
// and NormalizeBaseURL lets configuration report it at start-up.
func New(baseURL, apiKey, model string, opts ...Option) *Client {
	c := &Client{
		apiKey:    apiKey,
		model:     model,
		timeout:   DefaultTimeout,
		idle:      DefaultIdleTimeout,
		maxTokens: DefaultMaxTokens,
		retry:     retry.Policy{Retries: DefaultRetries, Base: DefaultBackoffBase, Max: DefaultBackoffMax},
	}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{}
	}
	c.baseURL, c.urlErr = NormalizeBaseURL(baseURL)
	c.shown = c.baseURL
	if u, err := url.Parse(c.baseURL); err == nil && c.urlErr == nil {
		c.shown = u.Redacted()
	} else if c.urlErr != nil {
		c.shown = "(invalid base URL)"
	}
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = c.baseURL
	cfg.HTTPClient = &watchingDoer{inner: retry.Watch(c.httpClient)}
	c.api = openai.NewClientWithConfig(cfg)
	return c
}

// NormalizeBaseURL returns the base URL a client built with New uses (see
// New), or an error saying what is wrong with it.
func NormalizeBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the input, which may hold a password.
		return "", errors.New("base URL is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("base URL %q: must start with http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("base URL %q: no host", u.Redacted())
	}
	u.RawQuery, u.Fragment = "", ""
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, "/chat/completions")
	if path == "" {
		path = "/v1"
	}
	u.Path, u.RawPath = path, ""
	return u.String(), nil
}

// Model returns the model name sent with every request.
func (c *Client) Model() string { return c.model }

// BaseURL returns the normalised base URL (with any password redacted).
func (c *Client) BaseURL() string { return c.shown }

// Complete sends msgs and returns the model's whole answer, without
// streaming.
func (c *Client) Complete(ctx context.Context, msgs []Message) (string, error) {
	return c.call(ctx, "chat completion", msgs, false, nil)
}

// Stream sends msgs and calls onDelta (if not nil) with each piece of the
// answer as it arrives, in order, from the calling goroutine; it returns
// the whole answer. A failed attempt is retried only if no piece was
// delivered yet, so onDelta never sees text twice. On error, the pieces
// already delivered are all the caller gets: the returned text is "".
func (c *Client) Stream(ctx context.Context, msgs []Message, onDelta func(delta string)) (string, error) {
	return c.call(ctx, "chat completion stream", msgs, true, onDelta)
}

func (c *Client) call(ctx context.Context, op string, msgs []Message, stream bool, onDelta func(string)) (string, error) {
	if c.urlErr != nil {
		return "", c.fail(op, 0, c.urlErr)
	}
	if len(msgs) == 0 {
		return "", c.fail(op, 0, errors.New("no messages to send"))
	}
	req := c.request(msgs)
	var (
		text      string
		delivered bool // a retry would show the user text twice
	)
	attempts, err := c.retry.Do(ctx,
		func(err error) bool { return !delivered && retryable(err) },
		func(attempt int, err error, wait time.Duration) {
			c.log.LogAttrs(ctx, slog.LevelWarn, "llm: attempt failed, retrying",
				slog.String("model", c.model), slog.String("base_url", c.shown),
				slog.Int("attempt", attempt), slog.Int("max_attempts", c.retry.Retries+1),
				slog.Int("status", statusOf(err)), slog.Duration("wait", wait),
				slog.String("error", c.redact(describe(err))))
		},
		func(ctx context.Context) (err error) {
			if stream {
				text, delivered, err = c.streamOnce(ctx, req, onDelta)
			} else {
				text, err = c.completeOnce(ctx, req)
			}
			return err
		})
	if err == nil && strings.TrimSpace(text) == "" {
		err = ErrEmpty
	}
	if err != nil {
		return "", c.fail(op, attempts, err)
	}
	return text, nil
}

func (c *Client) request(msgs []Message) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model:       c.model,
		Messages:    make([]openai.ChatCompletionMessage, len(msgs)),
		Temperature: c.temperature,
	}
	for i, m := range msgs {
		req.Messages[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	// max_tokens is deprecated by OpenAI but is what Ollama, vLLM,
	// llama.cpp and DeepSeek understand; reasoning models want
	// max_completion_tokens and no temperature, and go-openai refuses the
	// request before sending it otherwise.
	//lint:ignore SA1019 see above
	req.MaxTokens = c.maxTokens
	if openai.NewReasoningValidator().Validate(req) != nil {
		req.Temperature = 0
		//lint:ignore SA1019 see above
		req.MaxCompletionTokens, req.MaxTokens = c.maxTokens, 0
	}
	return req
}

func (c *Client) completeOnce(ctx context.Context, req openai.ChatCompletionRequest) (string, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.api.CreateChatCompletion(actx, req)
	if err != nil {
		return "", classify(err, actx, ctx, false, c.timeout)
	}
	if len(resp.Choices) == 0 {
		return "", nil // no content: ErrEmpty
	}
	return resp.Choices[0].Message.Content, nil
}

func (c *Client) streamOnce(ctx context.Context, req openai.ChatCompletionRequest, onDelta func(string)) (text string, delivered bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	info := &attemptInfo{}
	actx = context.WithValue(actx, infoKey{}, info)
	st, err := c.api.CreateChatCompletionStream(actx, req)
	if err != nil {
		return "", false, classify(err, actx, ctx, false, c.timeout)
	}
	defer st.Close()
	// The idle timer cancels the attempt when no chunk arrives in time; a
	// blocked read then returns at once.
	idle := time.AfterFunc(c.idle, func() { info.stalled.Store(true); cancel() })
	defer idle.Stop()

	var b strings.Builder
	finished := false
	for {
		chunk, rerr := st.Recv()
		if rerr != nil {
			if errors.Is(rerr, errEOF) && !info.stalled.Load() && actx.Err() == nil {
				if !info.sawDone && !finished {
					return "", delivered, fmt.Errorf("%w: the server sent a malformed stream: it ended without a finish_reason or [DONE] (cut off?)", ErrMalformed)
				}
				return b.String(), delivered, nil
			}
			if info.stalled.Load() {
				return "", delivered, fmt.Errorf("%w: no data from the server for %s", ErrStalled, c.idle)
			}
			return "", delivered, classify(rerr, actx, ctx, true, c.timeout)
		}
		idle.Reset(c.idle)
		if len(chunk.Choices) == 0 {
			continue // e.g. a usage-only chunk
		}
		ch := chunk.Choices[0]
		if ch.FinishReason != "" {
			finished = true
		}
		if d := ch.Delta.Content; d != "" {
			b.WriteString(d)
			delivered = true
			if onDelta != nil {
				// A slow consumer is not a stalled server: the idle clock
				// stops while onDelta runs (the attempt's deadline does not).
				running := idle.Stop()
				onDelta(d)
				if running {
					idle.Reset(c.idle)
				}
			}
		}
	}
}
