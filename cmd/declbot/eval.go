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
                    [-k N] [--verbose]
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

Exit status: 0 when every threshold is met (and nothing regressed against
--compare), 1 when one is not, 2 for a bad flag, an invalid suite file, an
unreadable base report, a base report of another suite, or an output path
in a folder that does not exist.

Examples:
  declbot eval
  declbot eval --answers --markdown eval.md --html eval.html
  declbot eval --suite my-questions.jsonl --verbose
  declbot eval --json > base.json; declbot eval --compare base.json
  declbot eval --check my-questions.jsonl`,
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
	verbose := fs.Bool("verbose", false, "list every item with what it got, not only the failing ones")
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
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitUsage
	}
	c, err := corpus.Load()
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitFail
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
	if base != nil {
		if err := eval.CheckBase(base, s, *k); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --compare %s: %v\n", *basePath, err)
			return exitUsage
		}
	}

	x, err := newIndex(ctx, a, cfg, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitFail
	}
	rr, err := eval.EvaluateRetrieval(ctx, s, x, *k)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: retrieval: %v\n", err)
		return exitFail
	}
	var ar *eval.AnswerReport
	interrupted := false
	if *answers {
		eng, cache := newEvalEngine(a, cfg, c, x, !*noCache)
		opts := []eval.AnswerOption{eval.WithProgress(progressBar(a.stderr, "answers"))}
		n := 1
		if cfg.LLMEnabled() {
			n = 4
			if *concurrency > 0 {
				n = *concurrency
			}
			opts = append(opts, eval.WithModelExpected())
			fmt.Fprintf(a.stderr, "declbot eval: evaluating the answers of %s (%d questions, %d at a time)\n", cfg.OpenAIModel, len(s.Items), n)
		} else if *concurrency > 0 {
			n = *concurrency
		}
		ar, err = eval.EvaluateAnswers(ctx, s, eng, append(opts, eval.WithConcurrency(n))...)
		if cache != nil {
			hits, misses := cache.Stats()
			fmt.Fprintf(a.stderr, "declbot eval: model calls: %d answered from the cache, %d asked (cache: %s)\n", hits, misses, cacheDir(cfg))
		}
		switch {
		case errors.Is(err, eval.ErrInterrupted):
			// Write what is done: the reports say the run is incomplete.
			fmt.Fprintf(a.stderr, "declbot eval: %v; writing the reports of those\n", err)
			interrupted = true
		case err != nil:
			fmt.Fprintf(a.stderr, "declbot eval: answers: %v\n", err)
			return exitFail
		}
	}
	rep := eval.NewReport(s, rr, ar)
	if base != nil && !interrupted {
		if err := rep.Compare(base, *basePath, *tolerance); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --compare %s: %v\n", *basePath, err)
			return exitUsage
		}
	}

	if *mdPath != "" {
		if err := writeFileAtomic(*mdPath, rep.WriteMarkdown); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --markdown %s: %v\n", *mdPath, err)
			return exitFail
		}
	}
	if *htmlPath != "" {
		if err := writeFileAtomic(*htmlPath, rep.WriteHTML); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --html %s: %v\n", *htmlPath, err)
			return exitFail
		}
	}
	if *asJSON {
		if code := writeJSON(a, rep); code != exitOK {
			return code
		}
	} else if err := rep.WriteText(a.stdout, *verbose); err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitFail
	}
	if !rep.Pass || (rep.Comparison != nil && len(rep.Comparison.Regressed) > 0) {
		return exitFail
	}
	return exitOK
}

// checkSuite validates a suite file for --check: every problem with its
// file and line, or a one-line summary of a valid suite.
func checkSuite(a *app, path string) int {
	c, err := corpus.Load()
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot eval: %v\n", err)
		return exitFail
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
	if rw, ok := w.(redactWriter); ok {
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
