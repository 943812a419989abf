// Package llmtest is an in-process fake of an OpenAI-compatible API server,
// for tests, in the spirit of net/http/httptest.
//
// It speaks the real wire protocol over loopback HTTP, so code under test
// goes through the same client path as in production:
//
//   - POST /v1/chat/completions, with and without "stream": true (server-sent
//     events: "data: {chunk}\n\n" lines carrying choices[0].delta.content,
//     ending with "data: [DONE]\n\n");
//   - POST /v1/embeddings, input as a string or an array of strings,
//     answering deterministic unit vectors;
//   - GET /v1/models.
//
// Errors use OpenAI's JSON shape ({"error":{"message","type","code"}}).
// Every request is recorded for assertions (Requests). What the server
// answers is scripted per call: behaviours queued with Enqueue (or
// EnqueueEmbeddings) are used once each, in order, then the default
// (SetDefault, WithReply, WithHandler, or per request WithBehaviorFunc)
// applies.
package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// Message is one chat message as the server decoded it from a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one request the server received, decoded.
type Request struct {
	Method string
	Path   string
	// Authorization is the raw Authorization header ("Bearer …").
	Authorization string
	Header        http.Header
	// Body is the raw request body.
	Body []byte

	// Chat completions.
	Model       string
	Stream      bool
	Messages    []Message
	Temperature *float64
	MaxTokens   int

	// Embeddings: the inputs, always as a list.
	Inputs []string
}

// System returns the content of the first system message ("" if none).
func (r Request) System() string {
	for _, m := range r.Messages {
		if m.Role == "system" {
			return m.Content
		}
	}
	return ""
}

// LastUser returns the content of the last user message ("" if none).
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Behavior scripts the server's answer to one request. Build one with
// Reply, ReplyFunc, Status, RateLimited, Stall, Malformed, NoDone, Empty
// or Drop, and adjust it with its methods (Delay, Chunk, ChunkDelay).
// The zero Behavior answers the default reply text.
type Behavior struct {
	// Text is the answer's content.
	Text string
	// Func, when set, decides the content from the request.
	Func func(Request) string
	// StatusCode, when not 0 or 200, makes the server answer this status
	// with an OpenAI-style JSON error body and nothing else.
	StatusCode int
	// ErrorMessage is the message in the error body.
	ErrorMessage string
	// ErrorCode is the "code" of the error body (e.g. "insufficient_quota");
	// empty sends null.
	ErrorCode string
	// RetryAfter, when set, is sent as the Retry-After header of an error.
	RetryAfter string
	// FirstByteDelay is waited before anything is written.
	FirstByteDelay time.Duration
	// ChunkRunes is how many runes each streamed chunk carries (default 4).
	ChunkRunes int
	// Interval is waited between streamed chunks.
	Interval time.Duration
	// OmitDone ends the stream after the content without the finish chunk
	// and without "data: [DONE]".
	OmitDone bool

	stall, malformed, drop, streamErr bool
	verbatim                          bool // Text is the answer even if empty
	// after how many content chunks the stall, malformed chunk, drop or
	// error event happens
	stallAfter, malformedAfter, dropAfter, errAfter int
}

// Reply answers with the given text (streamed in small chunks when the
// request asks for a stream). Reply("") answers empty content, like Empty.
func Reply(text string) Behavior { return Behavior{Text: text, verbatim: true} }

// ReplyFunc answers with the text f returns for the request; a test can,
// for example, cite the passage IDs it finds in the prompt.
func ReplyFunc(f func(Request) string) Behavior { return Behavior{Func: f} }

// Status answers with an HTTP error status and an OpenAI-style error body.
func Status(code int, message string) Behavior {
	return Behavior{StatusCode: code, ErrorMessage: message}
}

// RateLimited answers 429 with the given Retry-After header value ("" for
// none), e.g. "1" (seconds).
func RateLimited(retryAfter string) Behavior {
	return Behavior{StatusCode: http.StatusTooManyRequests, RetryAfter: retryAfter,
		ErrorMessage: "Rate limit reached for requests"}
}

// Stall streams text but stops after n content chunks and then sends
// nothing more, keeping the connection open until the client cancels. A
// non-streaming request gets no response at all.
func Stall(text string, n int) Behavior { return Behavior{Text: text, stallAfter: n, stall: true} }

// Malformed streams text with a chunk that is not valid JSON after n
// content chunks. For a non-streaming request the body is not valid JSON.
func Malformed(text string, n int) Behavior {
	return Behavior{Text: text, malformedAfter: n, malformed: true}
}

// NoDone streams text but ends the response without a finish_reason chunk
// and without "data: [DONE]", as a cut connection through a proxy would.
func NoDone(text string) Behavior { return Behavior{Text: text, OmitDone: true} }

// Empty answers with empty content (a well-formed response with "").
func Empty() Behavior { return Behavior{Func: func(Request) string { return "" }} }

// Drop closes the connection abruptly after n content chunks of text (for
// a non-streaming request or embeddings: before any response).
func Drop(text string, n int) Behavior { return Behavior{Text: text, dropAfter: n, drop: true} }

// StreamError streams n content chunks of text, then an error event the
// way OpenAI reports failures after the headers were sent
// ("data: {"error":{…}}"), and ends the response.
func StreamError(text string, n int, message string) Behavior {
	return Behavior{Text: text, errAfter: n, streamErr: true, ErrorMessage: message}
}

// Code returns b with the error body's "code" set, e.g.
// Status(429, "You exceeded your current quota").Code("insufficient_quota").
func (b Behavior) Code(code string) Behavior { b.ErrorCode = code; return b }

func (b Behavior) code() any {
	if b.ErrorCode == "" {
		return nil
	}
	return b.ErrorCode
}

// Delay returns b waiting d before the first byte of the response.
func (b Behavior) Delay(d time.Duration) Behavior { b.FirstByteDelay = d; return b }

// Chunk returns b streaming n runes per chunk.
func (b Behavior) Chunk(n int) Behavior { b.ChunkRunes = n; return b }

// ChunkDelay returns b waiting d between streamed chunks.
func (b Behavior) ChunkDelay(d time.Duration) Behavior { b.Interval = d; return b }

// Option configures a Server.
type Option func(*Server)

// WithAPIKey makes the server require "Authorization: Bearer key" and
// answer 401 otherwise.
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// WithReply sets the default chat answer text.
func WithReply(text string) Option { return func(s *Server) { s.chatDefault = Reply(text) } }

// WithHandler sets the default chat answer to the text f returns.
func WithHandler(f func(Request) string) Option {
	return func(s *Server) { s.chatDefault = ReplyFunc(f) }
}

// WithDefault sets the default chat behaviour.
func WithDefault(b Behavior) Option { return func(s *Server) { s.chatDefault = b } }

// WithBehaviorFunc makes the server choose the behaviour of each chat
// request that finds the queue empty by calling f with the decoded
// request, instead of using the default: a soak test draws a random
// latency and, now and then, a failure for every request this way. f is
// called from the requests' goroutines, possibly at once.
func WithBehaviorFunc(f func(Request) Behavior) Option {
	return func(s *Server) { s.chooser = f }
}

// WithoutRecording keeps no record of requests: Requests, ChatRequests
// and EmbeddingRequests return nothing, while ChatCalls and
// EmbeddingCalls still count. A long run (a soak test) would otherwise
// hold every prompt it sent in memory.
func WithoutRecording() Option { return func(s *Server) { s.noRecord = true } }

// WithDimensions sets the length of embedding vectors (default 64).
func WithDimensions(n int) Option { return func(s *Server) { s.dims = n } }

// WithEmbedFunc replaces the default deterministic embedding.
func WithEmbedFunc(f func(input string) []float32) Option {
	return func(s *Server) { s.embed = f }
}

// DefaultReply is the chat answer when nothing else is configured.
const DefaultReply = "This is a reply from the fake model."

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client, ending in /v1 (for example
	// http://127.0.0.1:40123/v1).
	URL string

	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	key      string
	dims     int
	embed    func(string) []float32
	chooser  func(Request) Behavior
	noRecord bool

	mu           sync.Mutex
	chatQueue    []Behavior
	chatDefault  Behavior
	embedQueue   []Behavior
	embedDefault Behavior
	requests     []Request
	chatCalls    int
	embedCalls   int
	seq          int

	// streamed counts the content chunks written to streams.
	streamed atomic.Int64
}

// StreamedChunks returns how many content chunks the server has written
// to streams so far (a client that stops reading makes it stop writing).
func (s *Server) StreamedChunks() int64 { return s.streamed.Load() }

// NewServer starts a fake server on loopback; it is closed when the test
// ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{done: make(chan struct{}), dims: 64, chatDefault: Reply(DefaultReply)}
	for _, o := range opts {
		o(s)
	}
	if s.embed == nil {
		dims := s.dims
		s.embed = func(in string) []float32 { return HashEmbedding(in, dims) }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.handleChat)
	mux.HandleFunc("/v1/embeddings", s.handleEmbeddings)
	mux.HandleFunc("/v1/models", s.handleModels)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Header: r.Header.Clone()})
		writeError(w, http.StatusNotFound, "Unknown request URL: "+r.Method+" "+r.URL.Path, "invalid_request_error", "unknown_url")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing any stalled stream first. It is called
// automatically at the end of the test.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Enqueue adds behaviours for the next chat requests, used once each in
// order before the default applies again.
func (s *Server) Enqueue(b ...Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatQueue = append(s.chatQueue, b...)
}

// SetDefault sets the chat behaviour used when the queue is empty.
func (s *Server) SetDefault(b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatDefault = b
}

// EnqueueEmbeddings adds behaviours for the next embeddings requests. Only
// StatusCode/ErrorMessage/RetryAfter, FirstByteDelay, Drop and Malformed
// apply; anything else answers normally.
func (s *Server) EnqueueEmbeddings(b ...Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedQueue = append(s.embedQueue, b...)
}

// SetEmbeddingsDefault sets the embeddings behaviour used when the queue is
// empty (for example Status(500, "down") for an endpoint that is down).
func (s *Server) SetEmbeddingsDefault(b Behavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedDefault = b
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests received so far.
func (s *Server) ChatRequests() []Request { return s.filter("/v1/chat/completions") }

// EmbeddingRequests returns the embeddings requests received so far.
func (s *Server) EmbeddingRequests() []Request { return s.filter("/v1/embeddings") }

func (s *Server) filter(path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ChatCalls returns how many chat completion requests arrived.
func (s *Server) ChatCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chatCalls
}

// EmbeddingCalls returns how many embeddings requests arrived (one request
// may carry many inputs).
func (s *Server) EmbeddingCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.embedCalls
}

func (s *Server) record(r Request) {
	if s.noRecord {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

func (s *Server) nextChat(req Request) (Behavior, int) {
	s.mu.Lock()
	s.chatCalls++
	s.seq++
	seq := s.seq
	if len(s.chatQueue) > 0 {
		b := s.chatQueue[0]
		s.chatQueue = s.chatQueue[1:]
		s.mu.Unlock()
		return b, seq
	}
	b, choose := s.chatDefault, s.chooser
	s.mu.Unlock()
	if choose != nil {
		b = choose(req)
	}
	return b, seq
}

func (s *Server) nextEmbed() Behavior {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedCalls++
	if len(s.embedQueue) > 0 {
		b := s.embedQueue[0]
		s.embedQueue = s.embedQueue[1:]
		return b
	}
	return s.embedDefault
}

// authorized checks the bearer key and writes OpenAI's 401 when it is wrong.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.key == "" || r.Header.Get("Authorization") == "Bearer "+s.key {
		return true
	}
	// Like OpenAI, never echo the key back in full.
	writeError(w, http.StatusUnauthorized, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
	return false
}

func baseRequest(r *http.Request, body []byte) Request {
	return Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"),
		Header: r.Header.Clone(), Body: body}
}

// wait sleeps d unless the request or the server ends first; it reports
// whether the handler should go on.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := baseRequest(r, body)
	if r.Method != http.MethodPost {
		s.record(req)
		writeError(w, http.StatusMethodNotAllowed, "Use POST", "invalid_request_error", nil)
		return
	}
	var in struct {
		Model       string          `json:"model"`
		Stream      bool            `json:"stream"`
		Messages    json.RawMessage `json:"messages"`
		Temperature *float64        `json:"temperature"`
		MaxTokens   int             `json:"max_tokens"`
		MaxCompl    int             `json:"max_completion_tokens"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.record(req)
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error(), "invalid_request_error", nil)
		return
	}
	req.Model, req.Stream, req.Temperature = in.Model, in.Stream, in.Temperature
	req.MaxTokens = in.MaxTokens
	if req.MaxTokens == 0 {
		req.MaxTokens = in.MaxCompl
	}
	msgs, err := decodeMessages(in.Messages)
	req.Messages = msgs
	b, seq := s.nextChat(req)
	s.record(req)
	if !s.authorized(w, r) {
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "invalid_request_error", nil)
		return
	}
	if in.Model == "" {
		writeError(w, http.StatusBadRequest, "you must provide a model parameter", "invalid_request_error", nil)
		return
	}
	if len(msgs) == 0 {
		writeError(w, http.StatusBadRequest, "'messages' must contain at least one message", "invalid_request_error", nil)
		return
	}
	if !s.wait(r, b.FirstByteDelay) {
		return
	}
	if writeStatus(w, b) {
		return
	}
	text := b.Text
	if b.Func != nil {
		text = b.Func(req)
	} else if text == "" && !b.verbatim {
		text = DefaultReply
	}
	id := fmt.Sprintf("chatcmpl-fake%d", seq)
	if !req.Stream {
		if b.stall {
			// A stalled non-streaming answer never starts.
			s.wait(r, time.Duration(math.MaxInt64))
			return
		}
		if b.drop {
			hijackClose(w)
			return
		}
		if b.malformed {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"`+id+`","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":oops}}]}`)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
			"choices": []any{map[string]any{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": text},
				"finish_reason": "stop",
			}},
			"usage": map[string]int{"prompt_tokens": len(body) / 4, "completion_tokens": utf8.RuneCountInString(text), "total_tokens": len(body)/4 + utf8.RuneCountInString(text)},
		})
		return
	}
	s.stream(w, r, b, id, req.Model, text)
}

// stream writes text as server-sent events the way OpenAI does: a first
// chunk with the role, content chunks, a chunk with finish_reason, then
// [DONE].
func (s *Server) stream(w http.ResponseWriter, r *http.Request, b Behavior, id, model, text string) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	created := time.Now().Unix()
	send := func(delta map[string]any, finish any) {
		chunk := map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		}
		data, _ := json.Marshal(chunk)
		_, _ = fmt.Fprintf(w, "data: %s\n\n", data)
		if flusher != nil {
			flusher.Flush()
		}
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	size := b.ChunkRunes
	if size <= 0 {
		size = 4
	}
	chunks := splitRunes(text, size)
	for i := 0; ; i++ {
		if b.stall && i == b.stallAfter {
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
			return
		}
		if b.drop && i == b.dropAfter {
			hijackClose(w)
			return
		}
		if b.streamErr && i == b.errAfter {
			data, _ := json.Marshal(map[string]any{"error": map[string]any{
				"message": b.ErrorMessage, "type": "server_error", "param": nil, "code": nil}})
			_, _ = fmt.Fprintf(w, "data: %s\n\n", data)
			return
		}
		if b.malformed && i == b.malformedAfter {
			_, _ = io.WriteString(w, "data: {\"id\":\""+id+"\",\"choices\":[{\"delta\":{\"content\":\"oops\n\n")
			if flusher != nil {
				flusher.Flush()
			}
		}
		if i >= len(chunks) {
			break
		}
		if i > 0 && !s.wait(r, b.Interval) {
			return
		}
		if r.Context().Err() != nil {
			return // the client has gone
		}
		send(map[string]any{"content": chunks[i]}, nil)
		s.streamed.Add(1)
	}
	if b.OmitDone {
		return
	}
	send(map[string]any{}, "stop")
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

func (s *Server) handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := baseRequest(r, body)
	if r.Method != http.MethodPost {
		s.record(req)
		writeError(w, http.StatusMethodNotAllowed, "Use POST", "invalid_request_error", nil)
		return
	}
	var in struct {
		Model          string          `json:"model"`
		Input          json.RawMessage `json:"input"`
		EncodingFormat string          `json:"encoding_format"`
	}
	err := json.Unmarshal(body, &in)
	req.Model = in.Model
	if err == nil {
		req.Inputs, err = decodeInputs(in.Input)
	}
	b := s.nextEmbed()
	s.record(req)
	if !s.authorized(w, r) {
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "invalid_request_error", nil)
		return
	}
	if in.Model == "" {
		writeError(w, http.StatusBadRequest, "you must provide a model parameter", "invalid_request_error", nil)
		return
	}
	if in.EncodingFormat != "" && in.EncodingFormat != "float" {
		writeError(w, http.StatusBadRequest, "the fake server only supports encoding_format float", "invalid_request_error", nil)
		return
	}
	if !s.wait(r, b.FirstByteDelay) {
		return
	}
	if writeStatus(w, b) {
		return
	}
	if b.drop {
		hijackClose(w)
		return
	}
	if b.malformed {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"list","data":[{"object":"embedding","embedding":[0.1,oops]}]}`)
		return
	}
	data := make([]any, len(req.Inputs))
	tokens := 0
	for i, s2 := range req.Inputs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": s.embed(s2)}
		tokens += utf8.RuneCountInString(s2)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list", "data": data, "model": in.Model,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	s.record(baseRequest(r, nil))
	if !s.authorized(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "Use GET", "invalid_request_error", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
		map[string]any{"id": "fake-chat", "object": "model", "created": 0, "owned_by": "llmtest"},
		map[string]any{"id": "fake-embed", "object": "model", "created": 0, "owned_by": "llmtest"},
	}})
}

// decodeMessages reads chat messages whose content is a string or an array
// of content parts ({"type":"text","text":…}).
func decodeMessages(raw json.RawMessage) ([]Message, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var in []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("'messages' is not an array of messages: %v", err)
	}
	out := make([]Message, 0, len(in))
	for i, m := range in {
		switch m.Role {
		case "system", "user", "assistant", "developer", "tool":
		default:
			return nil, fmt.Errorf("'messages[%d].role' %q is not one of system, user, assistant", i, m.Role)
		}
		var text string
		if len(m.Content) > 0 && m.Content[0] == '[' {
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(m.Content, &parts); err != nil {
				return nil, fmt.Errorf("'messages[%d].content': %v", i, err)
			}
			for _, p := range parts {
				text += p.Text
			}
		} else if len(m.Content) > 0 && !bytes.Equal(m.Content, []byte("null")) {
			if err := json.Unmarshal(m.Content, &text); err != nil {
				return nil, fmt.Errorf("'messages[%d].content': %v", i, err)
			}
		}
		out = append(out, Message{Role: m.Role, Content: text})
	}
	return out, nil
}

func decodeInputs(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, fmt.Errorf("'input' cannot be an empty string")
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("'input' must be a string or an array of strings")
	}
	if len(many) == 0 {
		return nil, fmt.Errorf("'input' cannot be an empty array")
	}
	for i, s := range many {
		if s == "" {
			return nil, fmt.Errorf("'input[%d]' cannot be an empty string", i)
		}
	}
	return many, nil
}

// HashEmbedding is the fake's default embedding: character unigrams and
// bigrams hashed into dims buckets, normalised to unit length. It is
// deterministic, and texts that share characters get similar vectors, so
// retrieval over it behaves roughly like lexical overlap.
func HashEmbedding(text string, dims int) []float32 {
	if dims <= 0 {
		dims = 64
	}
	v := make([]float64, dims)
	add := func(s string, w float64) {
		h := fnv.New32a()
		_, _ = h.Write([]byte(s))
		sum := h.Sum32()
		sign := 1.0
		if sum&1 == 1 {
			sign = -1
		}
		v[int(sum>>1)%dims] += sign * w
	}
	runes := []rune(strings.ToLower(text))
	for i, r := range runes {
		add(string(r), 1)
		if i+1 < len(runes) {
			add(string(runes[i:i+2]), 2)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func splitRunes(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

func hijackClose(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("llmtest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

func errorType(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case code == http.StatusUnauthorized:
		return "invalid_request_error"
	case code >= 500:
		return "server_error"
	default:
		return "invalid_request_error"
	}
}

// writeStatus answers with b's scripted error status, if it has one, in
// OpenAI's error format (with Retry-After when scripted), and reports
// whether it did.
func writeStatus(w http.ResponseWriter, b Behavior) bool {
	if b.StatusCode == 0 || b.StatusCode == http.StatusOK {
		return false
	}
	if b.RetryAfter != "" {
		w.Header().Set("Retry-After", b.RetryAfter)
	}
	msg := b.ErrorMessage
	if msg == "" {
		msg = http.StatusText(b.StatusCode)
	}
	writeError(w, b.StatusCode, msg, errorType(b.StatusCode), b.code())
	return true
}

func writeError(w http.ResponseWriter, status int, message, typ string, code any) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": message, "type": typ, "param": nil, "code": code,
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
