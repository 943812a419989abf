package corpus

import (
	"regexp"
	"slices"
)

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
//
// A question may shorten a span of two years: "2025-26", "24到25年" give
// 2025 and 2026, 2024 and 2025. Only consecutive years count, and a span
// of two-digit numbers only before 年 ("24-25 июня" is two days).
func QuestionYears(q string, own func() []string) []string {
	q = FoldWidth(q)
	ys := Years(q)
	for _, m := range shortSpanRe.FindAllStringSubmatch(q, -1) {
		first, second := m[2], m[3]
		if first == "" {
			first, second = m[4], m[5]
		}
		a, b := 10*int(first[0]-'0')+int(first[1]-'0'), 10*int(second[0]-'0')+int(second[1]-'0')
		if b != a+1 {
			continue
		}
		for _, y := range []string{"20" + first, "20" + second} {
			if !slices.Contains(ys, y) {
				ys = append(ys, y)
			}
		}
	}
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

// shortSpanRe finds a shortened span of two years: 20YY-YY (groups 2, 3;
// group 1 is the century) or YY-YY before 年 (groups 4, 5).
var shortSpanRe = regexp.MustCompile(`(?:\b(20)([0-9]{2})\s*[-–—/]\s*'?([0-9]{2})\b|(?:^|[^0-9])([0-9]{2})\s*[-–—~～到至]\s*([0-9]{2})\s*年)`)
