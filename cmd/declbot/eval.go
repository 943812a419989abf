package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmcache"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

func evalCommand() command {
	return command{
		name:    "eval",
		summary: "measure retrieval and answers on the golden suite",
		usage: `Usage: declbot eval [--suite FILE] [--answers] [--json] [--markdown FILE] [--html FILE]
                    [--compare BASE.json [--tolerance T]] [--concurrency N] [--no-cache]
                    [--config FILE]... [-k N] [--verbose]
       declbot eval --check FILE

Runs every question of the golden suite (built into the binary, or FILE)
through retrieval as "declbot search" does, and with --answers through the
answering engine as "declbot ask" does: offline (extractive) by default, or
the model configured with OPENAI_BASE_URL/OPENAI_API_KEY/OPENAI_MODEL.
Prints hit@1/3/N, recall@N, MRR and nDCG@N overall, per language and per
kind; out-of-scope detection and false alarms; with --answers key-fact
coverage, citation precision, recall and validity, refusals, script match
and latency; then the items that fail and each of the suite's thresholds
as PASS or FAIL.

--html writes one self-contained page (no network needed to open it) with
the summary, thresholds, charts and every item, filterable by language,
kind and failure. --compare reads a report saved with --json and shows
each metric's change and the items that got worse or better; a metric
that falls by more than --tolerance (default 0.02, absolute) fails the run.
--check validates a suite file without running it and names the file and
line of each problem.

With a model, answers are asked --concurrency at a time (default 4; offline
1) and every successful model response is cached in DATA_DIR/llm-cache, keyed
by base URL, model and messages, so a second run makes no model call
(--no-cache asks again). A model failure fails its item and the run goes
on; Ctrl-C writes the reports of what was answered, marked INCOMPLETE.

--config FILE runs the suite under the settings in FILE (dotenv lines
such as OPENAI_MODEL=qwen-plus, layered over the environment; a variable
set empty is unset). Repeat it to compare configurations: each runs in
turn, named by its file's base name, and the reports show them side by
side with the items whose outcome (pass or fail) differs between them;
--json then writes {"configurations": [{"name", "model", "embeddings",
"report"}], "differ": [...], "pass"}. A file may set only OPENAI_BASE_URL,
OPENAI_API_KEY, OPENAI_MODEL, LLM_TIMEOUT and EMBEDDING_*; anything else
(DATA_DIR, Telegram settings) comes from the environment for all of them.

Exit status: 0 when every threshold is met (and nothing regressed against
--compare; with --config, in every configuration), 1 when one is not, 2 for
a bad flag, an invalid suite file, an unreadable base report, a base report
of another suite, an output path in a folder that does not exist, or a
--config file that is missing, sets another variable or an invalid value
(nothing is run or written then).

Examples:
  declbot eval
  declbot eval --answers --markdown eval.md --html eval.html
  declbot eval --suite my-questions.jsonl --verbose
  declbot eval --json > base.json; declbot eval --compare base.json
  declbot eval --check my-questions.jsonl
  declbot eval --answers --config qwen.env --config deepseek.env --html models.html`,
		run: runEval,
	}
}

func runEval(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, evalCommand())
	suitePath := fs.String("suite", "", "read the suite from `FILE` (default: the golden suite built into the binary)")
	asJSON := fs.Bool("json", false, "print the whole report, every item included, as JSON")
	mdPath := fs.String("markdown", "", "also write the report as markdown to `FILE`")
	htmlPath := fs.String("html", "", "also write the report as one self-contained HTML page to `FILE`")
	basePath := fs.String("compare", "", "compare with `BASE.json`, an earlier run saved with --json")
	tolerance := fs.Float64("tolerance", eval.DefaultTolerance, "with --compare, how far (absolute, 0-1) a metric may fall before the run fails")
	checkPath := fs.String("check", "", "only validate the suite `FILE` and report its problems by line")
	answers := fs.Bool("answers", false, "also evaluate answers: extractive offline, or the configured model's")
	concurrency := fs.Int("concurrency", 0, "with a model, ask up to `N` questions at once (default 4 with a model, 1 offline so latencies are not skewed)")
	noCache := fs.Bool("no-cache", false, "ask the model even for questions whose answer is cached in DATA_DIR")
	k := fs.Int("k", eval.DefaultK, "cutoff `N` of hit@N, recall@N and nDCG@N (thresholds on @5 metrics need 5)")
	allowDrafts := fs.Bool("allow-drafts", false, "run a suite that has draft items (from declbot review export), leaving the drafts out")
	verbose := fs.Bool("verbose", false, "list every item with what it got, not only the failing ones")
	var configPaths stringList
	fs.Var(&configPaths, "config", "run under the settings of `FILE` (OPENAI_*, EMBEDDING_*, LLM_TIMEOUT over the environment); repeat to compare configurations side by side")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "declbot eval: unexpected argument %q: eval takes only flags; to evaluate another suite use --suite FILE\n", rest[0])
		return exitUsage
	}
	if *k < 1 || *k > 50 {
		fmt.Fprintln(a.stderr, "declbot eval: -k takes a number from 1 to 50")
		return exitUsage
	}
	if *concurrency < 0 || *concurrency > 64 {
		fmt.Fprintln(a.stderr, "declbot eval: --concurrency takes a number from 1 to 64")
		return exitUsage
	}
	if *tolerance < 0 || *tolerance > 1 {
		fmt.Fprintln(a.stderr, "declbot eval: --tolerance takes a rate from 0 to 1, e.g. 0.02")
		return exitUsage
	}
	if *checkPath != "" {
		return checkSuite(a, *checkPath)
	}
	// Everything that can be wrong with the input is found before the
	// run, which with a model can take long.
	if len(configPaths) > 0 && *basePath != "" {
		fmt.Fprintln(a.stderr, "declbot eval: --compare compares one run with a saved one and --config runs several to compare them with each other: use one or the other")
		return exitUsage
	}
	for _, out := range []struct{ flag, path string }{{"--markdown", *mdPath}, {"--html", *htmlPath}} {
		if err := checkOutputPath(out.path); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: %s %s: %v\n", out.flag, out.path, err)
			return exitUsage
		}
	}
	var base *eval.Report
	if *basePath != "" {
		var err error
		if base, err = readBase(*basePath); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --compare %s: %v\n", *basePath, err)
			return exitUsage
		}
	}
	configs, err := evalConfigs(a, configPaths)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	var s *eval.Suite
	if *suitePath == "" {
		s, err = eval.Default(c)
	} else {
		s, err = eval.LoadFile(*suitePath, c)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	if drafts := s.Drafts(); len(drafts) > 0 {
		if !*allowDrafts {
			fmt.Fprintf(a.stderr, "declbot eval: %s has %d draft items (first: %q on line %d): fill in their gold paragraphs and remove \"draft\": true, or run with --allow-drafts to leave them out\n",
				s.Source, len(drafts), drafts[0].ID, drafts[0].Line)
			return exitUsage
		}
		s.WithoutDrafts()
		fmt.Fprintf(a.stderr, "declbot eval: leaving out %d draft items\n", len(drafts))
		if len(s.Items) == 0 {
			fmt.Fprintf(a.stderr, "declbot eval: %s has only draft items: nothing to measure\n", s.Source)
			return exitUsage
		}
	}
	if base != nil {
		if err := eval.CheckBase(base, s, *k); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --compare %s: %v\n", *basePath, err)
			return exitUsage
		}
	}

	run := evalRun{suite: s, corpus: c, k: *k, answers: *answers, concurrency: *concurrency, cached: !*noCache,
		indexes: map[[3]string]*retrieval.Index{}}
	var out reportWriter
	if len(configPaths) == 0 {
		rep, _, code := run.one(ctx, a, configs[0])
		if rep == nil {
			return code
		}
		if base != nil && rep.Interrupted == "" {
			if err := rep.Compare(base, *basePath, *tolerance); err != nil {
				fmt.Fprintf(a.stderr, "declbot eval: --compare %s: %v\n", *basePath, err)
				return exitUsage
			}
		}
		out = rep
	} else {
		var runs []eval.ConfigReport
		stopped := ""
		for i, nc := range configs {
			rep, interrupted, code := run.one(ctx, a, nc)
			if rep == nil {
				return code
			}
			cr := eval.ConfigReport{Name: nc.name, Embeddings: nc.cfg.EmbeddingModel, Report: rep}
			if nc.cfg.LLMEnabled() {
				cr.Model = nc.cfg.OpenAIModel
			}
			runs = append(runs, cr)
			if interrupted {
				if rest := configs[i+1:]; len(rest) > 0 {
					names := make([]string, len(rest))
					for j, r := range rest {
						names[j] = r.name
					}
					stopped = "stopped before " + strings.Join(names, ", ")
				}
				break
			}
		}
		m := eval.NewMultiReport(runs)
		if stopped != "" {
			m.Interrupted, m.Pass = stopped, false
		}
		out = m
	}

	if *mdPath != "" {
		if err := writeFileAtomic(*mdPath, out.WriteMarkdown); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --markdown %s: %v\n", *mdPath, err)
			return exitFail
		}
	}
	if *htmlPath != "" {
		if err := writeFileAtomic(*htmlPath, out.WriteHTML); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --html %s: %v\n", *htmlPath, err)
			return exitFail
		}
	}
	if *asJSON {
		if code := writeJSON(a, out); code != exitOK {
			return code
		}
	} else if err := out.WriteText(a.stdout, *verbose); err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitFail
	}
	switch r := out.(type) {
	case *eval.Report:
		if !r.Pass || (r.Comparison != nil && len(r.Comparison.Regressed) > 0) {
			return exitFail
		}
	case *eval.MultiReport:
		if !r.Pass {
			return exitFail
		}
	}
	return exitOK
}

// reportWriter is a single report or several configurations side by side.
type reportWriter interface {
	WriteText(w io.Writer, verbose bool) error
	WriteMarkdown(w io.Writer) error
	WriteHTML(w io.Writer) error
}

// evalConfigs returns the configurations to evaluate: the environment's
// alone ("env") without --config, else one per file, each layered over the
// environment and checked before anything runs. The files' keys are
// redacted from stderr as the environment's are.
func evalConfigs(a *app, paths []string) ([]namedConfig, error) {
	if len(paths) == 0 {
		cfg, err := loadConfig(a.getenv)
		if err != nil {
			return nil, err
		}
		return []namedConfig{{name: "env", cfg: cfg, getenv: a.getenv}}, nil
	}
	var out []namedConfig
	seen := map[string]string{}
	for _, p := range paths {
		nc, err := loadConfigFile(p, a.getenv)
		if err != nil {
			return nil, err
		}
		if first, ok := seen[nc.name]; ok {
			return nil, fmt.Errorf("--config %s and --config %s are both named %s in the reports: give each configuration a file with its own name", first, p, nc.name)
		}
		seen[nc.name] = p
		a.stderr = redactSecrets(a.stderr, nc.getenv)
		out = append(out, nc)
	}
	return out, nil
}

// evalRun is what every configuration of one "declbot eval" shares.
type evalRun struct {
	suite       *eval.Suite
	corpus      *corpus.Corpus
	k           int
	answers     bool
	concurrency int
	cached      bool
	// indexes are built once per embeddings setting (model, URL, key), so
	// configurations that differ only in the chat model share one.
	indexes map[[3]string]*retrieval.Index
}

// one evaluates the suite under one configuration. It returns the report
// (marked incomplete when Ctrl-C stopped the answers, interrupted true),
// or nil and the exit status after saying what went wrong.
func (r *evalRun) one(ctx context.Context, a *app, nc namedConfig) (rep *eval.Report, interrupted bool, code int) {
	cfg := nc.cfg
	prefix := "declbot eval: "
	if nc.name != "env" {
		prefix += nc.name + ": "
	}
	key := [3]string{cfg.EmbeddingModel, cfg.EmbeddingBaseURL, cfg.EmbeddingAPIKey}
	if cfg.EmbeddingModel == "" {
		key = [3]string{}
	}
	x := r.indexes[key]
	if x == nil {
		var err error
		if x, err = newIndex(ctx, a, cfg, r.corpus); err != nil {
			fmt.Fprintf(a.stderr, "%s%v\n", prefix, err)
			return nil, false, exitFail
		}
		r.indexes[key] = x
	}
	rr, err := eval.EvaluateRetrieval(ctx, r.suite, x, r.k)
	if err != nil {
		fmt.Fprintf(a.stderr, "%sretrieval: %v\n", prefix, err)
		return nil, false, exitFail
	}
	var ar *eval.AnswerReport
	if r.answers {
		label := "answers"
		if nc.name != "env" {
			label += " " + nc.name
		}
		eng, cache := newEvalEngine(a, cfg, r.corpus, x, r.cached)
		opts := []eval.AnswerOption{eval.WithProgress(progressBar(a.stderr, label))}
		n := 1
		if cfg.LLMEnabled() {
			n = 4
			if r.concurrency > 0 {
				n = r.concurrency
			}
			opts = append(opts, eval.WithModelExpected())
			fmt.Fprintf(a.stderr, "%sevaluating the answers of %s (%d questions, %d at a time)\n", prefix, cfg.OpenAIModel, len(r.suite.Items), n)
		} else if r.concurrency > 0 {
			n = r.concurrency
		}
		ar, err = eval.EvaluateAnswers(ctx, r.suite, eng, append(opts, eval.WithConcurrency(n))...)
		if cache != nil {
			hits, misses := cache.Stats()
			fmt.Fprintf(a.stderr, "%smodel calls: %d answered from the cache, %d asked (cache: %s)\n", prefix, hits, misses, cacheDir(cfg))
		}
		switch {
		case errors.Is(err, eval.ErrInterrupted):
			// Write what is done: the reports say the run is incomplete.
			fmt.Fprintf(a.stderr, "%s%v; writing the reports of those\n", prefix, err)
			interrupted = true
		case err != nil:
			fmt.Fprintf(a.stderr, "%sanswers: %v\n", prefix, err)
			return nil, false, exitFail
		}
	}
	return eval.NewReport(r.suite, rr, ar), interrupted, exitOK
}

// checkSuite validates a suite file for --check: every problem with its
// file and line, or a one-line summary of a valid suite.
func checkSuite(a *app, path string) int {
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	s, err := eval.LoadFile(path, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	answerable, oos := s.InScope()
	fmt.Fprintf(a.stdout, "%s: valid suite %q v%d: %d items (%d answerable, %d out of scope), %d thresholds\n",
		path, s.Header.Suite, s.Header.Version, len(s.Items), answerable, oos, len(s.Header.Thresholds))
	return exitOK
}

// readBase reads the report --compare compares with.
func readBase(path string) (*eval.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return eval.ReadReport(f)
}

// checkOutputPath says why a report cannot be written to path: its folder
// does not exist, or path is a folder.
func checkOutputPath(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("is a folder: give a file name")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("folder %s does not exist: create it or write elsewhere", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

// writeFileAtomic writes a report to path through a temporary file in the
// same folder, renamed into place once complete, so an interrupted or
// failed run never leaves half a report (or clobbers the last good one).
func writeFileAtomic(path string, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b.Bytes())
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return werr
	}
	return nil
}

// cacheDir is where model answers are cached for eval.
func cacheDir(cfg config) string { return filepath.Join(cfg.DataDir, "llm-cache") }

// newEvalEngine builds the engine as newEngine does, with the model's
// answers cached in DATA_DIR when cached is true (the cache is nil without
// a model). A model failure is recorded against the item being asked.
func newEvalEngine(a *app, cfg config, c *corpus.Corpus, x *retrieval.Index, cached bool) (*bot.Engine, *llmcache.Cache) {
	if !cfg.LLMEnabled() {
		return newEngine(a, cfg, c, x), nil
	}
	log := newLogger(a, cfg)
	var m bot.Model = llm.New(cfg.OpenAIBaseURL, cfg.OpenAIAPIKey, cfg.OpenAIModel, llm.WithLogger(log))
	var cache *llmcache.Cache
	if cached {
		base, err := llm.NormalizeBaseURL(cfg.OpenAIBaseURL)
		if err != nil {
			base = cfg.OpenAIBaseURL
		}
		cache = llmcache.New(m, cacheDir(cfg), base, cfg.OpenAIModel, llmcache.WithOnError(eval.RecordModelError))
		m = cache
	} else {
		m = errorRecorder{m}
	}
	return bot.NewEngine(c, x, bot.WithLogger(log), bot.WithTimeout(cfg.LLMTimeout), bot.WithModel(m)), cache
}

// errorRecorder records the model's errors against the item being asked
// when the cache (which does so itself) is off.
type errorRecorder struct{ m bot.Model }

func (r errorRecorder) Stream(ctx context.Context, msgs []llm.Message, onDelta func(string)) (string, error) {
	text, err := r.m.Stream(ctx, msgs, onDelta)
	if err != nil {
		eval.RecordModelError(ctx, err)
	}
	return text, err
}

func (r errorRecorder) Complete(ctx context.Context, msgs []llm.Message) (string, error) {
	cm, ok := r.m.(interface {
		Complete(context.Context, []llm.Message) (string, error)
	})
	if !ok {
		return r.Stream(ctx, msgs, nil)
	}
	text, err := cm.Complete(ctx, msgs)
	if err != nil {
		eval.RecordModelError(ctx, err)
	}
	return text, err
}

// progressBar returns a progress callback that redraws one line on w when
// w is a terminal, and does nothing otherwise (a log or a pipe).
func progressBar(w io.Writer, label string) func(done, total int) {
	for {
		rw, ok := w.(redactWriter)
		if !ok {
			break
		}
		w = rw.w
	}
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return func(done, total int) {
		const width = 30
		n := width * done / max(total, 1)
		fmt.Fprintf(f, "\r%s [%s%s] %d/%d", label, strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
		if done == total {
			fmt.Fprintln(f)
		}
	}
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("give a file name")
	}
	*l = append(*l, v)
	return nil
}
