package corpus

import (
	"strings"
	"unicode"
)

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

// Language is one entry of the language registry: what every part of
// declbot needs to know to answer in a language. The parts that are data
// (user-facing texts, cue lists, glossary lines) live in files named after
// Tag; docs/DEVELOPERS.md ("Adding a language") lists them, and
// TestLanguagesComplete (bot/i18n) fails when a registered language lacks
// one.
type Language struct {
	// Tag is the BCP 47 tag, and the name of the language's data files.
	Tag Lang
	// Name is the language's name in English, as reports write it:
	// "simplified Chinese", "Russian".
	Name string
	// Code is a short lower-case ASCII code for places that must be small
	// (Telegram callback data): "hans", "en".
	Code string
	// Script is the Chinese script answers in this language quote the
	// corpus in.
	Script Script
	// Chinese is true for the languages the corpus is written in: their
	// questions are read character by character (no words, no stemmer)
	// and their answers quote the text without a translation note.
	Chinese bool
	// Letter reports whether r is a letter of this language, for telling
	// languages apart (DetectLang) and for picking a word's stemmer. Nil
	// for Chinese, which is told by its Han characters.
	Letter func(r rune) bool
	// Stemmer is the snowball stemmer's name for the language ("english",
	// "russian"; see retrieval/query), "" for Chinese.
	Stemmer string
	// PromptName names the language to the model, in its own words and in
	// English: "Русский (Russian)".
	PromptName string
	// Quotes open and close a quotation in this language: “…”, «…».
	Quotes [2]string
	// UserCodes are the language codes (Telegram's language_code, IETF)
	// whose users get texts in this language; a code matches its entries
	// and their subtags ("zh" matches "zh-cn"), the longest match wins.
	// Users whose code matches none get the Fallback language.
	UserCodes []string
	// CommandsCode is the two-letter code the Telegram command menu is
	// registered under ("" is the default menu); languages sharing a code
	// share one menu (the simplified Chinese one serves "zh").
	CommandsCode string
	// CommandsMenu is true for the language whose texts fill the menu
	// registered under CommandsCode.
	CommandsMenu bool
}

// maxLanguages bounds the registry, so DetectLang counts letters without
// allocating; raise it when the registry grows past it (a test checks).
const maxLanguages = 8

// Fallback is the language of users and texts nothing else matches.
const Fallback = LangEn

// languages is the registry, in the order reports list languages. A
// letter counted for DetectLang goes to the first language it belongs to.
var languages = []Language{
	{
		Tag: LangHans, Name: "simplified Chinese", Code: "hans", Script: Hans, Chinese: true,
		PromptName: "简体中文 (Simplified Chinese)", Quotes: [2]string{"“", "”"},
		UserCodes: []string{"zh"}, CommandsCode: "zh", CommandsMenu: true,
	},
	{
		Tag: LangHant, Name: "traditional Chinese", Code: "hant", Script: Hant, Chinese: true,
		PromptName: "繁體中文 (Traditional Chinese)", Quotes: [2]string{"「", "」"},
		UserCodes: []string{"zh-hant", "zh-tw", "zh-hk", "zh-mo"}, CommandsCode: "zh",
	},
	{
		Tag: LangEn, Name: "English", Code: "en", Script: Hans, Letter: isLatin, Stemmer: "english",
		PromptName: "English", Quotes: [2]string{"“", "”"},
		UserCodes: []string{"en"}, CommandsCode: "", CommandsMenu: true,
	},
	{
		Tag: LangRu, Name: "Russian", Code: "ru", Script: Hans, Letter: isCyrillic, Stemmer: "russian",
		PromptName: "Русский (Russian)", Quotes: [2]string{"«", "»"},
		// The SCO's Russian-speaking member states: their users often have
		// their own language set, and Russian serves them better than
		// English.
		UserCodes: []string{"ru", "be", "kk", "ky", "tg", "uz"}, CommandsCode: "ru", CommandsMenu: true,
	},
}

// isLatin: Basic Latin to Latin Extended-B, the letters of English words
// (and of French or German ones; IPA and beyond are not).
func isLatin(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

// Languages returns the registry: every language declbot answers in, in
// the order reports list them. The slice is a copy.
func Languages() []Language {
	out := make([]Language, len(languages))
	copy(out, languages)
	return out
}

// LangTags returns the tags of Languages, in order.
func LangTags() []Lang {
	out := make([]Lang, len(languages))
	for i, l := range languages {
		out[i] = l.Tag
	}
	return out
}

// Info returns l's registry entry, and false when l is not registered.
func (l Lang) Info() (Language, bool) {
	for _, x := range languages {
		if x.Tag == l {
			return x, true
		}
	}
	return Language{}, false
}

// LangByCode returns the language with the given Language.Code.
func LangByCode(code string) (Lang, bool) {
	for _, x := range languages {
		if x.Code == code {
			return x.Tag, true
		}
	}
	return "", false
}

// UserLang maps a user's language code (Telegram's language_code, an IETF
// tag such as "zh-TW" or "pt_BR") to the language of the texts they get:
// the language with the longest matching UserCodes entry, else Fallback.
func UserLang(code string) Lang {
	code = strings.ToLower(strings.ReplaceAll(code, "_", "-"))
	best, bestLen := Fallback, 0
	for _, x := range languages {
		for _, c := range x.UserCodes {
			if (code == c || strings.HasPrefix(code, c+"-")) && len(c) > bestLen {
				best, bestLen = x.Tag, len(c)
			}
		}
	}
	return best
}

// Script returns the Chinese script answers in this language quote the
// corpus in (Language.Script): traditional for zh-Hant, simplified
// otherwise, and for a language that is not registered.
func (l Lang) Script() Script {
	info, _ := l.Info()
	return info.Script // the zero Script is Hans
}

// IsChinese reports whether l is one of the corpus's own languages
// (Language.Chinese): zh-Hans or zh-Hant.
func (l Lang) IsChinese() bool {
	info, _ := l.Info()
	return info.Chinese
}

// Quote puts s in the quotation marks of l (English ones for a language
// that is not registered).
func (l Lang) Quote(s string) string {
	info, ok := l.Info()
	if !ok {
		info, _ = Fallback.Info()
	}
	return info.Quotes[0] + s + info.Quotes[1]
}

// DetectLang guesses the language of a question from its letters: Chinese
// (script by DetectScript) when Han characters are at least a fifth of the
// letters, else the registered language with the most letters (the
// earlier in the registry on a tie: English before Russian). Text with no
// letters at all is reported as simplified Chinese, the corpus's
// language.
func DetectLang(s string) Lang {
	var counts [maxLanguages]int // letters per registered language
	han, letters := 0, 0
	for _, r := range s {
		if IsHan(r) {
			han++
			letters++
			continue
		}
		if r < 0x80 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			continue // digits, spaces, ASCII punctuation: the common case
		}
		for i, x := range languages {
			if x.Letter != nil && x.Letter(r) {
				counts[i]++
				letters++
				break
			}
		}
	}
	switch {
	case letters == 0:
		return LangHans
	case han*5 >= letters:
		if DetectScript(s) == Hant {
			return LangHant
		}
		return LangHans
	}
	best := 0
	for i := range languages {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return languages[best].Tag
}
