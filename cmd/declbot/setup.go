package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// This file builds the pieces several commands share (search, ask, chat,
// serve, eval), so that each is configured in one place and "declbot eval"
// measures exactly what users get.

// openCorpus loads the built-in texts and the packs in --corpus DIR, or
// else in CORPUS_DIR. A broken pack is the user's input: the error names
// the file and line, and the caller exits with status 2.
func openCorpus(a *app) (*corpus.Corpus, error) { return openCorpusWith(a, corpus.Load) }

// openCorpusWith is openCorpus with load (corpus.LoadPassages for the
// tools that make translations).
func openCorpusWith(a *app, load func(...corpus.Option) (*corpus.Corpus, error)) (*corpus.Corpus, error) {
	dir, from := a.corpusDir, "--corpus"
	if dir == "" {
		dir, from = strings.TrimSpace(a.getenv("CORPUS_DIR")), "CORPUS_DIR"
	}
	if dir == "" {
		return load()
	}
	c, err := load(corpus.WithPackDir(dir))
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", from, dir, err)
	}
	return c, nil
}

// packFlag checks --pack against the loaded packs: "" means every pack;
// otherwise the one pack the question is limited to, as a chat's /doc.
func packFlag(c *corpus.Corpus, id string) ([]string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return nil, nil
	}
	if _, ok := c.Pack(id); ok {
		return []string{id}, nil
	}
	var ids []string
	for _, p := range c.Packs() {
		ids = append(ids, p.ID)
	}
	return nil, fmt.Errorf("--pack %q is not loaded (loaded: %s): load it with --corpus DIR or CORPUS_DIR", id, strings.Join(ids, ", "))
}

// newLogger returns the commands' logger: text lines on stderr at
// LOG_LEVEL (default info).
func newLogger(a *app, cfg config) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(cfg.LogLevel) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
}

// newIndex builds the search index over c: the offline embedder by default,
// an OpenAI-compatible embeddings endpoint when EMBEDDING_MODEL is set,
// passage embeddings cached in DATA_DIR, a progress bar on stderr when it
// is a terminal. An embeddings endpoint that fails is an error: the caller
// decides whether to say so or fall back.
func newIndex(ctx context.Context, a *app, cfg config, c *corpus.Corpus) (*retrieval.Index, error) {
	log := newLogger(a, cfg)
	opts := []retrieval.Option{
		retrieval.WithCacheDir(cfg.DataDir),
		retrieval.WithLogger(log),
		retrieval.WithProgress(a.stderr),
	}
	if a.oneShot {
		// Mapped snapshots start faster; a long-running command reads
		// them, out of reach of anything done to the files afterwards.
		opts = append(opts, retrieval.WithMappedSnapshots())
	}
	if cfg.EmbeddingModel != "" {
		// The same URL forms as the chat model's ("http://host:11434"
		// for Ollama means its /v1), since the embeddings URL defaults
		// to OPENAI_BASE_URL.
		base, err := llm.NormalizeBaseURL(cfg.EmbeddingBaseURL)
		if err != nil {
			return nil, fmt.Errorf("EMBEDDING_BASE_URL: %w", err)
		}
		opts = append(opts, retrieval.WithEmbedder(retrieval.NewOpenAIEmbedder(
			base, cfg.EmbeddingAPIKey, cfg.EmbeddingModel, retrieval.WithOpenAILogger(log))))
	}
	x, err := retrieval.New(ctx, c, opts...)
	if err != nil {
		if cfg.EmbeddingModel != "" {
			return nil, fmt.Errorf("build the search index with EMBEDDING_MODEL=%s: %w (check the model name and EMBEDDING_BASE_URL, or unset EMBEDDING_MODEL to search offline)", cfg.EmbeddingModel, err)
		}
		return nil, fmt.Errorf("build the search index: %w", err)
	}
	return x, nil
}

// newEngine builds the answering engine: with OPENAI_BASE_URL or
// OPENAI_API_KEY set, OPENAI_MODEL writes the answers (LLM_TIMEOUT bounds
// each, LLM_MAX_TOKENS is sent as max_tokens); otherwise answers are
// extractive.
func newEngine(a *app, cfg config, c *corpus.Corpus, x *retrieval.Index) *bot.Engine {
	log := newLogger(a, cfg)
	opts := []bot.Option{bot.WithLogger(log), bot.WithTimeout(cfg.LLMTimeout)}
	if cfg.LLMEnabled() {
		opts = append(opts, bot.WithModel(llm.New(cfg.OpenAIBaseURL, cfg.OpenAIAPIKey, cfg.OpenAIModel, llm.WithLogger(log), llm.WithMaxTokens(cfg.LLMMaxTokens))))
	}
	return bot.NewEngine(c, x, opts...)
}
