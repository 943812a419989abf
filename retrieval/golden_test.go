package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/eval"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// The golden suite is loaded and scored by bot/eval, exactly as
// "declbot eval" does; its header's thresholds are the product's targets,
// gated by bot/eval's TestGoldenRetrieval. This test guards the offline
// retriever against regressions those targets are too loose to catch
// (English and Russian hit@5 measure 1.000 against a target of 0.85): its
// floors sit a few points under what the retriever measures. With -v it
// also prints the relevance-threshold sweep DefaultRelevanceThreshold is
// chosen from:
//
//	go test ./retrieval -run Golden -v

// goldenFloors were set at commit 79b4916 from these measurements: hit@1
// 0.832 and MRR 0.901 overall; hit@5 zh-Hans 0.979, zh-Hant, en and ru
// 1.000; out-of-scope detection 0.960; false alarms 0.015. Raise them when
// retrieval improves.
var goldenFloors = struct {
	hit1, mrr, hit5, detection, falseAlarmMax float64
}{hit1: 0.80, mrr: 0.87, hit5: 0.95, detection: 0.92, falseAlarmMax: 0.03}

func TestGoldenRetrievalFloors(t *testing.T) {
	ctx := context.Background()
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := eval.Default(c)
	if err != nil {
		t.Fatal(err)
	}
	x, err := retrieval.New(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := eval.EvaluateRetrieval(ctx, s, x, eval.DefaultK)
	if err != nil {
		t.Fatal(err)
	}
	o := rr.Overall
	t.Logf("overall: hit@1 %.3f, MRR %.3f, hit@%d %.3f; out-of-scope detection %.3f, false alarms %.3f",
		o.Hit1, o.MRR, rr.K, o.HitK, o.OOSDetection, o.FalseAlarm)
	if o.Hit1 < goldenFloors.hit1 {
		t.Errorf("regression: hit@1 = %.3f, below the floor %.2f", o.Hit1, goldenFloors.hit1)
	}
	if o.MRR < goldenFloors.mrr {
		t.Errorf("regression: MRR = %.3f, below the floor %.2f", o.MRR, goldenFloors.mrr)
	}
	if o.OOSDetection < goldenFloors.detection {
		t.Errorf("regression: out-of-scope detection = %.3f, below the floor %.2f", o.OOSDetection, goldenFloors.detection)
	}
	if o.FalseAlarm > goldenFloors.falseAlarmMax {
		t.Errorf("regression: false alarms = %.3f, above the ceiling %.2f", o.FalseAlarm, goldenFloors.falseAlarmMax)
	}
	langs := 0
	for _, g := range rr.ByLang {
		if g.Answerable == 0 {
			continue
		}
		langs++
		t.Logf("%-8s n=%3d  hit@1 %.3f  hit@3 %.3f  hit@%d %.3f", g.Name, g.Answerable, g.Hit1, g.Hit3, rr.K, g.HitK)
		if g.HitK < goldenFloors.hit5 {
			t.Errorf("regression: %s hit@%d = %.3f, below the floor %.2f", g.Name, rr.K, g.HitK, goldenFloors.hit5)
		}
	}
	if langs < 4 {
		t.Errorf("answerable items in %d languages, want 4 (zh-Hans, zh-Hant, en, ru)", langs)
	}
	for _, it := range rr.Failures() {
		t.Logf("%-12s %s  got %v  relevance %.3f: %s", it.ID, it.Question, it.Got, it.Relevance, strings.Join(it.Problems, "; "))
	}
	if testing.Verbose() {
		t.Logf("threshold sweep:\n%s", thresholdSweep(rr.Items))
	}
}

// thresholdSweep gives out-of-scope detection and false alarms at every
// threshold that separates two neighbouring relevance values of the
// suite: the data the threshold is chosen from.
func thresholdSweep(items []eval.RetrievalItem) string {
	var rels []float64
	for _, it := range items {
		rels = append(rels, it.Relevance)
	}
	slices.Sort(rels)
	rels = slices.Compact(rels)
	var b strings.Builder
	for i, th := range rels {
		if i > 0 {
			th = (rels[i-1] + th) / 2
		}
		var oos, answerable, detected, alarms int
		for _, it := range items {
			below := it.Relevance < th
			if it.OutOfScope {
				oos++
				if below {
					detected++
				}
			} else {
				answerable++
				if below {
					alarms++
				}
			}
		}
		fmt.Fprintf(&b, "  threshold %.3f  detection %.3f  false alarms %.3f\n", th,
			float64(detected)/float64(max(oos, 1)), float64(alarms)/float64(max(answerable, 1)))
	}
	return b.String()
}
