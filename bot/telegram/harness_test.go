package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

var testCorpus = func() *corpus.Corpus {
	c, err := corpus.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

func passage(id string) corpus.Passage {
	p, ok := testCorpus.Get(id)
	if !ok {
		panic("no passage " + id)
	}
	return p
}

// fakeAnswerer stands in for the engine: it streams a few partial texts
// and returns an answer citing real paragraphs.
type fakeAnswerer struct {
	mu        sync.Mutex
	questions []bot.Question
	// reply builds the answer and the partial texts streamed before it.
	reply     func(q bot.Question) (bot.Answer, []string, error)
	stepDelay time.Duration
	// gate, if set, holds every answer until it receives.
	gate chan struct{}
}

func defaultReply(q bot.Question) (bot.Answer, []string, error) {
	text := "Answer to: " + q.Text + " [2.36]"
	return bot.Answer{Text: text, Citations: []corpus.Passage{passage("2.36")}, Grounded: true,
		Mode: bot.ModeExtractive, Lang: corpus.DetectLang(q.Text)}, []string{"Answer", "Answer to:"}, nil
}

func (f *fakeAnswerer) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	return f.AskStream(ctx, q, nil)
}

func (f *fakeAnswerer) AskStream(ctx context.Context, q bot.Question, onText func(string)) (bot.Answer, error) {
	f.mu.Lock()
	f.questions = append(f.questions, q)
	reply := f.reply
	f.mu.Unlock()
	if reply == nil {
		reply = defaultReply
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return bot.Answer{}, ctx.Err()
		}
	}
	a, steps, err := reply(q)
	if err != nil {
		return bot.Answer{}, err
	}
	for _, s := range steps {
		if onText != nil {
			onText(s)
		}
		if f.stepDelay > 0 {
			time.Sleep(f.stepDelay)
		}
	}
	if onText != nil {
		onText(a.Text)
	}
	return a, nil
}

func (f *fakeAnswerer) asked() []bot.Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Question(nil), f.questions...)
}

// sleepRecorder records the waits the bot asks for (flood control,
// retries) and takes a hundredth of each, so tests check the waits
// without spending them.
type sleepRecorder struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return sleepCtx(ctx, d/100)
}

func (s *sleepRecorder) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// logBuffer collects the bot's logs for assertions (e.g. that no token
// is ever logged).
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

type harness struct {
	t      *testing.T
	srv    *tgtest.Server
	bot    *Bot
	ans    *fakeAnswerer
	sleeps *sleepRecorder
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan error
}

const waitLong = 10 * time.Second

// start runs a bot against a fresh fake server. Streaming intervals are
// short and rate limits off unless opts say otherwise.
func start(t *testing.T, opts ...Option) *harness {
	t.Helper()
	srv := tgtest.NewServer(t)
	return startWith(t, srv, &fakeAnswerer{}, opts...)
}

func startWith(t *testing.T, srv *tgtest.Server, a Answerer, opts ...Option) *harness {
	t.Helper()
	return startCorpus(t, srv, testCorpus, a, opts...)
}

// startCorpus is startWith serving the corpus c (packs_test.go: the
// built-in pack and the synthetic test packs).
func startCorpus(t *testing.T, srv *tgtest.Server, c *corpus.Corpus, a Answerer, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, srv: srv, sleeps: &sleepRecorder{}, logs: &logBuffer{}, done: make(chan error, 1)}
	if fa, ok := a.(*fakeAnswerer); ok {
		h.ans = fa
	}
	base := []Option{
		WithAPIURL(srv.URL()),
		WithHTTPClient(srv.Client()),
		WithLogger(slog.New(slog.NewTextHandler(io.MultiWriter(h.logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithSleep(h.sleeps.sleep),
		WithEditInterval(30 * time.Millisecond),
		WithDraftInterval(10 * time.Millisecond),
		WithRateLimit(0, 1),
		WithUpdateLimit(0, 1),
		WithInlineLimit(0, 1),
		WithShutdownGrace(5 * time.Second),
		WithSendRate(0),
	}
	b, err := New(srv.Token(), c, a, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- b.Run(ctx) }()
	t.Cleanup(func() { h.stop() })
	// Ready once connected, commands registered, and polling (or the
	// webhook) set up.
	deadline := time.Now().Add(waitLong)
	for !b.ready.Load() {
		select {
		case err := <-h.done:
			t.Fatalf("Run returned %v before the bot was ready", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("bot not ready after %v\n%s", waitLong, srv.Transcript())
		}
		time.Sleep(2 * time.Millisecond)
	}
	return h
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	if testing.Verbose() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// stop ends Run and returns its error.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err // for a second call
		return err
	case <-time.After(waitLong):
		h.t.Fatal("Run did not return after its context ended")
		return nil
	}
}

// botMessages waits until the chat has n messages from the bot and
// returns them.
func (h *harness) botMessages(chatID int64, n int) []tgtest.Message {
	h.t.Helper()
	h.srv.Wait(waitLong, fmt.Sprintf("%d bot messages in chat %d", n, chatID), func() bool {
		return len(h.srv.BotMessages(chatID)) >= n
	})
	return h.srv.BotMessages(chatID)
}

// settle waits until the bot has no update in progress.
func (h *harness) settle() {
	h.t.Helper()
	deadline := time.Now().Add(waitLong)
	// An update confirmed to the server can still wait in the library's
	// hand-over to a worker, neither pending nor in flight, for as long as
	// a loaded machine delays that goroutine: the bot counts as idle once
	// it has been so for several checks in a row.
	for idle := 0; idle < 4; {
		if h.bot.Stats().InFlight > 0 || len(h.srv.Pending()) > 0 {
			idle = 0
		} else {
			idle++
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("bot still busy: %+v", h.bot.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func buttons(m tgtest.Message) []models.InlineKeyboardButton {
	if m.Markup == nil {
		return nil
	}
	var out []models.InlineKeyboardButton
	for _, row := range m.Markup.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

func callbackData(m tgtest.Message) []string {
	var out []string
	for _, b := range buttons(m) {
		out = append(out, b.CallbackData)
	}
	return out
}

var errBoom = errors.New("boom")
