package eval_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// goldenSetup loads the corpus, the embedded golden suite and the offline
// index exactly as the commands build them with nothing configured.
func goldenSetup(t testing.TB) (*corpus.Corpus, *eval.Suite, *retrieval.Index) {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := eval.Default(c)
	if err != nil {
		t.Fatal(err)
	}
	x, err := retrieval.New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return c, s, x
}

// TestGoldenRetrieval is the CI gate of issue 3: offline retrieval, as
// "declbot search" and "declbot ask" use it with nothing configured, must
// meet the embedded suite's retrieval thresholds. On failure it prints the
// report, failing items included.
func TestGoldenRetrieval(t *testing.T) {
	_, s, x := goldenSetup(t)
	rr, err := eval.EvaluateRetrieval(context.Background(), s, x, eval.DefaultK)
	if err != nil {
		t.Fatal(err)
	}
	checkGate(t, eval.NewReport(s, rr, nil))
}

// TestGoldenAnswers is the CI gate of issue 4: offline (extractive)
// answers must meet the embedded suite's answer thresholds. Retrieval
// thresholds are TestGoldenRetrieval's business and are skipped here.
func TestGoldenAnswers(t *testing.T) {
	ctx := context.Background()
	c, s, x := goldenSetup(t)
	ar, err := eval.EvaluateAnswers(ctx, s, bot.NewEngine(c, x))
	if err != nil {
		t.Fatal(err)
	}
	if n := ar.Modes[bot.ModeExtractive]; n != len(s.Items) {
		t.Errorf("%d of %d answers extractive; with no model all must be", n, len(s.Items))
	}
	checkGate(t, eval.NewReport(s, nil, ar))
}

// checkGate fails the test for every threshold below target and logs the
// whole report so the failing items are in the CI log.
func checkGate(t *testing.T, rep *eval.Report) {
	t.Helper()
	if len(rep.Thresholds) == 0 {
		t.Fatal("the embedded suite's header sets no thresholds")
	}
	measured := 0
	for _, th := range rep.Thresholds {
		if th.Status != eval.StatusSkip {
			measured++
		}
		if th.Status == eval.StatusFail {
			t.Errorf("%s = %.3f over %d items, want %s %.3f (%s)", th.Name, th.Value, th.N, th.Op, th.Target, th.Description)
		}
	}
	if measured == 0 {
		t.Fatal("no threshold of this part is set in the suite header")
	}
	if t.Failed() || testing.Verbose() {
		var b bytes.Buffer
		if err := rep.WriteText(&b, false); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + b.String())
	}
}
