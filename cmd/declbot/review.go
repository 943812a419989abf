package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/corpus"
)

func reviewCommand() command {
	return command{
		name:    "review",
		summary: "list answers from declbot serve that need a look; export them as draft evaluation items",
		usage: `Usage: declbot review [--kind K,...] [--since WHEN] [--until WHEN] [-n N] [--json]
       declbot review export --suite FILE [--force] [the same filters]

Reads the review log declbot serve keeps in DATA_DIR (review.db; see
REVIEW_LOG in .env.example) and lists, newest first, the answers that need
a look, with why:

  down           voted 👎 (with the users' comments)
  refused        said the texts do not address the question
  model_failure  the model failed and the offline answer stood in
  rejected       the model cited paragraphs it was not given
  low_relevance  answered although retrieval found the passages a poor match

"export" writes the selected answers to FILE as draft items of an
evaluation suite: the question, its language, the IDs the answer cited, an
empty gold list to fill in, and "draft": true. Fill in the gold IDs, remove
"draft", and the failure is a regression test (declbot eval refuses drafts
unless run with --allow-drafts). An existing FILE is not overwritten
without --force.

WHEN is a date (2025-09-01), a time (2025-09-01T12:00:00Z) or an age
(24h, 7d: that long ago).

Examples:
  declbot review
  declbot review --kind down,refused --since 7d
  declbot review export --kind down --suite bot/eval/review-drafts.jsonl`,
		run: runReview,
	}
}

func runReview(ctx context.Context, a *app, args []string) int {
	export := len(args) > 0 && args[0] == "export"
	if export {
		args = args[1:]
	}
	fs := newFlagSet(a, reviewCommand())
	kinds := fs.String("kind", "", "only these kinds, comma-separated: "+strings.Join(review.AllKinds, ", "))
	since := fs.String("since", "", "only answers from `WHEN` on (a date, or an age such as 7d)")
	until := fs.String("until", "", "only answers before `WHEN`")
	limit := fs.Int("n", 0, "at most `N` answers (0: all)")
	asJSON := fs.Bool("json", false, "print the records as JSON, one array")
	suite := fs.String("suite", "", "export: the suite `FILE` to write")
	force := fs.Bool("force", false, "export: overwrite FILE if it exists")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "declbot review: unexpected argument %q (the only subcommand is export)\n", rest[0])
		return exitUsage
	}
	now := time.Now()
	var from, to time.Time
	var err error
	if from, err = parseWhen(*since, now); err != nil {
		fmt.Fprintf(a.stderr, "declbot review: --since %v\n", err)
		return exitUsage
	}
	if to, err = parseWhen(*until, now); err != nil {
		fmt.Fprintf(a.stderr, "declbot review: --until %v\n", err)
		return exitUsage
	}
	want, err := parseKinds(*kinds)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot review: --kind %v\n", err)
		return exitUsage
	}
	if export && *suite == "" {
		fmt.Fprintln(a.stderr, "declbot review export: --suite FILE is required: the file to write the draft items to")
		return exitUsage
	}
	if !export && (*suite != "" || *force) {
		fmt.Fprintln(a.stderr, "declbot review: --suite and --force are for 'declbot review export'")
		return exitUsage
	}
	if export && !*force {
		if _, err := os.Lstat(*suite); err == nil {
			fmt.Fprintf(a.stderr, "declbot review export: %s exists; choose another file, or add --force to overwrite it\n", *suite)
			return exitUsage
		}
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot review: %v\n", err)
		return exitUsage
	}
	r, err := review.OpenReader(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot review: %v\n", err)
		return exitFail
	}
	recs, err := r.List(from, to)
	r.Close()
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot review: %v\n", err)
		return exitFail
	}
	recs = slices.DeleteFunc(recs, func(rec review.Record) bool {
		return !slices.ContainsFunc(rec.Kinds(), func(k string) bool { return want[k] })
	})
	if *limit > 0 && len(recs) > *limit {
		recs = recs[:*limit]
	}
	if export {
		if err := writeDrafts(a, *suite, recs); err != nil {
			fmt.Fprintf(a.stderr, "declbot review export: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(a.stdout, "wrote %d draft items to %s: fill in each \"gold\", then remove \"draft\"\n", len(recs), *suite)
		return exitOK
	}
	if *asJSON {
		if recs == nil {
			recs = []review.Record{}
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(recs); err != nil {
			return exitFail
		}
		return exitOK
	}
	printRecords(a.stdout, recs)
	return exitOK
}

// parseWhen reads a date, a time or an age ("7d", "24h") before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if d, err := parseRetention(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: write a date (2025-09-01), a time (2025-09-01T12:00:00Z) or an age (24h, 7d)", s)
}

func parseKinds(s string) (map[string]bool, error) {
	out := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		for _, k := range review.AllKinds {
			out[k] = true
		}
		return out, nil
	}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(review.AllKinds, k) {
			return nil, fmt.Errorf("%q: use %s", k, strings.Join(review.AllKinds, ", "))
		}
		out[k] = true
	}
	return out, nil
}

func printRecords(w io.Writer, recs []review.Record) {
	if len(recs) == 0 {
		fmt.Fprintln(w, "Nothing needs a look.")
		return
	}
	for _, r := range recs {
		mode := r.Mode
		if r.Fallback != "" {
			mode += " (" + r.Fallback + ")"
		}
		fmt.Fprintf(w, "%s  %s  [%s]  %s, %s, relevance %.2f, %.0f ms\n", r.At.Local().Format("2006-01-02 15:04"), r.ID,
			strings.Join(r.Kinds(), ", "), r.Lang, mode, r.Relevance, r.LatencyMS)
		fmt.Fprintf(w, "  Q: %s\n", corpus.CleanText(r.Question))
		var ret []string
		for _, s := range r.Retrieved {
			ret = append(ret, fmt.Sprintf("%s %.3f", s.ID, s.Score))
		}
		fmt.Fprintf(w, "  cited: %s; retrieved: %s\n", orNone(strings.Join(r.Cited, " ")), orNone(strings.Join(ret, ", ")))
		if len(r.Rejected) > 0 {
			fmt.Fprintf(w, "  rejected citations: %s\n", strings.Join(r.Rejected, " "))
		}
		if up, down := r.Up(), r.Down(); up+down > 0 {
			fmt.Fprintf(w, "  votes: 👍 %d  👎 %d\n", up, down)
		}
		for _, c := range r.Comments {
			fmt.Fprintf(w, "  comment: %s\n", corpus.CleanText(c.Text))
		}
		fmt.Fprintln(w)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// writeDrafts writes recs as a suite of draft items, checked with the
// suite loader before it is kept.
func writeDrafts(a *app, path string, recs []review.Record) error {
	if len(recs) == 0 {
		return errors.New("no answers match: nothing to export")
	}
	var b strings.Builder
	b.WriteString(`{"suite":"review-drafts","version":1,"thresholds":{}}` + "\n")
	for _, r := range recs {
		lang := corpus.Lang(r.Lang)
		if !slices.Contains(eval.Langs(), lang) {
			lang = corpus.DetectLang(r.Question)
		}
		it := eval.Item{ID: "review-" + r.ID, Lang: lang, Kind: eval.KindFactual, Question: r.Question,
			Gold: []string{}, Facts: []string{}, Draft: true, Cited: r.Cited}
		line, err := json.Marshal(it)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	c, err := openCorpus(a)
	if err != nil {
		return err
	}
	if _, err := eval.Load(strings.NewReader(b.String()), path, c); err != nil {
		return fmt.Errorf("the drafts do not make a valid suite (a bug): %w", err)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
