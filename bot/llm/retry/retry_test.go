package retry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/declbot/declbot/bot/llm/retry"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"429", &openai.APIError{HTTPStatusCode: 429, Message: "Rate limit reached"}, true},
		{"insufficient_quota", &openai.APIError{HTTPStatusCode: 429, Code: "insufficient_quota"}, false},
		{"insufficient_quota, wrapped", fmt.Errorf("call: %w", &openai.APIError{HTTPStatusCode: 429, Code: "insufficient_quota"}), false},
		{"408", &openai.APIError{HTTPStatusCode: 408}, true},
		{"500", &openai.APIError{HTTPStatusCode: 500}, true},
		{"502 without a JSON body", &openai.RequestError{HTTPStatusCode: 502}, true},
		{"400", &openai.APIError{HTTPStatusCode: 400}, false},
		{"401", &openai.RequestError{HTTPStatusCode: 401}, false},
		{"404", &openai.APIError{HTTPStatusCode: 404, Code: "model_not_found"}, false},
		{"error event inside a stream", &openai.APIError{Message: "overloaded"}, true},
		{"cut connection", io.ErrUnexpectedEOF, true},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"an attempt's own timeout", fmt.Errorf("Post: %w", context.DeadlineExceeded), true},
		{"cancelled", fmt.Errorf("Post: %w", context.Canceled), false},
		{"anything else", errors.New("invalid character"), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		if got := retry.Retryable(tc.err); got != tc.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		ms, header string
		want       time.Duration
		ok         bool
	}{
		{"", "", 0, false},
		{"", "2", 2 * time.Second, true},
		{"", "0.5", 500 * time.Millisecond, true},
		{"250", "20", 250 * time.Millisecond, true},
		{"", "Mon, 01 Sep 2025 12:00:30 GMT", 30 * time.Second, true},
		{"", "Mon, 01 Sep 2025 11:00:00 GMT", 0, true},
		{"", "soon", 0, false},
		{"", "-3", 0, false},
	}
	for _, tc := range tests {
		got, ok := retry.ParseRetryAfter(tc.ms, tc.header, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q, %q) = %v, %v; want %v, %v", tc.ms, tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWait(t *testing.T) {
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	p := retry.Policy{Base: 100 * time.Millisecond, Max: 300 * time.Millisecond, Now: func() time.Time { return now }}
	ctx := context.Background()
	// Equal jitter: retry n waits between half and all of
	// min(Base*2^(n-1), Max).
	for n := 1; n <= 5; n++ {
		step := min(p.Base<<(n-1), p.Max)
		for range 20 {
			if w := p.Wait(ctx, n, nil); w < step/2 || w > step {
				t.Fatalf("Wait(%d) = %v, want within [%v, %v]", n, w, step/2, step)
			}
		}
	}
	h := http.Header{}
	h.Set("Retry-After", "0.2")
	if w := p.Wait(ctx, 1, h); w != 200*time.Millisecond {
		t.Errorf("Retry-After 0.2: wait %v", w)
	}
	h.Set("Retry-After", "5")
	if w := p.Wait(ctx, 1, h); w != p.Max {
		t.Errorf("Retry-After 5 with Max %v: wait %v", p.Max, w)
	}
	dctx, cancel := context.WithDeadline(ctx, now.Add(50*time.Millisecond))
	defer cancel()
	if w := p.Wait(dctx, 1, h); w != 50*time.Millisecond {
		t.Errorf("Retry-After 5, 50ms to the deadline: wait %v", w)
	}
}

func TestDo(t *testing.T) {
	t.Run("stops at the first error not worth retrying", func(t *testing.T) {
		n := 0
		p := retry.Policy{Retries: 5}
		attempts, err := p.Do(context.Background(), nil, nil, func(context.Context) error {
			n++
			if n == 1 {
				return &openai.APIError{HTTPStatusCode: 503}
			}
			return &openai.APIError{HTTPStatusCode: 401}
		})
		if attempts != 2 || retry.StatusCode(err) != 401 {
			t.Errorf("%d attempts, error %v; want 2 and the 401", attempts, err)
		}
	})
	t.Run("the caller's cancellation wins over the error it caused", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := retry.Policy{Retries: 5, Base: time.Hour, Max: time.Hour}
		attempts, err := p.Do(ctx, nil, func(int, error, time.Duration) { cancel() }, func(context.Context) error {
			return &openai.APIError{HTTPStatusCode: 503}
		})
		if attempts != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("%d attempts, error %v; want 1 and context.Canceled", attempts, err)
		}
	})
	t.Run("the zero policy tries once", func(t *testing.T) {
		n := 0
		_, err := retry.Policy{}.Do(context.Background(), nil, nil, func(context.Context) error {
			n++
			return io.ErrUnexpectedEOF
		})
		if n != 1 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%d attempts, error %v", n, err)
		}
	})
}
