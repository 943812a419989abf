package corpus

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func load(t testing.TB) *Corpus {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestCounts(t *testing.T) {
	c := load(t)
	want := map[string]int{"0": 1, "1": 17, "2": 44, "3": 38, "4": 27, "5": 8, "T": 18, "W": 13}
	got := map[string]int{}
	docs := map[string]int{}
	for _, p := range c.Passages() {
		got[p.Section]++
		docs[p.Doc]++
	}
	for sec, n := range want {
		if got[sec] != n {
			t.Errorf("section %s: %d passages, want %d", sec, got[sec], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("sections %v, want %v", got, want)
	}
	wantDocs := map[string]int{"declaration": 1 + 17 + 44 + 38 + 27 + 8, "trade": 18, "ww2un80": 13}
	for d, n := range wantDocs {
		if docs[d] != n {
			t.Errorf("document %s: %d passages, want %d", d, docs[d], n)
		}
	}
	if c.Len() != 166 {
		t.Errorf("Len = %d, want 166", c.Len())
	}
}

func TestPassagesAreWellFormed(t *testing.T) {
	c := load(t)
	seen := map[string]bool{}
	for i, p := range c.Passages() {
		if seen[p.ID] {
			t.Errorf("duplicate ID %s", p.ID)
		}
		seen[p.ID] = true
		if p.Index != i {
			t.Errorf("%s: Index %d, want %d", p.ID, p.Index, i)
		}
		if strings.TrimSpace(p.TextHans) == "" || strings.TrimSpace(p.TextHant) == "" {
			t.Errorf("%s: empty text", p.ID)
		}
		if p.Title(Hans) == "" || p.Title(Hant) == "" || p.SectionName(Hans) == "" {
			t.Errorf("%s: missing title or section name", p.ID)
		}
		// Mainland quotation marks in simplified text, corner quotes in
		// traditional.
		if strings.ContainsAny(p.TextHans, "「」『』") {
			t.Errorf("%s: corner quotes in simplified text", p.ID)
		}
		if strings.ContainsAny(p.TextHant, "“”") {
			t.Errorf("%s: curly quotes in traditional text", p.ID)
		}
		if p.ID != "5.8" && strings.ContainsAny(p.TextHans+p.TextHant, "\n\t") {
			t.Errorf("%s: line break inside a paragraph", p.ID)
		}
		if DetectScript(p.TextHans) != Hans || (p.ID != "5.8" && DetectScript(p.TextHant) != Hant) {
			t.Errorf("%s: script detection disagrees with the field", p.ID)
		}
	}
	sig, _ := c.Get("5.8")
	if n := len(strings.Split(sig.TextHans, "\n")); n != 10 {
		t.Errorf("5.8 has %d signatories, want 10", n)
	}
	if !strings.Contains(sig.TextHans, "习近平") || !strings.Contains(sig.TextHant, "習近平") {
		t.Errorf("5.8 does not look like the signature block: %q", sig.TextHans)
	}
	// The upstream conversion errors are corrected in simplified text.
	for _, bad := range []string{"恢覆", "覆苏", "覆兴", "朝著", "本著"} {
		for _, p := range c.Passages() {
			if strings.Contains(p.TextHans, bad) {
				t.Errorf("%s: simplified text still has %s", p.ID, bad)
			}
		}
	}
}

// altForms lists ways people type the passage's ID.
func altForms(p Passage) []string {
	if p.Section == "T" || p.Section == "W" {
		n := fmt.Sprint(p.Seq)
		return []string{p.ID, strings.ToLower(p.ID), "[" + p.ID + "]", "§" + p.ID, p.Section + " " + n, strings.ToLower(p.Section) + "第" + n + "段"}
	}
	sec := p.Section
	num := []string{"〇", "一", "二", "三", "四", "五"}[p.Section[0]-'0']
	n := fmt.Sprint(p.Seq)
	return []string{
		p.ID,
		sec + "-" + n,
		"§" + p.ID,
		"§ " + p.ID,
		num + "." + n,
		"第" + num + "部分第" + n + "段",
		"第" + num + "部分第" + chineseNumber(p.Seq) + "段",
		"第" + sec + "部分第" + n + "段",
		"[" + p.ID + "]",
		"【" + p.ID + "】",
		fullWidth(p.ID),
		" " + p.ID + " ",
	}
}

func chineseNumber(n int) string {
	d := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return d[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + d[n%10]
	default:
		return d[n/10] + "十" + d[n%10]
	}
}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0x20 && r < 0x7f {
			return r - 0x21 + 0xFF01
		}
		return r
	}, s)
}

func TestLookupRoundTripsEveryForm(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		for _, form := range altForms(p) {
			got, err := c.Lookup(form)
			if err != nil {
				t.Errorf("Lookup(%q): %v", form, err)
				continue
			}
			if len(got) != 1 || got[0].ID != p.ID {
				t.Errorf("Lookup(%q) = %v, want %s", form, ids(got), p.ID)
			}
		}
	}
}

func ids(ps []Passage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestLookupRanges(t *testing.T) {
	c := load(t)
	tests := []struct {
		in   string
		want string
	}{
		{"2.17-2.19", "2.17 2.18 2.19"},
		{"2.17–2.19", "2.17 2.18 2.19"},
		{"2.17-19", "2.17 2.18 2.19"},
		{"2.17至2.19", "2.17 2.18 2.19"},
		{"T3-T5", "T3 T4 T5"},
		{"t3-5", "T3 T4 T5"},
		{"W12-W13", "W12 W13"},
		{"1.17-2.1", "1.17 2.1"}, // across sections of one document
		{"2.36-2.36", "2.36"},
		{"0.1-1.2", "0.1 1.1 1.2"},
	}
	for _, tt := range tests {
		got, err := c.Lookup(tt.in)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.in, err)
			continue
		}
		if g := strings.Join(ids(got), " "); g != tt.want {
			t.Errorf("Lookup(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}

func TestLookupErrorsNameValidRanges(t *testing.T) {
	c := load(t)
	tests := []struct {
		in, wantMsg string
	}{
		{"2.45", "section 2 has paragraphs 2.1-2.44"},
		{"1.0", "section 1 has paragraphs 1.1-1.17"},
		{"0.2", "section 0 has only paragraph 0.1"},
		{"5.9", "section 5 has paragraphs 5.1-5.8"},
		{"T19", "paragraphs T1-T18"},
		{"W0", "WWII and the UN has paragraphs W1-W13"},
		{"6.1", "there is no section 6"},
		{"hello", "not a paragraph ID"},
		{"", "empty paragraph ID"},
		{"2.19-2.17", "runs backwards"},
		{"2.44-T1", "spans two documents"},
		{"2.36.1", "not a paragraph ID"},
		{"<b>2.36</b>", "not a paragraph ID"},
		{strings.Repeat("2", 10000), "not a paragraph ID"},
	}
	for _, tt := range tests {
		got, err := c.Lookup(tt.in)
		if err == nil {
			t.Errorf("Lookup(%q) = %v, want an error", tt.in, ids(got))
			continue
		}
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%q): error %v does not wrap ErrNotFound", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Lookup(%q) error %q, want it to contain %q", tt.in, err, tt.wantMsg)
		}
	}
}

// TestLookupHostileInput: a reference longer than any ID is rejected
// without trying every '-' as the middle of a range (which took minutes for
// 40 KB of digits and dashes), and the error quotes only its start.
func TestLookupHostileInput(t *testing.T) {
	c := load(t)
	for _, in := range []string{
		strings.Repeat("1", 1<<19) + strings.Repeat("-", 1<<19),
		strings.Repeat("2.1-", 1<<18),
		strings.Repeat("二", 1<<18),
	} {
		_, err := c.Lookup(in)
		if err == nil || !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not a paragraph ID") {
			t.Errorf("Lookup(%d bytes): error %.200v, want a LookupError saying it is not a paragraph ID", len(in), err)
			continue
		}
		if n := len(err.Error()); n > 1000 {
			t.Errorf("Lookup(%d bytes): error message has %d bytes, want it to quote only the start of the input", len(in), n)
		}
	}
}

func TestLookupAll(t *testing.T) {
	c := load(t)
	got, err := c.LookupAll("2.36, 3.5；T1-T2 2.36")
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(ids(got), " "); g != "2.36 3.5 T1 T2" {
		t.Errorf("LookupAll = %s", g)
	}
	if _, err := c.LookupAll(" , "); err == nil {
		t.Error("LookupAll of only separators: want an error")
	}
}

func TestNeighbours(t *testing.T) {
	c := load(t)
	tests := []struct {
		id   string
		n    int
		want string
	}{
		{"2.36", 1, "2.35 2.36 2.37"},
		{"0.1", 2, "0.1 1.1 1.2"},
		{"5.8", 1, "5.7 5.8"}, // the declaration ends; T1 is another document
		{"T1", 1, "T1 T2"},
		{"W13", 0, "W13"},
	}
	for _, tt := range tests {
		if g := strings.Join(ids(c.Neighbours(tt.id, tt.n)), " "); g != tt.want {
			t.Errorf("Neighbours(%s, %d) = %s, want %s", tt.id, tt.n, g, tt.want)
		}
	}
	if _, ok := c.Next("5.8"); ok {
		t.Error("Next(5.8) crossed into another document")
	}
	if p, ok := c.Prev("2.1"); !ok || p.ID != "1.17" {
		t.Errorf("Prev(2.1) = %v, %v", p.ID, ok)
	}
}

func TestValidRanges(t *testing.T) {
	c := load(t)
	want := "0.1; 1.1-1.17; 2.1-2.44; 3.1-3.38; 4.1-4.27; 5.1-5.8; T1-T18; W1-W13"
	if got := c.ValidRanges(); got != want {
		t.Errorf("ValidRanges = %q, want %q", got, want)
	}
}

func TestParseNumeral(t *testing.T) {
	tests := map[string]int{"1": 1, "36": 36, "一": 1, "十": 10, "十二": 12, "二十": 20, "三十六": 36, "四十四": 44, "两": 2}
	for in, want := range tests {
		if got, ok := parseNumeral(in); !ok || got != want {
			t.Errorf("parseNumeral(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "十十", "二三", "abc", "三百"} {
		if got, ok := parseNumeral(bad); ok {
			t.Errorf("parseNumeral(%q) = %d, want failure", bad, got)
		}
	}
}

func TestParseScript(t *testing.T) {
	for in, want := range map[string]Script{"hans": Hans, "HANT": Hant, "zh-TW": Hant, "simplified": Hans, "traditional": Hant} {
		if got, err := ParseScript(in); err != nil || got != want {
			t.Errorf("ParseScript(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseScript("latin"); err == nil {
		t.Error("ParseScript(latin): want an error")
	}
}
