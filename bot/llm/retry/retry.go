// Package retry is declbot's one retry policy for calls to
// OpenAI-compatible servers: chat completions (package llm) and embeddings
// (package retrieval) fail, wait and try again by the same rules.
//
//   - Retried: 429 (rate limited), 408, 5xx, an error event inside a
//     stream, a dropped connection, a network error, an attempt's own
//     timeout.
//   - Not retried: an exhausted balance (OpenAI's insufficient_quota,
//     sent with 429: waiting will not refill it), any other 4xx (a wrong
//     key or model name stays wrong), a cancelled call.
//   - The wait before retry n is the server's Retry-After when it sent one
//     (retry-after-ms, or Retry-After in seconds or as an HTTP date), else
//     exponential backoff with jitter; either is capped by Policy.Max and
//     by the time left before the context's deadline.
//
// go-openai's errors do not carry response headers, so the HTTP client
// the calls go through is wrapped with Watch, which notes each response's
// Retry-After for Do.
//
// It lives under bot/llm, next to the chat client, because it is about the
// OpenAI wire protocol; it depends on nothing of declbot's, so retrieval
// imports it without pulling in the chat client or risking a cycle. (The
// top level is fixed to cmd, bot, retrieval, corpus and prompts, and a
// package under retrieval/internal could not be imported by bot/llm.)
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Policy says how often and how long a client retries. The zero Policy
// makes one attempt. A Policy is a value; clients copy it.
type Policy struct {
	// Retries is how many times a failed attempt may be retried: at most
	// Retries+1 attempts in all.
	Retries int
	// Base is the backoff before the first retry; it doubles after each
	// one, never beyond Max.
	Base time.Duration
	// Max caps every wait, a server's Retry-After included.
	Max time.Duration
	// Sleep waits d, or until ctx ends, when it returns ctx's error. Nil
	// means a timer; tests record the waits instead of spending them.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock Retry-After dates and deadlines are read against
	// (nil: time.Now).
	Now func() time.Time
}

// Do calls try until it succeeds or fails for good, and returns how many
// attempts it made and the last error (nil on success). A failed attempt
// is retried when retryable(err) says so (nil means Retryable), retries are
// left and ctx is not done; onRetry (if not nil) is told before each wait.
// When ctx ends, Do returns ctx's error, not what the cancellation caused.
// try must send its requests with the context it is given, through a
// client wrapped with Watch, for Retry-After to be seen.
func (p Policy) Do(ctx context.Context, retryable func(error) bool, onRetry func(attempt int, err error, wait time.Duration),
	try func(ctx context.Context) error) (int, error) {
	if retryable == nil {
		retryable = Retryable
	}
	for attempt := 1; ; attempt++ {
		var seen response
		err := try(context.WithValue(ctx, responseKey{}, &seen))
		if err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil {
			return attempt, ctx.Err()
		}
		if attempt > p.Retries || !retryable(err) {
			return attempt, err
		}
		wait := p.Wait(ctx, attempt, seen.header)
		if onRetry != nil {
			onRetry(attempt, err, wait)
		}
		if err := p.sleep(ctx, wait); err != nil {
			return attempt, err
		}
		// A wait cut to the deadline ends with it: the timer and the
		// context can fire together, and a retry then has no time left.
		if dl, ok := ctx.Deadline(); ok && !p.now().Before(dl) {
			return attempt, context.DeadlineExceeded
		}
	}
}

// Wait returns how long to wait before retry n (1-based) after a failed
// response with header h (nil if there was no response): the server's
// Retry-After if h has one, else exponential backoff with "equal jitter"
// (at least half the step, so that clients that failed together do not
// retry together). The wait is capped by Max and by the time left before
// ctx's deadline: past it the retry could not finish anyway.
func (p Policy) Wait(ctx context.Context, n int, h http.Header) time.Duration {
	now := p.now()
	d, ok := time.Duration(0), false
	if h != nil {
		d, ok = ParseRetryAfter(h.Get("Retry-After-Ms"), h.Get("Retry-After"), now)
	}
	if !ok {
		d = p.Base
		for i := 1; i < n && d < p.Max; i++ {
			d *= 2
		}
		d = min(d, max(p.Max, p.Base))
		half := d / 2
		d = half + time.Duration(rand.Int64N(int64(half)+1))
	}
	d = min(d, max(p.Max, p.Base))
	if dl, ok := ctx.Deadline(); ok {
		d = max(min(d, dl.Sub(now)), 0)
	}
	return d
}

func (p Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p Policy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retryable reports whether another attempt may succeed after err, an
// error from go-openai or the HTTP client under it. A deadline that passed
// counts as retryable: Do asks only while the caller's context is alive,
// so it was an attempt's own timeout (http.Client.Timeout, say).
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if Quota(err) {
		return false
	}
	if code := StatusCode(err); code != 0 {
		return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500
	}
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return true // an error event inside a stream: the server's trouble
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// Quota reports whether err is OpenAI's "insufficient_quota": the account
// has run out of credit. It comes as a 429 like a rate limit, but waiting
// will not help.
func Quota(err error) bool {
	var ae *openai.APIError
	return errors.As(err, &ae) && ae.Code == "insufficient_quota"
}

// StatusCode returns the HTTP status of a response go-openai turned into
// err (0 if err is not one).
func StatusCode(err error) int {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}

// ParseRetryAfter reads OpenAI's retry-after-ms header or the standard
// Retry-After (seconds, possibly fractional, or an HTTP date, read against
// now).
func ParseRetryAfter(ms, header string, now time.Time) (time.Duration, bool) {
	if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && v >= 0 {
		return time.Duration(v * float64(time.Millisecond)), true
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, false
	}
	if v, err := strconv.ParseFloat(header, 64); err == nil && v >= 0 {
		return time.Duration(v * float64(time.Second)), true
	}
	if t, err := http.ParseTime(header); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Doer is what go-openai sends requests through (openai.HTTPDoer);
// *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Watch wraps d so that each response to a request sent inside Do's try
// notes its header for the policy's Retry-After.
func Watch(d Doer) Doer { return watcher{d} }

type watcher struct{ inner Doer }

type responseKey struct{}

// response is where Watch leaves the header of an attempt's last
// response.
type response struct{ header http.Header }

func (w watcher) Do(req *http.Request) (*http.Response, error) {
	resp, err := w.inner.Do(req)
	if err == nil {
		if r, ok := req.Context().Value(responseKey{}).(*response); ok {
			r.header = resp.Header
		}
	}
	return resp, err
}
