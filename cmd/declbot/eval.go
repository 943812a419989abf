package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
)

func evalCommand() command {
	return command{
		name:    "eval",
		summary: "measure retrieval and answers on the golden suite",
		usage: `Usage: declbot eval [--suite FILE] [--json] [--markdown FILE] [--answers] [-k N] [--verbose]

Runs every question of the golden suite (built into the binary, or FILE)
through retrieval as "declbot search" does, and with --answers through the
answering engine as "declbot ask" does: offline (extractive) by default, or
the model configured with OPENAI_BASE_URL/OPENAI_API_KEY/OPENAI_MODEL.
Prints hit@1/3/N, recall@N, MRR and nDCG@N overall, per language and per
kind; out-of-scope detection and false alarms; with --answers key-fact
coverage, citation precision, recall and validity, refusals, script match
and latency; then the items that fail and each of the suite's thresholds
as PASS or FAIL.

Exit status: 0 when every threshold is met, 1 when one is not, 2 for a bad
flag or an invalid suite file.

Examples:
  declbot eval
  declbot eval --answers --markdown eval.md
  declbot eval --suite my-questions.jsonl --verbose
  declbot eval --json > report.json`,
		run: runEval,
	}
}

func runEval(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, evalCommand())
	suitePath := fs.String("suite", "", "read the suite from `FILE` (default: the golden suite built into the binary)")
	asJSON := fs.Bool("json", false, "print the whole report, every item included, as JSON")
	mdPath := fs.String("markdown", "", "also write the report as markdown to `FILE`")
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

	if *mdPath != "" {
		if err := writeMarkdown(*mdPath, rep); err != nil {
			fmt.Fprintf(a.stderr, "declbot eval: --markdown: %v\n", err)
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
	if !rep.Pass {
		return exitFail
	}
	return exitOK
}

// writeMarkdown writes the report to path through a temporary file in the
// same directory, so an interrupted run never leaves half a report.
func writeMarkdown(path string, rep *eval.Report) error {
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
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
