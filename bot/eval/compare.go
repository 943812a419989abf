package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// DefaultTolerance is how far (in rate units, absolute) a metric may fall
// against the base run before Compare calls it a regression: 0.02 is a
// little over two items of the golden suite's 131 answerable ones, enough to
// absorb a model's run-to-run noise and small enough that a real loss shows.
const DefaultTolerance = 0.02

// ErrDifferentSuites is wrapped by Compare's error when the two runs did not
// measure the same suite (or not at the same cutoff): their numbers cannot
// be compared.
var ErrDifferentSuites = errors.New("the runs cannot be compared")

// Comparison is a run measured against an earlier run of the same suite.
type Comparison struct {
	// Base names the earlier run (its file).
	Base      string  `json:"base"`
	Tolerance float64 `json:"tolerance"`
	// Metrics are the overall metrics both runs measured, retrieval first.
	Metrics []MetricChange `json:"metrics"`
	// Worse and Better are the items whose outcome changed, in suite
	// order; an item can be in both (e.g. ranked better, answered worse).
	Worse  []ItemChange `json:"worse"`
	Better []ItemChange `json:"better"`
	// Regressed names the metrics that fell by more than Tolerance.
	Regressed []string `json:"regressed"`
	// Note says what could not be compared (e.g. answers in one run only).
	Note string `json:"note,omitempty"`
}

// MetricChange is one metric in both runs.
type MetricChange struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Base        float64 `json:"base"`
	Head        float64 `json:"head"`
	// Delta is Head - Base; for a "_max" metric (lower is better) a
	// positive delta is a loss.
	Delta         float64 `json:"delta"`
	LowerIsBetter bool    `json:"lower_is_better,omitempty"`
	// Status is "better", "worse" (within tolerance), "regressed" (worse
	// by more than the tolerance) or "same".
	Status string `json:"status"`
}

// Metric change statuses.
const (
	ChangeSame      = "same"
	ChangeBetter    = "better"
	ChangeWorse     = "worse"
	ChangeRegressed = "regressed"
)

// ItemChange is one item whose outcome changed between the runs.
type ItemChange struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	// Changes say what changed, e.g. "retrieval: gold at rank 1 → 4".
	Changes []string `json:"changes"`
}

// ReadReport reads a report written by "declbot eval --json". It checks
// that the JSON is such a report, not merely JSON.
func ReadReport(r io.Reader) (*Report, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a report written by declbot eval --json: %v", err)
	}
	switch {
	case rep.Suite == "" || rep.Version == 0:
		return nil, errors.New(`not a report written by declbot eval --json: it has no "suite" and "version"`)
	case rep.Retrieval == nil || len(rep.Retrieval.Items) == 0:
		return nil, errors.New(`not a report written by declbot eval --json: it has no "retrieval" items`)
	case rep.Retrieval.K <= 0:
		return nil, errors.New(`not a report written by declbot eval --json: "retrieval.k" is missing`)
	}
	return &rep, nil
}

// Compare measures r against base, an earlier run of the same suite read
// with ReadReport, and sets r.Comparison. Metrics that fall by more than
// tolerance are listed in Regressed. Runs of different suites, suites whose
// items differ, or runs at different cutoffs are refused with an error
// wrapping ErrDifferentSuites that says why.
func (r *Report) Compare(base *Report, baseName string, tolerance float64) error {
	if err := sameSuite(base, r); err != nil {
		return fmt.Errorf("%w: %v", ErrDifferentSuites, err)
	}
	c := &Comparison{Base: baseName, Tolerance: tolerance, Worse: []ItemChange{}, Better: []ItemChange{}, Regressed: []string{}}
	k := r.Retrieval.K
	for _, m := range metricDefs {
		var bv, hv float64
		var bn, hn int
		switch {
		case m.retrieval != nil:
			var skip string
			bv, bn, skip = m.retrieval(base.Retrieval.Overall, k)
			if skip != "" {
				// hit5 and the like at another k: the table shows hit@k.
				bv, bn, hv, hn = retrievalAtK(m.name, base.Retrieval.Overall, r.Retrieval.Overall)
				if bn < 0 {
					continue
				}
			} else {
				hv, hn, _ = m.retrieval(r.Retrieval.Overall, k)
			}
		case base.Answers != nil && r.Answers != nil:
			bv, bn = m.answer(base.Answers.Overall)
			hv, hn = m.answer(r.Answers.Overall)
		default:
			continue
		}
		if bn == 0 || hn == 0 {
			// Undefined in one of the runs (e.g. no citations at all).
			continue
		}
		mc := MetricChange{Name: m.name, Description: m.desc, Base: bv, Head: hv, Delta: hv - bv, LowerIsBetter: m.isMax()}
		if m.retrieval != nil && k != 5 && strings.HasSuffix(m.name, "5") {
			mc.Name = fmt.Sprintf("%s@%d", strings.TrimSuffix(m.name, "5"), k)
		}
		loss := -mc.Delta
		if mc.LowerIsBetter {
			loss = mc.Delta
		}
		switch {
		case math.Abs(mc.Delta) < epsilon:
			mc.Status = ChangeSame
		case loss > tolerance+epsilon:
			mc.Status = ChangeRegressed
			c.Regressed = append(c.Regressed, mc.Name)
		case loss > 0:
			mc.Status = ChangeWorse
		default:
			mc.Status = ChangeBetter
		}
		c.Metrics = append(c.Metrics, mc)
	}
	switch {
	case base.Answers != nil && r.Answers == nil:
		c.Note = "the base run evaluated answers and this one did not (run with --answers): only retrieval is compared"
	case base.Answers == nil && r.Answers != nil:
		c.Note = "the base run did not evaluate answers: only retrieval is compared"
	}
	compareItems(c, base, r)
	r.Comparison = c
	return nil
}

// retrievalAtK returns hit@k, recall@k or nDCG@k of both runs for the
// metrics named "…5"; bn is -1 for any other name.
func retrievalAtK(name string, b, h RetrievalMetrics) (bv float64, bn int, hv float64, hn int) {
	switch name {
	case "hit5":
		return b.HitK, b.Answerable, h.HitK, h.Answerable
	case "recall5":
		return b.RecallK, b.Answerable, h.RecallK, h.Answerable
	case "ndcg5":
		return b.NDCGK, b.Answerable, h.NDCGK, h.Answerable
	}
	return 0, -1, 0, 0
}

// CheckBase checks, before a run, that base is a run of suite s at cutoff
// k (DefaultK when k <= 0), so that a long run is not wasted on a
// comparison Compare would refuse.
func CheckBase(base *Report, s *Suite, k int) error {
	if k <= 0 {
		k = DefaultK
	}
	head := &Report{Suite: s.Header.Suite, Version: s.Header.Version, Retrieval: &RetrievalReport{K: k}}
	for _, it := range s.Items {
		head.Retrieval.Items = append(head.Retrieval.Items, RetrievalItem{ID: it.ID, Question: it.Question, Gold: it.Gold, OutOfScope: it.OutOfScope})
	}
	if err := sameSuite(base, head); err != nil {
		return fmt.Errorf("%w: %v", ErrDifferentSuites, err)
	}
	return nil
}

// sameSuite says why base and head are not runs of one suite.
func sameSuite(base, head *Report) error {
	if base.Suite != head.Suite || base.Version != head.Version {
		return fmt.Errorf("the base run is of suite %q v%d, this run of suite %q v%d", base.Suite, base.Version, head.Suite, head.Version)
	}
	if base.Retrieval.K != head.Retrieval.K {
		return fmt.Errorf("the base run used -k %d, this run -k %d: run again with -k %d", base.Retrieval.K, head.Retrieval.K, base.Retrieval.K)
	}
	bi := map[string]RetrievalItem{}
	for _, it := range base.Retrieval.Items {
		bi[it.ID] = it
	}
	var onlyHead, changed []string
	seen := map[string]bool{}
	for _, it := range head.Retrieval.Items {
		seen[it.ID] = true
		b, ok := bi[it.ID]
		switch {
		case !ok:
			onlyHead = append(onlyHead, it.ID)
		case b.Question != it.Question || !slices.Equal(b.Gold, it.Gold) || b.OutOfScope != it.OutOfScope:
			changed = append(changed, it.ID)
		}
	}
	var onlyBase []string
	for _, it := range base.Retrieval.Items {
		if !seen[it.ID] {
			onlyBase = append(onlyBase, it.ID)
		}
	}
	var why []string
	if len(onlyBase) > 0 {
		why = append(why, fmt.Sprintf("%d items only in the base run (%s)", len(onlyBase), few(onlyBase)))
	}
	if len(onlyHead) > 0 {
		why = append(why, fmt.Sprintf("%d items only in this run (%s)", len(onlyHead), few(onlyHead)))
	}
	if len(changed) > 0 {
		why = append(why, fmt.Sprintf("%d items with another question or gold (%s)", len(changed), few(changed)))
	}
	if len(why) > 0 {
		return fmt.Errorf("suite %q changed since the base run: %s; run the base again on this suite", head.Suite, strings.Join(why, "; "))
	}
	return nil
}

func few(ids []string) string {
	if len(ids) > 5 {
		return strings.Join(ids[:5], ", ") + ", …"
	}
	return strings.Join(ids, ", ")
}

// compareItems lists the items whose retrieval rank, scope judgement or
// answer changed for the better or the worse.
func compareItems(c *Comparison, base, head *Report) {
	type pair struct {
		r *RetrievalItem
		a *AnswerItem
	}
	old := map[string]pair{}
	for i := range base.Retrieval.Items {
		it := &base.Retrieval.Items[i]
		old[it.ID] = pair{r: it}
	}
	if base.Answers != nil && head.Answers != nil {
		for i := range base.Answers.Items {
			it := &base.Answers.Items[i]
			p := old[it.ID]
			p.a = it
			old[it.ID] = p
		}
	}
	answers := map[string]*AnswerItem{}
	if head.Answers != nil && base.Answers != nil {
		for i := range head.Answers.Items {
			answers[head.Answers.Items[i].ID] = &head.Answers.Items[i]
		}
	}
	for i := range head.Retrieval.Items {
		h := &head.Retrieval.Items[i]
		b := old[h.ID]
		var worse, better []string
		rw, rb := retrievalChange(b.r, h)
		worse, better = append(worse, rw...), append(better, rb...)
		if ha := answers[h.ID]; ha != nil && b.a != nil {
			aw, ab := answerChange(b.a, ha)
			worse, better = append(worse, aw...), append(better, ab...)
		}
		ic := ItemChange{ID: h.ID, Lang: string(h.Lang), Kind: string(h.Kind), Question: h.Question}
		if len(worse) > 0 {
			w := ic
			w.Changes = worse
			c.Worse = append(c.Worse, w)
		}
		if len(better) > 0 {
			b := ic
			b.Changes = better
			c.Better = append(c.Better, b)
		}
	}
}

func retrievalChange(b, h *RetrievalItem) (worse, better []string) {
	if b == nil {
		return nil, nil
	}
	if h.OutOfScope {
		switch {
		case b.InScope && !h.InScope:
			better = append(better, "retrieval: now judged out of scope")
		case !b.InScope && h.InScope:
			worse = append(worse, fmt.Sprintf("retrieval: now judged in scope (relevance %.3f → %.3f)", b.Relevance, h.Relevance))
		}
		return worse, better
	}
	rank := func(r int) int {
		if r == 0 {
			return math.MaxInt
		}
		return r
	}
	show := func(r int) string {
		if r == 0 {
			return "none"
		}
		return fmt.Sprint(r)
	}
	if rb, rh := rank(b.Rank), rank(h.Rank); rh > rb {
		worse = append(worse, fmt.Sprintf("retrieval: first gold at rank %s → %s", show(b.Rank), show(h.Rank)))
	} else if rh < rb {
		better = append(better, fmt.Sprintf("retrieval: first gold at rank %s → %s", show(b.Rank), show(h.Rank)))
	}
	switch {
	case b.InScope && !h.InScope:
		worse = append(worse, "retrieval: now a false alarm (judged out of scope)")
	case !b.InScope && h.InScope:
		better = append(better, "retrieval: no longer a false alarm")
	}
	return worse, better
}

func answerChange(b, h *AnswerItem) (worse, better []string) {
	bp, hp := len(b.Problems) == 0, len(h.Problems) == 0
	switch {
	case bp && !hp:
		worse = append(worse, "answer: now fails: "+strings.Join(h.Problems, "; "))
		return worse, better
	case !bp && hp:
		better = append(better, "answer: now passes (was: "+strings.Join(b.Problems, "; ")+")")
		return worse, better
	case bp && hp:
		return nil, nil
	}
	// Both fail: say what moved.
	if h.FactCoverage < b.FactCoverage-epsilon {
		worse = append(worse, fmt.Sprintf("answer: key facts %.2f → %.2f", b.FactCoverage, h.FactCoverage))
	} else if h.FactCoverage > b.FactCoverage+epsilon {
		better = append(better, fmt.Sprintf("answer: key facts %.2f → %.2f", b.FactCoverage, h.FactCoverage))
	}
	for _, p := range h.Problems {
		if !slices.Contains(b.Problems, p) && !strings.HasPrefix(p, "missing facts") {
			worse = append(worse, "answer: new problem: "+p)
		}
	}
	for _, p := range b.Problems {
		if !slices.Contains(h.Problems, p) && !strings.HasPrefix(p, "missing facts") {
			better = append(better, "answer: fixed: "+p)
		}
	}
	return worse, better
}

// comparisonTable is the metrics part of a comparison for the text and
// markdown reports.
func (c *Comparison) table() (t table) {
	t.align = "lrrrl"
	t.head = []string{"metric", "base", "now", "change", ""}
	for _, m := range c.Metrics {
		t.add(m.Name, fmt.Sprintf("%.3f", m.Base), fmt.Sprintf("%.3f", m.Head), fmt.Sprintf("%+.3f", m.Delta), m.Status)
	}
	return t
}

func (c *Comparison) verdict() string {
	if len(c.Regressed) == 0 {
		return fmt.Sprintf("no metric fell by more than %.3f against %s", c.Tolerance, c.Base)
	}
	return fmt.Sprintf("REGRESSED against %s: %s fell by more than %.3f", c.Base, strings.Join(c.Regressed, ", "), c.Tolerance)
}

func (c *Comparison) writeText(w io.Writer) {
	fmt.Fprintf(w, "\nCompared with %s (tolerance %.3f)\n", c.Base, c.Tolerance)
	if c.Note != "" {
		fmt.Fprintf(w, "  %s\n", c.Note)
	}
	t := c.table()
	t.text(w)
	for _, g := range []struct {
		name  string
		items []ItemChange
	}{{"worse", c.Worse}, {"better", c.Better}} {
		fmt.Fprintf(w, "\nItems that got %s: %d\n", g.name, len(g.items))
		for _, it := range g.items {
			fmt.Fprintf(w, "  %s [%s %s] %s\n", it.ID, it.Lang, it.Kind, it.Question)
			for _, ch := range it.Changes {
				fmt.Fprintf(w, "      %s\n", ch)
			}
		}
	}
	fmt.Fprintln(w, "\n"+c.verdict())
}
