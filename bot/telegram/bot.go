package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// Answerer answers questions; *bot.Engine is the implementation.
type Answerer interface {
	Ask(ctx context.Context, q bot.Question) (bot.Answer, error)
	// AskStream calls onText with the whole text so far as it grows.
	AskStream(ctx context.Context, q bot.Question, onText func(text string)) (bot.Answer, error)
}

// Searcher ranks paragraphs for /search and inline mode;
// *retrieval.Index is the implementation.
type Searcher interface {
	Search(ctx context.Context, q string, k int) (retrieval.Results, error)
}

// PackSearcher is a Searcher that ranks within document packs, for /search
// in a chat pinned to one (/doc); *retrieval.Index is one. A Searcher
// without it is asked for more and its results filtered.
type PackSearcher interface {
	SearchPacks(ctx context.Context, q string, k int, packs []string) (retrieval.Results, error)
}

var _ PackSearcher = (*retrieval.Index)(nil)

// History keeps each conversation's recent turns; *history.Store is the
// implementation.
type History interface {
	Turns(key string) ([]history.Turn, error)
	Append(key string, t history.Turn) error
	Clear(key string) error
}

// Defaults for the options.
const (
	DefaultMaxQuestion   = 1000
	DefaultEditInterval  = 1500 * time.Millisecond
	DefaultDraftInterval = 400 * time.Millisecond
	DefaultShutdownGrace = 25 * time.Second
	DefaultRateEvery     = 6 * time.Second
	DefaultRateBurst     = 4
	// DefaultUpdateEvery and DefaultUpdateBurst limit the updates of every
	// kind the bot acts on for one user (messages, commands, button
	// presses): far above anyone reading and asking, far below what costs
	// the bot's send budget (25 messages a second for everyone).
	DefaultUpdateEvery = time.Second
	DefaultUpdateBurst = 10
	// DefaultInlineEvery and DefaultInlineBurst limit one user's inline
	// queries: a client sends one whenever typing pauses.
	DefaultInlineEvery   = 500 * time.Millisecond
	DefaultInlineBurst   = 20
	DefaultMaxConcurrent = 512
	// DefaultSendRate keeps the bot under Telegram's global limit of about
	// 30 messages a second.
	DefaultSendRate = 25
)

// pollTimeout is how long a getUpdates long poll waits for an update.
const pollTimeout = 50 * time.Second

// Stats counts what the bot has done, for /healthz and tests.
type Stats struct {
	Updates    int64 `json:"updates"`
	Duplicates int64 `json:"duplicates"`
	Questions  int64 `json:"questions"`
	Answers    int64 `json:"answers"`
	Failures   int64 `json:"failures"`
	Panics     int64 `json:"panics"`
	InFlight   int64 `json:"in_flight"`
	Abandoned  int64 `json:"abandoned"`
	// Limited counts updates dropped because their user was over a
	// per-user limit (questions refused as busy or too fast included).
	Limited int64 `json:"limited"`
}

type stats struct {
	updates, duplicates, questions, answers, failures, panics, inFlight, abandoned, limited atomic.Int64
}

// Bot is the Telegram bot. Build it with New and start it with Run.
type Bot struct {
	token    string
	c        *corpus.Corpus
	answerer Answerer
	searcher Searcher
	hist     History
	settings Settings
	reviews  Reviews
	metrics  *metrics.Metrics
	comments *commentPrompts
	admins   map[int64]bool
	log      *slog.Logger

	apiURL         string
	httpClient     *http.Client
	allowedUsers   map[int64]bool
	allowedChats   map[int64]bool
	maxQuestion    int
	rateEvery      time.Duration
	rateBurst      int
	updateLimit    limitSpec
	inlineLimit    limitSpec
	editInterval   time.Duration
	draftInterval  time.Duration
	typingInterval time.Duration
	shutdownGrace  time.Duration
	maxConcurrent  int
	sendRate       float64
	msgLimit       int
	sleep          func(ctx context.Context, d time.Duration) error

	webhookURL      string
	webhookListen   string
	webhookSecret   string
	webhookListener net.Listener
	webhookLimits   WebhookLimits
	refused         refusals
	healthListen    string
	healthListener  net.Listener

	tg      *tgbot.Bot
	me      models.User
	sendLim *rate.Limiter
	sem     chan struct{}
	wg      sync.WaitGroup
	work    context.Context
	stats   stats
	users   *userLimits
	groups  *groupPace
	seen    *recentIDs
	ready   atomic.Bool
	drain   atomic.Bool
	nextID  atomic.Int64
	// polled is the highest update ID handed to a handler, confirmed to
	// Telegram when polling stops (confirmPolled).
	polled  atomic.Int64
	started time.Time
}

// Option configures a Bot.
type Option func(*Bot)

// WithAPIURL sets the Bot API server (default https://api.telegram.org):
// a self-hosted Bot API server or a test server.
func WithAPIURL(u string) Option { return func(b *Bot) { b.apiURL = strings.TrimRight(u, "/") } }

// WithHTTPClient sets the client for Bot API calls.
func WithHTTPClient(c *http.Client) Option { return func(b *Bot) { b.httpClient = c } }

// WithSearcher enables /search and ranks inline results with s (within
// a pinned chat's pack when s is also a PackSearcher). Without it both
// fall back to matching words in the text.
func WithSearcher(s Searcher) Option { return func(b *Bot) { b.searcher = s } }

// WithHistory keeps follow-up context in h; without it each question
// stands alone.
func WithHistory(h History) Option { return func(b *Bot) { b.hist = h } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(b *Bot) {
		if l != nil {
			b.log = l
		}
	}
}

// WithAllowlist restricts the bot to the given users and chats: an
// update is served when its user is in users or its chat in chats. Both
// empty (the default) means everyone.
func WithAllowlist(users, chats []int64) Option {
	return func(b *Bot) {
		for _, id := range users {
			b.allowedUsers[id] = true
		}
		for _, id := range chats {
			b.allowedChats[id] = true
		}
	}
}

// WithMaxQuestion sets the longest question accepted, in characters.
func WithMaxQuestion(n int) Option { return func(b *Bot) { b.maxQuestion = n } }

// WithRateLimit lets each user ask burst questions at once and one more
// every every.
func WithRateLimit(every time.Duration, burst int) Option {
	return func(b *Bot) { b.rateEvery, b.rateBurst = every, burst }
}

// WithUpdateLimit lets each user send burst updates the bot acts on
// (messages, commands, button presses) at once and one more every every;
// past it an update is dropped, with at most one notice per 10 s (every
// 0: no limit).
func WithUpdateLimit(every time.Duration, burst int) Option {
	return func(b *Bot) { b.updateLimit = limitSpec{every, burst} }
}

// WithInlineLimit lets each user send burst inline queries at once and
// one more every every; past it a query gets an empty answer (every 0:
// no limit).
func WithInlineLimit(every time.Duration, burst int) Option {
	return func(b *Bot) { b.inlineLimit = limitSpec{every, burst} }
}

// WithEditInterval sets the least time between edits of a streamed answer
// in groups (default 1.5 s, well inside Telegram's limits).
func WithEditInterval(d time.Duration) Option { return func(b *Bot) { b.editInterval = d } }

// WithDraftInterval sets the least time between draft updates in private
// chats.
func WithDraftInterval(d time.Duration) Option { return func(b *Bot) { b.draftInterval = d } }

// WithShutdownGrace sets how long answers in progress may take to finish
// after Run's context ends.
func WithShutdownGrace(d time.Duration) Option { return func(b *Bot) { b.shutdownGrace = d } }

// WithMaxConcurrent bounds the updates handled at once; more wait.
func WithMaxConcurrent(n int) Option { return func(b *Bot) { b.maxConcurrent = n } }

// WithSendRate bounds messages sent per second across all chats (0: no
// bound).
func WithSendRate(perSecond float64) Option { return func(b *Bot) { b.sendRate = perSecond } }

// WithWebhook receives updates by webhook instead of long polling:
// Telegram posts to publicURL, which must reach listen (host:port); secret
// is checked on every request (X-Telegram-Bot-Api-Secret-Token).
func WithWebhook(publicURL, listen, secret string) Option {
	return func(b *Bot) { b.webhookURL, b.webhookListen, b.webhookSecret = publicURL, listen, secret }
}

// WithWebhookListener serves the webhook on l instead of listening on the
// webhook address (tests use a port chosen by the system).
func WithWebhookListener(l net.Listener) Option { return func(b *Bot) { b.webhookListener = l } }

// WebhookLimits bound what a client of the webhook server can hold: the
// server is on the internet, and only Telegram has the secret.
type WebhookLimits struct {
	// ReadHeaderTimeout and ReadTimeout bound reading a request's headers
	// and the whole request; a slow body is cut off.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of the response (the update waits for a free handler slot).
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection with no request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers (431 past it).
	MaxHeaderBytes int
	// MaxConns bounds the connections open at once; more wait to be
	// accepted. Telegram opens at most 100 (max_connections, default 40).
	MaxConns int
}

// DefaultWebhookLimits: updates are a few KB, sent by Telegram from a
// fast network, at most 100 connections at a time.
var DefaultWebhookLimits = WebhookLimits{
	ReadHeaderTimeout: 5 * time.Second,
	ReadTimeout:       10 * time.Second,
	WriteTimeout:      30 * time.Second,
	IdleTimeout:       60 * time.Second,
	MaxHeaderBytes:    16 << 10,
	MaxConns:          128,
}

// WithWebhookLimits replaces DefaultWebhookLimits (tests use short
// timeouts).
func WithWebhookLimits(l WebhookLimits) Option { return func(b *Bot) { b.webhookLimits = l } }

// WithHealth serves GET /healthz on listen (host:port).
func WithHealth(listen string) Option { return func(b *Bot) { b.healthListen = listen } }

// WithHealthListener serves /healthz on l.
func WithHealthListener(l net.Listener) Option { return func(b *Bot) { b.healthListener = l } }

// WithSleep replaces the wait used for flood control (429 retry_after)
// and retries, so tests can check the waits without taking them.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(b *Bot) { b.sleep = f }
}

var tokenRE = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{30,}$`)

// ErrNoToken and ErrBadToken describe a missing or unusable bot token.
var (
	ErrNoToken  = errors.New("TELEGRAM_BOT_TOKEN is not set")
	ErrBadToken = errors.New("TELEGRAM_BOT_TOKEN is not a valid bot token")
	// ErrTokenRejected is returned by Run when Telegram refuses the token.
	//lint:ignore ST1005 starts with a name; the message is shown to users as is
	ErrTokenRejected = errors.New("Telegram rejected TELEGRAM_BOT_TOKEN")
)

// ValidateToken checks that token has the shape of a bot token
// (123456789:AA…), without saying what it is.
func ValidateToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return ErrNoToken
	}
	if !tokenRE.MatchString(token) {
		return ErrBadToken
	}
	return nil
}

// New builds a bot that answers with a from the corpus c. It does not
// contact Telegram; Run does.
func New(token string, c *corpus.Corpus, a Answerer, opts ...Option) (*Bot, error) {
	if err := ValidateToken(token); err != nil {
		return nil, err
	}
	if c == nil || a == nil {
		return nil, errors.New("telegram: New needs a corpus and an answerer")
	}
	b := &Bot{
		token:          token,
		c:              c,
		answerer:       a,
		log:            slog.New(slog.DiscardHandler),
		apiURL:         "https://api.telegram.org",
		allowedUsers:   map[int64]bool{},
		allowedChats:   map[int64]bool{},
		comments:       newCommentPrompts(),
		admins:         map[int64]bool{},
		maxQuestion:    DefaultMaxQuestion,
		rateEvery:      DefaultRateEvery,
		rateBurst:      DefaultRateBurst,
		updateLimit:    limitSpec{DefaultUpdateEvery, DefaultUpdateBurst},
		inlineLimit:    limitSpec{DefaultInlineEvery, DefaultInlineBurst},
		editInterval:   DefaultEditInterval,
		draftInterval:  DefaultDraftInterval,
		typingInterval: 4 * time.Second,
		shutdownGrace:  DefaultShutdownGrace,
		maxConcurrent:  DefaultMaxConcurrent,
		sendRate:       DefaultSendRate,
		msgLimit:       MaxMessageLen,
		webhookLimits:  DefaultWebhookLimits,
		sleep:          sleepCtx,
		work:           context.Background(),
	}
	for _, o := range opts {
		o(b)
	}
	if b.webhookURL != "" {
		if _, err := url.Parse(b.webhookURL); err != nil {
			return nil, fmt.Errorf("WEBHOOK_URL: %w", err)
		}
	}
	if b.settings == nil {
		b.settings = newMemSettings()
	}
	if b.httpClient == nil {
		// The client's timeout must outlast a long poll.
		b.httpClient = &http.Client{Timeout: pollTimeout + 15*time.Second}
	}
	if b.sendRate > 0 {
		b.sendLim = rate.NewLimiter(rate.Limit(b.sendRate), int(max(b.sendRate, 1)))
	}
	b.sem = make(chan struct{}, max(b.maxConcurrent, 1))
	b.users = newUserLimits(limitSpec{b.rateEvery, b.rateBurst}, b.updateLimit, b.inlineLimit)
	b.groups = newGroupPace()
	b.seen = newRecentIDs(100000)
	tg, err := tgbot.New(token,
		tgbot.WithServerURL(b.apiURL),
		tgbot.WithHTTPClient(pollTimeout, b.httpClient),
		tgbot.WithSkipGetMe(),
		tgbot.WithNotAsyncHandlers(),
		// Unbuffered: go-telegram/bot confirms a batch of updates by asking
		// for the next one, and with a buffer it would ask while updates
		// still wait in it (up to 1024 when every handler slot is busy),
		// and drop them if the bot stops then. Unbuffered, it asks only
		// once the whole batch has been handed to dispatch.
		tgbot.WithUpdatesChannelCap(0),
		tgbot.WithDefaultHandler(b.route),
		tgbot.WithMiddlewares(b.dispatch),
		tgbot.WithErrorsHandler(b.libraryError),
		tgbot.WithAllowedUpdates(tgbot.AllowedUpdates{
			models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateInlineQuery,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	b.tg = tg
	return b, nil
}

// Stats returns the bot's counters.
func (b *Bot) Stats() Stats {
	return Stats{
		Updates: b.stats.updates.Load(), Duplicates: b.stats.duplicates.Load(),
		Questions: b.stats.questions.Load(), Answers: b.stats.answers.Load(),
		Failures: b.stats.failures.Load(), Panics: b.stats.panics.Load(),
		InFlight: b.stats.inFlight.Load(), Abandoned: b.stats.abandoned.Load(),
		Limited: b.stats.limited.Load(),
	}
}

// Me returns the bot's own user, known once Run has called getMe.
func (b *Bot) Me() models.User { return b.me }

// redact removes the token from text that may be logged: URLs of failed
// requests contain it.
func (b *Bot) redact(s string) string {
	if b.token == "" {
		return s
	}
	return strings.ReplaceAll(s, b.token, "***")
}

func (b *Bot) errAttr(err error) slog.Attr {
	if err == nil {
		return slog.String("err", "")
	}
	return slog.String("err", b.redact(err.Error()))
}

func (b *Bot) libraryError(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if errors.Is(err, tgbot.ErrorConflict) {
		b.log.Error("telegram: another process is receiving this bot's updates (a second declbot, or a webhook set elsewhere); stop it, or use a different token", b.errAttr(err))
		return
	}
	b.log.Warn("telegram", b.errAttr(err))
}

// Run connects to Telegram and serves updates until ctx ends: by webhook
// when configured, else by long polling. When ctx ends it stops taking
// updates, gives answers in progress the shutdown grace period to finish,
// and returns. It returns ErrTokenRejected if Telegram refuses the token.
func (b *Bot) Run(ctx context.Context) error {
	b.started = time.Now()
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	b.work = work

	health, err := b.startHealth()
	if err != nil {
		return err
	}
	if health != nil {
		defer health.Close()
	}

	if err := b.connect(ctx); err != nil {
		return err
	}
	b.registerCommands(ctx)

	if b.webhookURL != "" {
		if err := b.runWebhook(ctx); err != nil {
			return err
		}
	} else {
		if _, err := b.tg.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
			b.log.Warn("telegram: deleteWebhook before polling failed", b.errAttr(err))
		}
		b.ready.Store(true)
		b.log.Info("telegram: polling for updates", "bot", "@"+b.me.Username)
		b.tg.Start(ctx) // returns when ctx ends
		b.confirmPolled()
	}
	b.ready.Store(false)
	b.drain.Store(true)
	b.finish(cancelWork)
	return nil
}

// finish waits for answers in progress, then cancels what is left.
func (b *Bot) finish(cancelWork context.CancelFunc) {
	n := b.stats.inFlight.Load()
	if n > 0 {
		b.log.Info("telegram: finishing answers in progress", "in_flight", n, "grace", b.shutdownGrace)
	}
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(b.shutdownGrace):
	}
	left := b.stats.inFlight.Load()
	b.stats.abandoned.Add(left)
	b.log.Warn("telegram: shutdown grace period over; abandoning answers in progress", "in_flight", left)
	cancelWork()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// confirmPolled tells Telegram that the updates handed to handlers are
// taken, so a restart does not deliver them again (they would be answered
// twice: the IDs seen are not kept across runs). go-telegram/bot confirms
// a batch only by polling for the next, which it does not do once ctx
// has ended. Updates of the batch not handed over stay unconfirmed, for
// the next run. The one update the request may return is ignored: it is
// not confirmed by it.
func (b *Bot) confirmPolled() {
	last := b.polled.Load()
	if last == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body, err := json.Marshal(map[string]int64{"offset": last + 1, "limit": 1, "timeout": 0})
	if err != nil {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL+"/bot"+b.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		b.log.Warn("telegram: could not confirm the last updates; they may be answered again after a restart", b.errAttr(err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.httpClient.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("getUpdates: HTTP %d", resp.StatusCode)
		}
	}
	if err != nil {
		b.log.Warn("telegram: could not confirm the last updates; they may be answered again after a restart", "last_update_id", last, b.errAttr(err))
	}
}

// connect calls getMe until it succeeds: a refused token is fatal, a
// network failure is retried (the bot may start before the network).
func (b *Bot) connect(ctx context.Context) error {
	wait := time.Second
	for {
		me, err := b.tg.GetMe(ctx)
		if err == nil {
			b.me = *me
			return nil
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return fmt.Errorf("%w (%s): check the token with @BotFather (/token), or revoke it and set the new one", ErrTokenRejected, b.redact(err.Error()))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if kind, _ := classify(err); kind != errTransient && kind != errFlood {
			return fmt.Errorf("getMe at %s: %s", b.apiURL, b.redact(err.Error()))
		}
		b.log.Warn("telegram: cannot reach the Bot API; retrying", "url", b.apiURL, "in", wait, b.errAttr(err))
		if err := b.sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, 30*time.Second)
	}
}

func (b *Bot) registerCommands(ctx context.Context) {
	for lang, list := range commandMenus() {
		if _, err := b.tg.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: list, LanguageCode: lang}); err != nil {
			b.log.Warn("telegram: setMyCommands failed; the command menu may be out of date", "lang", lang, b.errAttr(err))
		}
	}
}

// runWebhook registers the webhook and serves it until ctx ends.
func (b *Bot) runWebhook(ctx context.Context) error {
	u, err := url.Parse(b.webhookURL)
	if err != nil {
		return fmt.Errorf("WEBHOOK_URL: %w", err)
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, http.HandlerFunc(b.serveWebhook))
	mux.HandleFunc("/healthz", b.serveHealth)
	ln := b.webhookListener
	if ln == nil {
		if ln, err = net.Listen("tcp", b.webhookListen); err != nil {
			return fmt.Errorf("WEBHOOK_LISTEN=%s: %w (choose a free host:port)", b.webhookListen, err)
		}
	}
	lim := b.webhookLimits
	if lim.MaxConns > 0 {
		ln = newLimitListener(ln, lim.MaxConns)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: lim.ReadHeaderTimeout, ReadTimeout: lim.ReadTimeout,
		WriteTimeout: lim.WriteTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: lim.MaxHeaderBytes}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	_, err = b.tg.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL:            b.webhookURL,
		SecretToken:    b.webhookSecret,
		AllowedUpdates: []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateInlineQuery},
	})
	if err != nil {
		srv.Close()
		return fmt.Errorf("setWebhook %s: %s", b.webhookURL, b.redact(err.Error()))
	}
	b.ready.Store(true)
	b.log.Info("telegram: receiving updates by webhook", "bot", "@"+b.me.Username, "url", b.webhookURL, "listen", ln.Addr().String())
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("webhook server: %w", err)
		}
	}
	// Stop taking updates; requests being read finish and are dispatched.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return nil
}

// serveWebhook receives one update from Telegram.
func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		refuse(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if b.webhookSecret != "" {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(b.webhookSecret)) != 1 {
			if n, ok := b.refused.note(time.Now()); ok {
				b.log.Warn("telegram: webhook requests with a wrong or missing secret token refused", "count", n, "last_remote", r.RemoteAddr, "per", "minute")
			}
			refuse(w, "forbidden", http.StatusUnauthorized)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	var u models.Update
	if err := json.Unmarshal(body, &u); err != nil {
		// Answering 2xx stops Telegram from redelivering garbage forever.
		b.log.Warn("telegram: webhook body is not an update; ignored", b.errAttr(err))
		w.WriteHeader(http.StatusOK)
		return
	}
	if b.drain.Load() {
		// Not yet taken: let Telegram deliver it again after the restart.
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	b.tg.ProcessUpdate(b.work, &u)
	w.WriteHeader(http.StatusOK)
}

// refuse answers a request that will not be served without reading its
// body, and closes the connection rather than keep it alive: net/http
// would otherwise read up to 256 KB of the body, as slowly as the client
// sends it, to reuse the connection. The read deadline set to now makes
// that read fail at once.
func refuse(w http.ResponseWriter, msg string, code int) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	w.Header().Set("Connection", "close")
	http.Error(w, msg, code)
}

// refusals counts refused webhook requests so that they are logged at
// most once a minute, with how many there were: one line per request
// would let anyone flood the log.
type refusals struct {
	mu   sync.Mutex
	last time.Time
	n    int
}

// note counts one refusal at now and reports whether to log, with the
// refusals since the last line (this one included).
func (r *refusals) note(now time.Time) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if !r.last.IsZero() && now.Sub(r.last) < time.Minute {
		return 0, false
	}
	n := r.n
	r.last, r.n = now, 0
	return n, true
}

// limitListener accepts at most n connections at once; Accept waits for
// one to close.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// CloseWrite lets net/http half-close the connection after a last
// response, as it does with a bare TCP connection.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

func (b *Bot) startHealth() (io.Closer, error) {
	ln := b.healthListener
	if ln == nil && b.healthListen == "" {
		return nil, nil
	}
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", b.healthListen); err != nil {
			return nil, fmt.Errorf("HEALTH_LISTEN=%s: %w (choose a free host:port)", b.healthListen, err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", b.serveHealth)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() { _ = srv.Serve(newLimitListener(ln, 64)) }()
	return srv, nil
}

// failing is what a History may offer to say it has failed
// (*history.Store does): the bot then answers without follow-up memory.
type failing interface{ Err() error }

// serveHealth answers 200 while the bot is taking updates ("ok", or
// "degraded" with the reason while it answers without a part, such as a
// failed history database), 503 while it starts or drains, with the
// counters as JSON.
func (b *Bot) serveHealth(w http.ResponseWriter, _ *http.Request) {
	status, code, reason := "ok", http.StatusOK, ""
	switch {
	case b.drain.Load():
		status, code = "draining", http.StatusServiceUnavailable
	case !b.ready.Load():
		status, code = "starting", http.StatusServiceUnavailable
	default:
		if f, ok := b.hist.(failing); ok {
			if err := f.Err(); err != nil {
				status, reason = "degraded", b.redact(err.Error())+"; answering without follow-up memory until restarted"
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(struct {
		Status string  `json:"status"`
		Reason string  `json:"reason,omitempty"`
		Uptime float64 `json:"uptime_seconds"`
		Stats
	}{status, reason, time.Since(b.started).Seconds(), b.Stats()})
}

// dispatch is the middleware every update passes through (polling and
// webhook alike): it drops duplicates, bounds concurrency, runs the
// handler in its own goroutine with the work context (which outlives
// Run's context so answers can finish), and recovers panics.
func (b *Bot) dispatch(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(_ context.Context, tb *tgbot.Bot, u *models.Update) {
		b.stats.updates.Add(1)
		for {
			old := b.polled.Load()
			if u.ID <= old || b.polled.CompareAndSwap(old, u.ID) {
				break
			}
		}
		if !b.seen.add(u.ID) {
			b.stats.duplicates.Add(1)
			b.log.Debug("telegram: duplicate update ignored", "update_id", u.ID)
			return
		}
		b.sem <- struct{}{}
		b.wg.Add(1)
		b.stats.inFlight.Add(1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					b.stats.panics.Add(1)
					b.log.Error("telegram: panic while handling an update", "update_id", u.ID, "panic", b.redact(fmt.Sprint(r)), "stack", b.redact(string(debug.Stack())))
				}
				b.stats.inFlight.Add(-1)
				<-b.sem
				b.wg.Done()
			}()
			next(b.work, tb, u)
		}()
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recentIDs remembers the last n update IDs, so an update delivered twice
// (a webhook retry, a restart between handling and confirming) is handled
// once.
type recentIDs struct {
	mu   sync.Mutex
	set  map[int64]struct{}
	ring []int64
	next int
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{set: make(map[int64]struct{}, n), ring: make([]int64, 0, n)}
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[id]; ok {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.set[id] = struct{}{}
	return true
}
