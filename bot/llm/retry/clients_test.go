package retry_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/llm/retry"
	"github.com/declbot/declbot/retrieval"
)

// clock is a test policy's clock and sleep: time stands still at now, and
// every wait is recorded instead of spent.
type clock struct {
	now   time.Time
	mu    sync.Mutex
	waits []time.Duration
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// client is one of the two clients that talk to OpenAI-compatible servers,
// driven through its public API against the fake server.
type client struct {
	name    string
	enqueue func(s *llmtest.Server, b ...llmtest.Behavior)
	calls   func(s *llmtest.Server) int
	call    func(ctx context.Context, s *llmtest.Server, p retry.Policy) error
}

var msgs = []llm.Message{{Role: llm.RoleUser, Content: "天津宣言说了什么？"}}

var clients = []client{
	{
		name:    "chat",
		enqueue: (*llmtest.Server).Enqueue,
		calls:   (*llmtest.Server).ChatCalls,
		call: func(ctx context.Context, s *llmtest.Server, p retry.Policy) error {
			_, err := llm.New(s.URL, "", "fake-chat", llm.WithRetry(p)).Complete(ctx, msgs)
			return err
		},
	},
	{
		name:    "chat stream",
		enqueue: (*llmtest.Server).Enqueue,
		calls:   (*llmtest.Server).ChatCalls,
		call: func(ctx context.Context, s *llmtest.Server, p retry.Policy) error {
			_, err := llm.New(s.URL, "", "fake-chat", llm.WithRetry(p)).Stream(ctx, msgs, nil)
			return err
		},
	},
	{
		name:    "embeddings",
		enqueue: (*llmtest.Server).EnqueueEmbeddings,
		calls:   (*llmtest.Server).EmbeddingCalls,
		call: func(ctx context.Context, s *llmtest.Server, p retry.Policy) error {
			_, err := retrieval.NewOpenAIEmbedder(s.URL, "", "fake-embed", retrieval.WithOpenAIRetry(p)).Embed(ctx, []string{"外空", "开发银行"})
			return err
		},
	},
}

// TestClientsFollowThePolicy drives the chat client (both calls) and the
// embeddings client through the same failures and checks that each
// retries, waits and gives up as the policy says.
func TestClientsFollowThePolicy(t *testing.T) {
	// Whole seconds, so that an HTTP date (second resolution) is exact.
	t0 := time.Now().Truncate(time.Second)
	quota := llmtest.Status(http.StatusTooManyRequests, "You exceeded your current quota").Code("insufficient_quota")
	quota.RetryAfter = "1" // still not worth waiting for
	const base = 100 * time.Millisecond
	tests := []struct {
		name     string
		queue    []llmtest.Behavior
		max      time.Duration
		deadline time.Duration // from t0; 0: none
		wantErr  bool
		calls    int
		// waits are the exact waits wanted, or with jitter, each within
		// [lo, hi].
		waits  []time.Duration
		lo, hi []time.Duration
	}{
		{name: "Retry-After in seconds is waited for", queue: []llmtest.Behavior{llmtest.RateLimited("2")},
			calls: 2, waits: []time.Duration{2 * time.Second}},
		{name: "Retry-After as an HTTP date is waited for",
			queue: []llmtest.Behavior{llmtest.RateLimited(t0.Add(3 * time.Second).UTC().Format(http.TimeFormat))},
			calls: 2, waits: []time.Duration{3 * time.Second}},
		{name: "Retry-After is capped by the deadline", queue: []llmtest.Behavior{llmtest.RateLimited("600")},
			deadline: 30 * time.Second, calls: 2, waits: []time.Duration{30 * time.Second}},
		{name: "Retry-After is capped by Max", queue: []llmtest.Behavior{llmtest.RateLimited("3600")},
			max: time.Minute, calls: 2, waits: []time.Duration{time.Minute}},
		{name: "exhausted quota is not retried", queue: []llmtest.Behavior{quota},
			wantErr: true, calls: 1},
		{name: "400 is not retried", queue: []llmtest.Behavior{llmtest.Status(400, "bad request")},
			wantErr: true, calls: 1},
		{name: "429 without Retry-After backs off", queue: []llmtest.Behavior{llmtest.RateLimited("")},
			calls: 2, lo: []time.Duration{base / 2}, hi: []time.Duration{base}},
		{name: "dropped connection is retried", queue: []llmtest.Behavior{llmtest.Drop("", 0)},
			calls: 2, lo: []time.Duration{base / 2}, hi: []time.Duration{base}},
		{name: "5xx is retried with growing backoff, a bounded number of times",
			queue:   []llmtest.Behavior{llmtest.Status(503, "overloaded"), llmtest.Status(502, "bad gateway"), llmtest.Status(500, "boom")},
			wantErr: true, calls: 3, lo: []time.Duration{base / 2, base}, hi: []time.Duration{base, 2 * base}},
	}
	for _, c := range clients {
		for _, tc := range tests {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				srv := llmtest.NewServer(t)
				c.enqueue(srv, tc.queue...)
				clk := &clock{now: t0}
				p := retry.Policy{Retries: 2, Base: base, Max: 10 * time.Minute, Sleep: clk.sleep,
					Now: func() time.Time { return clk.now }}
				if tc.max > 0 {
					p.Max = tc.max
				}
				ctx := context.Background()
				if tc.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithDeadline(ctx, t0.Add(tc.deadline))
					defer cancel()
				}
				err := c.call(ctx, srv, p)
				if (err != nil) != tc.wantErr {
					t.Fatalf("error = %v, want error: %v", err, tc.wantErr)
				}
				if got := c.calls(srv); got != tc.calls {
					t.Errorf("%d requests, want %d", got, tc.calls)
				}
				got := clk.recorded()
				if tc.lo != nil {
					if len(got) != len(tc.lo) {
						t.Fatalf("waits %v, want %d", got, len(tc.lo))
					}
					for i, w := range got {
						if w < tc.lo[i] || w > tc.hi[i] {
							t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, tc.lo[i], tc.hi[i])
						}
					}
					return
				}
				if len(got) != len(tc.waits) {
					t.Fatalf("waits %v, want %v", got, tc.waits)
				}
				for i := range got {
					if got[i] != tc.waits[i] {
						t.Errorf("waits %v, want %v", got, tc.waits)
					}
				}
			})
		}
	}
}
