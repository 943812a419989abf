// Package tgtest is a fake Telegram Bot API server for tests: an
// httptest server that speaks the real wire protocol closely enough that
// production code (github.com/go-telegram/bot and our own HTTP calls) runs
// against it unchanged.
//
// It accepts requests as Telegram does (multipart/form-data as
// go-telegram/bot sends them, JSON, urlencoded forms and query strings),
// long-polls getUpdates with Telegram's offset semantics, delivers updates
// to a webhook when one is set, validates HTML the way Telegram does
// (unknown or unbalanced tags: 400 "can't parse entities"), enforces the
// 4096-character message limit and the 64-byte callback-data limit, and
// keeps each chat's messages as a user would see them. Every call is
// recorded for assertions, and faults (429 with retry_after, 5xx, slow
// answers, dropped connections) can be scripted per method or by a hook.
//
// Tests inject updates (private and group messages, commands, replies,
// stickers and photos, button presses, inline queries) and wait for the
// bot's reaction with Wait.
package tgtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is a well-formed bot token the server accepts by default.
const DefaultToken = "123456789:AAHfakeTokenForTestsOnly_abcdefghijk"

// MaxMessageLen is Telegram's limit on a message's text after entity
// parsing, in UTF-16 code units.
const MaxMessageLen = 4096

// Call is one request the server received.
type Call struct {
	// Method is as the client spelled it, e.g. "sendMessage".
	Method string
	// Params holds every parameter as text: strings as they are, numbers
	// and booleans in their JSON spelling, objects and arrays
	// (reply_markup, results, commands) as JSON.
	Params map[string]string
	// ContentType is the request's media type ("multipart/form-data",
	// "application/json", ...; "" for a query string).
	ContentType string
	// Status is the HTTP status answered (200 on success); Error the
	// description of an error answer.
	Status int
	Error  string
	At     time.Time
}

// Int returns an integer parameter (0 if absent or not a number).
func (c Call) Int(name string) int64 {
	n, _ := strconv.ParseInt(c.Params[name], 10, 64)
	return n
}

// JSON decodes a JSON-valued parameter into v.
func (c Call) JSON(name string, v any) error {
	s, ok := c.Params[name]
	if !ok {
		return fmt.Errorf("no parameter %s", name)
	}
	return json.Unmarshal([]byte(s), v)
}

// Fault is a scripted misbehaviour for one call.
type Fault struct {
	// Code is the error_code (and HTTP status) to answer with; 0 answers
	// normally after Delay.
	Code int
	// Description defaults to Telegram's wording for Code.
	Description string
	// RetryAfter is parameters.retry_after in seconds (for 429).
	RetryAfter int
	// Delay holds the answer back.
	Delay time.Duration
	// Drop closes the connection without answering (a network error).
	Drop bool
}

// Message is a message in a chat as its members see it.
type Message struct {
	ChatID  int64
	ID      int
	FromBot bool
	From    models.User
	// Text is the visible text, after entity parsing; Raw is what was sent
	// and ParseMode how it was to be read.
	Text      string
	Raw       string
	ParseMode string
	Entities  []models.MessageEntity
	// Markup is the inline keyboard under the message, if any.
	Markup *models.InlineKeyboardMarkup
	// ReplyTo is the ID of the message this one answers (0 if none).
	ReplyTo int
	// Edits counts successful editMessageText calls.
	Edits    int
	ThreadID int
	Date     int
	// Kind is "text", "sticker", "photo", "voice" or "document".
	Kind string
}

// Draft is the latest streamed draft (sendMessageDraft) in a chat.
type Draft struct {
	ChatID  int64
	DraftID int64
	Text    string
	Raw     string
	// Updates counts sendMessageDraft calls for this draft.
	Updates int
}

// Server is the fake Bot API. Create it with NewServer; it is closed when
// the test ends.
type Server struct {
	tb    testing.TB
	srv   *httptest.Server
	token string
	me    models.User

	mu      sync.Mutex
	changed chan struct{}
	calls   []Call

	pending      []pendingUpdate
	nextUpdateID int64
	poller       chan struct{} // closed to terminate the current long poll

	chats        map[int64]models.Chat
	nextMsgID    map[int64]int
	messages     map[int64][]*Message
	drafts       map[int64]*Draft
	inlineMsgs   map[string]*Message
	nextInlineID int

	callbackQueries map[string]*queryState
	inlineQueries   map[string]*queryState
	nextQueryID     int

	commands map[string][]models.BotCommand

	faults map[string][]Fault
	hook   func(Call) *Fault

	webhook webhookState

	noCallLog bool
	closed    bool
}

type pendingUpdate struct {
	id       int64
	raw      json.RawMessage
	inFlight bool // being delivered to a webhook
}

type queryState struct {
	answered bool
	answer   Call
	from     models.User
}

// Option configures a Server.
type Option func(*Server)

// WithToken makes the server accept only this bot token (default
// DefaultToken); requests with another answer 401 Unauthorized.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBotUser sets what getMe returns and whom the bot's messages are
// from.
func WithBotUser(u models.User) Option { return func(s *Server) { s.me = u } }

// WithoutCallLog keeps no record of calls: Calls, CallsTo and the
// transcript stay empty, while chats, messages, faults and Wait work as
// usual. A long run (a soak test) would otherwise hold every request in
// memory.
func WithoutCallLog() Option { return func(s *Server) { s.noCallLog = true } }

// NewServer starts a fake Bot API server that lives until the test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	s := &Server{
		tb:              tb,
		token:           DefaultToken,
		me:              models.User{ID: 123456789, IsBot: true, FirstName: "Declbot", Username: "declbot_test_bot"},
		changed:         make(chan struct{}),
		nextUpdateID:    1000,
		chats:           map[int64]models.Chat{},
		nextMsgID:       map[int64]int{},
		messages:        map[int64][]*Message{},
		drafts:          map[int64]*Draft{},
		inlineMsgs:      map[string]*Message{},
		callbackQueries: map[string]*queryState{},
		inlineQueries:   map[string]*queryState{},
		commands:        map[string][]models.BotCommand{},
		faults:          map[string][]Fault{},
	}
	for _, o := range opts {
		o(s)
	}
	if id, err := strconv.ParseInt(strings.SplitN(s.token, ":", 2)[0], 10, 64); err == nil && s.me.ID == 123456789 {
		s.me.ID = id
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	tb.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, to use in place of
// https://api.telegram.org (TELEGRAM_API_URL).
func (s *Server) URL() string { return s.srv.URL }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// Me is the bot's own user.
func (s *Server) Me() models.User { return s.me }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server, ending pending long polls and webhook
// deliveries.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.stopWebhookLocked()
	s.notifyLocked()
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.webhook.wg.Wait()
}

// notifyLocked wakes everyone waiting for a change. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// FailNext scripts the next n calls of method (case-insensitive; "*" for
// any method) to fail with f.
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	for i := 0; i < n; i++ {
		s.faults[key] = append(s.faults[key], f)
	}
}

// TooManyRequests makes the next n calls of method answer 429 with
// parameters.retry_after = retryAfter seconds, as Telegram's flood control
// does.
func (s *Server) TooManyRequests(method string, n, retryAfter int) {
	s.FailNext(method, n, Fault{Code: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// SetHook installs a function called for every call after its parameters
// are decoded; a non-nil Fault it returns is applied to that call. It
// lets a test script faults by content or at random (a soak test's 5%).
// Pass nil to remove it.
func (s *Server) SetHook(h func(Call) *Fault) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden: bot was blocked by the user"
	case 404:
		return "Not Found"
	case 409:
		return "Conflict"
	case 429:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case 500:
		return "Internal Server Error"
	case 502:
		return "Bad Gateway"
	}
	return http.StatusText(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	if token != s.token {
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	params, ctype, err := decodeParams(r)
	call := Call{Method: method, Params: params, ContentType: ctype, At: time.Now()}
	if err != nil {
		call.Status, call.Error = 400, "Bad Request: "+err.Error()
		s.record(call)
		writeError(w, &apiError{code: 400, desc: call.Error})
		return
	}

	// Scripted faults.
	s.mu.Lock()
	var fault *Fault
	key := strings.ToLower(method)
	for _, k := range []string{key, "*"} {
		if q := s.faults[k]; len(q) > 0 {
			f := q[0]
			s.faults[k] = q[1:]
			fault = &f
			break
		}
	}
	hook := s.hook
	s.mu.Unlock()
	if fault == nil && hook != nil {
		fault = hook(call)
	}
	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
			}
		}
		if fault.Drop {
			call.Status, call.Error = 0, "connection dropped"
			s.record(call)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if fault.Code != 0 {
			desc := fault.Description
			if desc == "" {
				desc = defaultDescription(fault.Code, fault.RetryAfter)
			}
			call.Status, call.Error = fault.Code, desc
			s.record(call)
			writeError(w, &apiError{code: fault.Code, desc: desc, retryAfter: fault.RetryAfter})
			return
		}
	}

	var result any
	var apiErr *apiError
	if key == "getupdates" {
		result, apiErr = s.getUpdates(r.Context(), call)
	} else {
		s.mu.Lock()
		if h, ok := methods[key]; ok {
			result, apiErr = h(s, call)
		} else {
			apiErr = &apiError{code: 404, desc: "Not Found"}
		}
		s.mu.Unlock()
	}
	if apiErr != nil {
		call.Status, call.Error = apiErr.code, apiErr.desc
		s.record(call)
		writeError(w, apiErr)
		return
	}
	call.Status = 200
	s.record(call)
	writeJSON(w, 200, map[string]any{"ok": true, "result": result})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	if !s.noCallLog {
		s.calls = append(s.calls, c)
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// decodeParams reads a request's parameters the ways the Bot API accepts
// them.
func decodeParams(r *http.Request) (map[string]string, string, error) {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	ctype := ""
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return params, ct, fmt.Errorf("bad Content-Type %q", ct)
		}
		ctype = mt
	}
	switch ctype {
	case "", "application/octet-stream":
		if r.Body != nil {
			if b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20)); len(bytes.TrimSpace(b)) > 0 && ctype == "" {
				// A body without a type: Telegram tries JSON.
				if err := decodeJSONParams(b, params); err != nil {
					return params, ctype, err
				}
			}
		}
	case "application/json":
		b, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
		if err != nil {
			return params, ctype, err
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if err := decodeJSONParams(b, params); err != nil {
				return params, ctype, err
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return params, ctype, err
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	case "multipart/form-data":
		// go-telegram/bot sends methods without parameters (getMe) as an
		// empty body with a multipart Content-Type; Telegram accepts it.
		body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
		if err != nil {
			return params, ctype, err
		}
		if len(body) == 0 {
			return params, ctype, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(50 << 20); err != nil {
			return params, ctype, fmt.Errorf("can't parse multipart form: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		for k, fs := range r.MultipartForm.File {
			params[k] = "attach://" + fs[0].Filename
		}
	default:
		return params, ctype, fmt.Errorf("unsupported Content-Type %q", ctype)
	}
	return params, ctype, nil
}

func decodeJSONParams(b []byte, params map[string]string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("can't parse JSON object")
	}
	for k, v := range m {
		var str string
		if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &str) == nil {
			params[k] = str
			continue
		}
		if string(v) == "null" {
			continue
		}
		params[k] = string(v)
	}
	return nil
}

// Calls returns every call so far, in order of completion.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of one method (case-insensitive).
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// Wait blocks until cond returns true, re-checking after every change in
// the server's state (a call, an injected update) and every few
// milliseconds (for conditions on the bot's own state). On timeout it
// fails the test with desc and a transcript of the calls. cond must not
// block; it may call the Server's accessors.
func (s *Server) Wait(timeout time.Duration, desc string, cond func() bool) {
	s.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			s.tb.Fatalf("tgtest: timed out after %v waiting for %s\n%s", timeout, desc, s.Transcript())
		}
	}
}

// Transcript describes every call and its outcome, for failure messages.
func (s *Server) Transcript() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, "getUpdates") && c.Status == 200 {
			continue
		}
		keys := make([]string, 0, len(c.Params))
		for k := range c.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, "  %s %d", c.Method, c.Status)
		if c.Error != "" {
			fmt.Fprintf(&b, " (%s)", c.Error)
		}
		for _, k := range keys {
			v := c.Params[k]
			if len(v) > 120 {
				v = v[:120] + "…"
			}
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return "  (no calls)"
	}
	return b.String()
}

// Messages returns the messages of a chat in order, as its members see
// them now (user messages included).
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chatID]))
	for _, m := range s.messages[chatID] {
		out = append(out, *m)
	}
	return out
}

// BotMessages returns the bot's messages in a chat, in order.
func (s *Server) BotMessages(chatID int64) []Message {
	var out []Message
	for _, m := range s.Messages(chatID) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// Forget removes messages from a chat, as if they had been deleted, so a
// long run (a soak test) can drop what it has checked and keep the
// server's memory flat. Unknown IDs are ignored.
func (s *Server) Forget(chatID int64, ids ...int) {
	drop := make(map[int]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []*Message
	for _, m := range s.messages[chatID] {
		if !drop[m.ID] {
			kept = append(kept, m)
		}
	}
	// A new slice, so the forgotten messages can be collected.
	s.messages[chatID] = kept
}

// Message returns one message of a chat.
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessageLocked(chatID, id); m != nil {
		return *m, true
	}
	return Message{}, false
}

// InlineMessage returns a message sent through inline mode.
func (s *Server) InlineMessage(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.inlineMsgs[id]; ok {
		return *m, true
	}
	return Message{}, false
}

// Draft returns the latest draft streamed to a private chat.
func (s *Server) Draft(chatID int64) (Draft, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.drafts[chatID]; ok {
		return *d, true
	}
	return Draft{}, false
}

// CallbackAnswer returns the answerCallbackQuery call for a query.
func (s *Server) CallbackAnswer(queryID string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.callbackQueries[queryID]
	if !ok || !q.answered {
		return Call{}, false
	}
	return q.answer, true
}

// InlineResult is one article result of an inline query, decoded.
type InlineResult struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Content     struct {
		MessageText string `json:"message_text"`
		ParseMode   string `json:"parse_mode"`
	} `json:"input_message_content"`
	ReplyMarkup *models.InlineKeyboardMarkup `json:"reply_markup"`
}

// InlineAnswer returns the results the bot gave for an inline query.
func (s *Server) InlineAnswer(queryID string) ([]InlineResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.inlineQueries[queryID]
	if !ok || !q.answered {
		return nil, false
	}
	var rs []InlineResult
	_ = q.answer.JSON("results", &rs)
	return rs, true
}

// Commands returns the command list set for a language code ("" for the
// default list).
func (s *Server) Commands(lang string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[lang]...)
}

// Polling reports whether a getUpdates long poll is waiting for updates:
// faults scripted from then on apply to the polls after it.
func (s *Server) Polling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller != nil
}

// Pending returns the IDs of updates not yet confirmed by the bot.
func (s *Server) Pending() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, p := range s.pending {
		ids = append(ids, p.id)
	}
	return ids
}

// getUpdates implements long polling: updates with id >= offset are
// returned, and every update below offset is confirmed (forgotten). A new
// getUpdates ends a pending one with 409, as Telegram does when two bot
// instances poll.
func (s *Server) getUpdates(ctx context.Context, c Call) (any, *apiError) {
	offset := c.Int("offset")
	limit := int(c.Int("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := time.Duration(c.Int("timeout")) * time.Second
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if s.poller != nil {
		close(s.poller)
	}
	mine := make(chan struct{})
	s.poller = mine
	s.notifyLocked()
	defer func() {
		if s.poller == mine {
			s.poller = nil
		}
		s.mu.Unlock()
	}()
	for {
		if offset > 0 {
			kept := s.pending[:0]
			for _, p := range s.pending {
				if p.id >= offset {
					kept = append(kept, p)
				}
			}
			s.pending = kept
		} else if offset < 0 && int(-offset) < len(s.pending) {
			s.pending = s.pending[len(s.pending)+int(offset):]
		}
		var out []json.RawMessage
		for _, p := range s.pending {
			if len(out) == limit {
				break
			}
			out = append(out, p.raw)
		}
		if len(out) > 0 || timeout <= 0 || s.closed {
			if out == nil {
				out = []json.RawMessage{}
			}
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-mine:
			s.mu.Lock()
			return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case <-deadline.C:
			s.mu.Lock()
			timeout = 0
		case <-ctx.Done():
			s.mu.Lock()
			return []json.RawMessage{}, nil
		}
	}
}

// parseText applies parse_mode to text and checks it as Telegram does.
func parseText(text, parseMode string) (string, []models.MessageEntity, *apiError) {
	visible, entities := text, []models.MessageEntity(nil)
	switch strings.ToLower(parseMode) {
	case "html":
		v, e, err := ParseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: %v", err)
		}
		visible, entities = v, e
	case "", "markdown", "markdownv2":
		// Markdown is not modelled: the text is taken as it is.
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	trimmed := strings.TrimLeft(visible, " \t\r\n")
	lead := utf16Len(visible[:len(visible)-len(trimmed)])
	trimmed = strings.TrimRight(trimmed, " \t\r\n")
	if trimmed == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(trimmed) > MaxMessageLen {
		return "", nil, badRequest("message is too long")
	}
	if lead > 0 {
		for i := range entities {
			entities[i].Offset -= lead
		}
	}
	return trimmed, entities, nil
}

// chatID resolves a chat_id parameter to a known chat.
func (s *Server) chatIDLocked(c Call) (int64, *apiError) {
	raw, ok := c.Params["chat_id"]
	if !ok || raw == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		for cid, ch := range s.chats {
			if "@"+ch.Username == raw {
				return cid, nil
			}
		}
		return 0, badRequest("chat not found")
	}
	if _, ok := s.chats[id]; !ok {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func (s *Server) findMessageLocked(chatID int64, id int) *Message {
	for _, m := range s.messages[chatID] {
		if m.ID == id {
			return m
		}
	}
	return nil
}
