package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
)

func evalCommand() command {
	return command{
		name:    "eval",
		summary: "measure retrieval and answers on the golden suite",
		usage: `Usage: declbot eval [--suite FILE] [--answers] [--json] [--markdown FILE] [--html FILE]
                    [--compare BASE.json [--tolerance T]] [-k N] [--verbose]
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
	if *answers {
		if cfg.LLMEnabled() {
			fmt.Fprintf(a.stderr, "declbot eval: evaluating the answers of %s (%d questions, one at a time)\n", cfg.OpenAIModel, len(s.Items))
		}
		ar, err = eval.EvaluateAnswers(ctx, s, newEngine(a, cfg, c, x))
		if err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: answers: %v\n", err)
			return exitFail
		}
	}
	rep := eval.NewReport(s, rr, ar)
	if base != nil {
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
