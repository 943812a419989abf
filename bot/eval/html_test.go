package eval

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// smallReport evaluates the small suite's retrieval and answers with the
// hand-made fakes.
func smallReport(t *testing.T) *Report {
	t.Helper()
	s := loadSmall(t)
	rr, err := EvaluateRetrieval(context.Background(), s, smallRetriever(s.Corpus()), 5)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := EvaluateAnswers(context.Background(), s, smallAnswerer(t, s.Corpus()))
	if err != nil {
		t.Fatal(err)
	}
	return NewReport(s, rr, ar)
}

// renderHTML writes r as HTML and parses it back.
func renderHTML(t *testing.T, r *Report) (string, *html.Node) {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("the report does not parse as HTML: %v", err)
	}
	return b.String(), doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, c string) bool {
	v, _ := attr(n, "class")
	for _, f := range strings.Fields(v) {
		if f == c {
			return true
		}
	}
	return false
}

// find returns the elements below n for which ok is true, in document order.
func find(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func byID(doc *html.Node, id string) *html.Node {
	ns := find(doc, func(n *html.Node) bool { v, ok := attr(n, "id"); return ok && v == id })
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

func TestHTMLReportParts(t *testing.T) {
	r := smallReport(t)
	page, doc := renderHTML(t, r)

	// Self-contained: no resource from anywhere, not even the same folder.
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if a.Key == "src" || (a.Key == "href" && !strings.HasPrefix(a.Val, "#")) {
				t.Errorf("<%s %s=%q> loads or links outside the page", n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "link" || n.Data == "iframe" || n.Data == "img" {
			t.Errorf("<%s> in a self-contained page", n.Data)
		}
	}
	for _, bad := range []string{"@import", "url(", "http://", "https://", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if n := len(find(doc, tag("style"))); n != 1 {
		t.Errorf("%d <style> elements, want 1 inline", n)
	}
	if n := len(find(doc, tag("script"))); n != 1 {
		t.Errorf("%d <script> elements, want 1 inline", n)
	}
	if v := find(doc, tag("meta")); len(v) < 2 {
		t.Error("no viewport meta: the page would not fit a phone")
	}

	// Thresholds: one row each, with its status.
	th := byID(doc, "thresholds")
	rows := find(th, tag("tr"))[1:]
	if len(rows) != len(r.Thresholds) {
		t.Fatalf("%d threshold rows, want %d", len(rows), len(r.Thresholds))
	}
	for i, row := range rows {
		want := r.Thresholds[i]
		if got := text(row); !strings.Contains(got, want.Status) || !strings.Contains(got, want.Name) {
			t.Errorf("threshold row %d = %q, want %s %s", i, got, want.Status, want.Name)
		}
	}

	// Summary per language and kind for both parts.
	sum := text(byID(doc, "summary"))
	for _, want := range []string{"Retrieval", "Answers (extractive 4)", "hit@1", "MRR", "false refusals", "zh-Hant", "paraphrase", "p95"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q", want)
		}
	}

	// Charts: a bar per measured group, and the latency histogram.
	svgs := find(byID(doc, "charts"), tag("svg"))
	if len(svgs) != 4 {
		t.Fatalf("%d charts, want 4 (retrieval, answer facts, answer first gold, latency)", len(svgs))
	}
	// Answerable retrieval groups in the small suite: zh-Hans, zh-Hant, en;
	// factual, multi, paraphrase.
	if n := len(find(svgs[0], tag("rect"))); n != 6 {
		t.Errorf("retrieval chart has %d bars, want 6", n)
	}
	if len(find(svgs[3], tag("rect"))) != 12 {
		t.Errorf("latency histogram has %d bins, want 12", len(find(svgs[3], tag("rect"))))
	}
	if !strings.Contains(sum, "first gold") || !strings.Contains(sum, "runes") {
		t.Errorf("summary lacks the first-gold and length columns")
	}

	// Filters exist with every language and kind.
	for _, id := range []string{"f-lang", "f-kind", "f-failed"} {
		if byID(doc, id) == nil {
			t.Errorf("no filter #%s", id)
		}
	}
	if n := len(find(byID(doc, "f-lang"), tag("option"))); n != len(Langs())+1 {
		t.Errorf("language filter has %d options, want %d", n, len(Langs())+1)
	}

	// Every item, with its data for the filters.
	items := find(doc, func(n *html.Node) bool { return n.Data == "details" && hasClass(n, "it") })
	if len(items) != 5 {
		t.Fatalf("%d items, want 5", len(items))
	}
	failed := 0
	for i, n := range items {
		want := r.Retrieval.Items[i]
		if lang, _ := attr(n, "data-lang"); lang != string(want.Lang) {
			t.Errorf("item %s: data-lang %q", want.ID, lang)
		}
		if kind, _ := attr(n, "data-kind"); kind != string(want.Kind) {
			t.Errorf("item %s: data-kind %q", want.ID, kind)
		}
		if f, _ := attr(n, "data-failed"); f == "1" {
			failed++
		}
	}
	if body := find(doc, tag("body"))[0]; func() string { v, _ := attr(body, "data-failed"); return v }() != "4" || failed != 4 {
		t.Errorf("failed items: %d marked, want 4 (a passes everything)", failed)
	}

	// Item a: gold, what was retrieved with ranks and scores, the answer
	// with its citation linked to the paragraph's text.
	a := byID(doc, "i-a")
	at := text(a)
	for _, want := range []string{"qa", "1.0000 ✓", "0.5000", "会议于2025年9月1日在天津举行", "天津 · 2025年9月1日"} {
		if !strings.Contains(at, want) {
			t.Errorf("item a lacks %q:\n%s", want, at)
		}
	}
	hits := find(a, func(n *html.Node) bool { return n.Data == "li" && n.Parent != nil && hasClass(n.Parent, "hits") })
	if len(hits) != 5 || !hasClass(hits[0], "gold") {
		t.Errorf("item a: %d retrieved, first gold %v", len(hits), len(hits) > 0 && hasClass(hits[0], "gold"))
	}
	cites := find(a, func(n *html.Node) bool { return n.Data == "a" && hasClass(n, "cite") })
	if len(cites) != 1 || text(cites[0]) != "[0.1]" {
		t.Fatalf("item a: citation links %d", len(cites))
	}
	href, _ := attr(cites[0], "href")
	target := byID(doc, strings.TrimPrefix(href, "#"))
	if target == nil || !strings.Contains(text(target), "天津") {
		t.Errorf("citation %s does not lead to the paragraph's text", href)
	}
	// Every link in the page has its target.
	for _, l := range find(doc, tag("a")) {
		if h, _ := attr(l, "href"); strings.HasPrefix(h, "#") && byID(doc, h[1:]) == nil {
			t.Errorf("link %s has no target", h)
		}
	}

	// Item e: why it failed.
	if et := text(byID(doc, "i-e")); !strings.Contains(et, "why it failed") || !strings.Contains(et, "model exploded") {
		t.Errorf("item e does not say why it failed:\n%s", et)
	}
}

func TestHTMLEscapes(t *testing.T) {
	r := smallReport(t)
	r.Retrieval.Items[0].Question = `<script>alert(1)</script>`
	r.Answers.Items[0].Answer = `<img src=x onerror=alert(1)> [0.1]`
	page, doc := renderHTML(t, r)
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img") {
		t.Error("question or answer text is not escaped")
	}
	if len(find(doc, tag("script"))) != 1 || len(find(doc, tag("img"))) != 0 {
		t.Error("text became elements")
	}
	if !strings.Contains(text(byID(doc, "i-a")), `<script>alert(1)</script>`) {
		t.Error("escaped question is not shown as text")
	}
}

func TestHTMLComparison(t *testing.T) {
	base := smallReport(t)
	head := smallReport(t)
	// Item a loses its gold from rank 1 to nowhere, c finds it.
	head.Retrieval.Items[0].Rank, head.Retrieval.Items[2].Rank = 0, 1
	if err := head.Compare(base, "base.json", DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	_, doc := renderHTML(t, head)
	cmp := byID(doc, "compare")
	if cmp == nil {
		t.Fatal("no comparison section")
	}
	if !strings.Contains(text(cmp), "base.json") || len(find(cmp, tag("tr"))) < 2 {
		t.Errorf("comparison section: %s", text(cmp))
	}
	if byID(doc, "f-changed") == nil {
		t.Error("no changed-only filter")
	}
	a := byID(doc, "i-a")
	if v, _ := attr(a, "data-changed"); v != "1" || !strings.Contains(text(a), "rank 1 → none") {
		t.Errorf("item a not marked changed: %s", text(a))
	}
}
