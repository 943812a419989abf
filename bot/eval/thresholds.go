package eval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/declbot/declbot/corpus"
)

// A threshold's name is METRIC or METRIC_SCOPE. METRIC is one of the
// metrics below; those ending in "_max" are upper bounds, the others lower
// bounds. SCOPE restricts it to some languages: zh (both Chinese scripts
// together), en_ru, hans, hant, en or ru. Examples: "hit5_zh": 0.97,
// "false_alarm_max": 0.05, "fact_coverage_hans": 0.85.

// ThresholdResult is one threshold checked against a report.
type ThresholdResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Op is ">=" for a lower bound, "<=" for an upper one.
	Op     string  `json:"op"`
	Target float64 `json:"target"`
	Value  float64 `json:"value"`
	// N is the number of items the value is measured over.
	N int `json:"n"`
	// Status is PASS, FAIL or SKIP (not measured in this run, e.g. an
	// answer threshold without --answers); Note says why when not PASS.
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

// Threshold statuses.
const (
	StatusPass = "PASS"
	StatusFail = "FAIL"
	StatusSkip = "SKIP"
)

type metricDef struct {
	name    string
	desc    string
	answers bool
	// value extracts the metric and the number of items it is over;
	// skip explains why it cannot be measured in this run.
	retrieval func(m RetrievalMetrics, k int) (v float64, n int, skip string)
	answer    func(m AnswerMetrics) (v float64, n int)
}

func (d metricDef) isMax() bool { return strings.HasSuffix(d.name, "_max") }

var metricDefs = []metricDef{
	{name: "hit1", desc: "hit@1", retrieval: func(m RetrievalMetrics, _ int) (float64, int, string) { return m.Hit1, m.Answerable, "" }},
	{name: "hit3", desc: "hit@3", retrieval: func(m RetrievalMetrics, _ int) (float64, int, string) { return m.Hit3, m.Answerable, "" }},
	{name: "hit5", desc: "hit@5", retrieval: func(m RetrievalMetrics, k int) (float64, int, string) { return atK(m.HitK, m.Answerable, k) }},
	{name: "recall5", desc: "recall@5", retrieval: func(m RetrievalMetrics, k int) (float64, int, string) { return atK(m.RecallK, m.Answerable, k) }},
	{name: "ndcg5", desc: "nDCG@5", retrieval: func(m RetrievalMetrics, k int) (float64, int, string) { return atK(m.NDCGK, m.Answerable, k) }},
	{name: "mrr", desc: "MRR", retrieval: func(m RetrievalMetrics, _ int) (float64, int, string) { return m.MRR, m.Answerable, "" }},
	{name: "oos_detection", desc: "out-of-scope questions detected by retrieval", retrieval: func(m RetrievalMetrics, _ int) (float64, int, string) { return m.OOSDetection, m.OutOfScope, "" }},
	{name: "false_alarm_max", desc: "answerable questions retrieval judged out of scope", retrieval: func(m RetrievalMetrics, _ int) (float64, int, string) { return m.FalseAlarm, m.Answerable, "" }},

	{name: "fact_coverage", desc: "key facts in the answer", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.FactCoverage, m.FactItems }},
	{name: "first_gold", desc: "answers whose first cited sentence cites a gold paragraph", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.FirstGold, m.CitedItems }},
	{name: "citation_precision", desc: "citations that are gold", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.CitationPrecision, m.CitedItems }},
	{name: "citation_recall", desc: "gold paragraphs cited", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.CitationRecall, m.Answerable }},
	{name: "citation_validity", desc: "answers whose citations all exist and match their markers", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.CitationValidity, m.Items }},
	{name: "refusal_precision", desc: "refusals that were out of scope", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.RefusalPrecision, m.Refused }},
	{name: "refusal_recall", desc: "out-of-scope questions refused", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.RefusalRecall, m.OutOfScope }},
	{name: "false_refusal_max", desc: "answerable questions refused", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.FalseRefusal, m.Answerable }},
	{name: "script_match", desc: "Chinese answers in the question's script", answers: true, answer: func(m AnswerMetrics) (float64, int) { return m.ScriptMatch, m.ScriptItems }},
}

// atK returns an "@5" metric, measurable only when the run's cutoff is 5.
func atK(v float64, n, k int) (float64, int, string) {
	if k != 5 {
		return 0, 0, fmt.Sprintf("measured at 5; this run used -k %d", k)
	}
	return v, n, ""
}

type scopeDef struct {
	suffix string
	label  string
	langs  []corpus.Lang
}

// scopeDefs are the language scopes a threshold may have, from the
// language registry: all languages, the Chinese ones ("_zh"), the others
// ("_en_ru"), and each language by its code ("_hans", "_ru").
var scopeDefs = languageScopes(corpus.Languages())

func languageScopes(langs []corpus.Language) []scopeDef {
	out := []scopeDef{{"", "", nil}}
	zh, other := scopeDef{"_zh", "Chinese", nil}, scopeDef{}
	var names []string
	for _, l := range langs {
		if l.Chinese {
			zh.langs = append(zh.langs, l.Tag)
			continue
		}
		other.suffix += "_" + l.Code
		other.langs = append(other.langs, l.Tag)
		names = append(names, l.Name)
	}
	other.label = strings.Join(names, " and ")
	if len(names) > 2 {
		other.label = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	out = append(out, zh, other)
	for _, l := range langs {
		out = append(out, scopeDef{"_" + l.Code, l.Name, []corpus.Lang{l.Tag}})
	}
	return out
}

type thresholdDef struct {
	metricDef
	scope scopeDef
	full  string
}

// thresholdByName parses a threshold name into its metric and scope.
func thresholdByName(name string) (thresholdDef, bool) {
	for _, m := range metricDefs {
		base, isMax := strings.CutSuffix(m.name, "_max")
		for _, s := range scopeDefs {
			full := base + s.suffix
			if isMax {
				full += "_max"
			}
			if name == full {
				return thresholdDef{m, s, full}, true
			}
		}
	}
	return thresholdDef{}, false
}

// ThresholdNames describes the names a suite header may use: each metric,
// optionally followed by a scope.
func ThresholdNames() []string {
	var out []string
	for _, m := range metricDefs {
		out = append(out, m.name)
	}
	var scopes []string
	for _, s := range scopeDefs[1:] {
		scopes = append(scopes, strings.TrimPrefix(s.suffix, "_"))
	}
	return append(out, "each optionally with a language scope before _max or at the end ("+strings.Join(scopes, ", ")+"), e.g. hit5_zh, false_alarm_en_max")
}

func (t thresholdDef) description() string {
	if t.scope.label == "" {
		return t.desc
	}
	return t.desc + ", " + t.scope.label
}

func (t thresholdDef) keep(l corpus.Lang) bool {
	return t.scope.langs == nil || slices.Contains(t.scope.langs, l)
}

// checkThresholds evaluates the header's thresholds, in the order of the
// metric table (retrieval first), then by scope.
func checkThresholds(h Header, rr *RetrievalReport, ar *AnswerReport) []ThresholdResult {
	var out []ThresholdResult
	for _, m := range metricDefs {
		for _, s := range scopeDefs {
			base, isMax := strings.CutSuffix(m.name, "_max")
			name := base + s.suffix
			if isMax {
				name += "_max"
			}
			target, ok := h.Thresholds[name]
			if !ok {
				continue
			}
			out = append(out, checkOne(thresholdDef{m, s, name}, target, rr, ar))
		}
	}
	return out
}

// epsilon absorbs the rounding of means: 0.97 measured as 0.9699999999999999
// meets a 0.97 target.
const epsilon = 1e-9

func checkOne(t thresholdDef, target float64, rr *RetrievalReport, ar *AnswerReport) ThresholdResult {
	res := ThresholdResult{Name: t.full, Description: t.description(), Op: ">=", Target: target}
	if t.isMax() {
		res.Op = "<="
	}
	var v float64
	var n int
	switch {
	case t.answers && ar == nil:
		res.Status, res.Note = StatusSkip, "answers not evaluated (run with --answers)"
		return res
	case t.answers:
		v, n = t.answer(summarizeAnswers(ar.Items, func(it AnswerItem) bool { return t.keep(it.Lang) }))
	case rr == nil:
		res.Status, res.Note = StatusSkip, "retrieval not evaluated"
		return res
	default:
		var skip string
		v, n, skip = t.retrieval(summarizeRetrieval(rr.Items, func(it RetrievalItem) bool { return t.keep(it.Lang) }), rr.K)
		if skip != "" {
			res.Status, res.Note = StatusSkip, skip
			return res
		}
	}
	res.Value, res.N = v, n
	switch {
	case n == 0:
		res.Status, res.Note = StatusFail, "no items to measure it on: add some to the suite or remove the threshold"
	case t.isMax() && v <= target+epsilon, !t.isMax() && v >= target-epsilon:
		res.Status = StatusPass
	default:
		res.Status = StatusFail
	}
	return res
}
