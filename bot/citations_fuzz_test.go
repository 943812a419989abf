package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// fuzzIDs are the passages a fuzzed answer may be allowed to cite: bit i
// of the fuzzer's mask allows fuzzIDs[i]. They include neighbours (2.36,
// 2.37, 2.38 for ranges), both statements and the first and last
// paragraphs.
var fuzzIDs = []string{"2.36", "2.37", "2.38", "3.5", "T3", "W1", "0.1", "5.8", "2.6", "1.15", "3.21", "T18", "W13", "2.1", "4.16", "5.7"}

// FuzzCitations checks citation checking (checkCitations) on any model
// output and any set of passages given to the model:
//
//   - it never panics;
//   - valid: every marker left in the text (as corpus.FindMarkers reads
//     it, the grammar the engine checks) names only passages that exist,
//     were given to the model and are in Cited; Cited holds each of them
//     once, in order of first citation, and nothing else;
//   - differential, against corpus.Lookup rather than the marker grammar:
//     every bracketed span on one line (square, lenticular or
//     tortoise-shell brackets, nothing bracketed inside) whose content
//     Lookup resolves is, in the output, exactly [ID] for a given ID; and
//     in the input, a span that Lookup resolves to a passage that was not
//     given, or that parses as a reference naming no passage, has that
//     reference listed in Rejected. Nothing else survives;
//   - nothing lost: every character of the input that is not whitespace, not
//     a bracket and not inside a marker appears in the output, in the same
//     order. Whitespace may be tidied, brackets may go where they framed
//     only a removed marker, and markers are rewritten ([2.36]) or removed;
//     everything else is the model's text and must reach the user;
//   - nothing invented: the output outside its markers is, by the same
//     measure, a part of the input outside its markers;
//   - Rejected has no repeats and names nothing that was kept.
func FuzzCitations(f *testing.F) {
	c := loadCorpus(f)
	for _, s := range []string{
		"成员国支持防止外空武器化【2.36】，并支持多边贸易体制（3.5）。",
		"成员国支持防止外空武器化[2.36]。开发银行已启动[3-21]，并见[9-99]，另见[2/36]。",
		"Space and trade [2.36, 3.5] and arms [2.36-2.38].",
		"Space (see [2.36]) and WTO [T3].",
		"外空（见【2.36】）。",
		"[2.3[9.99]6]",
		"[2.3[]6]",
		"[第[2.3[9.99]6]]",
		"Sure! Paragraph [9.99] says everything. 【9.99】 (9.99)",
		"上海合作组织（以下称“上合组织”）成立于2001年（2001）。",
		"Space [[[2.36 ]] ] [] ().",
		"外空[第二部分第36段]。[§2.37] [п. 2.38] [^T3]",
		"<script>alert(1)</script> [2.36] <a href=\"x\">[9.99]</a>",
		"A [2.36].\n\nB [9.99]\nC",
		"[2.36–38] [t3] [w1] ［２．３６］ 〔二.36〕 〖2、36〗 [2.36；T3] [see 2.36 and 2.37]",
		"[注] [1] [2.36, see above] (2/3) (2-36) [2.36 is open",
		"",
	} {
		f.Add(s, uint16(0b111111))
	}
	f.Fuzz(func(t *testing.T, text string, mask uint16) {
		// Model output reaches the engine decoded from JSON: valid UTF-8.
		text = strings.ToValidUTF8(text, "\uFFFD")
		given := map[string]bool{}
		for i, id := range fuzzIDs {
			if mask&(1<<i) != 0 {
				given[id] = true
			}
		}
		res := checkCitations(c, text, given)

		// Valid.
		cited := map[string]bool{}
		for _, p := range res.Cited {
			if _, ok := c.Get(p.ID); !ok {
				t.Fatalf("cited %s, which is not in the corpus", p.ID)
			}
			if !given[p.ID] {
				t.Fatalf("cited %s, which was not given", p.ID)
			}
			if cited[p.ID] {
				t.Fatalf("cited %s twice", p.ID)
			}
			cited[p.ID] = true
		}
		var order []string
		seen := map[string]bool{}
		for _, m := range corpus.FindMarkers(res.Text) {
			for _, ref := range m.Refs {
				ps, err := c.LookupRef(ref)
				if err != nil {
					t.Fatalf("marker %q left in %q names nothing: %v", res.Text[m.Start:m.End], res.Text, err)
				}
				for _, p := range ps {
					if !given[p.ID] || !cited[p.ID] {
						t.Fatalf("marker %q left in %q: %s given %v, cited %v", res.Text[m.Start:m.End], res.Text, p.ID, given[p.ID], cited[p.ID])
					}
					if !seen[p.ID] {
						seen[p.ID] = true
						order = append(order, p.ID)
					}
				}
			}
		}
		if got := strings.Join(passageIDs(res.Cited), " "); got != strings.Join(order, " ") {
			t.Fatalf("Cited %q, but the text %q cites %q", got, res.Text, order)
		}

		// Differential.
		rej := map[string]bool{}
		for _, r := range res.Rejected {
			if rej[r] {
				t.Fatalf("Rejected repeats %q: %q", r, res.Rejected)
			}
			rej[r] = true
			if cited[r] {
				t.Fatalf("%s both cited and rejected", r)
			}
		}
		for _, sp := range bracketSpans(res.Text) {
			ps, err := c.Lookup(sp.inner)
			if err != nil {
				continue
			}
			if len(ps) != 1 || sp.whole != "["+ps[0].ID+"]" || !given[ps[0].ID] {
				t.Fatalf("%q survives in %q (Lookup names %s)", sp.whole, res.Text, strings.Join(passageIDs(ps), " "))
			}
		}
		for _, sp := range bracketSpans(text) {
			ps, err := c.Lookup(sp.inner)
			if err != nil {
				if ref, ok := corpus.ParseRef(sp.inner); ok && !rej[ref.String()] {
					t.Fatalf("%q in %q names nothing, but Rejected is %q", sp.whole, text, res.Rejected)
				}
				continue
			}
			for _, p := range ps {
				if !given[p.ID] && !rej[p.ID] {
					t.Fatalf("%q in %q names %s, not given, but Rejected is %q", sp.whole, text, p.ID, res.Rejected)
				}
			}
		}

		// Nothing lost, nothing invented.
		in, out := outsideMarkers(text), outsideMarkers(res.Text)
		if !isSubsequence(in, kept(res.Text)) {
			t.Fatalf("text lost:\n in %q\nout %q\n(%q is not all in the output)", text, res.Text, string(in))
		}
		if !isSubsequence(out, in) {
			t.Fatalf("text invented:\n in %q\nout %q", text, res.Text)
		}
	})
}

// span is a bracketed span with nothing bracketed inside.
type span struct{ whole, inner string }

// bracketSpans returns the spans of s between a citation bracket (square,
// lenticular, tortoise-shell) and the next closing bracket on the same
// line with no bracket between: the oracle FuzzCitations holds the marker
// grammar to, written without it.
func bracketSpans(s string) []span {
	var out []span
	open := -1
	for i, r := range s {
		switch {
		case r == '\n':
			open = -1
		case strings.ContainsRune("[［【〔〖", r):
			open = i
		case strings.ContainsRune("(（", r):
			open = -1
		case strings.ContainsRune(closeRunes, r):
			if open >= 0 {
				_, size := utf8.DecodeRuneInString(s[i:])
				_, osize := utf8.DecodeRuneInString(s[open:])
				out = append(out, span{whole: s[open : i+size], inner: s[open+osize : i]})
			}
			open = -1
		}
	}
	return out
}

const (
	closeRunes   = "]］】〕〗)）"
	bracketRunes = "[［【〔〖(（" + closeRunes
)

// kept is what of s counts as text for FuzzCitations: its runes without
// whitespace and brackets.
func kept(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.IsSpace(r) || strings.ContainsRune(bracketRunes, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// outsideMarkers is kept(s) of the parts of s that are not citation
// markers.
func outsideMarkers(s string) []rune {
	var b strings.Builder
	last := 0
	for _, m := range corpus.FindMarkers(s) {
		b.WriteString(s[last:m.Start])
		b.WriteByte(' ')
		last = m.End
	}
	b.WriteString(s[last:])
	return kept(b.String())
}

func isSubsequence(sub, s []rune) bool {
	i := 0
	for _, r := range s {
		if i < len(sub) && sub[i] == r {
			i++
		}
	}
	return i == len(sub)
}

// The bugs FuzzCitations found, as plain cases.
func TestCitationsFuzzFindings(t *testing.T) {
	c := loadCorpus(t)
	given := idSet("2.36", "3.5")
	for _, tt := range []struct{ in, want string }{
		// A closing parenthesis after a marker belongs to the text.
		{"Space (see [2.36]) ok.", "Space (see [2.36]) ok."},
		{"外空（见【2.36】）。", "外空（见[2.36]）。"},
		{"Space (see [9.99]) ok.", "Space (see) ok."},
		// Deleting a marker must not join the text around it into a new,
		// unchecked marker.
		{"[2.3[9.99]6]", "2.36"},
		{"[2.3[]6]", "2.36"},
		// …even when it names a passage cited elsewhere: the model did
		// not write it.
		{"[2.3[9.99]6] and [2.36]", "2.36 and [2.36]"},
		{"[第[2.3[9.99]6]]", "第2.36"},
	} {
		if got := checkCitations(c, tt.in, given).Text; got != tt.want {
			t.Errorf("checkCitations(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
