package bot

import (
	"context"
	"slices"
	"testing"
)

// TestPartsSearchedOnTheirOwn: each part of a question of several that has
// a topic of its own has its paragraph cited, though the whole question's
// words favour another; a part that only asks for a stance adds nothing. A
// date answers the part that asks when from the paragraph that part found
// on its own; a date in another part's paragraph dates something else.
func TestPartsSearchedOnTheirOwn(t *testing.T) {
	e := offlineEngine(t)
	tests := []struct {
		q       string
		want    []string // cited, in any order among others
		not     []string // not cited
		refused bool     // cites nothing
	}{
		// 2.3's two agreements and 2.14's programme.
		{"成员国签了哪两个协定？另外在打击极端主义意识形态方面通过了什么纲要？", []string{"2.3", "2.14"}, nil, false},
		{"Which two agreements were signed, and what programme against extremist ideology was adopted?", []string{"2.3", "2.14"}, nil, false},
		// "宣言怎么说" matches many paragraphs alike: 0.1 is not cited for it.
		{"太空会不会变成战场？宣言怎么说？", []string{"2.36"}, []string{"0.1"}, false},
		// One question asked of two topics: 2.38 (biological) outweighs
		// 2.36 (outer space) for the whole; each topic is searched too.
		{"外空安全和生物安全，成员国各主张什么？", []string{"2.36", "2.38"}, nil, false},
		{"宣言在国际金融机构改革和本币结算上分别说了什么？", []string{"3.19", "3.20"}, nil, false},
		// Two questions: 4.8's years and 4.11's day.
		{"青岛当上合旅游和文化之都是哪两年？青岛的艺术节是哪天", []string{"4.8", "4.11"}, nil, false},
		// One question asked of two treaties: 2.35 dates the NPT to the day.
		{"What dates does the declaration give for the NPT and for the Biological Weapons Convention?", []string{"2.35"}, nil, false},
		// 3.20's date is the local-currency roadmap's, not the bank's.
		{"When exactly will the SCO Development Bank start lending, and in which currency?", nil, nil, true},
	}
	for _, tt := range tests {
		a, err := e.Ask(context.Background(), Question{Text: tt.q})
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		var cited []string
		for _, p := range a.Citations {
			cited = append(cited, p.ID)
		}
		if tt.refused && len(cited) != 0 {
			t.Errorf("%q: cited %v, want a refusal:\n%s", tt.q, cited, a.Text)
		}
		for _, id := range tt.want {
			if !slices.Contains(cited, id) {
				t.Errorf("%q: cited %v, want %s among them:\n%s", tt.q, cited, id, a.Text)
			}
		}
		for _, id := range tt.not {
			if slices.Contains(cited, id) {
				t.Errorf("%q: cited %v, want no %s:\n%s", tt.q, cited, id, a.Text)
			}
		}
	}
}
