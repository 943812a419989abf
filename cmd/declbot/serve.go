package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "run the Telegram bot",
		usage: `Usage: declbot serve [--offline]

Runs the Telegram bot until interrupted (Ctrl-C or SIGTERM), then lets the
answers in progress finish and exits. Configuration comes from .env and the
environment (see .env.example):

  TELEGRAM_BOT_TOKEN  the token @BotFather gave you (required)
  TELEGRAM_API_URL    a self-hosted Bot API server (default the official one)
  WEBHOOK_URL         receive updates by webhook at this public URL instead
                      of long polling; WEBHOOK_LISTEN is the local address
                      (default :8080), WEBHOOK_SECRET the secret token
  HEALTH_LISTEN       serve GET /healthz on this address (e.g. :8081)
  ALLOWED_USER_IDS, ALLOWED_CHAT_IDS  serve only these users / chats
  ADMIN_USER_IDS      users who may use /stats (silent for everyone else)
  DATA_DIR            follow-up history and each chat's /doc pin (history.db),
                      review log (review.db) and caches
  REVIEW_LOG          off: keep no review log and show no 👍/👎 (default on)
  REVIEW_RETENTION    how long review records are kept (default 30d)
  METRICS_LISTEN      serve Prometheus metrics, GET /metrics, on this address
  OPENAI_*, LLM_TIMEOUT, EMBEDDING_*  the model, as for "declbot ask"

Answers are extractive (quoted from the text) unless a model is configured.

Examples:
  TELEGRAM_BOT_TOKEN=123456789:AA... declbot serve
  declbot serve --offline`,
		run: runServe,
	}
}

// historyPruneEvery is how often expired conversations are deleted.
const historyPruneEvery = time.Hour

// validWebhookSecret reports whether s is a secret Telegram accepts: 1-256
// letters, digits, _ and -. (A regexp with {1,256} compiled at every
// process start took about 5 ms of each `declbot ask`.)
func validWebhookSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func runServe(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, serveCommand())
	offline := fs.Bool("offline", false, "answer from the text only: no chat model and no embeddings API, even if configured")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "declbot serve: unexpected argument %q; serve takes no arguments (configure it with .env, see .env.example)\n", rest[0])
		return exitUsage
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitUsage
	}
	if *offline {
		cfg.goOffline()
	}
	if err := telegram.ValidateToken(cfg.TelegramToken); err != nil {
		printTokenHelp(a.stderr, err)
		return exitUsage
	}
	if cfg.WebhookSecret != "" && !validWebhookSecret(cfg.WebhookSecret) {
		fmt.Fprintln(a.stderr, "declbot serve: WEBHOOK_SECRET may contain only letters, digits, _ and - (1-256 characters), as Telegram requires; generate one with: openssl rand -hex 32")
		return exitUsage
	}
	log := newLogger(a, cfg)
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		log.Warn("WEBHOOK_SECRET is empty: anyone who learns WEBHOOK_URL can send the bot fake updates; set it (e.g. openssl rand -hex 32)")
	}

	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitUsage
	}
	idx, err := newIndex(ctx, a, cfg, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitFail
	}
	idx.Prepare()
	// Building the index and its fields allocated several times what
	// they keep; hand the rest back now rather than when the scavenger
	// gets to it, so that an idle server is as small as it can be
	// (BenchmarkServeIdleRSS).
	debug.FreeOSMemory()
	engine := newEngine(a, cfg, c, idx)
	var reviews *review.Store

	store, err := history.Open(filepath.Join(cfg.DataDir, "history.db"), history.WithOnFail(func(err error) {
		log.Error("the chat history database failed; answering without follow-up memory until restarted (the next start opens a fresh database if this one is damaged)", "err", err)
	}))
	if errors.Is(err, history.ErrLocked) {
		fmt.Fprintf(a.stderr, "declbot serve: another declbot serve is using DATA_DIR=%s: stop it, or give this one its own DATA_DIR\n", cfg.DataDir)
		return exitFail
	}
	if errors.Is(err, history.ErrSymlink) {
		fmt.Fprintf(a.stderr, "declbot serve: cannot keep chat history in DATA_DIR=%s: %v\n", cfg.DataDir, err)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot serve: cannot keep chat history in DATA_DIR=%s: %v; set DATA_DIR to a writable folder\n", cfg.DataDir, err)
		return exitFail
	}
	defer store.Close()
	if moved := store.Recovered(); moved != "" {
		log.Warn("the chat history database was damaged; it was kept as "+moved+" and a new one started", "path", store.Path())
	}
	pruneCtx, stopPrune := context.WithCancel(ctx)
	defer stopPrune() // before store.Close: defers run last-in first-out
	go pruneHistory(pruneCtx, store, log)

	met := metrics.New()
	if cfg.ReviewLog {
		rs, err := review.Open(cfg.DataDir, review.WithRetention(cfg.ReviewRetention),
			review.WithOnFail(func(err error) {
				log.Error("the review log failed; answering without recording answers until restarted (the next start opens a fresh database if this one is damaged)", "err", err)
			}),
			review.WithWriteObserver(func(d time.Duration) { met.StoreWrite("review", d) }),
			review.WithDropCounter(met.ReviewDropped), review.WithWrittenCounter(met.ReviewRecorded))
		if err != nil {
			// The review log is for the operator: the bot answers without it.
			log.Error("cannot keep the review log in DATA_DIR; answering without it (set REVIEW_LOG=off to silence this, or fix DATA_DIR)", "dir", cfg.DataDir, "err", err)
		} else {
			defer rs.Close()
			if moved := rs.Recovered(); moved != "" {
				log.Warn("the review log was damaged; it was kept as "+moved+" and a new one started", "path", rs.Path())
			}
			reviews = rs
		}
	}
	if cfg.MetricsListen != "" {
		stop, err := serveMetrics(cfg.MetricsListen, met)
		if err != nil {
			fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
			return exitFail
		}
		defer stop()
	}

	opts := []telegram.Option{
		telegram.WithAPIURL(cfg.TelegramAPIURL),
		telegram.WithMetrics(met),
		telegram.WithAdmins(cfg.AdminUserIDs),
		telegram.WithSearcher(idx),
		telegram.WithHistory(store),
		// The /doc pins, in their own bucket of the same database.
		telegram.WithSettings(store),
		telegram.WithLogger(log),
		telegram.WithAllowlist(cfg.AllowedUserIDs, cfg.AllowedChatIDs),
	}
	if reviews != nil {
		opts = append(opts, telegram.WithReview(reviews))
	}
	if cfg.WebhookURL != "" {
		opts = append(opts, telegram.WithWebhook(cfg.WebhookURL, cfg.WebhookListen, cfg.WebhookSecret))
	}
	if cfg.HealthListen != "" {
		opts = append(opts, telegram.WithHealth(cfg.HealthListen))
	}
	b, err := telegram.New(cfg.TelegramToken, c, engine, opts...)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitFail
	}
	log.Info("declbot serve starting", "mode", engine.Mode(), "api", cfg.TelegramAPIURL, "webhook", cfg.WebhookURL != "",
		"allowlist", len(cfg.AllowedUserIDs)+len(cfg.AllowedChatIDs) > 0, "admins", len(cfg.AdminUserIDs), "history", store.Path(),
		"review_log", reviews != nil, "metrics", cfg.MetricsListen)
	err = b.Run(ctx)
	switch {
	case errors.Is(err, telegram.ErrTokenRejected):
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitUsage
	case err != nil && !errors.Is(err, context.Canceled):
		fmt.Fprintf(a.stderr, "declbot serve: %v\n", err)
		return exitFail
	}
	s := b.Stats()
	log.Info("declbot serve stopped", "questions", s.Questions, "answers", s.Answers, "failures", s.Failures, "abandoned", s.Abandoned)
	return exitOK
}

// printTokenHelp explains how to get a token. It never prints the token.
func printTokenHelp(w io.Writer, err error) {
	if errors.Is(err, telegram.ErrNoToken) {
		fmt.Fprint(w, `declbot serve: TELEGRAM_BOT_TOKEN is not set.
To get one, open Telegram and talk to @BotFather (https://t.me/BotFather):
send /newbot, choose a name and a username, and it replies with a token
like 123456789:AAE... Put it in .env (see .env.example):

  TELEGRAM_BOT_TOKEN=123456789:AAE...

or in the environment, and run declbot serve again.
`)
		return
	}
	fmt.Fprint(w, `declbot serve: TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a
colon, then at least 30 letters, digits, _ or -). Copy it again from
@BotFather: send /mybots, choose the bot, then "API Token". Check that .env
has no quotes or spaces around it.
`)
}

func pruneHistory(ctx context.Context, store *history.Store, log *slog.Logger) {
	t := time.NewTicker(historyPruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.Prune(); errors.Is(err, history.ErrFailed) {
				return // logged once, when it failed
			} else if err != nil {
				log.Warn("could not prune chat history", "err", err)
			} else if n > 0 {
				log.Debug("pruned expired conversations", "count", n)
			}
		}
	}
}

// serveMetrics serves GET /metrics on listen until stop is called.
func serveMetrics(listen string, m *metrics.Metrics) (stop func(), err error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("METRICS_LISTEN=%s: %w (choose a free host:port)", listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}
