package eval

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// MultiReport is one suite evaluated under several configurations (chat
// models, embeddings models, servers), each with its own report, and the
// items whose outcome is not the same in all of them.
type MultiReport struct {
	Suite   string `json:"suite"`
	Source  string `json:"source"`
	Version int    `json:"version"`
	Items   int    `json:"items"`
	// Configurations are the runs, in the order they were given.
	Configurations []ConfigReport `json:"configurations"`
	// Differ lists, in suite order, the items that pass in some
	// configurations and fail in others, with the outcome in each.
	Differ []ItemOutcomes `json:"differ"`
	// Pass is true when every configuration met every threshold.
	Pass bool `json:"pass"`
	// Interrupted says which configurations a run stopped with Ctrl-C did
	// not finish or start; such a run does not pass.
	Interrupted string `json:"interrupted,omitempty"`
}

// ConfigReport is the report of one configuration.
type ConfigReport struct {
	Name string `json:"name"`
	// Model and Embeddings say what the configuration used, for people
	// reading the reports: the chat model ("" for extractive answers) and
	// the embeddings model ("" for the offline embedder). Never keys.
	Model      string  `json:"model"`
	Embeddings string  `json:"embeddings"`
	Report     *Report `json:"report"`
}

// ItemOutcomes is one item's outcome in each configuration.
type ItemOutcomes struct {
	ID       string    `json:"id"`
	Lang     string    `json:"lang"`
	Kind     string    `json:"kind"`
	Question string    `json:"question"`
	Outcomes []Outcome `json:"outcomes"`
}

// Outcome is how one item fared in one configuration.
type Outcome struct {
	Config string `json:"config"`
	// Status is "pass", "fail" or, for an item a stopped run did not
	// answer, "not run".
	Status string `json:"status"`
	// Problems say why it failed, "retrieval: …" or "answer: …".
	Problems []string `json:"problems,omitempty"`
}

// Item outcome statuses.
const (
	OutcomePass   = "pass"
	OutcomeFail   = "fail"
	OutcomeNotRun = "not run"
)

// NewMultiReport puts the reports of one suite, run under the named
// configurations, side by side. An item differs when it passes in one
// configuration and fails in another; "not run" differs from nothing.
func NewMultiReport(runs []ConfigReport) *MultiReport {
	m := &MultiReport{Configurations: runs, Differ: []ItemOutcomes{}, Pass: len(runs) > 0}
	if len(runs) == 0 {
		return m
	}
	first := runs[0].Report
	m.Suite, m.Source, m.Version, m.Items = first.Suite, first.Source, first.Version, first.Items
	for _, r := range runs {
		if !r.Report.Pass {
			m.Pass = false
		}
	}
	m.Differ = differing(m.allOutcomes())
	return m
}

// allOutcomes returns every item's outcomes, in suite order.
func (m *MultiReport) allOutcomes() []ItemOutcomes {
	first := m.Configurations[0].Report
	if first.Retrieval == nil {
		return nil
	}
	var out []ItemOutcomes
	per := make([]map[string]Outcome, len(m.Configurations))
	for i, c := range m.Configurations {
		per[i] = itemOutcomes(c.Name, c.Report)
	}
	for _, it := range first.Retrieval.Items {
		row := ItemOutcomes{ID: it.ID, Lang: string(it.Lang), Kind: string(it.Kind), Question: it.Question}
		for i, c := range m.Configurations {
			o, ok := per[i][it.ID]
			if !ok {
				o = Outcome{Config: c.Name, Status: OutcomeNotRun}
			}
			row.Outcomes = append(row.Outcomes, o)
		}
		out = append(out, row)
	}
	return out
}

func differing(all []ItemOutcomes) []ItemOutcomes {
	out := []ItemOutcomes{}
	for _, it := range all {
		if it.differs() {
			out = append(out, it)
		}
	}
	return out
}

func (it ItemOutcomes) differs() bool {
	seen := ""
	for _, o := range it.Outcomes {
		if o.Status == OutcomeNotRun {
			continue
		}
		if seen != "" && o.Status != seen {
			return true
		}
		seen = o.Status
	}
	return false
}

// itemOutcomes returns the outcome of each item of r: its retrieval and
// answer problems together. With answers evaluated, an item the answers
// did not reach (a stopped run) is not in the map.
func itemOutcomes(name string, r *Report) map[string]Outcome {
	out := map[string]Outcome{}
	if r.Retrieval == nil {
		return out
	}
	answers := map[string]*AnswerItem{}
	if r.Answers != nil {
		for i := range r.Answers.Items {
			answers[r.Answers.Items[i].ID] = &r.Answers.Items[i]
		}
	}
	for _, it := range r.Retrieval.Items {
		o := Outcome{Config: name, Status: OutcomePass}
		for _, p := range it.Problems {
			o.Problems = append(o.Problems, "retrieval: "+p)
		}
		if r.Answers != nil {
			a := answers[it.ID]
			if a == nil {
				continue
			}
			for _, p := range a.Problems {
				o.Problems = append(o.Problems, "answer: "+p)
			}
		}
		if len(o.Problems) > 0 {
			o.Status = OutcomeFail
		}
		out[it.ID] = o
	}
	return out
}

// names returns the configurations' names.
func (m *MultiReport) names() []string {
	out := make([]string, len(m.Configurations))
	for i, c := range m.Configurations {
		out[i] = c.Name
	}
	return out
}

// table is the configurations side by side: a row per overall metric (and
// the verdict, failing items, who answered and latency), a column per
// configuration.
func (m *MultiReport) table() (t table) {
	t.align = "l"
	t.head = append([]string{""}, m.names()...)
	row := func(name string, cell func(r *Report) string) {
		cells := []string{name}
		for _, c := range m.Configurations {
			cells = append(cells, cell(c.Report))
		}
		t.add(cells...)
	}
	cfgRow := func(name string, cell func(c ConfigReport) string) {
		cells := []string{name}
		for _, c := range m.Configurations {
			cells = append(cells, cell(c))
		}
		t.add(cells...)
	}
	cfgRow("chat model", func(c ConfigReport) string { return orDash(c.Model, "none (extractive)") })
	cfgRow("embeddings", func(c ConfigReport) string { return orDash(c.Embeddings, "offline") })
	row("thresholds", func(r *Report) string {
		switch n := len(r.Failed()); {
		case r.Interrupted != "":
			return "INCOMPLETE"
		case n == 0:
			return "PASS"
		default:
			return fmt.Sprintf("FAIL (%d)", n)
		}
	})
	all := m.allOutcomes()
	failing := func(i int) string {
		n := 0
		for _, it := range all {
			if it.Outcomes[i].Status == OutcomeFail {
				n++
			}
		}
		return fmt.Sprint(n)
	}
	cells := []string{"items failing"}
	for i := range m.Configurations {
		cells = append(cells, failing(i))
	}
	t.add(cells...)
	if slices.ContainsFunc(m.Configurations, func(c ConfigReport) bool { return c.Report.Answers != nil }) {
		row("answered by", func(r *Report) string {
			if r.Answers == nil {
				return "–"
			}
			return modeSummary(r.Answers)
		})
	}
	t.gap()
	for _, d := range metricDefs {
		name := d.name
		var vals []string
		measured := false
		for _, c := range m.Configurations {
			n, v, cnt, ok := overallMetric(d, c.Report)
			name = n
			if !ok || cnt == 0 {
				vals = append(vals, "–")
				continue
			}
			measured = true
			vals = append(vals, fmt.Sprintf("%.3f", v))
		}
		if measured {
			t.add(append([]string{name}, vals...)...)
		}
	}
	if slices.ContainsFunc(m.Configurations, func(c ConfigReport) bool { return c.Report.Answers != nil }) {
		t.gap()
		row("latency p50", func(r *Report) string {
			if r.Answers == nil {
				return "–"
			}
			return r.Answers.Overall.LatencyP50.String()
		})
		row("latency p95", func(r *Report) string {
			if r.Answers == nil {
				return "–"
			}
			return r.Answers.Overall.LatencyP95.String()
		})
		row("model errors", func(r *Report) string {
			if r.Answers == nil {
				return "–"
			}
			return fmt.Sprint(r.Answers.Overall.Errors)
		})
	}
	return t
}

// overallMetric returns metric d of r over all items, named as the
// report shows it (hit@3 rather than hit5 at -k 3); ok is false when r did
// not measure it.
func overallMetric(d metricDef, r *Report) (name string, v float64, n int, ok bool) {
	name = d.name
	switch {
	case d.retrieval != nil:
		if r.Retrieval == nil {
			return name, 0, 0, false
		}
		k := r.Retrieval.K
		v, n, skip := d.retrieval(r.Retrieval.Overall, k)
		if skip != "" {
			var bn int
			v, bn, _, _ = retrievalAtK(d.name, r.Retrieval.Overall, r.Retrieval.Overall)
			if bn < 0 {
				return name, 0, 0, false
			}
			n = bn
			name = fmt.Sprintf("%s@%d", strings.TrimSuffix(d.name, "5"), k)
		}
		return name, v, n, true
	case r.Answers != nil:
		v, n := d.answer(r.Answers.Overall)
		return name, v, n, true
	}
	return name, 0, 0, false
}

func (m *MultiReport) summaryLine() string {
	return fmt.Sprintf("suite %s v%d (%s): %d items, %d configurations: %s",
		m.Suite, m.Version, m.Source, m.Items, len(m.Configurations), strings.Join(m.names(), ", "))
}

func (m *MultiReport) differLine() string {
	return fmt.Sprintf("%d items whose outcome differs between the configurations", len(m.Differ))
}

// WriteText writes the configurations side by side for a terminal: the
// metrics table, the items that differ with their outcome in each, and
// each configuration's verdict. With verbose each configuration's whole
// report comes first.
func (m *MultiReport) WriteText(w io.Writer, verbose bool) error {
	ew := &errWriter{w: w}
	if verbose {
		for _, c := range m.Configurations {
			fmt.Fprintf(ew, "=== %s\n", c.Name)
			if err := c.Report.WriteText(ew, true); err != nil {
				return err
			}
			fmt.Fprintln(ew)
		}
	}
	fmt.Fprintln(ew, m.summaryLine())
	fmt.Fprintln(ew, "\nConfigurations side by side")
	t := m.table()
	t.text(ew)
	fmt.Fprintf(ew, "\n%s\n", upperFirst(m.differLine()))
	width := 0
	for _, n := range m.names() {
		width = max(width, len(n))
	}
	for _, it := range m.Differ {
		fmt.Fprintf(ew, "  %s [%s %s] %s\n", it.ID, it.Lang, it.Kind, it.Question)
		for _, o := range it.Outcomes {
			status := strings.ToUpper(o.Status)
			if o.Status == OutcomePass {
				status = "ok"
			}
			line := fmt.Sprintf("      %-*s  %s", width, o.Config, status)
			if len(o.Problems) > 0 {
				line += ": " + strings.Join(o.Problems, "; ")
			}
			fmt.Fprintln(ew, line)
		}
	}
	fmt.Fprintln(ew)
	for _, c := range m.Configurations {
		fmt.Fprintf(ew, "%-*s  %s\n", width, c.Name, c.Report.verdict())
	}
	if m.Interrupted != "" {
		fmt.Fprintf(ew, "INCOMPLETE: %s\n", m.Interrupted)
	}
	return ew.err
}

// WriteMarkdown writes the configurations side by side as markdown.
func (m *MultiReport) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# declbot evaluation: %d configurations\n\n%s.\n\n", len(m.Configurations), m.summaryLine())
	for _, c := range m.Configurations {
		fmt.Fprintf(ew, "- **%s**: %s\n", mdEscape(c.Name), mdEscape(c.Report.verdict()))
	}
	if m.Interrupted != "" {
		fmt.Fprintf(ew, "\n**INCOMPLETE: %s**\n", mdEscape(m.Interrupted))
	}
	fmt.Fprint(ew, "\n## Side by side\n\n")
	t := m.table()
	t.markdown(ew)
	fmt.Fprintf(ew, "\n## %s\n\n", upperFirst(m.differLine()))
	if len(m.Differ) > 0 {
		dt := table{align: strings.Repeat("l", 4+len(m.Configurations)), head: append([]string{"id", "lang", "kind", "question"}, m.names()...)}
		for _, it := range m.Differ {
			cells := []string{it.ID, it.Lang, it.Kind, it.Question}
			for _, o := range it.Outcomes {
				cell := o.Status
				if len(o.Problems) > 0 {
					cell += ": " + strings.Join(o.Problems, "; ")
				}
				cells = append(cells, cell)
			}
			dt.add(cells...)
		}
		dt.markdown(ew)
	}
	return ew.err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orDash(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
