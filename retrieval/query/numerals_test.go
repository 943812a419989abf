package query

import (
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func TestNumeralForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"新的十年发展战略", []string{"10"}},
		{"成立二十五周年", []string{"25"}},
		{"八十周年纪念", []string{"80"}},
		{"二〇二六年峰会", []string{"2026"}},
		{"一百零八年", []string{"108"}},
		{"第四十三届会议", []string{"43"}},
		{"论坛第20次会议", []string{"二十次"}},
		{"第8次和第14次", []string{"八次", "十四次"}},
		{"十年，十年", []string{"10"}},
		// Left alone: once, vague counts, ranges, digits before 届 or 年
		// (the texts write those in digits), numbers in words.
		{"一次会议", nil},
		{"过去几十年", nil},
		{"三五年", nil},
		{"第43届会议", nil},
		{"2026年", nil},
		{"一带一路", nil},
		{"第一次", nil},
		{"二三十年", nil},
	}
	for _, tt := range tests {
		got := numeralForms(nil, corpus.Fold(tt.in))
		if !slices.Equal(got, tt.want) {
			t.Errorf("numeralForms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A count in Chinese numerals is searched in the digits the texts use too.
func TestProcessSearchesCountsInBothSystems(t *testing.T) {
	p := newProcessor(t)
	q := p.Process("上合组织新的十年发展战略管到哪一年？")
	if !slices.Contains(strings.Fields(q.Text), "10") {
		t.Errorf("Text = %q, want the count 10 searched", q.Text)
	}
}
