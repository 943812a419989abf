package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/declbot/declbot/bot/llm/retry"
)

// Error is what Complete and Stream return on failure. Its message names
// the operation, model and server, e.g.
//
//	chat completion (model gpt-4o-mini at http://127.0.0.1:11434/v1): HTTP 503: overloaded (3 attempts)
//
// and never contains the API key. Unwrap gives the cause, so errors.Is
// works with ErrEmpty, ErrMalformed, ErrStalled, ErrTimeout,
// context.Canceled and context.DeadlineExceeded.
type Error struct {
	Op      string // "chat completion" or "chat completion stream"
	Model   string
	BaseURL string // without any password
	// Attempts is how many requests were sent.
	Attempts int
	// StatusCode is the HTTP status of the last response when the server
	// answered with an error status (0 otherwise).
	StatusCode int
	Err        error
	msg        string
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed (a rate limit,
// a server error, a timeout, a dropped connection), as opposed to a
// request the server will always refuse (a wrong key, an unknown model).
func (e *Error) Temporary() bool { return retryable(e.Err) }

func (c *Client) fail(op string, attempts int, err error) *Error {
	e := &Error{Op: op, Model: c.model, BaseURL: c.shown, Attempts: attempts,
		StatusCode: statusOf(err), Err: err}
	msg := fmt.Sprintf("%s (model %s at %s): %s", op, c.model, c.shown, describe(err))
	if attempts > 1 {
		msg += fmt.Sprintf(" (%d attempts)", attempts)
	}
	e.msg = c.redact(msg)
	return e
}

// redact removes the API key from s. Servers are not supposed to echo the
// key, but an error body or a proxy's page might.
func (c *Client) redact(s string) string {
	if len(c.apiKey) < 4 {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[redacted]")
}

// describe says what went wrong more plainly than go-openai's
// "error, status code: …" messages.
func describe(err error) string {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		if ae.HTTPStatusCode > 0 {
			return fmt.Sprintf("HTTP %d from the server: %s", ae.HTTPStatusCode, clip(ae.Message, 300))
		}
		return "the server reported an error: " + clip(ae.Message, 300)
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		body := strings.TrimSpace(string(re.Body))
		if body == "" {
			return fmt.Sprintf("HTTP %d from the server", re.HTTPStatusCode)
		}
		return fmt.Sprintf("HTTP %d from the server: %s", re.HTTPStatusCode, clip(body, 300))
	}
	return err.Error()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func statusOf(err error) int { return retry.StatusCode(err) }

// classify turns an attempt's raw error into one of ours: a timeout of
// the attempt's own deadline becomes ErrTimeout, undecodable JSON becomes
// ErrMalformed; anything else is kept as it is.
func classify(err error, actx, parent context.Context, stream bool, timeout time.Duration) error {
	if parent.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: no complete answer within %s", ErrTimeout, timeout)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, openai.ErrTooManyEmptyStreamMessages) {
		if stream {
			return fmt.Errorf("%w: the server sent a malformed stream: %v", ErrMalformed, err)
		}
		return fmt.Errorf("%w: the server's answer is not valid JSON: %v", ErrMalformed, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("connection closed before the answer was complete: %w", err)
	}
	return err
}

// retryable reports whether another attempt may succeed: the shared
// policy (package retry), plus this client's own errors.
func retryable(err error) bool {
	switch {
	case errors.Is(err, ErrTimeout), errors.Is(err, ErrStalled):
		return true
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrEmpty),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return retry.Retryable(err)
}
