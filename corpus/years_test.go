package corpus

import (
	"slices"
	"strings"
	"testing"
)

func TestYears(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"2025－2026年上合组织旅游和文化之都", "2025 2026"},
		{"2024年7月4日，2024年", "2024"},
		{"第14届 12345 1899 2100", ""},
		{"resolution 79/79 (2024)", "2024"},
	} {
		if got := strings.Join(Years(tt.s), " "); got != tt.want {
			t.Errorf("Years(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// A question's years leave out those of the texts searched: "the 2025
// declaration" names the text.
func TestQuestionYears(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	own := c.PackYears(c.Passages())
	if strings.Join(own, " ") != "2025" {
		t.Fatalf("PackYears = %v, want the built-in pack's 2025", own)
	}
	for _, tt := range []struct {
		q    string
		own  []string
		want string
	}{
		{"中吉乌铁路２０３０年前能建成吗？", own, "2030"}, // full-width digits fold
		{"What does the 2025 declaration say about 2026?", own, "2026"},
		{"2025年宣言", own, ""},
		// With a 2026 pack searched too, 2026 names that text.
		{"2026年上合峰会在哪里举办？", []string{"2025", "2026"}, ""},
	} {
		if got := strings.Join(QuestionYears(tt.q, func() []string { return tt.own }), " "); got != tt.want {
			t.Errorf("QuestionYears(%q, %v) = %q, want %q", tt.q, tt.own, got, tt.want)
		}
	}
	p, _ := c.Get("4.9")
	if !p.GivesYears([]string{"2025", "2026"}) || p.GivesYears([]string{"2027"}) {
		t.Errorf("4.9 (the 2025-2026 tourism capital): GivesYears wrong for %q", p.TextHans)
	}
}

func TestQuestionYearsShortSpans(t *testing.T) {
	none := func() []string { return nil }
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"24到25年的上合旅游文化之都是哪座城市", []string{"2024", "2025"}},
		{"Which city is the capital for 2025-26?", []string{"2025", "2026"}},
		{"Столица на 2025–26 годы?", []string{"2025", "2026"}},
		// Not consecutive, or days of a month.
		{"24到27年的计划", nil},
		{"Что было 24-25 июня?", nil},
		{"In 2025-2026?", []string{"2025", "2026"}},
	} {
		if got := QuestionYears(tt.q, none); !slices.Equal(got, tt.want) {
			t.Errorf("QuestionYears(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}
