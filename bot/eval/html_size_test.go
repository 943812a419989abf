package eval_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/eval"
)

// allSuitesReport evaluates the golden, held-out and blind suites as one
// (308 items, the "300 items"), offline, retrieval and answers.
func allSuitesReport(tb testing.TB) *eval.Report {
	tb.Helper()
	var all strings.Builder
	all.WriteString(`{"suite":"all","version":1,"thresholds":{"hit5":0.9,"fact_coverage":0.8}}` + "\n")
	for _, f := range []string{"golden.jsonl", "heldout.jsonl", "blind.jsonl"} {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		_, items, _ := strings.Cut(string(b), "\n")
		all.WriteString(items)
	}
	c, _, x := goldenSetup(tb)
	s, err := eval.Load(strings.NewReader(all.String()), "all", c)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	rr, err := eval.EvaluateRetrieval(ctx, s, x, eval.DefaultK)
	if err != nil {
		tb.Fatal(err)
	}
	ar, err := eval.EvaluateAnswers(ctx, s, bot.NewEngine(c, x))
	if err != nil {
		tb.Fatal(err)
	}
	return eval.NewReport(s, rr, ar)
}

// TestHTMLSize300 keeps the page for 300 items under 1 MB (issue 11), so
// that it can be mailed and opened on a phone.
func TestHTMLSize300(t *testing.T) {
	r := allSuitesReport(t)
	if r.Items < 300 {
		t.Fatalf("%d items, want at least 300", r.Items)
	}
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d items: %d bytes", r.Items, b.Len())
	if b.Len() >= 1<<20 {
		t.Errorf("the page for %d items is %d bytes, want under 1 MiB", r.Items, b.Len())
	}
}

// BenchmarkWriteHTML renders the 308-item report (golden, held-out and
// blind suites with offline answers).
func BenchmarkWriteHTML(b *testing.B) {
	r := allSuitesReport(b)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := r.WriteHTML(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}
