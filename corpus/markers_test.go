package corpus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refsOf is each marker of text as "span=ID ID …" (canonical references).
func refsOf(text string) []string {
	var out []string
	for _, m := range FindMarkers(text) {
		var rs []string
		for _, r := range m.Refs {
			rs = append(rs, r.String())
		}
		out = append(out, text[m.Start:m.End]+"="+strings.Join(rs, " "))
	}
	return out
}

func TestFindMarkers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"canonical", "外空[2.36]。", []string{"[2.36]=2.36"}},
		{"dash", "[2-36]", []string{"[2-36]=2.36"}},
		{"slash", "[2/36]", []string{"[2/36]=2.36"}},
		{"colon", "[2:36]", []string{"[2:36]=2.36"}},
		{"enumeration comma", "[2、36]", []string{"[2、36]=2.36"}},
		{"chinese section", "[二.36]", []string{"[二.36]=2.36"}},
		{"chinese words", "【第二部分第三十六段】", []string{"【第二部分第三十六段】=2.36"}},
		{"di duan around dotted", "[第2.36段]", []string{"[第2.36段]=2.36"}},
		{"full-width", "［２．３６］", []string{"［２．３６］=2.36"}},
		{"full-width dash", "［２－３６］", []string{"［２－３６］=2.36"}},
		{"tortoise shell", "〔2.36〕〖T3〗", []string{"〔2.36〕=2.36", "〖T3〗=T3"}},
		{"statement lower case", "[t3] [w13]", []string{"[t3]=T3", "[w13]=W13"}},
		{"section sign and caret", "[§2.36] [^2.36]", []string{"[§2.36]=2.36", "[^2.36]=2.36"}},
		{"reference words", "[see 2.36] [п. 2.36] [参见2.36] [paragraphs 2.36-2.38]", []string{"[see 2.36]=2.36", "[п. 2.36]=2.36", "[参见2.36]=2.36", "[paragraphs 2.36-2.38]=2.36-2.38"}},
		{"range", "[2.17-2.19] [2.17–19] [2.17至2.19] [T3-T5]", []string{"[2.17-2.19]=2.17-2.19", "[2.17–19]=2.17-2.19", "[2.17至2.19]=2.17-2.19", "[T3-T5]=T3-T5"}},
		{"dash range", "[2-17-2-19]", []string{"[2-17-2-19]=2.17-2.19"}},
		{"comma list", "[2.36, 3.21]", []string{"[2.36, 3.21]=2.36 3.21"}},
		{"semicolon list", "[2.36；T3]", []string{"[2.36；T3]=2.36 T3"}},
		{"enumeration list", "【2.36、3.21】", []string{"【2.36、3.21】=2.36 3.21"}},
		{"space list", "[2.36 3.21]", []string{"[2.36 3.21]=2.36 3.21"}},
		{"word list", "[2.36 and 3.21] [2.36 и T3] [2.36和T3]", []string{"[2.36 and 3.21]=2.36 3.21", "[2.36 и T3]=2.36 T3", "[2.36和T3]=2.36 T3"}},
		{"not existing is still a reference", "[9-99] [T40]", []string{"[9-99]=9.99", "[T40]=T40"}},
		{"doubled", "[[2.36]]", []string{"[[2.36]]=2.36"}},
		{"mismatched", "[2.36】", []string{"[2.36】=2.36"}},
		{"closing run longer than opening", "(see [2.36]) ok", []string{"[2.36]=2.36"}},
		{"opening run longer than closing", "[[2.36] ok", []string{"[[2.36]=2.36"}},
		{"note beside a reference", "[2.36, see above]", []string{"[2.36, see above]=2.36"}},
		{"round strict", "(2.36) (T3) (第二部分第36段) (§2.36-2.38)", []string{"(2.36)=2.36", "(T3)=T3", "(第二部分第36段)=2.36", "(§2.36-2.38)=2.36-2.38"}},
		// The one rule's other side: brackets that stay text.
		{"numbered note", "[1] [12]", nil},
		{"year", "[2025] (2001)", nil},
		{"word", "[注] [sic] [see above]", nil},
		{"prose with an ID", "[2.36 is open]", nil},
		{"round loose", "(2/3) (1-3) (10:30) (2-36) (2、36)", nil},
		{"round with a note", "(2.36, see above)", nil},
		{"section over nine", "[12.5]", nil},
		{"unclosed", "[2.36 and on", nil},
		{"unopened", "2.36] and on", nil},
		{"across lines", "[2.\n36]", nil},
		{"nested", "[2.3[注]6]", nil},
		{"html inside", "[<b>2.36</b>]", nil},
		{"too long", "[" + strings.Repeat(" ", maxMarkerRunes) + "2.36]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refsOf(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("FindMarkers(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Every form Lookup accepts for every passage is, in citation brackets, a
// marker naming that passage: the two cannot drift apart.
func TestMarkersAcceptEveryLookupForm(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		for _, form := range altForms(p) {
			for _, br := range []string{"[]", "【】", "［］", "〔〕"} {
				open, close := br[:len(br)/2], br[len(br)/2:]
				text := "甲" + open + strings.TrimSpace(strings.Trim(form, "[]【】")) + close + "乙"
				ms := FindMarkers(text)
				if len(ms) != 1 || len(ms[0].Refs) != 1 {
					t.Errorf("%q: markers %q, want one naming %s", text, refsOf(text), p.ID)
					continue
				}
				ps, err := c.LookupRef(ms[0].Refs[0])
				if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
					t.Errorf("%q names %v (%v), want %s", text, ids(ps), err, p.ID)
				}
			}
		}
	}
}

func TestRewriteMarkers(t *testing.T) {
	drop9 := func(m Marker) string {
		var b strings.Builder
		for _, r := range m.Refs {
			if r.String() == "9.99" {
				return ""
			}
			b.WriteString("[" + r.String() + "]")
		}
		return b.String()
	}
	tests := []struct{ in, want string }{
		{"a [2-36] b", "a [2.36] b"},
		{"a [9.99] b.", "a b."},
		{"外空问题【9.99】。", "外空问题。"},
		{"empty [] and ( ) go", "empty and go"},
		// Removing a marker joins the text around it: the result is not
		// the writer's marker, so it is text.
		{"[2.3[9.99]6]", "2.36"},
		{"[2.3[]6]", "2.36"},
		{"[2.3 [9.99] 6]", "2.3 6"},
		{"[第[2.3[9.99]6]]", "第2.36"},
		{"(2.3[9.99]6)", "2.36"},
		// A bracket that is no marker keeps its text around it.
		{"[a [9.99] b]", "[a b]"},
		{"[注[9.99]]", "[注]"},
		{"[2.3[注]6]", "[2.3[注]6]"},
		{"(see [2.36]) ok", "(see [2.36]) ok"},
		// A removal that puts two openers side by side makes them one
		// run, as a reader of the result sees it (FuzzMarkers found it).
		{"(()(2.36)", "[2.36]"},
	}
	for _, tt := range tests {
		if got := RewriteMarkers(tt.in, drop9); got != tt.want {
			t.Errorf("RewriteMarkers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Hostile text: thousands of markers, huge brackets, unbalanced brackets.
// Each must come out right; docs/BENCHMARKS.md has the time (linear:
// BenchmarkRewriteMarkersHostile).
func TestRewriteMarkersHostile(t *testing.T) {
	keep := func(m Marker) string { return "[" + m.Refs[0].String() + "]" }
	for name, tt := range map[string]struct {
		in      string
		markers int
	}{
		"many markers":     {strings.Repeat("外空[2-36]", 20000), 20000},
		"huge bracket":     {"[" + strings.Repeat("2", 10000) + "]", 0},
		"only openers":     {strings.Repeat("[2.3", 20000), 0},
		"only closers":     {strings.Repeat("2.36]", 20000), 0},
		"deep nesting":     {strings.Repeat("[", 20000) + "2.36" + strings.Repeat("]", 20000), 1},
		"nested joins":     {strings.Repeat("[第", 5000) + "[2.3[9.99]6]" + strings.Repeat("]", 5000), 1},
		"alternating runs": {strings.Repeat("[(【", 10000) + strings.Repeat(")]】", 10000), 0},
	} {
		got := FindMarkers(tt.in)
		if len(got) != tt.markers {
			t.Errorf("%s: %d markers, want %d", name, len(got), tt.markers)
		}
		out := RewriteMarkers(tt.in, keep)
		if !utf8.ValidString(out) {
			t.Errorf("%s: output is not UTF-8", name)
		}
	}
}

func BenchmarkRewriteMarkersHostile(b *testing.B) {
	drop := func(Marker) string { return "" }
	for _, n := range []int{1000, 10000, 100000} {
		for name, unit := range map[string]string{"markers": "a [9-99] ", "nested": "[第"} {
			text := strings.Repeat(unit, n)
			if name == "nested" {
				text += "[2.3[9.99]6]" + strings.Repeat("]", n)
			}
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					RewriteMarkers(text, drop)
				}
			})
		}
	}
}

// Every prefix of a marker, as a streamed answer shows it, is held back
// from the opening bracket on; prose in parentheses is not.
func TestOpenMarkerStart(t *testing.T) {
	for _, m := range []string{"[2.36]", "[2-36]", "【二.36】", "［２．３６］", "〔2、36〕", "[see 2.36 and T3]", "(第二部分第36段)", "(§2.36-2.38)", "(see 2.36)", "[п. 2.36]", "[[2.36", "[注, 2.36]"} {
		text := "外空" + m
		rs := []rune(text)
		for i := 3; i < len(rs); i++ {
			prefix := string(rs[:i])
			if got := OpenMarkerStart(prefix); got != len("外空") {
				t.Errorf("OpenMarkerStart(%q) = %d, want %d", prefix, got, len("外空"))
			}
		}
		if last, _ := utf8.DecodeLastRuneInString(text); isCloseBracket(last) && OpenMarkerStart(text) != -1 {
			t.Errorf("OpenMarkerStart(%q) = %d for a closed marker, want -1", text, OpenMarkerStart(text))
		}
	}
	for _, s := range []string{"Space (which is", "上海合作组织（以下称", "a (" + strings.Repeat("2", maxMarkerRunes+1), "a [" + strings.Repeat("x", maxMarkerRunes+1), "a [2.36\nb"} {
		if got := OpenMarkerStart(s); got != -1 {
			t.Errorf("OpenMarkerStart(%q) = %d, want -1", s, got)
		}
	}
}

func TestParseRefCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"2-36": "2.36", "二.36": "2.36", "2、36": "2.36", "see 2.36": "2.36", "t3": "T3", "9-99": "9.99",
		"2.17-19": "2.17-2.19", "2-17-2-19": "2.17-2.19", "第二部分第36段": "2.36", "[§2.36]": "2.36",
	} {
		r, ok := ParseRef(in)
		if !ok || r.String() != want {
			t.Errorf("ParseRef(%q) = %q, %v; want %q", in, r.String(), ok, want)
		}
		if again, ok := ParseRef(r.String()); !ok || again.String() != want {
			t.Errorf("canonical %q does not parse back", want)
		}
	}
	for _, in := range []string{"1", "2025", "注", "see", "2.36 is", strings.Repeat("2", 300)} {
		if r, ok := ParseRef(in); ok {
			t.Errorf("ParseRef(%q) = %q, want no reference", in, r.String())
		}
	}
}

// FuzzMarkers: the marker scanner never panics, finds markers in order
// without overlap, each naming references that print in a canonical form
// that parses back; rewriting every marker to its canonical form leaves
// no marker that is not one of those written.
func FuzzMarkers(f *testing.F) {
	for _, s := range []string{"[2.36]", "[2-36]【二.36】", "[[2.3[9.99]6]]", "(see [2.36])", "[注, 2.36]", "(2/3)", "[2.36；T3]", "［２．３６］〔〕", "[\n2.36]", "(()(0.0)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end := 0
		for _, m := range FindMarkers(s) {
			if m.Start < end || m.End <= m.Start || m.End > len(s) || len(m.Refs) == 0 {
				t.Fatalf("marker %d-%d after %d in %q", m.Start, m.End, end, s)
			}
			end = m.End
			for _, r := range m.Refs {
				again, ok := ParseRef(r.String())
				if !ok || again.String() != r.String() {
					t.Fatalf("%q: canonical %q does not parse back", s, r.String())
				}
			}
		}
		var written []string
		out := RewriteMarkers(s, func(m Marker) string {
			w := "[" + m.Refs[0].String() + "]"
			written = append(written, w)
			return w
		})
		var found []string
		for _, m := range FindMarkers(out) {
			found = append(found, out[m.Start:m.End])
		}
		if !slices.Equal(found, written) {
			t.Fatalf("RewriteMarkers(%q) = %q: markers %q, wrote %q", s, out, found, written)
		}
	})
}

// Removing empty brackets between two halves of a broken rune does not
// join them into a closing bracket, and so into a marker no one wrote
// (found by FuzzMarkers).
func TestRewriteMarkersBrokenUTF8(t *testing.T) {
	in := "\xef\xbc(２．６\xef〔〕\xbc\xbd"
	var written []string
	out := RewriteMarkers(in, func(m Marker) string {
		written = append(written, in[m.Start:m.End])
		return in[m.Start:m.End]
	})
	if len(written) != 0 || len(FindMarkers(out)) != 0 {
		t.Errorf("RewriteMarkers(%q) = %q: markers rewritten %q, found after %v", in, out, written, FindMarkers(out))
	}
	if !utf8.ValidString(out) {
		t.Errorf("RewriteMarkers(%q) = %q: not UTF-8", in, out)
	}
}

// Look-alike and invisible characters inside brackets do not hide a
// reference: "[2.3\u200b7]" reads as [2.37] to a user and to the check.
func TestMarkersSeeThroughLookAlikes(t *testing.T) {
	for in, want := range map[string]string{
		"[2.3\u200b7]": "2.37", // zero-width space
		"[2.3\u20607]": "2.37", // word joiner
		"[2.3\u00ad7]": "2.37", // soft hyphen
		"[\u200e2.37]": "2.37", // left-to-right mark
		"[2\u202437]":  "2.37", // one dot leader
		"[\u04223]":    "T3",   // Cyrillic capital Te
		"[\u03a43]":    "T3",   // Greek capital Tau
		"[\u051c1]":    "W1",   // Cyrillic We
		"[пункт 2.36]": "2.36", // a Russian reference word keeps its т
		"【2\u200b-36】": "2.36",
	} {
		ms := FindMarkers("甲" + in + "乙")
		if len(ms) != 1 || len(ms[0].Refs) != 1 || ms[0].Refs[0].String() != want {
			t.Errorf("FindMarkers(%q) = %q, want one marker naming %s", in, refsOf("甲"+in+"乙"), want)
		}
	}
}
