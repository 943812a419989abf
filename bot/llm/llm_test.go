package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/llm/retry"
)

const (
	testKey   = "sk-test-0123456789abcdef-SECRET"
	testModel = "fake-chat"
)

var testMsgs = []llm.Message{
	{Role: llm.RoleSystem, Content: "rules"},
	{Role: llm.RoleUser, Content: "first question"},
	{Role: llm.RoleAssistant, Content: "first answer"},
	{Role: llm.RoleUser, Content: "follow-up 問題"},
}

// logBuffer collects JSON log lines from a client, safely for -race.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waits returns the "wait" of every retry logged, in order.
func (l *logBuffer) waits(t *testing.T) []time.Duration {
	t.Helper()
	var out []time.Duration
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Msg  string `json:"msg"`
			Wait int64  `json:"wait"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if strings.Contains(rec.Msg, "retrying") {
			out = append(out, time.Duration(rec.Wait))
		}
	}
	return out
}

// fast are options that keep every test in milliseconds.
func fast(logs *logBuffer) []llm.Option {
	return []llm.Option{
		llm.WithTimeout(2 * time.Second),
		llm.WithIdleTimeout(300 * time.Millisecond),
		llm.WithRetry(retry.Policy{Retries: llm.DefaultRetries, Base: time.Millisecond, Max: 4 * time.Millisecond}),
		llm.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
}

// deadlineTest is the timeout of the cases that run into it. Long enough
// that every attempt reaches the fake server before it expires on a loaded
// machine running the race detector (at 30 ms the request sometimes did
// not, and the count of requests the server saw came out short); the
// server's stalls and delays are a minute, far beyond it.
const deadlineTest = 300 * time.Millisecond

func TestCalls(t *testing.T) {
	const answer = "上合组织成员国支持多边贸易体制[T3]。Names stay exact: 2025年9月1日 [0.1]."
	tests := []struct {
		name      string
		stream    bool
		queue     []llmtest.Behavior
		def       *llmtest.Behavior // default after the queue, if set
		opts      []llm.Option
		want      string // answer text when no error
		wantErr   error  // errors.Is target
		wantInErr string // substring of the error message
		status    int    // llm.Error.StatusCode
		calls     int    // chat requests the server saw
		temporary bool
	}{
		{name: "streamed answer", stream: true, queue: []llmtest.Behavior{llmtest.Reply(answer).Chunk(3)},
			want: answer, calls: 1},
		{name: "non-streaming answer", queue: []llmtest.Behavior{llmtest.Reply(answer)},
			want: answer, calls: 1},
		{name: "429 then success", stream: true,
			queue: []llmtest.Behavior{llmtest.RateLimited("0.003"), llmtest.Reply(answer)},
			want:  answer, calls: 2},
		{name: "429 then success, non-streaming",
			queue: []llmtest.Behavior{llmtest.RateLimited(""), llmtest.Reply(answer)},
			want:  answer, calls: 2},
		{name: "503 then success", stream: true,
			queue: []llmtest.Behavior{llmtest.Status(503, "overloaded"), llmtest.Reply(answer)},
			want:  answer, calls: 2},
		{name: "500 every time: bounded attempts", stream: true, def: ptr(llmtest.Status(500, "boom")),
			wantInErr: "HTTP 500 from the server: boom (3 attempts)", status: 500, calls: 3, temporary: true},
		{name: "500 with retries off", def: ptr(llmtest.Status(500, "boom")), opts: []llm.Option{llm.WithRetry(retry.Policy{})},
			wantInErr: "HTTP 500", status: 500, calls: 1, temporary: true},
		{name: "exhausted quota (429) is not retried", def: ptr(llmtest.Status(429, "You exceeded your current quota").Code("insufficient_quota")),
			wantInErr: "HTTP 429 from the server: You exceeded your current quota", status: 429, calls: 1},
		{name: "non-streaming stall hits the deadline", def: ptr(llmtest.Stall(answer, 0)),
			opts:    []llm.Option{llm.WithTimeout(deadlineTest), llm.WithRetry(retry.Policy{})},
			wantErr: llm.ErrTimeout, calls: 1, temporary: true},
		{name: "400 is not retried", stream: true, def: ptr(llmtest.Status(400, "bad request")),
			wantInErr: "HTTP 400 from the server: bad request", status: 400, calls: 1},
		{name: "404 is not retried", def: ptr(llmtest.Status(404, "model not found")),
			wantInErr: "model not found", status: 404, calls: 1},
		{name: "stall before any delta is retried", stream: true,
			queue: []llmtest.Behavior{llmtest.Stall(answer, 0), llmtest.Reply(answer)},
			want:  answer, calls: 2},
		{name: "stall after deltas fails without retry", stream: true, def: ptr(llmtest.Stall(answer, 2)),
			wantErr: llm.ErrStalled, wantInErr: "no data from the server for 300ms", calls: 1, temporary: true},
		{name: "first byte later than the deadline", stream: true,
			def:     ptr(llmtest.Reply(answer).Delay(time.Minute)),
			opts:    []llm.Option{llm.WithTimeout(deadlineTest), llm.WithRetry(retry.Policy{Retries: 1, Base: time.Millisecond})},
			wantErr: llm.ErrTimeout, wantInErr: "no complete answer within 300ms (2 attempts)", calls: 2, temporary: true},
		{name: "non-streaming deadline", def: ptr(llmtest.Reply(answer).Delay(time.Minute)),
			opts:    []llm.Option{llm.WithTimeout(deadlineTest), llm.WithRetry(retry.Policy{})},
			wantErr: llm.ErrTimeout, calls: 1, temporary: true},
		{name: "malformed SSE chunk", stream: true, def: ptr(llmtest.Malformed(answer, 1)),
			wantErr: llm.ErrMalformed, wantInErr: "the server sent a malformed stream", calls: 1},
		{name: "malformed SSE before any delta is not retried", stream: true, def: ptr(llmtest.Malformed(answer, 0)),
			wantErr: llm.ErrMalformed, calls: 1},
		{name: "stream without [DONE]", stream: true, def: ptr(llmtest.NoDone(answer)),
			wantErr: llm.ErrMalformed, wantInErr: "ended without a finish_reason or [DONE]", calls: 1},
		{name: "malformed JSON body", def: ptr(llmtest.Malformed(answer, 0)),
			wantErr: llm.ErrMalformed, wantInErr: "not valid JSON", calls: 1},
		{name: "empty streamed content", stream: true, def: ptr(llmtest.Empty()),
			wantErr: llm.ErrEmpty, calls: 1},
		{name: "empty content", def: ptr(llmtest.Empty()), wantErr: llm.ErrEmpty, calls: 1},
		{name: "blank content", stream: true, def: ptr(llmtest.Reply(" \n ")), wantErr: llm.ErrEmpty, calls: 1},
		{name: "error event before any delta is retried", stream: true,
			queue: []llmtest.Behavior{llmtest.StreamError(answer, 0, "overloaded"), llmtest.Reply(answer)},
			want:  answer, calls: 2},
		{name: "error event after deltas", stream: true, def: ptr(llmtest.StreamError(answer, 2, "overloaded")),
			wantInErr: "the server reported an error: overloaded", calls: 1, temporary: true},
		{name: "connection dropped mid-stream", stream: true, def: ptr(llmtest.Drop(answer, 2)),
			wantInErr: "connection closed before the answer was complete", calls: 1, temporary: true},
		{name: "connection dropped before any delta is retried", stream: true,
			queue: []llmtest.Behavior{llmtest.Drop(answer, 0), llmtest.Reply(answer)}, want: answer, calls: 2},
		{name: "connection dropped before the response", def: ptr(llmtest.Drop(answer, 0)),
			calls: 3, temporary: true, wantInErr: "(3 attempts)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, llmtest.WithAPIKey(testKey))
			srv.Enqueue(tc.queue...)
			if tc.def != nil {
				srv.SetDefault(*tc.def)
			}
			logs := &logBuffer{}
			c := llm.New(srv.URL, testKey, testModel, append(fast(logs), tc.opts...)...)

			var deltas []string
			var got string
			var err error
			if tc.stream {
				got, err = c.Stream(context.Background(), testMsgs, func(d string) { deltas = append(deltas, d) })
			} else {
				got, err = c.Complete(context.Background(), testMsgs)
			}

			if n := srv.ChatCalls(); n != tc.calls {
				t.Errorf("server saw %d chat requests, want %d", n, tc.calls)
			}
			for _, r := range srv.ChatRequests() {
				if r.Stream != tc.stream {
					t.Errorf("request stream=%v, want %v", r.Stream, tc.stream)
				}
			}
			if strings.Contains(logs.String(), testKey) {
				t.Errorf("the API key appears in the logs:\n%s", logs)
			}
			if tc.wantErr == nil && tc.wantInErr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if got != tc.want {
					t.Errorf("text = %q, want %q", got, tc.want)
				}
				if tc.stream {
					if len(deltas) < 2 {
						t.Errorf("got %d deltas, want the answer in several pieces", len(deltas))
					}
					if j := strings.Join(deltas, ""); j != tc.want {
						t.Errorf("deltas join to %q, want %q", j, tc.want)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; text %q", got)
			}
			if got != "" {
				t.Errorf("text = %q on error, want \"\"", got)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantInErr) {
				t.Errorf("error %q does not contain %q", msg, tc.wantInErr)
			}
			prefix := fmt.Sprintf("(model %s at %s)", testModel, srv.URL)
			if !strings.Contains(msg, prefix) {
				t.Errorf("error %q does not name the model and server %q", msg, prefix)
			}
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not an *llm.Error", err)
			}
			if le.StatusCode != tc.status {
				t.Errorf("StatusCode = %d, want %d", le.StatusCode, tc.status)
			}
			if le.Attempts != tc.calls {
				t.Errorf("Attempts = %d, want %d", le.Attempts, tc.calls)
			}
			if le.Temporary() != tc.temporary {
				t.Errorf("Temporary() = %v, want %v", le.Temporary(), tc.temporary)
			}
			if strings.Contains(msg, testKey) || strings.Contains(fmt.Sprintf("%+v", err), testKey) {
				t.Errorf("the API key appears in the error: %s", msg)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestRequestCarriesModelMessagesAndKey(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.WithAPIKey(testKey))
			c := llm.New(srv.URL, testKey, testModel, llm.WithTemperature(0.2), llm.WithMaxTokens(300))
			var err error
			if stream {
				_, err = c.Stream(context.Background(), testMsgs, nil)
			} else {
				_, err = c.Complete(context.Background(), testMsgs)
			}
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.ChatRequests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Model != testModel {
				t.Errorf("model %q, want %q", r.Model, testModel)
			}
			if r.Authorization != "Bearer "+testKey {
				t.Errorf("Authorization %q", r.Authorization)
			}
			if len(r.Messages) != len(testMsgs) {
				t.Fatalf("%d messages, want %d", len(r.Messages), len(testMsgs))
			}
			for i, m := range r.Messages {
				if m.Role != testMsgs[i].Role || m.Content != testMsgs[i].Content {
					t.Errorf("message %d = %+v, want %+v", i, m, testMsgs[i])
				}
			}
			if r.Temperature == nil || *r.Temperature < 0.19 || *r.Temperature > 0.21 {
				t.Errorf("temperature %v, want 0.2", r.Temperature)
			}
			if r.MaxTokens != 300 {
				t.Errorf("max tokens %d, want 300", r.MaxTokens)
			}
		})
	}
}

// Reasoning models take no temperature; go-openai would refuse the request
// before sending it.
func TestReasoningModelOmitsTemperature(t *testing.T) {
	srv := llmtest.NewServer(t)
	c := llm.New(srv.URL, "", "o3-mini", llm.WithTemperature(0.2), llm.WithMaxTokens(50))
	if _, err := c.Complete(context.Background(), testMsgs); err != nil {
		t.Fatal(err)
	}
	r := srv.ChatRequests()[0]
	if r.Temperature != nil {
		t.Errorf("temperature %v sent to a reasoning model", *r.Temperature)
	}
	if r.MaxTokens != 50 {
		t.Errorf("max tokens %d, want 50 (as max_completion_tokens)", r.MaxTokens)
	}
}

func TestWrongKeyIsRefusedOnceAndNotShown(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("sk-right-key-123456"))
	c := llm.New(srv.URL, testKey, testModel, fast(&logBuffer{})...)
	_, err := c.Stream(context.Background(), testMsgs, nil)
	var le *llm.Error
	if !errors.As(err, &le) || le.StatusCode != http.StatusUnauthorized {
		t.Fatalf("error %v, want a 401 *llm.Error", err)
	}
	if srv.ChatCalls() != 1 {
		t.Errorf("%d calls, want 1 (401 is not retried)", srv.ChatCalls())
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("key in error: %v", err)
	}
}

// A server (or a proxy) that echoes the key back must not get it into our
// errors or logs.
func TestEchoedKeyIsRedacted(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Status(500, "invalid key "+testKey+" for this org"))
	logs := &logBuffer{}
	c := llm.New(srv.URL, testKey, testModel, fast(logs)...)
	_, err := c.Complete(context.Background(), testMsgs)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error not redacted: %v", err)
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("key in logs: %s", logs)
	}
}

func TestRetryAfterIsHonouredButCapped(t *testing.T) {
	tests := []struct {
		retryAfter string
		max        time.Duration
		want       time.Duration
	}{
		{"0.04", time.Second, 40 * time.Millisecond},
		{"3600", 25 * time.Millisecond, 25 * time.Millisecond},
		{"0", time.Second, 0},
	}
	for _, tc := range tests {
		t.Run(tc.retryAfter, func(t *testing.T) {
			srv := llmtest.NewServer(t)
			srv.Enqueue(llmtest.RateLimited(tc.retryAfter))
			logs := &logBuffer{}
			c := llm.New(srv.URL, "", testModel, append(fast(logs), llm.WithRetry(retry.Policy{Retries: 2, Base: time.Millisecond, Max: tc.max}))...)
			start := time.Now()
			if _, err := c.Stream(context.Background(), testMsgs, nil); err != nil {
				t.Fatal(err)
			}
			waits := logs.waits(t)
			if len(waits) != 1 || waits[0] != tc.want {
				t.Fatalf("retry waits %v, want [%v]", waits, tc.want)
			}
			if el := time.Since(start); el < tc.want {
				t.Errorf("returned after %v, before the %v Retry-After", el, tc.want)
			}
		})
	}
}

func TestBackoffGrowsAndIsBounded(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Status(502, "bad gateway"))
	logs := &logBuffer{}
	base, maxB := 2*time.Millisecond, 6*time.Millisecond
	c := llm.New(srv.URL, "", testModel, append(fast(logs), llm.WithRetry(retry.Policy{Retries: 4, Base: base, Max: maxB}))...)
	if _, err := c.Complete(context.Background(), testMsgs); err == nil {
		t.Fatal("no error")
	}
	waits := logs.waits(t)
	if len(waits) != 4 || srv.ChatCalls() != 5 {
		t.Fatalf("waits %v after %d calls, want 4 waits and 5 calls", waits, srv.ChatCalls())
	}
	// Equal jitter: retry n waits between half and all of min(base*2^(n-1), max).
	for i, w := range waits {
		step := min(base<<i, maxB)
		if w < step/2 || w > step {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, step/2, step)
		}
	}
}

func TestCancelReturnsPromptly(t *testing.T) {
	t.Run("during a stalled stream", func(t *testing.T) {
		srv := llmtest.NewServer(t)
		srv.SetDefault(llmtest.Stall("一二三四五六七八", 1))
		// Idle timeout and deadline far beyond the test: only the
		// cancellation can end the call.
		c := llm.New(srv.URL, "", testModel, llm.WithIdleTimeout(time.Hour), llm.WithTimeout(time.Hour))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var got []string
		_, err := c.Stream(ctx, testMsgs, func(d string) {
			got = append(got, d)
			cancel()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if len(got) != 1 || srv.ChatCalls() != 1 {
			t.Errorf("deltas %q, calls %d; want one delta, one call", got, srv.ChatCalls())
		}
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		srv := llmtest.NewServer(t)
		srv.SetDefault(llmtest.RateLimited("3600"))
		c := llm.New(srv.URL, "", testModel, llm.WithRetry(retry.Policy{Retries: 2, Base: time.Hour, Max: time.Hour}))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Complete(ctx, testMsgs)
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, llm.ErrTimeout) {
			t.Fatalf("error %v, want the caller's context.DeadlineExceeded", err)
		}
		if srv.ChatCalls() != 1 {
			t.Errorf("%d calls, want 1", srv.ChatCalls())
		}
	})
	t.Run("before the first byte", func(t *testing.T) {
		srv := llmtest.NewServer(t)
		srv.SetDefault(llmtest.Reply("x").Delay(time.Hour))
		c := llm.New(srv.URL, "", testModel, llm.WithTimeout(time.Hour))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := c.Stream(ctx, testMsgs, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestBaseURLForms(t *testing.T) {
	srv := llmtest.NewServer(t)
	root := strings.TrimSuffix(srv.URL, "/v1")
	for _, base := range []string{srv.URL, srv.URL + "/", root, root + "/", srv.URL + "/chat/completions"} {
		c := llm.New(base, "", testModel)
		if c.BaseURL() != srv.URL {
			t.Errorf("New(%q).BaseURL() = %q, want %q", base, c.BaseURL(), srv.URL)
		}
		if _, err := c.Complete(context.Background(), testMsgs); err != nil {
			t.Errorf("base %q: %v", base, err)
		}
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"", llm.DefaultBaseURL, ""},
		{"http://localhost:11434", "http://localhost:11434/v1", ""},
		{" http://localhost:11434/ ", "http://localhost:11434/v1", ""},
		{"http://localhost:11434/v1", "http://localhost:11434/v1", ""},
		{"https://api.deepseek.com/v1/", "https://api.deepseek.com/v1", ""},
		{"https://dashscope.aliyuncs.com/compatible-mode/v1", "https://dashscope.aliyuncs.com/compatible-mode/v1", ""},
		{"http://h:8000/v1/chat/completions", "http://h:8000/v1", ""},
		{"localhost:11434", "", "must start with http:// or https://"},
		{"ftp://host/v1", "", "must start with http:// or https://"},
		{"http:///v1", "", "no host"},
		{"https://user:hunter2@/v1", "", "https://user:xxxxx@/v1"},
		{"http://user:hunter2@h\x7f/", "", "not a valid URL"},
	}
	for _, tc := range tests {
		got, err := llm.NormalizeBaseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("NormalizeBaseURL(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestInvalidBaseURLFailsEveryCall(t *testing.T) {
	c := llm.New("localhost:11434", testKey, testModel)
	_, err := c.Complete(context.Background(), testMsgs)
	if err == nil || !strings.Contains(err.Error(), "must start with http://") {
		t.Fatalf("error %v", err)
	}
}

func TestServerDown(t *testing.T) {
	srv := llmtest.NewServer(t)
	url := srv.URL
	srv.Close()
	c := llm.New(url, testKey, testModel, fast(&logBuffer{})...)
	_, err := c.Stream(context.Background(), testMsgs, nil)
	var le *llm.Error
	if !errors.As(err, &le) || le.Attempts != 3 || !le.Temporary() {
		t.Fatalf("error %v, want a temporary *llm.Error after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %q does not say the connection was refused", err)
	}
}

// The fake's handler sees the request, so a test can answer from what the
// engine sent; the client passes such answers through unchanged.
func TestReplyFuncSeesTheRequest(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithHandler(func(r llmtest.Request) string {
		return "echo: " + r.LastUser() + " / " + r.System()
	}))
	c := llm.New(srv.URL, "", testModel)
	got, err := c.Stream(context.Background(), testMsgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "echo: follow-up 問題 / rules"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := llmtest.NewServer(t)
	c := llm.New(srv.URL, "", testModel)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Stream(context.Background(), testMsgs, func(string) {})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if srv.ChatCalls() != 16 {
		t.Errorf("%d calls, want 16", srv.ChatCalls())
	}
}

// A consumer slower than the idle timeout (say, a rate-limited Telegram
// edit) must not make a healthy stream look stalled.
func TestSlowConsumerIsNotAStall(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Reply("一二三四五六七八九十").Chunk(5))
	c := llm.New(srv.URL, "", testModel, llm.WithIdleTimeout(100*time.Millisecond), llm.WithRetry(retry.Policy{}))
	got, err := c.Stream(context.Background(), testMsgs, func(string) { time.Sleep(250 * time.Millisecond) })
	if err != nil || got != "一二三四五六七八九十" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// Every request carries max_tokens, streamed or not, without being asked
// to: a server's own default may be thousands of tokens (red team: no
// max_tokens was sent, and a runaway answer ran to 10 MB).
func TestMaxTokensOnEveryRequest(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("ok"))
	c := llm.New(srv.URL, "", testModel)
	if _, err := c.Complete(context.Background(), []llm.Message{{Role: llm.RoleUser, Content: "q"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stream(context.Background(), []llm.Message{{Role: llm.RoleUser, Content: "q"}}, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.MaxTokens != llm.DefaultMaxTokens {
			t.Errorf("stream=%v: max_tokens %d, want %d", r.Stream, r.MaxTokens, llm.DefaultMaxTokens)
		}
	}
}
