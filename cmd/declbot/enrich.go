package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/corpus/enrich"
)

func enrichCommand() command {
	return command{
		name:    "enrich",
		summary: "make working translations and question lists with the configured model",
		usage: `Usage: declbot enrich [--what translations|questions|all] [--lang en|ru|zh-Hans]
                      [--ids missing|all|IDS] [--pack ID] [--out DIR] [--batch N] [--dry-run]

Asks the configured OpenAI-compatible model (OPENAI_BASE_URL, OPENAI_API_KEY,
OPENAI_MODEL) to translate passages from the Chinese, or to write the
questions each passage answers, and writes what passes the same checks as
the shipped files (corpus.CheckTranslation, corpus.CheckQuestions). A
passage whose output fails them is reported and left as it was; the others
are written, each file atomically, every other line unchanged.

--ids missing (the default) takes the passages whose entry is absent or
fails the checks; all takes every passage; otherwise list IDs and ranges
(2.1-2.44,T3). Translations are made before questions, which are written
from the Chinese and the (new) translation.

Files: DIR/translations/<lang>.jsonl and DIR/questions/<lang>.tsv, read
from DIR when they exist there, else from the files built into declbot.
Without --out, DIR is corpus/data of the source tree declbot is run from;
outside the repository --out is required. Rebuild to use the new files.

--pack ID enriches a document pack loaded with --corpus DIR or CORPUS_DIR
(docs/PACKS.md) instead of the built-in texts: DIR defaults to the pack's
own directory, whose files start empty. The pack loads only once every
language's file is complete (or with no translations/ and questions/ at
all): run until nothing fails.

Each validated output is cached under DATA_DIR/enrich-cache, keyed by the
model and the prompt: after an interruption or failures, run the same
command again and it asks only for what it lacks. LLM_TIMEOUT bounds each
request (default here 3m); max_tokens is at least 4096.

Examples:
  declbot enrich --dry-run
  declbot enrich --what translations --lang ru --ids 2.1-2.44
  declbot enrich --what questions --ids all --out /tmp/data --batch 3
  declbot enrich --corpus packs --pack astana2024`,
		run: runEnrich,
	}
}

// enrichTimeout bounds one request when LLM_TIMEOUT is not set: a batch
// of translated paragraphs takes far longer than a chat answer.
const enrichTimeout = 3 * time.Minute

// enrichMaxTokens is the least max_tokens sent: room for a batch of the
// longest paragraphs, translated.
const enrichMaxTokens = 4096

func runEnrich(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, enrichCommand())
	what := fs.String("what", "all", "what to make: translations, questions or all")
	lang := fs.String("lang", "", "one language: en, ru (translations and questions) or zh-Hans (questions); default every one")
	idsFlag := fs.String("ids", "missing", "missing, all, or paragraph IDs and ranges (2.1-2.44,T3)")
	out := fs.String("out", "", "data folder to write (default: corpus/data of the source tree)")
	batch := fs.Int("batch", enrich.DefaultBatch, "passages per model request")
	packID := fs.String("pack", corpus.BuiltinPack, "the document pack to enrich (load others with --corpus DIR)")
	dry := fs.Bool("dry-run", false, "say what would be asked and print the first request; ask and write nothing")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(a.stderr, "declbot enrich: "+format+"\n", args...)
		return exitUsage
	}
	if len(rest) > 0 {
		return fail("unexpected argument %q: give paragraphs with --ids", rest[0])
	}
	var kinds []enrich.Kind
	switch *what {
	case "all":
		kinds = []enrich.Kind{enrich.Translations, enrich.Questions}
	case "translations", "questions":
		kinds = []enrich.Kind{enrich.Kind(*what)}
	default:
		return fail("--what %q: use translations, questions or all", *what)
	}
	if *batch < 1 || *batch > 50 {
		return fail("--batch %d: give 1 to 50 passages per request", *batch)
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		return fail("%v", err)
	}
	if !cfg.LLMEnabled() && !*dry {
		return fail("no model configured: set OPENAI_BASE_URL (any OpenAI-compatible server) and/or OPENAI_API_KEY, and OPENAI_MODEL (see .env.example); --dry-run shows what would be asked without one")
	}
	c, err := openCorpusWith(a, corpus.LoadPassages)
	if err != nil {
		return fail("%v", err)
	}
	pack, ok := c.Pack(strings.ToLower(strings.TrimSpace(*packID)))
	if !ok {
		var loaded []string
		for _, p := range c.Packs() {
			loaded = append(loaded, p.ID)
		}
		return fail("--pack %q is not loaded (loaded: %s): load it with --corpus DIR or CORPUS_DIR", *packID, strings.Join(loaded, ", "))
	}
	var ids []string
	if *idsFlag != "missing" && *idsFlag != "all" {
		ps, err := c.LookupAll(*idsFlag)
		if err != nil {
			return fail("--ids: %v", err)
		}
		for _, p := range ps {
			if p.Pack != pack.ID {
				return fail("--ids: %s is not in pack %s (give --pack %s)", p.ID, pack.ID, p.Pack)
			}
			ids = append(ids, p.ID)
		}
	}
	dir := *out
	if dir == "" && !pack.BuiltIn() {
		dir = pack.Dir
	}
	if dir == "" {
		wd, err := os.Getwd()
		if err == nil {
			dir, err = repoDataDir(wd)
		}
		if err != nil {
			return fail("%v: run it in the declbot repository to update corpus/data, or give --out DIR", err)
		}
	}

	model := "(no model: dry run)"
	var m enrich.Model // nil for a dry run, which asks nothing
	if cfg.LLMEnabled() {
		timeout := enrichTimeout
		if strings.TrimSpace(a.getenv("LLM_TIMEOUT")) != "" {
			timeout = cfg.LLMTimeout
		}
		client := llm.New(cfg.OpenAIBaseURL, cfg.OpenAIAPIKey, cfg.OpenAIModel,
			llm.WithLogger(newLogger(a, cfg)), llm.WithTimeout(timeout),
			llm.WithMaxTokens(max(cfg.LLMMaxTokens, enrichMaxTokens)), llm.WithTemperature(0.2))
		model = cfg.OpenAIModel + " at " + client.BaseURL()
		m = client
	}
	baseURL, _ := llm.NormalizeBaseURL(cfg.OpenAIBaseURL)
	var progress func(enrich.Event)
	e := enrich.New(c, m, enrich.WithBatch(*batch),
		enrich.WithCacheDir(filepath.Join(cfg.DataDir, "enrich-cache")),
		enrich.WithModelID(baseURL, cfg.OpenAIModel),
		enrich.WithProgress(func(ev enrich.Event) { progress(ev) }))
	if !*dry {
		fmt.Fprintf(a.stderr, "declbot enrich: asking %s; writing to %s\n", model, dir)
	}

	failed, interrupted := 0, false
	translations := map[corpus.Lang]*enrich.File{}
	for _, kind := range kinds {
		langs := kind.Langs()
		if *lang != "" {
			l := corpus.Lang(*lang)
			if !contains(langs, l) {
				if len(kinds) == 1 {
					return fail("--lang %q: %s are made for %s", *lang, kind, joinLangs(langs))
				}
				continue
			}
			langs = []corpus.Lang{l}
		}
		for _, l := range langs {
			path, f, err := openEnrichFile(dir, kind, l, pack.BuiltIn())
			if err != nil {
				fmt.Fprintf(a.stderr, "declbot enrich: %v\n", err)
				return exitFail
			}
			if kind == enrich.Translations {
				translations[l] = f
			}
			job := enrich.Job{Kind: kind, Lang: l, IDs: ids}
			if *idsFlag == "missing" || *idsFlag == "all" {
				job.IDs = nil
				for _, p := range c.Passages() {
					if p.Pack != pack.ID {
						continue
					}
					if *idsFlag == "all" || f.Check(p) != nil {
						job.IDs = append(job.IDs, p.ID)
					}
				}
			}
			if kind == enrich.Questions {
				tr := translations[l]
				if tr == nil && !l.IsChinese() {
					if _, tr, err = openEnrichFile(dir, enrich.Translations, l, pack.BuiltIn()); err != nil {
						fmt.Fprintf(a.stderr, "declbot enrich: %v\n", err)
						return exitFail
					}
				}
				if tr != nil {
					job.Translation = tr.Translation
				}
			}
			name := fmt.Sprintf("%s %s", l, kind)
			if len(job.IDs) == 0 {
				fmt.Fprintf(a.stdout, "%s: nothing to do (%s)\n", name, path)
				continue
			}
			if *dry {
				pl, err := e.Plan(job)
				if err != nil {
					fmt.Fprintf(a.stderr, "declbot enrich: %s: %v\n", name, err)
					return exitFail
				}
				fmt.Fprintf(a.stdout, "%s: %d passages (%s): %d cached, %d request(s) of up to %d passages; would write %s\n",
					name, len(job.IDs), summarizeIDs(job.IDs), len(pl.Cached), len(pl.Batches), *batch, path)
				if pl.First != nil {
					fmt.Fprintf(a.stdout, "first request:\n")
					for _, m := range pl.First {
						fmt.Fprintf(a.stdout, "=== %s ===\n%s\n", m.Role, strings.TrimRight(m.Content, "\n"))
					}
				}
				continue
			}
			progress = func(ev enrich.Event) {
				if ev.Err != nil {
					fmt.Fprintf(a.stderr, "declbot enrich: %s of %s left unchanged: %v\n", name, ev.ID, ev.Err)
				}
			}
			res, runErr := e.Run(ctx, job)
			changed := 0
			for _, id := range job.IDs {
				if o, ok := res.Outputs[id]; ok {
					p, _ := c.Get(id)
					if f.Set(p, o, c) {
						changed++
					}
				}
			}
			if changed > 0 {
				if err := enrich.WriteAtomic(path, f.Bytes()); err != nil {
					fmt.Fprintf(a.stderr, "declbot enrich: %v (the outputs are cached: fix the cause and run again)\n", err)
					return exitFail
				}
			}
			failed += len(res.Failed)
			fmt.Fprintf(a.stdout, "%s: %d of %d passages made (%d from the cache, %d requests), %d changed, %d failed; %s\n",
				name, len(res.Outputs), len(job.IDs), res.Cached, res.Requests, changed, len(res.Failed), path)
			if runErr != nil {
				if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
					interrupted = true
					break
				}
				fmt.Fprintf(a.stderr, "declbot enrich: %s: %v\n", name, runErr)
				return exitFail
			}
		}
		if interrupted {
			break
		}
	}
	switch {
	case interrupted:
		fmt.Fprintln(a.stderr, "declbot enrich: interrupted; what was made is written and cached: run the same command again to go on")
		return exitFail
	case failed > 0:
		fmt.Fprintf(a.stderr, "declbot enrich: %d passages failed and were left unchanged; run the same command again to ask for them again\n", failed)
		return exitFail
	}
	return exitOK
}

// openEnrichFile reads kind's file in l from dir, or (for the built-in
// pack) the built-in one when dir has none yet.
func openEnrichFile(dir string, kind enrich.Kind, l corpus.Lang, builtin bool) (string, *enrich.File, error) {
	path := filepath.Join(dir, "translations", string(l)+".jsonl")
	if kind == enrich.Questions {
		path = filepath.Join(dir, "questions", string(l)+".tsv")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !builtin {
		data, err = nil, nil // a new pack: start an empty file
	}
	if errors.Is(err, os.ErrNotExist) {
		if kind == enrich.Translations {
			data, err = corpus.ShippedTranslation(l)
		} else {
			data, err = corpus.ShippedQuestions(l)
		}
		if err != nil {
			data, err = nil, nil // a new language: start an empty file
		}
	}
	if err != nil {
		return path, nil, err
	}
	f, err := enrich.ParseFile(kind, l, data)
	if err != nil {
		return path, nil, fmt.Errorf("%s %w", path, err)
	}
	return path, f, nil
}

// repoDataDir returns corpus/data of the declbot source tree that dir is
// in: the folder of the go.mod that declares the module.
func repoDataDir(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if f, err := os.Open(filepath.Join(d, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			module := ""
			for sc.Scan() && module == "" {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					module = strings.Trim(strings.TrimSpace(m), `"`)
				}
			}
			f.Close()
			if module == "github.com/declbot/declbot" {
				return filepath.Join(d, "corpus", "data"), nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not in the declbot source tree", dir)
		}
	}
}

func contains(ls []corpus.Lang, l corpus.Lang) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func joinLangs(ls []corpus.Lang) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// summarizeIDs lists up to six IDs, then how many more.
func summarizeIDs(ids []string) string {
	if len(ids) <= 6 {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s … %s, %d in all", strings.Join(ids[:3], ", "), ids[len(ids)-1], len(ids))
}
