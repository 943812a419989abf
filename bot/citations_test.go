package bot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func loadCorpus(t testing.TB) *corpus.Corpus {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatalf("corpus.Load: %v", err)
	}
	return c
}

func idSet(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func passageIDs(ps []corpus.Passage) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestCheckCitations(t *testing.T) {
	c := loadCorpus(t)
	given := idSet("2.36", "2.37", "2.38", "3.5", "T3", "W1")
	tests := []struct {
		name     string
		in       string
		want     string
		cited    []string
		rejected []string
	}{
		{"square", "成员国支持防止外空武器化[2.36]。", "成员国支持防止外空武器化[2.36]。", []string{"2.36"}, nil},
		{"lenticular", "成员国支持防止外空武器化【2.36】。", "成员国支持防止外空武器化[2.36]。", []string{"2.36"}, nil},
		{"round", "They oppose weaponising space (2.36).", "They oppose weaponising space [2.36].", []string{"2.36"}, nil},
		{"full-width round", "成员国支持防止外空武器化（2.36）。", "成员国支持防止外空武器化[2.36]。", []string{"2.36"}, nil},
		{"full-width digits", "外空［２．３６］。", "外空[2.36]。", []string{"2.36"}, nil},
		{"comma list", "Space and trade [2.36, 3.5].", "Space and trade [2.36][3.5].", []string{"2.36", "3.5"}, nil},
		{"semicolon list", "Space and trade [2.36; 3.5].", "Space and trade [2.36][3.5].", []string{"2.36", "3.5"}, nil},
		{"chinese list", "外空和贸易【2.36、3.5】。", "外空和贸易[2.36][3.5]。", []string{"2.36", "3.5"}, nil},
		{"statement", "WTO at its core [T3].", "WTO at its core [T3].", []string{"T3"}, nil},
		{"lower-case statement", "WTO at its core [t3].", "WTO at its core [T3].", []string{"T3"}, nil},
		{"range", "Arms control [2.36-2.38].", "Arms control [2.36][2.37][2.38].", []string{"2.36", "2.37", "2.38"}, nil},
		{"short range", "Arms control [2.36–38].", "Arms control [2.36][2.37][2.38].", []string{"2.36", "2.37", "2.38"}, nil},
		{"section sign", "Space [§2.36].", "Space [2.36].", []string{"2.36"}, nil},
		{"paragraph word", "Space [paragraph 2.36].", "Space [2.36].", []string{"2.36"}, nil},
		{"russian word", "Космос [п. 2.36].", "Космос [2.36].", []string{"2.36"}, nil},
		{"chinese reference", "外空[第二部分第36段]。", "外空[2.36]。", []string{"2.36"}, nil},
		{"footnote caret", "Space [^2.36].", "Space [2.36].", []string{"2.36"}, nil},
		{"doubled brackets", "Space [[2.36]].", "Space [2.36].", []string{"2.36"}, nil},
		{"mismatched brackets", "外空[2.36】。", "外空[2.36]。", []string{"2.36"}, nil},
		{"order of first citation", "A [3.5]. B [2.36]. C [3.5].", "A [3.5]. B [2.36]. C [3.5].", []string{"3.5", "2.36"}, nil},
		{"repeated in one marker", "A [2.36, 2.36].", "A [2.36].", []string{"2.36"}, nil},
		{"unknown ID", "Space [9.99] matters.", "Space matters.", []string{}, []string{"9.99"}},
		{"unknown statement ID", "WTO [T40].", "WTO.", []string{}, []string{"T40"}},
		{"not given to model", "Terrorism [2.6].", "Terrorism.", []string{}, []string{"2.6"}},
		// A marker with any reference that does not hold is removed
		// whole: the model claimed support it was not given.
		{"mixed valid and invalid", "Space [2.36, 9.99] and [2.6].", "Space and.", []string{}, []string{"9.99", "2.6"}},
		{"invalid before chinese stop", "外空问题【9.99】。", "外空问题。", []string{}, []string{"9.99"}},
		{"range partly not given", "Arms [2.37-2.39].", "Arms.", []string{}, []string{"2.39"}},
		{"range out of corpus", "Arms [2.40-2.99].", "Arms.", []string{}, []string{"2.40-2.99"}},
		{"rejected repeated once", "A [9.99]. B [9.99].", "A. B.", []string{}, []string{"9.99"}},
		{"ordinary parentheses kept", "上海合作组织（以下称“上合组织”）成立于2001年（2001）。", "上海合作组织（以下称“上合组织”）成立于2001年（2001）。", []string{}, nil},
		{"year in brackets kept", "In [2025] leaders met.", "In [2025] leaders met.", []string{}, nil},
		{"prose reference kept", "Paragraph 2.36 of the text [2.36].", "Paragraph 2.36 of the text [2.36].", []string{"2.36"}, nil},
		{"garbage brackets", "Space [[[2.36 ]] ] [] ().", "Space [2.36] ].", []string{"2.36"}, nil},
		{"unclosed bracket left alone", "Space [2.36 is open", "Space [2.36 is open", []string{}, nil},
		{"html kept as text", "<b>Space</b> [2.36] <a href=\"x\">[9.99]</a>", "<b>Space</b> [2.36] <a href=\"x\"></a>", []string{"2.36"}, []string{"9.99"}},
		{"html inside brackets is not a marker", "Space [<b>2.36</b>].", "Space [<b>2.36</b>].", []string{}, nil},
		{"newlines kept", "A [2.36].\n\nB [9.99]\nC", "A [2.36].\n\nB\nC", []string{"2.36"}, []string{"9.99"}},
		// Every form corpus.Lookup accepts, in every citation bracket.
		{"the issue's answer", "成员国支持防止外空武器化[2.36]。开发银行已启动[3-21]，并见[9-99]，另见[2/36]。", "成员国支持防止外空武器化[2.36]。开发银行已启动，并见，另见[2.36]。", []string{"2.36"}, []string{"3.21", "9.99"}},
		{"dash", "Space [2-36].", "Space [2.36].", []string{"2.36"}, nil},
		{"slash", "Space [2/36].", "Space [2.36].", []string{"2.36"}, nil},
		{"colon", "Space [2:36].", "Space [2.36].", []string{"2.36"}, nil},
		{"enumeration comma as dot", "外空[2、36]。", "外空[2.36]。", []string{"2.36"}, nil},
		{"chinese section numeral", "外空[二.36]。", "外空[2.36]。", []string{"2.36"}, nil},
		{"chinese numerals throughout", "外空【第二部分第三十六段】。", "外空[2.36]。", []string{"2.36"}, nil},
		{"di and duan around a dotted ID", "外空[第2.36段]。", "外空[2.36]。", []string{"2.36"}, nil},
		{"full-width square dash", "外空［２－３６］。", "外空[2.36]。", []string{"2.36"}, nil},
		{"tortoise shell", "外空〔2.36〕和〖T3〗。", "外空[2.36]和[T3]。", []string{"2.36", "T3"}, nil},
		{"full-width semicolon list", "外空[2.36；T3]。", "外空[2.36][T3]。", []string{"2.36", "T3"}, nil},
		{"space-separated list", "Space [2.36 2.37].", "Space [2.36][2.37].", []string{"2.36", "2.37"}, nil},
		{"words in a list", "Space [see 2.36 and T3].", "Space [2.36][T3].", []string{"2.36", "T3"}, nil},
		{"chinese conjunction", "外空【2.36和2.37】。", "外空[2.36][2.37]。", []string{"2.36", "2.37"}, nil},
		{"dash range", "Arms [2-36-2-38].", "Arms [2.36][2.37][2.38].", []string{"2.36", "2.37", "2.38"}, nil},
		{"statement range", "WTO [T3-T3].", "WTO [T3].", []string{"T3"}, nil},
		{"dash not given", "Bank [3-21].", "Bank.", []string{}, []string{"3.21"}},
		{"dash unknown", "Bank [9-99].", "Bank.", []string{}, []string{"9.99"}},
		{"list with one not given", "外空[2.36, 3.21]。", "外空。", []string{}, []string{"3.21"}},
		{"note beside a reference goes with the marker", "Space [2.36, see above].", "Space [2.36].", []string{"2.36"}, nil},
		// Invisible and look-alike characters hide nothing from the check.
		{"zero-width space inside", "Arms [2.3\u200b9].", "Arms.", []string{}, []string{"2.39"}},
		{"cyrillic Te", "WTO [\u04223] and [\u04224].", "WTO [T3] and.", []string{"T3"}, []string{"T4"}},
		{"one dot leader", "Space [2\u202436].", "Space [2.36].", []string{"2.36"}, nil},
		// Brackets that are no reference stay text (corpus.FindMarkers).
		{"numbered note", "As noted [1], space [2.36].", "As noted [1], space [2.36].", []string{"2.36"}, nil},
		{"word in brackets", "外空[注]。", "外空[注]。", []string{}, nil},
		{"fraction in parentheses", "三分之二（2/3）的成员国 (1-3) at (10:30).", "三分之二（2/3）的成员国 (1-3) at (10:30).", []string{}, nil},
		{"loose form in parentheses is prose", "Space (2-36).", "Space (2-36).", []string{}, nil},
		{"long bracket", "Space [2.36" + strings.Repeat(" ", 10000) + "].", "Space [2.36" + strings.Repeat(" ", 10000) + "].", []string{}, nil},
		{"no markers", "The declaration does not address this.", "The declaration does not address this.", []string{}, nil},
		{"empty", "", "", []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkCitations(c, tt.in, given)
			if got.Text != tt.want {
				t.Errorf("Text:\n got %q\nwant %q", got.Text, tt.want)
			}
			if ids := passageIDs(got.Cited); !reflect.DeepEqual(ids, tt.cited) {
				t.Errorf("Cited = %v, want %v", ids, tt.cited)
			}
			if !reflect.DeepEqual(got.Rejected, tt.rejected) {
				t.Errorf("Rejected = %q, want %q", got.Rejected, tt.rejected)
			}
			// The invariant users rely on: every marker left names a
			// passage that was given and cited.
			citedSet := idSet(passageIDs(got.Cited)...)
			for _, m := range corpus.FindMarkers(got.Text) {
				for _, r := range m.Refs {
					for _, id := range r.IDs() {
						if !given[id] || !citedSet[id] {
							t.Errorf("marker %q survived but %s was not given or not cited", got.Text[m.Start:m.End], id)
						}
					}
				}
			}
		})
	}
}

func TestPartialText(t *testing.T) {
	c := loadCorpus(t)
	given := idSet("2.36", "3.5")
	tests := []struct{ in, want string }{
		{"外空", "外空"},
		{"外空[", "外空"},
		{"外空[2.", "外空"},
		{"外空[[2.3", "外空"},
		{"外空【第二部分第3", "外空"},
		{"外空[2.36", "外空"},
		{"外空[2.36]", "外空[2.36]"},
		{"外空[9.99]", "外空"},
		{"外空[9.99]。成员国", "外空。成员国"},
		{"Space (see 2.3", "Space"},
		{"外空[2-3", "外空"},
		{"外空[二.3", "外空"},
		{"外空〔2、3", "外空"},
		{"外空（第二部分", "外空"},
		// Citation brackets may yet hold a reference after a comma.
		{"Space [see above, 2.3", "Space"},
		// An open parenthesis that cannot be a marker is shown at once.
		{"Space (which is", "Space (which is"},
		{"上海合作组织（以下称", "上海合作组织（以下称"},
		{"Space (" + strings.Repeat("x", 60), "Space (" + strings.Repeat("x", 60)},
		{"A [2.36] and [", "A [2.36] and"},
	}
	for _, tt := range tests {
		if got := partialText(c, tt.in, given); got != tt.want {
			t.Errorf("partialText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A streamed answer shown piece by piece never shows a marker that the
// final answer does not have.
func TestPartialTextNeverShowsRejected(t *testing.T) {
	c := loadCorpus(t)
	given := idSet("2.36")
	full := "成员国支持防止外空武器化【2.36】，并签署文书[9.99]（见2.6）[2.6]。"
	rs := []rune(full)
	for i := 1; i <= len(rs); i++ {
		got := partialText(c, string(rs[:i]), given)
		for _, bad := range []string{"9.99", "2.6]", "【"} {
			if strings.Contains(got, bad) {
				t.Fatalf("prefix %q shows %q: %q", string(rs[:i]), bad, got)
			}
		}
	}
}
