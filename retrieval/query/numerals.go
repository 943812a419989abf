package query

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// numeralForms appends to dst, for each count of years, anniversaries,
// sessions or meetings in folded Chinese text, the same count in the other
// numeral system, without duplicates. The texts write most counts in
// digits (未来10年, 80周年, 第14届) but some in Chinese numerals (第二十次会议,
// 五届), and askers write either ("十年发展战略", "第20次会议"); a count the
// lexical index cannot match in one system it matches in the other.
//
// Chinese numerals before 年, 周年, 届 or 次 give digits ("十年" -> "10",
// "二〇二六年" -> "2026"); digits before 次 give Chinese numerals with the
// unit ("20次" -> "二十次"). Counts under 2 are left alone (一次 is
// "once"), and so are vague ones (几十年, 三五年).
func numeralForms(dst []string, folded string) []string {
	for i := 0; i < len(folded); {
		r, n := utf8.DecodeRuneInString(folded[i:])
		switch {
		case zhDigit(r) >= 0 || zhUnit(r) > 0:
			j := i
			for j < len(folded) {
				r2, n2 := utf8.DecodeRuneInString(folded[j:])
				if zhDigit(r2) < 0 && zhUnit(r2) == 0 {
					break
				}
				j += n2
			}
			if v, ok := zhValue(folded[i:j]); ok && v >= 2 && countUnit(folded[j:], false) && !vagueBefore(folded[:i]) {
				dst = appendUnique(dst, strconv.Itoa(v))
			}
			i = j
		case r >= '0' && r <= '9':
			j := i
			for j < len(folded) && folded[j] >= '0' && folded[j] <= '9' {
				j++
			}
			if v, err := strconv.Atoi(folded[i:j]); err == nil && v >= 2 && v < 100 && countUnit(folded[j:], true) {
				u, _ := utf8.DecodeRuneInString(folded[j:])
				dst = appendUnique(dst, zhNumeral(v)+string(u))
			}
			i = j
		default:
			i += n
		}
	}
	return dst
}

// countUnit reports whether rest starts with a unit numeralForms converts
// before: 次 after digits (the texts write sessions 第二十次 but
// conferences 第14届, so 届 stays in digits), 年, 周年, 届 or 次 after
// Chinese numerals.
func countUnit(rest string, digits bool) bool {
	if strings.HasPrefix(rest, "次") {
		return true
	}
	return !digits && (strings.HasPrefix(rest, "年") || strings.HasPrefix(rest, "周年") || strings.HasPrefix(rest, "届"))
}

// vagueBefore reports whether the text before a numeral makes it vague
// (几十年, 数十年, 好几十年).
func vagueBefore(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return r == '几' || r == '数' || r == '多'
}

// zhDigit returns the value of a Chinese digit, or -1.
func zhDigit(r rune) int {
	switch r {
	case '〇', '零':
		return 0
	case '一':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// zhUnit returns the value of a Chinese place unit (十, 百, 千), or 0.
func zhUnit(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	}
	return 0
}

// zhValue reads a Chinese numeral: with place units (二十五, 一百零八) or,
// for a year, four digits written one by one (二〇二六). Two or three
// digits without units (三五) are a range, not a number.
func zhValue(s string) (int, bool) {
	if !strings.ContainsAny(s, "十百千") {
		if utf8.RuneCountInString(s) == 1 {
			return zhDigit([]rune(s)[0]), true
		}
		if utf8.RuneCountInString(s) != 4 {
			return 0, false
		}
		v := 0
		for _, r := range s {
			if r == '两' {
				return 0, false
			}
			v = v*10 + zhDigit(r)
		}
		return v, true
	}
	total, digit := 0, -1
	for _, r := range s {
		if d := zhDigit(r); d >= 0 {
			if digit > 0 {
				return 0, false // two digits in a row: 二三十
			}
			digit = d
			continue
		}
		u := zhUnit(r)
		if digit == 0 {
			return 0, false
		}
		if digit < 0 {
			if total != 0 || u != 10 {
				return 0, false // only 十 may stand alone, at the start
			}
			digit = 1
		}
		total += digit * u
		digit = -1
	}
	if digit > 0 {
		total += digit
	}
	return total, total > 0
}

// zhNumeral writes n (2 to 99) in Chinese numerals as the texts do
// (二十, 十四, 四十三).
func zhNumeral(n int) string {
	const digits = "〇一二三四五六七八九"
	d := []rune(digits)
	if n < 10 {
		return string(d[n])
	}
	var b strings.Builder
	if n/10 > 1 {
		b.WriteRune(d[n/10])
	}
	b.WriteRune('十')
	if n%10 > 0 {
		b.WriteRune(d[n%10])
	}
	return b.String()
}
