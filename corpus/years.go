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
// digits read as ASCII) apart from own, the years of the texts searched:
// in a question those name a text ("the 2025 declaration", "2025年上合
// 峰会宣言"), not a time it speaks of. own is called only for a question
// that gives a year; most give none.
func QuestionYears(q string, own func() []string) []string {
	ys := Years(FoldWidth(q))
	if len(ys) == 0 {
		return nil
	}
	skip := own()
	return slices.DeleteFunc(ys, func(y string) bool { return slices.Contains(skip, y) })
}

// PackYears returns the years of the packs of passages, without repeats.
func (c *Corpus) PackYears(passages []Passage) []string {
	var out []string
	for _, p := range passages {
		if pk, ok := c.Pack(p.Pack); ok {
			if y := pk.Year(); y != "" && !slices.Contains(out, y) {
				out = append(out, y)
			}
		}
	}
	return out
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
