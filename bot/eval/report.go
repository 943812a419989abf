package eval

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Report is a whole evaluation: what was measured and how it compares with
// the suite's thresholds.
type Report struct {
	Suite      string `json:"suite"`
	Source     string `json:"source"`
	Version    int    `json:"version"`
	Items      int    `json:"items"`
	Answerable int    `json:"answerable"`
	OutOfScope int    `json:"out_of_scope"`
	// Retrieval and Answers are nil when that part was not run.
	Retrieval  *RetrievalReport  `json:"retrieval,omitempty"`
	Answers    *AnswerReport     `json:"answers,omitempty"`
	Thresholds []ThresholdResult `json:"thresholds"`
	// Pass is true when no threshold failed.
	Pass bool `json:"pass"`
	// Interrupted says how far a run stopped with Ctrl-C got; such a run
	// does not pass.
	Interrupted string `json:"interrupted,omitempty"`
	// Comparison is set by Compare: this run against an earlier one.
	Comparison *Comparison `json:"comparison,omitempty"`

	// corpus gives the HTML report the text of the paragraphs it links to;
	// nil in a report read back from JSON.
	corpus *corpus.Corpus
}

// NewReport checks the results against the suite's thresholds. Either
// part may be nil; thresholds on a part that was not run are skipped.
func NewReport(s *Suite, rr *RetrievalReport, ar *AnswerReport) *Report {
	answerable, oos := s.InScope()
	r := &Report{
		Suite: s.Header.Suite, Source: s.Source, Version: s.Header.Version,
		Items: len(s.Items), Answerable: answerable, OutOfScope: oos,
		Retrieval: rr, Answers: ar,
		Thresholds: checkThresholds(s.Header, rr, ar),
		Pass:       true,
		corpus:     s.corpus,
	}
	for _, t := range r.Thresholds {
		if t.Status == StatusFail {
			r.Pass = false
		}
	}
	if ar != nil && ar.Interrupted != "" {
		r.Interrupted, r.Pass = ar.Interrupted, false
	}
	return r
}

// Failed returns the thresholds that failed.
func (r *Report) Failed() []ThresholdResult {
	var out []ThresholdResult
	for _, t := range r.Thresholds {
		if t.Status == StatusFail {
			out = append(out, t)
		}
	}
	return out
}

// table is a report table, written as aligned text or as markdown. align
// has one letter per column, 'l' or 'r'; columns past its end are
// right-aligned, numbers being the common case.
type table struct {
	head  []string
	align string
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// gap separates groups of rows: a blank line in text, nothing in markdown.
func (t *table) gap() { t.rows = append(t.rows, nil) }

func (t *table) right(col int) bool { return col >= len(t.align) || t.align[col] == 'r' }

// text writes the table with columns padded to their widest cell. Cells
// are ASCII (IDs, numbers, names), so byte length is display width; the
// last column is not padded.
func (t *table) text(w io.Writer) {
	widths := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range append([][]string{t.head}, t.rows...) {
		if r == nil {
			fmt.Fprintln(w)
			continue
		}
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			b.WriteString("  ")
			switch {
			case t.right(i):
				b.WriteString(pad + c)
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func (t *table) markdown(w io.Writer) {
	fmt.Fprintln(w, "| "+strings.Join(t.head, " | ")+" |")
	seps := make([]string, len(t.head))
	for i := range seps {
		if t.right(i) {
			seps[i] = "---:"
		} else {
			seps[i] = "---"
		}
	}
	fmt.Fprintln(w, "| "+strings.Join(seps, " | ")+" |")
	for _, r := range t.rows {
		if r == nil {
			continue
		}
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdEscape(c)
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// rate formats a rate over n items, "–" when there are none.
func rate(v float64, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

// mean1 and mean0 format a mean count with one and no decimals, "–" over
// no items.
func mean1(v float64, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

func mean0(v float64, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", v)
}

func (r *RetrievalReport) tables() (overall table) {
	k := r.K
	overall.align = "l"
	overall.head = []string{"", "n", "hit@1", "hit@3", fmt.Sprintf("hit@%d", k), fmt.Sprintf("recall@%d", k), "MRR", fmt.Sprintf("nDCG@%d", k), "oos n", "oos detected", "false alarms"}
	row := func(name string, m RetrievalMetrics) {
		n := m.Answerable
		overall.add(name, fmt.Sprint(n), rate(m.Hit1, n), rate(m.Hit3, n), rate(m.HitK, n), rate(m.RecallK, n),
			rate(m.MRR, n), rate(m.NDCGK, n), fmt.Sprint(m.OutOfScope), rate(m.OOSDetection, m.OutOfScope), rate(m.FalseAlarm, n))
	}
	row("overall", r.Overall)
	overall.gap()
	for _, g := range r.ByLang {
		row(g.Name, g.RetrievalMetrics)
	}
	overall.gap()
	for _, g := range r.ByKind {
		row(g.Name, g.RetrievalMetrics)
	}
	return overall
}

func (r *AnswerReport) table() (t table) {
	t.align = "l"
	t.head = []string{"", "n", "facts", "first gold", "cite prec", "cite recall", "cites", "runes", "cite valid", "refusal prec", "refusal recall", "false refusals", "script", "p50", "p95", "errors"}
	row := func(name string, m AnswerMetrics) {
		if m.Items == 0 {
			return
		}
		t.add(name, fmt.Sprint(m.Items), rate(m.FactCoverage, m.FactItems), rate(m.FirstGold, m.CitedItems), rate(m.CitationPrecision, m.CitedItems),
			rate(m.CitationRecall, m.Answerable), mean1(m.Citations, m.Given), mean0(m.Runes, m.Given), rate(m.CitationValidity, m.Items), rate(m.RefusalPrecision, m.Refused),
			rate(m.RefusalRecall, m.OutOfScope), rate(m.FalseRefusal, m.Answerable), rate(m.ScriptMatch, m.ScriptItems),
			m.LatencyP50.String(), m.LatencyP95.String(), fmt.Sprint(m.Errors))
	}
	row("overall", r.Overall)
	t.gap()
	for _, g := range r.ByLang {
		row(g.Name, g.AnswerMetrics)
	}
	t.gap()
	for _, g := range r.ByKind {
		row(g.Name, g.AnswerMetrics)
	}
	return t
}

func (r *Report) thresholdTable() (t table) {
	t.align = "llrlrrl"
	t.head = []string{"", "threshold", "measured", "", "target", "n", "what"}
	for _, th := range r.Thresholds {
		measured := fmt.Sprintf("%.3f", th.Value)
		what := th.Description
		if th.Status == StatusSkip {
			measured = "–"
		}
		if th.Note != "" {
			what += " (" + th.Note + ")"
		}
		t.add(th.Status, th.Name, measured, th.Op, fmt.Sprintf("%.3f", th.Target), fmt.Sprint(th.N), what)
	}
	return t
}

func (r *Report) summaryLine() string {
	return fmt.Sprintf("suite %s v%d (%s): %d items, %d answerable, %d out of scope",
		r.Suite, r.Version, r.Source, r.Items, r.Answerable, r.OutOfScope)
}

func (r *Report) verdict() string {
	failed := r.Failed()
	if r.Interrupted != "" {
		return fmt.Sprintf("INCOMPLETE: %s; the metrics are over those (%d of %d thresholds not met)", r.Interrupted, len(failed), len(r.Thresholds))
	}
	if len(failed) == 0 {
		return fmt.Sprintf("PASS: all %d thresholds met", len(r.Thresholds))
	}
	names := make([]string, len(failed))
	for i, t := range failed {
		names[i] = t.Name
	}
	return fmt.Sprintf("FAIL: %d of %d thresholds not met (%s)", len(failed), len(r.Thresholds), strings.Join(names, ", "))
}

// WriteText writes the report for a terminal: tables, the failing items
// and the thresholds. With verbose every item is listed, not only the
// failing ones.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, r.summaryLine())
	if rr := r.Retrieval; rr != nil {
		fmt.Fprintf(ew, "\nRetrieval (by language, then by kind)\n")
		t := rr.tables()
		t.text(ew)
		items := rr.Items
		if !verbose {
			items = rr.Failures()
		}
		fmt.Fprintf(ew, "\nRetrieval: %d failing items\n", len(rr.Failures()))
		for _, it := range items {
			status := "FAIL"
			if len(it.Problems) == 0 {
				status = "ok"
			}
			fmt.Fprintf(ew, "  %s %s [%s %s] %s\n", status, it.ID, it.Lang, it.Kind, it.Question)
			fmt.Fprintf(ew, "      gold %s · got %s · relevance %.3f\n", idList(it.Gold), idList(it.Got), it.Relevance)
			for _, p := range it.Problems {
				fmt.Fprintf(ew, "      %s\n", p)
			}
		}
	}
	if ar := r.Answers; ar != nil {
		fmt.Fprintf(ew, "\nAnswers (%s)\n", modeSummary(ar))
		t := ar.table()
		t.text(ew)
		items := ar.Items
		if !verbose {
			items = ar.Failures()
		}
		fmt.Fprintf(ew, "\nAnswers: %d failing items\n", len(ar.Failures()))
		for _, it := range items {
			status := "FAIL"
			if len(it.Problems) == 0 {
				status = "ok"
			}
			fmt.Fprintf(ew, "  %s %s [%s %s] %s\n", status, it.ID, it.Lang, it.Kind, it.Question)
			fmt.Fprintf(ew, "      gold %s · cited %s · grounded %v · %s\n", idList(it.Gold), idList(it.Cited), it.Grounded, it.Latency)
			for _, p := range it.Problems {
				fmt.Fprintf(ew, "      %s\n", p)
			}
			if verbose {
				fmt.Fprintf(ew, "      answer: %s\n", oneLine(it.Answer, 300))
			}
		}
	}
	fmt.Fprintln(ew, "\nThresholds (from the suite header)")
	t := r.thresholdTable()
	t.text(ew)
	fmt.Fprintln(ew, "\n"+r.verdict())
	if r.Comparison != nil {
		r.Comparison.writeText(ew)
	}
	return ew.err
}

// WriteMarkdown writes the report as a markdown document.
func (r *Report) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# declbot evaluation\n\n%s.\n\n**%s**\n", r.summaryLine(), r.verdict())
	fmt.Fprint(ew, "\n## Thresholds\n\n")
	t := r.thresholdTable()
	t.markdown(ew)
	if c := r.Comparison; c != nil {
		fmt.Fprintf(ew, "\n## Compared with %s\n\n**%s**\n\n", mdEscape(c.Base), mdEscape(c.verdict()))
		if c.Note != "" {
			fmt.Fprintf(ew, "%s\n\n", c.Note)
		}
		ct := c.table()
		ct.markdown(ew)
		for _, g := range []struct {
			name  string
			items []ItemChange
		}{{"worse", c.Worse}, {"better", c.Better}} {
			fmt.Fprintf(ew, "\n### Items that got %s (%d)\n\n", g.name, len(g.items))
			if len(g.items) > 0 {
				it := table{align: "lllll", head: []string{"id", "lang", "kind", "question", "change"}}
				for _, x := range g.items {
					it.add(x.ID, x.Lang, x.Kind, x.Question, strings.Join(x.Changes, "; "))
				}
				it.markdown(ew)
			}
		}
	}
	if rr := r.Retrieval; rr != nil {
		fmt.Fprint(ew, "\n## Retrieval\n\n")
		t := rr.tables()
		t.markdown(ew)
		fails := rr.Failures()
		fmt.Fprintf(ew, "\n### Failing items (%d)\n\n", len(fails))
		if len(fails) > 0 {
			ft := table{align: "lllllll", head: []string{"id", "lang", "kind", "question", "gold", "got", "problem"}}
			for _, it := range fails {
				ft.add(it.ID, string(it.Lang), string(it.Kind), it.Question, idList(it.Gold), idList(it.Got), strings.Join(it.Problems, "; "))
			}
			ft.markdown(ew)
		}
	}
	if ar := r.Answers; ar != nil {
		fmt.Fprintf(ew, "\n## Answers (%s)\n\n", modeSummary(ar))
		t := ar.table()
		t.markdown(ew)
		fails := ar.Failures()
		fmt.Fprintf(ew, "\n### Failing items (%d)\n\n", len(fails))
		if len(fails) > 0 {
			ft := table{align: "lllllll", head: []string{"id", "lang", "kind", "question", "gold", "cited", "problem"}}
			for _, it := range fails {
				ft.add(it.ID, string(it.Lang), string(it.Kind), it.Question, idList(it.Gold), idList(it.Cited), strings.Join(it.Problems, "; "))
			}
			ft.markdown(ew)
		}
	}
	return ew.err
}

func modeSummary(ar *AnswerReport) string {
	var parts []string
	for _, m := range ar.modes() {
		parts = append(parts, fmt.Sprintf("%s %d", m, ar.Modes[m]))
	}
	if len(parts) == 0 {
		return "no answers"
	}
	return strings.Join(parts, ", ")
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "–"
	}
	return strings.Join(ids, " ")
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// errWriter remembers the first write error so the writers can report it
// once instead of checking every Fprintf.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
