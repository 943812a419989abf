package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/corpus"
	"golang.org/x/net/html"
)

// twoConfigs evaluates the small suite with the hand-made fakes twice: as
// smallReport does ("good.env"), and with an answerer that refuses item a,
// which it otherwise answers right ("refuses.env").
func twoConfigs(t *testing.T) *MultiReport {
	t.Helper()
	s := loadSmall(t)
	rr, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 5)
	if err != nil {
		t.Fatal(err)
	}
	good, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()))
	if err != nil {
		t.Fatal(err)
	}
	fa := smallAnswerer(t, s.Corpus())
	fa.answers["qa"] = bot.Answer{Text: "The declaration does not address this.", Grounded: false, Mode: bot.ModeLLM, Lang: corpus.LangHans}
	refuses, err := EvaluateAnswers(context.Background(), s, fa)
	if err != nil {
		t.Fatal(err)
	}
	return NewMultiReport([]ConfigReport{
		{Name: "good.env", Report: NewReport(s, rr, good)},
		{Name: "refuses.env", Report: NewReport(s, rr, refuses)},
	})
}

func TestMultiReport(t *testing.T) {
	m := twoConfigs(t)
	if m.Suite != "small" || m.Items != 5 || len(m.Configurations) != 2 {
		t.Fatalf("header: %+v", m)
	}
	// Items b..e fail alike in both; only a passes in one and not the other.
	if len(m.Differ) != 1 || m.Differ[0].ID != "a" {
		t.Fatalf("differ = %+v, want item a only", m.Differ)
	}
	o := m.Differ[0].Outcomes
	if len(o) != 2 || o[0].Config != "good.env" || o[0].Status != OutcomePass || o[1].Config != "refuses.env" || o[1].Status != OutcomeFail {
		t.Fatalf("outcomes of a: %+v", o)
	}
	if len(o[1].Problems) == 0 || !strings.HasPrefix(o[1].Problems[0], "answer: ") {
		t.Errorf("the failing outcome does not say why: %+v", o[1])
	}

	var b bytes.Buffer
	if err := m.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	out := squashSpaces(b.String())
	for _, want := range []string{
		"5 items, 2 configurations: good.env, refuses.env",
		"good.env refuses.env", // the table's head
		"1 items whose outcome differs",
		"a [zh-Hans factual] qa",
		"good.env ok",
		"refuses.env FAIL: answer: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	// Each configuration's metrics in its column: a's refusal lowers
	// fact coverage in the second.
	var facts string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "fact_coverage ") {
			facts = l
		}
	}
	if f := strings.Fields(facts); len(f) != 3 || f[1] == f[2] {
		t.Errorf("fact_coverage row: %q, want two different values", facts)
	}

	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Configurations []struct {
			Name   string `json:"name"`
			Report struct {
				Suite   string          `json:"suite"`
				Answers json.RawMessage `json:"answers"`
			} `json:"report"`
		} `json:"configurations"`
		Differ []struct {
			ID       string `json:"id"`
			Outcomes []struct {
				Config, Status string
			} `json:"outcomes"`
		} `json:"differ"`
		Pass bool `json:"pass"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Configurations) != 2 || back.Configurations[1].Name != "refuses.env" || back.Configurations[1].Report.Suite != "small" ||
		len(back.Configurations[1].Report.Answers) == 0 || len(back.Differ) != 1 || back.Differ[0].Outcomes[1].Status != "fail" {
		t.Errorf("JSON: %s", js)
	}
}

// An item that a stopped run did not answer is "not run", which differs
// from nothing.
func TestMultiReportNotRun(t *testing.T) {
	m := twoConfigs(t)
	second := m.Configurations[1].Report
	second.Answers.Items = second.Answers.Items[1:] // a was not answered
	m = NewMultiReport(m.Configurations)
	if len(m.Differ) != 0 {
		t.Errorf("differ = %+v, want none", m.Differ)
	}
	all := m.allOutcomes()
	if all[0].ID != "a" || all[0].Outcomes[1].Status != OutcomeNotRun {
		t.Errorf("a in the stopped run: %+v", all[0].Outcomes[1])
	}
}

func TestMultiHTML(t *testing.T) {
	m := twoConfigs(t)
	var b bytes.Buffer
	if err := m.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	_, doc := parseHTML(t, b.Bytes())
	side := byID(doc, "configs")
	if side == nil || len(find(side, tag("th"))) < 3 || !strings.Contains(text(side), "refuses.env") || !strings.Contains(text(side), "fact_coverage") {
		t.Fatalf("no side-by-side table: %v", side != nil && side.FirstChild != nil)
	}
	th := byID(doc, "thresholds")
	if th == nil || !strings.Contains(text(th), "fact_coverage_zh") || strings.Count(text(th), "PASS")+strings.Count(text(th), "FAIL") < 2*9 {
		t.Errorf("thresholds are not shown per configuration: %s", text(th))
	}
	if byID(doc, "f-differs") == nil || byID(doc, "f-failed") == nil {
		t.Error("no differs or failed filter")
	}
	items := find(doc, func(n *html.Node) bool { return n.Data == "details" && hasClass(n, "it") })
	if len(items) != 5 {
		t.Fatalf("%d items, want 5", len(items))
	}
	for _, it := range items {
		id, _ := attr(it, "id")
		d, _ := attr(it, "data-differs")
		if (id == "i-a") != (d == "1") {
			t.Errorf("%s: data-differs=%s", id, d)
		}
		cols := find(it, func(n *html.Node) bool { return hasClass(n, "col") })
		if len(cols) != 2 || !strings.Contains(text(cols[0]), "good.env") || !strings.Contains(text(cols[1]), "refuses.env") {
			t.Errorf("%s: %d columns, want one per configuration", id, len(cols))
		}
	}
	a := byID(doc, "i-a")
	cols := find(a, func(n *html.Node) bool { return hasClass(n, "col") })
	if !strings.Contains(text(cols[0]), "会议于2025年9月1日在天津举行") || !strings.Contains(text(cols[1]), "does not address") || !hasClass(cols[1], "failed") {
		t.Errorf("item a does not show each configuration's answer: %s | %s", text(cols[0]), text(cols[1]))
	}
	// Every paragraph link, in any configuration's column, has its target.
	for _, l := range find(doc, tag("a")) {
		if h, _ := attr(l, "href"); strings.HasPrefix(h, "#p-") && byID(doc, h[1:]) == nil {
			t.Errorf("link to missing %s", h)
		}
	}
	if v, _ := attr(find(doc, tag("body"))[0], "data-differ"); v != "1" {
		t.Errorf("body data-differ=%q, want 1", v)
	}
}

func squashSpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func parseHTML(t *testing.T, b []byte) (string, *html.Node) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the page does not parse as HTML: %v", err)
	}
	return string(b), doc
}

// TwoConfigs lets the browser test (package eval_test) open the
// side-by-side page of twoConfigs.
var TwoConfigs = twoConfigs
