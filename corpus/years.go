package corpus

import "slices"

// Years returns the years s gives in digits, in order and without
// repeats: runs of exactly four ASCII digits that start with 19 or 20
// ("2025－2026" gives both). What a question asks about and what a
// paragraph speaks of are compared by them.
func Years(s string) []string {
	var out []string
	for i, j := range NumberRuns(s) {
		if y := s[i:j]; j-i == 4 && (y[:2] == "19" || y[:2] == "20") && !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	return out
}

// QuestionYears returns the years a question gives (Years, full-width
// digits read as ASCII) apart from those of the corpus's packs' dates: in a question
// those name a text ("the 2025 declaration", "2025年上合峰会宣言"), not a
// time it speaks of.
func (c *Corpus) QuestionYears(q string) []string {
	ys := Years(FoldWidth(q))
	if len(ys) == 0 {
		return nil
	}
	for _, p := range c.packs {
		if y := p.Year(); y != "" {
			ys = slices.DeleteFunc(ys, func(x string) bool { return x == y })
		}
	}
	return ys
}

// GivesYears reports whether p's text gives every one of years.
func (p Passage) GivesYears(years []string) bool {
	have := Years(p.TextHans)
	for _, y := range years {
		if !slices.Contains(have, y) {
			return false
		}
	}
	return true
}
