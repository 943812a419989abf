package corpus

import "unicode"

// Lang is the language (and, for Chinese, the script) a question is written
// in, as a BCP 47 tag.
type Lang string

// The languages declbot answers in.
const (
	LangHans Lang = "zh-Hans"
	LangHant Lang = "zh-Hant"
	LangEn   Lang = "en"
	LangRu   Lang = "ru"
)

// Script returns the Chinese script answers in this language quote the
// corpus in: traditional for zh-Hant, simplified otherwise.
func (l Lang) Script() Script {
	if l == LangHant {
		return Hant
	}
	return Hans
}

// IsChinese reports whether l is zh-Hans or zh-Hant.
func (l Lang) IsChinese() bool { return l == LangHans || l == LangHant }

// DetectLang guesses the language of a question from its letters: Chinese
// (script by DetectScript) when Han characters are at least a fifth of the
// letters, else Russian when Cyrillic outnumbers Latin, else English. Text
// with no letters at all is reported as simplified Chinese, the corpus's
// language.
func DetectLang(s string) Lang {
	han, cyr, lat := 0, 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.IsLetter(r) && r < 0x250:
			lat++
		}
	}
	letters := han + cyr + lat
	switch {
	case letters == 0:
		return LangHans
	case han*5 >= letters:
		if DetectScript(s) == Hant {
			return LangHant
		}
		return LangHans
	case cyr > lat:
		return LangRu
	default:
		return LangEn
	}
}
