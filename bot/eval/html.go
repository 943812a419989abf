package eval

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/declbot/declbot/corpus"
)

// The HTML report is one self-contained file: the template, its CSS and its
// script are embedded here and inlined into the page, the charts are
// inline SVG, and nothing is loaded from the network, so the file can be
// mailed, archived in CI and opened from disk.
//
//go:embed html/report.html.tmpl html/item.html.tmpl html/multi.html.tmpl html/report.css html/report.js
var htmlFiles embed.FS

// htmlTemplate is parsed on first use, not at every process start (about
// 1 ms of each `declbot ask`, which never writes a report).
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"pct": func(v float64) string { return fmt.Sprintf("%.3f", v) },
		"signed": func(v float64) string {
			return fmt.Sprintf("%+.3f", v)
		},
	}).ParseFS(htmlFiles, "html/report.html.tmpl", "html/item.html.tmpl", "html/multi.html.tmpl"))
})

// htmlView is what the template renders: everything computed here, so that
// the template only lays it out.
type htmlView struct {
	*Report
	Summary    string
	Verdict    string
	CSS        template.CSS
	JS         template.JS
	Tables     []htmlTable
	Charts     []htmlChart
	Items      []htmlItem
	Failed     int
	Langs      []string
	Kinds      []string
	Passages   []htmlPassage
	Compared   bool
	Changed    int
	ModeLine   string
	LatencyFor string
}

type htmlTable struct {
	Caption string
	Head    []string
	// Rows of cells; a nil row is a group separator.
	Rows [][]string
}

// htmlChart is a horizontal bar chart: one bar per group, value 0..1.
type htmlChart struct {
	Title  string
	Width  int
	Height int
	Bars   []htmlBar
	// Ticks are the x-axis labels (histograms).
	Ticks []htmlTick
	// Hist marks a histogram (vertical bars, counts).
	Hist bool
}

type htmlBar struct {
	Label      string
	Value      string
	X, Y, W, H float64
	TextX      float64
	TextY      float64
	Fail       bool
}

type htmlTick struct {
	Label string
	X     float64
}

type htmlItem struct {
	ID, Lang, Kind, Question string
	OutOfScope               bool
	Gold                     []string
	Facts                    []string
	Failed                   bool
	Changed                  bool
	Retrieved                []htmlHit
	Relevance                float64
	InScope                  bool
	Query                    string
	HasAnswer                bool
	Answer                   []htmlSpan
	Mode                     string
	Notice                   string
	Cited                    []string
	Rejected                 []string
	Latency                  string
	Problems                 []string
	Changes                  []string
}

type htmlHit struct {
	Rank  int
	ID    string
	Score string
	Gold  bool
}

// htmlSpan is a piece of an answer: text, or a citation marker linked to
// the paragraph it names.
type htmlSpan struct {
	Text string
	Link string
}

type htmlPassage struct {
	ID, Text string
}

// WriteHTML writes the report as one self-contained HTML page: the
// summary per language and kind, the thresholds, charts, the comparison
// with a base run when there is one, and every item with what retrieval
// found and what the answer said, filterable in the page.
func (r *Report) WriteHTML(w io.Writer) error {
	css, err := htmlFiles.ReadFile("html/report.css")
	if err != nil {
		return err
	}
	js, err := htmlFiles.ReadFile("html/report.js")
	if err != nil {
		return err
	}
	v := htmlView{
		Report:  r,
		Summary: r.summaryLine(),
		Verdict: r.verdict(),
		CSS:     template.CSS(css),
		JS:      template.JS(js),
	}
	for _, l := range Langs() {
		v.Langs = append(v.Langs, string(l))
	}
	for _, k := range Kinds {
		v.Kinds = append(v.Kinds, string(k))
	}
	if rr := r.Retrieval; rr != nil {
		v.Tables = append(v.Tables, toHTMLTable("Retrieval", rr.tables()))
		v.Charts = append(v.Charts,
			barChart(fmt.Sprintf("Retrieval hit@%d by language and kind", rr.K), retrievalBars(rr)))
	}
	if ar := r.Answers; ar != nil {
		v.ModeLine = modeSummary(ar)
		v.Tables = append(v.Tables, toHTMLTable("Answers ("+v.ModeLine+")", ar.table()))
		v.Charts = append(v.Charts, barChart("Answers: key facts found, by language and kind", answerBars(ar)),
			barChart("Answers: first cited sentence cites a gold paragraph, by language and kind", firstGoldBars(ar)))
	}
	if c := latencyChart(r); c != nil {
		v.Charts = append(v.Charts, *c)
	}
	if r.Comparison != nil {
		v.Compared = true
	}
	v.Items = r.htmlItems()
	for _, it := range v.Items {
		if it.Failed {
			v.Failed++
		}
		if it.Changed {
			v.Changed++
		}
	}
	v.Passages = r.htmlPassages(v.Items)
	var b bytes.Buffer
	if err := htmlTemplate().Execute(&b, v); err != nil {
		return fmt.Errorf("render the HTML report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

func toHTMLTable(caption string, t table) htmlTable {
	return htmlTable{Caption: caption, Head: t.head, Rows: t.rows}
}

func retrievalBars(rr *RetrievalReport) []barValue {
	var out []barValue
	for _, g := range append(slices.Clone(rr.ByLang), rr.ByKind...) {
		if g.Answerable == 0 {
			continue
		}
		out = append(out, barValue{g.Name, g.HitK})
	}
	return out
}

func answerBars(ar *AnswerReport) []barValue {
	var out []barValue
	for _, g := range append(slices.Clone(ar.ByLang), ar.ByKind...) {
		if g.FactItems == 0 {
			continue
		}
		out = append(out, barValue{g.Name, g.FactCoverage})
	}
	return out
}

func firstGoldBars(ar *AnswerReport) []barValue {
	var out []barValue
	for _, g := range append(slices.Clone(ar.ByLang), ar.ByKind...) {
		if g.CitedItems == 0 {
			continue
		}
		out = append(out, barValue{g.Name, g.FirstGold})
	}
	return out
}

type barValue struct {
	label string
	v     float64
}

// Chart geometry, in SVG user units; the SVG scales to the screen width.
const (
	chartWidth  = 360
	chartLabelW = 96
	chartBarH   = 16
	chartGap    = 6
)

func barChart(title string, vals []barValue) htmlChart {
	c := htmlChart{Title: title, Width: chartWidth}
	plot := float64(chartWidth - chartLabelW - 44)
	for i, bv := range vals {
		y := float64(i*(chartBarH+chartGap)) + 4
		w := math.Max(0, math.Min(1, bv.v)) * plot
		c.Bars = append(c.Bars, htmlBar{
			Label: bv.label, Value: fmt.Sprintf("%.3f", bv.v),
			X: chartLabelW, Y: y, W: w, H: chartBarH,
			TextX: chartLabelW + w + 4, TextY: y + chartBarH - 4,
			Fail: bv.v < 0.8,
		})
	}
	c.Height = len(vals)*(chartBarH+chartGap) + 8
	return c
}

// latencyChart is a histogram of the answer latencies (retrieval's when
// answers were not evaluated), in bins on a log scale from the fastest to
// the slowest item, since extractive answers take milliseconds and a
// model's seconds.
func latencyChart(r *Report) *htmlChart {
	var ds []time.Duration
	what := "retrieval"
	if r.Answers != nil {
		what = "answers"
		for _, it := range r.Answers.Items {
			ds = append(ds, time.Duration(it.Latency))
		}
	} else if r.Retrieval != nil {
		for _, it := range r.Retrieval.Items {
			ds = append(ds, time.Duration(it.Latency))
		}
	}
	if len(ds) == 0 {
		return nil
	}
	lo, hi := slices.Min(ds), slices.Max(ds)
	lo = max(lo, time.Microsecond)
	hi = max(hi, lo+time.Microsecond)
	const bins = 12
	counts := make([]int, bins)
	span := math.Log(float64(hi)) - math.Log(float64(lo))
	for _, d := range ds {
		d = max(d, lo)
		i := int(float64(bins) * (math.Log(float64(d)) - math.Log(float64(lo))) / span)
		counts[min(i, bins-1)]++
	}
	peak := slices.Max(counts)
	c := &htmlChart{Title: fmt.Sprintf("Latency of %s: %d items, p50 %s, p95 %s (log scale)", what, len(ds),
		Millis(Percentile(ds, 50)), Millis(Percentile(ds, 95))), Width: chartWidth, Height: 120, Hist: true}
	const plotH, base, left = 90.0, 96.0, 8.0
	bw := (chartWidth - 2*left) / bins
	for i, n := range counts {
		h := plotH * float64(n) / float64(peak)
		c.Bars = append(c.Bars, htmlBar{
			Value: fmt.Sprint(n), X: left + float64(i)*bw + 1, Y: base - h, W: bw - 2, H: h,
			TextX: left + float64(i)*bw + bw/2, TextY: base - h - 2,
		})
	}
	at := func(f float64) time.Duration { return time.Duration(math.Exp(math.Log(float64(lo)) + f*span)) }
	for _, f := range []float64{0, 0.5, 1} {
		c.Ticks = append(c.Ticks, htmlTick{Label: Millis(at(f)).String(), X: left + f*(chartWidth-2*left)})
	}
	return c
}

// htmlItems joins each item's retrieval and answer, in suite order.
func (r *Report) htmlItems() []htmlItem {
	answers := map[string]*AnswerItem{}
	if r.Answers != nil {
		for i := range r.Answers.Items {
			answers[r.Answers.Items[i].ID] = &r.Answers.Items[i]
		}
	}
	changes := map[string][]string{}
	if c := r.Comparison; c != nil {
		for _, g := range [][]ItemChange{c.Worse, c.Better} {
			for _, it := range g {
				changes[it.ID] = append(changes[it.ID], it.Changes...)
			}
		}
	}
	var out []htmlItem
	if r.Retrieval == nil {
		return nil
	}
	for _, ri := range r.Retrieval.Items {
		it := htmlItem{
			ID: ri.ID, Lang: string(ri.Lang), Kind: string(ri.Kind), Question: ri.Question,
			OutOfScope: ri.OutOfScope, Gold: ri.Gold, Relevance: ri.Relevance, InScope: ri.InScope, Query: ri.Query,
			Changes: changes[ri.ID], Changed: len(changes[ri.ID]) > 0,
		}
		for _, p := range ri.Problems {
			it.Problems = append(it.Problems, "retrieval: "+p)
		}
		for i, id := range ri.Got {
			it.Retrieved = append(it.Retrieved, htmlHit{Rank: i + 1, ID: id, Score: fmt.Sprintf("%.4f", ri.Scores[i]), Gold: slices.Contains(ri.Gold, id)})
		}
		if a := answers[ri.ID]; a != nil {
			it.HasAnswer = true
			it.Facts = a.Facts
			it.Answer = answerSpans(a.Answer)
			it.Mode, it.Notice, it.Cited, it.Rejected = string(a.Mode), a.Notice, a.Cited, a.Rejected
			it.Latency = a.Latency.String()
			for _, p := range a.Problems {
				it.Problems = append(it.Problems, "answer: "+p)
			}
		}
		it.Failed = len(it.Problems) > 0
		out = append(out, it)
	}
	return out
}

// answerSpans splits an answer at its citation markers (corpus.FindMarkers,
// the grammar the engine checks) and links each marker to the first
// paragraph it names.
func answerSpans(text string) []htmlSpan {
	var out []htmlSpan
	last := 0
	for _, m := range corpus.FindMarkers(text) {
		if m.Start > last {
			out = append(out, htmlSpan{Text: text[last:m.Start]})
		}
		span := htmlSpan{Text: text[m.Start:m.End]}
		for _, ref := range m.Refs {
			if ids := ref.IDs(); len(ids) > 0 {
				span.Link = ids[0]
				break
			}
		}
		out = append(out, span)
		last = m.End
	}
	if last < len(text) {
		out = append(out, htmlSpan{Text: text[last:]})
	}
	return out
}

// htmlPassages returns the text of every paragraph the items link to
// (gold, retrieved, cited), in corpus order, so that each link has its
// target and the page carries no paragraph twice.
func (r *Report) htmlPassages(items []htmlItem) []htmlPassage {
	if r.corpus == nil {
		return nil
	}
	want := map[string]bool{}
	for _, it := range items {
		for _, id := range it.Gold {
			want[id] = true
		}
		for _, h := range it.Retrieved {
			want[h.ID] = true
		}
		for _, id := range it.Cited {
			want[id] = true
		}
		for _, s := range it.Answer {
			if s.Link != "" {
				want[s.Link] = true
			}
		}
	}
	var out []htmlPassage
	for _, p := range r.corpus.Passages() {
		if want[p.ID] {
			out = append(out, htmlPassage{ID: p.ID, Text: strings.TrimSpace(p.TextHans)})
		}
	}
	return out
}
