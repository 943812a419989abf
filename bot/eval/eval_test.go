package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// The small suite the tests below score by hand: three answerable items
// (one hit at rank 1, one with two gold at ranks 2 and 6, one missed and
// falsely judged out of scope) and two out-of-scope ones (one detected,
// one not).
const smallSuite = `{"suite":"small","version":1,"thresholds":{"hit5_zh":0.97,"hit5_en_ru":0.85,"hit5_ru":0.85,"oos_detection":0.5,"false_alarm_max":0.05,"mrr":0.5,"fact_coverage_zh":0.85,"refusal_recall":0.5,"citation_validity":1}}
{"id":"a","lang":"zh-Hans","kind":"factual","question":"qa","gold":["0.1"],"facts":["天津","2025年9月1日"]}
{"id":"b","lang":"zh-Hant","kind":"multi","question":"qb","gold":["2.36","T3"],"facts":["防止外空武器化","世贸组织规则"]}
{"id":"c","lang":"en","kind":"paraphrase","question":"qc","gold":["0.1"],"facts":["天津"]}
{"id":"d","lang":"en","kind":"out_of_scope","question":"qd","out_of_scope":true}
{"id":"e","lang":"ru","kind":"out_of_scope","question":"qe","out_of_scope":true}
`

func loadSmall(t *testing.T) *Suite {
	t.Helper()
	s, err := Load(strings.NewReader(smallSuite), "small.jsonl", loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeRetriever answers each question with a fixed ranking of corpus
// passages.
type fakeRetriever struct {
	c       *corpus.Corpus
	ranked  map[string][]string
	inScope map[string]bool
	asked   []int
}

func (f *fakeRetriever) Search(_ context.Context, q string, k int) (retrieval.Results, error) {
	f.asked = append(f.asked, k)
	ids, ok := f.ranked[q]
	if !ok {
		return retrieval.Results{}, errors.New("no such question")
	}
	res := retrieval.Results{Query: "processed " + q, InScope: f.inScope[q], Relevance: 0.5}
	for i, id := range ids {
		if i >= k {
			break
		}
		p, _ := f.c.Get(id)
		res.Items = append(res.Items, retrieval.Result{Passage: p, Score: 1 / float64(i+1)})
	}
	return res, nil
}

func smallRetriever(c *corpus.Corpus) *fakeRetriever {
	return &fakeRetriever{
		c: c,
		ranked: map[string][]string{
			"qa": {"0.1", "1.1", "1.2", "1.3", "1.4"},
			"qb": {"1.1", "2.36", "1.2", "1.3", "1.4", "T3"},
			"qc": {"1.1", "1.2", "1.3", "1.4", "1.5", "0.1"},
			"qd": {"1.1"},
			"qe": {"1.2"},
		},
		inScope: map[string]bool{"qa": true, "qb": true, "qc": false, "qd": false, "qe": true},
	}
}

func TestEvaluateRetrieval(t *testing.T) {
	s := loadSmall(t)
	fr := smallRetriever(s.Corpus())
	rep, err := EvaluateRetrieval(context.Background(), s, fr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.K != 5 || !slices.Equal(fr.asked, []int{10, 10, 10, 10, 10}) {
		t.Errorf("k = %d, searched with %v; want 5 and depth 10 for MRR", rep.K, fr.asked)
	}
	// By hand: hit@1 1/3, hit@3 and hit@5 2/3; recall@5 (1 + 1/2 + 0)/3;
	// MRR (1 + 1/2 + 1/6)/3; nDCG@5 of b is (1/log2 3)/(1 + 1/log2 3).
	ndcgB := invLog3 / (1 + invLog3)
	want := RetrievalMetrics{
		Answerable: 3, Hit1: 1.0 / 3, Hit3: 2.0 / 3, HitK: 2.0 / 3, RecallK: 0.5,
		MRR: (1 + 0.5 + 1.0/6) / 3, NDCGK: (1 + ndcgB) / 3,
		OutOfScope: 2, OOSDetection: 0.5, FalseAlarm: 1.0 / 3,
	}
	if !metricsNear(rep.Overall, want) {
		t.Errorf("overall:\n got %+v\nwant %+v", rep.Overall, want)
	}
	en := rep.ByLang[2]
	if en.Name != "en" || en.Answerable != 1 || en.HitK != 0 || en.OutOfScope != 1 || en.OOSDetection != 1 || en.FalseAlarm != 1 {
		t.Errorf("en: %+v", en)
	}
	if k := rep.ByKind[1]; k.Name != "list" || k.Answerable != 0 || k.OutOfScope != 0 {
		t.Errorf("list: %+v", k)
	}
	b := rep.Items[1]
	if b.Rank != 2 || !slices.Equal(b.Got, []string{"1.1", "2.36", "1.2", "1.3", "1.4"}) || b.Query != "processed qb" {
		t.Errorf("item b: %+v", b)
	}
	var failing []string
	for _, f := range rep.Failures() {
		failing = append(failing, f.ID)
	}
	if !slices.Equal(failing, []string{"c", "e"}) {
		t.Errorf("failures = %v, want [c e]", failing)
	}
	c := rep.Items[2]
	if len(c.Problems) != 2 || !strings.Contains(c.Problems[0], "first at rank 6") || !strings.Contains(c.Problems[1], "false alarm") {
		t.Errorf("problems of c = %q", c.Problems)
	}
}

func metricsNear(a, b RetrievalMetrics) bool {
	return a.Answerable == b.Answerable && a.OutOfScope == b.OutOfScope &&
		near(a.Hit1, b.Hit1) && near(a.Hit3, b.Hit3) && near(a.HitK, b.HitK) && near(a.RecallK, b.RecallK) &&
		near(a.MRR, b.MRR) && near(a.NDCGK, b.NDCGK) && near(a.OOSDetection, b.OOSDetection) && near(a.FalseAlarm, b.FalseAlarm)
}

func TestEvaluateRetrievalErrors(t *testing.T) {
	s := loadSmall(t)
	fr := smallRetriever(s.Corpus())
	delete(fr.ranked, "qc")
	if _, err := EvaluateRetrieval(context.Background(), s, fr, 5); err == nil || !strings.Contains(err.Error(), "search c") {
		t.Errorf("err = %v, want it to name item c", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EvaluateRetrieval(ctx, s, smallRetriever(s.Corpus()), 5); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// emptyQueryRetriever fails like retrieval.Index on a question that is all
// stop phrases.
type emptyQueryRetriever struct{ *fakeRetriever }

func (e emptyQueryRetriever) Search(ctx context.Context, q string, k int) (retrieval.Results, error) {
	if q == "qa" {
		return retrieval.Results{}, retrieval.ErrEmptyQuery
	}
	return e.fakeRetriever.Search(ctx, q, k)
}

func TestEvaluateRetrievalEmptyQuery(t *testing.T) {
	s := loadSmall(t)
	rep, err := EvaluateRetrieval(context.Background(), s, emptyQueryRetriever{smallRetriever(s.Corpus())}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if a := rep.Items[0]; a.HitK || a.InScope || len(a.Problems) == 0 || !strings.Contains(a.Problems[0], "returned nothing") || a.Got == nil {
		t.Errorf("an empty query must count as a miss: %+v", a)
	}
}

func TestThresholds(t *testing.T) {
	s := loadSmall(t)
	rr, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 5)
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(s, rr, nil)
	got := map[string]ThresholdResult{}
	for _, th := range rep.Thresholds {
		got[th.Name] = th
	}
	want := []struct {
		name   string
		status string
		value  float64
		n      int
	}{
		{"hit5_zh", StatusPass, 1, 2},
		{"hit5_en_ru", StatusFail, 0, 1},
		{"hit5_ru", StatusFail, 0, 0}, // no answerable Russian item
		{"mrr", StatusPass, (1 + 0.5 + 1.0/6) / 3, 3},
		{"oos_detection", StatusPass, 0.5, 2}, // exactly at the target
		{"false_alarm_max", StatusFail, 1.0 / 3, 3},
		{"fact_coverage_zh", StatusSkip, 0, 0},
		{"refusal_recall", StatusSkip, 0, 0},
		{"citation_validity", StatusSkip, 0, 0},
	}
	if len(rep.Thresholds) != len(want) {
		t.Errorf("%d thresholds checked, want %d", len(rep.Thresholds), len(want))
	}
	for _, w := range want {
		g, ok := got[w.name]
		if !ok {
			t.Errorf("%s not checked", w.name)
			continue
		}
		if g.Status != w.status || !near(g.Value, w.value) || g.N != w.n {
			t.Errorf("%s = %s %v (n=%d), want %s %v (n=%d)", w.name, g.Status, g.Value, g.N, w.status, w.value, w.n)
		}
	}
	if got["false_alarm_max"].Op != "<=" || got["hit5_zh"].Op != ">=" {
		t.Error("wrong comparison direction")
	}
	if !strings.Contains(got["hit5_ru"].Note, "no items") {
		t.Errorf("hit5_ru note = %q", got["hit5_ru"].Note)
	}
	if rep.Pass {
		t.Error("report passes with failing thresholds")
	}

	// With -k 3 the "@5" thresholds cannot be measured.
	rr3, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range NewReport(s, rr3, nil).Thresholds {
		if strings.HasPrefix(th.Name, "hit5") && th.Status != StatusSkip {
			t.Errorf("%s with k=3: %s, want SKIP", th.Name, th.Status)
		}
	}
}

func TestThresholdNames(t *testing.T) {
	for _, name := range []string{"hit5", "hit5_zh", "hit5_en_ru", "hit1_hant", "false_alarm_max", "false_alarm_ru_max", "fact_coverage_zh", "citation_validity", "false_refusal_max", "script_match_hant"} {
		if _, ok := thresholdByName(name); !ok {
			t.Errorf("%s is not a threshold", name)
		}
	}
	for _, name := range []string{"hit5_fr", "false_alarm", "false_alarm_max_ru", "hit5_zh_max", ""} {
		if _, ok := thresholdByName(name); ok {
			t.Errorf("%s should not be a threshold", name)
		}
	}
}

// fakeAnswerer answers each question with a fixed answer or error.
type fakeAnswerer struct {
	answers map[string]bot.Answer
	errs    map[string]error
}

func (f *fakeAnswerer) Ask(_ context.Context, q bot.Question) (bot.Answer, error) {
	if err := f.errs[q.Text]; err != nil {
		return bot.Answer{}, err
	}
	return f.answers[q.Text], nil
}

func passages(t *testing.T, c *corpus.Corpus, ids ...string) []corpus.Passage {
	var out []corpus.Passage
	for _, id := range ids {
		p, ok := c.Get(id)
		if !ok {
			t.Fatalf("no passage %s", id)
		}
		out = append(out, p)
	}
	return out
}

func smallAnswerer(t *testing.T, c *corpus.Corpus) *fakeAnswerer {
	return &fakeAnswerer{
		answers: map[string]bot.Answer{
			// All facts, exact citation, simplified for a simplified question.
			"qa": {Text: "会议于2025年9月1日在天津举行[0.1]。", Citations: passages(t, c, "0.1"), Grounded: true, Mode: bot.ModeExtractive, Lang: corpus.LangHans},
			// Half the facts, one of two citations right, simplified text for
			// a traditional question.
			"qb": {Text: "成员国支持防止外空武器化[2.36]，上合组织成员国[1.1]。", Citations: passages(t, c, "2.36", "1.1"), Grounded: true, Mode: bot.ModeExtractive, Lang: corpus.LangHant},
			// A false refusal.
			"qc": {Text: "The declaration does not address this.", Grounded: false, Mode: bot.ModeExtractive, Lang: corpus.LangEn},
			// A right refusal that carries a marker it does not cite.
			"qd": {Text: "The declaration does not address this; it covers space [2.36].", Grounded: false, Mode: bot.ModeExtractive, Lang: corpus.LangEn, Related: passages(t, c, "2.36")},
		},
		errs: map[string]error{"qe": errors.New("model exploded")},
	}
}

func TestEvaluateAnswers(t *testing.T) {
	s := loadSmall(t)
	rep, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()))
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Overall
	// By hand: facts, of the Chinese items, (1 + 1/2)/2; precision over a
	// and b (1 + 1/2)/2; recall over a, b, c (1 + 1/2 + 0)/3; valid a, b, c
	// of 5; refused c and d, of which d is out of scope; out of scope d and
	// e; answerable refused: c of 3; language and script: a, c and d match,
	// b (simplified for traditional) and e (an error) do not.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"fact coverage", m.FactCoverage, 0.75},
		{"citation precision", m.CitationPrecision, 0.75},
		{"citation recall", m.CitationRecall, 0.5},
		{"citation validity", m.CitationValidity, 0.6},
		{"refusal precision", m.RefusalPrecision, 0.5},
		{"refusal recall", m.RefusalRecall, 0.5},
		{"false refusal", m.FalseRefusal, 1.0 / 3},
		{"script match", m.ScriptMatch, 0.6},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if m.Items != 5 || m.FactItems != 2 || m.CitedItems != 2 || m.Answerable != 3 || m.OutOfScope != 2 || m.Refused != 2 || m.ScriptItems != 5 || m.Errors != 1 {
		t.Errorf("counts: %+v", m)
	}
	if m.LatencyP50 > m.LatencyP95 {
		t.Errorf("p50 %v > p95 %v", m.LatencyP50, m.LatencyP95)
	}
	if rep.Modes[bot.ModeExtractive] != 4 {
		t.Errorf("modes = %v", rep.Modes)
	}
	zh := summarizeAnswers(rep.Items, func(it AnswerItem) bool { return it.Lang.IsChinese() })
	if !near(zh.FactCoverage, 0.75) {
		t.Errorf("Chinese fact coverage = %v, want 0.75", zh.FactCoverage)
	}
	b := rep.Items[1]
	if !slices.Equal(b.MissingFacts, []string{"世贸组织规则"}) || b.Script != "hans" || *b.ScriptMatch {
		t.Errorf("item b: %+v", b)
	}
	d := rep.Items[3]
	if d.Valid || !slices.Equal(d.InvalidCitations, []string{"marker [2.36] is not among the citations"}) {
		t.Errorf("item d: valid %v, %q", d.Valid, d.InvalidCitations)
	}
	e := rep.Items[4]
	if e.Error != "model exploded" || e.Valid || e.Refused {
		t.Errorf("item e: %+v", e)
	}
	var failing []string
	for _, f := range rep.Failures() {
		failing = append(failing, f.ID)
	}
	if !slices.Equal(failing, []string{"b", "c", "d", "e"}) {
		t.Errorf("failures = %v", failing)
	}

	rr, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range NewReport(s, rr, rep).Thresholds {
		switch th.Name {
		case "fact_coverage_zh":
			if th.Status != StatusFail || !near(th.Value, 0.75) || th.N != 2 {
				t.Errorf("fact_coverage_zh: %+v", th)
			}
		case "refusal_recall":
			if th.Status != StatusPass {
				t.Errorf("refusal_recall: %+v", th)
			}
		case "citation_validity":
			if th.Status != StatusFail || !near(th.Value, 0.6) {
				t.Errorf("citation_validity: %+v", th)
			}
		}
	}
}

func TestInvalidCitations(t *testing.T) {
	c := loadCorpus(t)
	good := passages(t, c, "2.36")
	forged := good[0]
	forged.TextHans = "成员国支持在外空部署武器。"
	tests := []struct {
		name string
		ans  bot.Answer
		want []string
	}{
		{"valid", bot.Answer{Text: "防止外空武器化[2.36]", Citations: good}, nil},
		{"unknown ID", bot.Answer{Text: "x[9.99]", Citations: []corpus.Passage{{ID: "9.99"}}}, []string{"cited 9.99 is not in the corpus"}},
		{"forged text", bot.Answer{Text: "x[2.36]", Citations: []corpus.Passage{forged}}, []string{"cited 2.36 does not carry the corpus text"}},
		{"marker not cited", bot.Answer{Text: "x[2.36][T3]", Citations: good}, []string{"marker [T3] is not among the citations"}},
	}
	for _, tt := range tests {
		if got := invalidCitations(tt.ans, c); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestReportOutput(t *testing.T) {
	s := loadSmall(t)
	rr, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 5)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()))
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(s, rr, ar)

	var text bytes.Buffer
	if err := rep.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"suite small v1 (small.jsonl): 5 items, 3 answerable, 2 out of scope",
		"hit@5", "recall@5", "nDCG@5",
		"Retrieval: 2 failing items",
		"FAIL c [en paraphrase] qc",
		"gold 0.1 · got 1.1 1.2 1.3 1.4 1.5",
		"no gold paragraph in the top 5 (first at rank 6)",
		"Answers (extractive 4)",
		"Answers: 4 failing items",
		"refused an answerable question",
		"PASS  hit5_zh",
		"FAIL  false_alarm_max",
		"FAIL: 5 of 9 thresholds not met (hit5_en_ru, hit5_ru, false_alarm_max, fact_coverage_zh, citation_validity)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "ok a ") {
		t.Error("passing items listed without --verbose")
	}
	var verbose bytes.Buffer
	if err := rep.WriteText(&verbose, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(verbose.String(), "ok a [zh-Hans factual] qa") || !strings.Contains(verbose.String(), "answer: 会议于2025年9月1日") {
		t.Errorf("verbose report lacks passing items:\n%s", verbose.String())
	}

	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# declbot evaluation",
		"| PASS | hit5_zh | 1.000 | >= | 0.970 | 2 |",
		"| --- | ---: |",
		"| c | en | paraphrase | qc | 0.1 | 1.1 1.2 1.3 1.4 1.5 |",
		"### Failing items (4)",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown report lacks %q:\n%s", want, md.String())
		}
	}

	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Pass      bool `json:"pass"`
		Retrieval struct {
			K       int `json:"k"`
			Overall struct {
				HitK float64 `json:"hit_at_k"`
			} `json:"overall"`
			Items []struct {
				Got []string `json:"got"`
			} `json:"items"`
		} `json:"retrieval"`
		Answers struct {
			Items []struct {
				Latency float64 `json:"latency_ms"`
			} `json:"items"`
		} `json:"answers"`
		Thresholds []ThresholdResult `json:"thresholds"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Pass || back.Retrieval.K != 5 || math.Abs(back.Retrieval.Overall.HitK-2.0/3) > 1e-9 || len(back.Retrieval.Items[1].Got) != 5 || len(back.Thresholds) != 9 || len(back.Answers.Items) != 5 {
		t.Errorf("JSON report: %s", js)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteError(t *testing.T) {
	s := loadSmall(t)
	rep := NewReport(s, nil, nil)
	if err := rep.WriteText(failWriter{}, false); err == nil {
		t.Error("WriteText hid the write error")
	}
	if err := rep.WriteMarkdown(failWriter{}); err == nil {
		t.Error("WriteMarkdown hid the write error")
	}
}
