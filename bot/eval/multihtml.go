package eval

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
)

// multiView is what the side-by-side template renders.
type multiView struct {
	Suite       string
	Summary     string
	DifferLine  string
	Interrupted string
	CSS         template.CSS
	JS          template.JS
	Configs     []multiConfig
	SideBySide  htmlTable
	Thresholds  []multiThreshold
	Items       []multiItem
	Failed      int
	Differ      int
	Langs       []string
	Kinds       []string
	Passages    []htmlPassage
}

type multiConfig struct {
	Name, Verdict string
	Pass          bool
}

// multiThreshold is one threshold of the suite with its result in each
// configuration.
type multiThreshold struct {
	Name, Op, What string
	Target         float64
	Cells          []multiCell
}

type multiCell struct {
	// Status is PASS, FAIL or SKIP; "" when the configuration did not
	// check the threshold.
	Status, Value string
}

// multiItem is one item with what it got in each configuration.
type multiItem struct {
	ID, Lang, Kind, Question string
	Gold, Facts              []string
	Failed, Differs          bool
	Outcomes                 []multiOutcome
}

type multiOutcome struct {
	Name, Status string
	// Badge is the CSS class of the status badge.
	Badge string
	// Item is nil for an item the configuration's run did not reach.
	Item *htmlItem
}

// WriteHTML writes the configurations side by side as one self-contained
// page: each configuration's verdict, the metrics and thresholds in a
// column per configuration, and every item with the outcome, retrieval
// and answer in each, filterable to the items that differ.
func (m *MultiReport) WriteHTML(w io.Writer) error {
	css, err := htmlFiles.ReadFile("html/report.css")
	if err != nil {
		return err
	}
	js, err := htmlFiles.ReadFile("html/report.js")
	if err != nil {
		return err
	}
	v := multiView{
		Suite: m.Suite, Summary: m.summaryLine(), DifferLine: upperFirst(m.differLine()), Interrupted: m.Interrupted,
		CSS: template.CSS(css), JS: template.JS(js),
		SideBySide: toHTMLTable("", m.table()),
		Differ:     len(m.Differ),
	}
	for _, l := range Langs() {
		v.Langs = append(v.Langs, string(l))
	}
	for _, k := range Kinds {
		v.Kinds = append(v.Kinds, string(k))
	}
	for _, c := range m.Configurations {
		v.Configs = append(v.Configs, multiConfig{Name: c.Name, Verdict: c.Report.verdict(), Pass: c.Report.Pass})
	}
	v.Thresholds = m.thresholdRows()

	// Each configuration's items as the single report shows them, joined
	// by ID.
	perConfig := make([]map[string]*htmlItem, len(m.Configurations))
	var all []htmlItem
	for i, c := range m.Configurations {
		items := c.Report.htmlItems()
		perConfig[i] = map[string]*htmlItem{}
		for j := range items {
			perConfig[i][items[j].ID] = &items[j]
		}
		all = append(all, items...)
	}
	differs := map[string]bool{}
	for _, it := range m.Differ {
		differs[it.ID] = true
	}
	if len(m.Configurations) > 0 {
		for _, row := range m.allOutcomes() {
			mi := multiItem{ID: row.ID, Lang: row.Lang, Kind: row.Kind, Question: row.Question, Differs: differs[row.ID]}
			for i, o := range row.Outcomes {
				mo := multiOutcome{Name: o.Config, Status: o.Status}
				switch o.Status {
				case OutcomePass:
					mo.Badge = StatusPass
				case OutcomeFail:
					mo.Badge = StatusFail
					mi.Failed = true
				default:
					mo.Badge = StatusSkip
				}
				if o.Status != OutcomeNotRun {
					mo.Item = perConfig[i][row.ID]
				}
				if it := perConfig[i][row.ID]; it != nil {
					mi.Gold = it.Gold
					if len(it.Facts) > 0 {
						mi.Facts = it.Facts
					}
				}
				mi.Outcomes = append(mi.Outcomes, mo)
			}
			if mi.Failed {
				v.Failed++
			}
			v.Items = append(v.Items, mi)
		}
		v.Passages = m.Configurations[0].Report.htmlPassages(all)
	}
	var b bytes.Buffer
	if err := htmlTemplate().ExecuteTemplate(&b, "multi", v); err != nil {
		return fmt.Errorf("render the HTML report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// thresholdRows lines up the configurations' thresholds by name, in the
// order of the first configuration's (the suite header's, since all ran
// one suite).
func (m *MultiReport) thresholdRows() []multiThreshold {
	var out []multiThreshold
	index := map[string]int{}
	for ci, c := range m.Configurations {
		for _, th := range c.Report.Thresholds {
			i, ok := index[th.Name]
			if !ok {
				i = len(out)
				index[th.Name] = i
				what := th.Description
				if th.Note != "" {
					what += " (" + th.Note + ")"
				}
				out = append(out, multiThreshold{Name: th.Name, Op: th.Op, Target: th.Target, What: what, Cells: make([]multiCell, len(m.Configurations))})
			}
			cell := multiCell{Status: th.Status, Value: fmt.Sprintf("%.3f", th.Value)}
			if th.Status == StatusSkip {
				cell.Value = "–"
			}
			out[i].Cells[ci] = cell
		}
	}
	return out
}
