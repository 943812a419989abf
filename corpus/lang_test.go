package corpus

import (
	"strings"
	"testing"
)

// The registry's own invariants; TestLanguagesComplete (bot/i18n) checks
// that every language has its data.
func TestLanguageRegistry(t *testing.T) {
	if len(languages) > maxLanguages {
		t.Fatalf("%d languages, DetectLang counts at most maxLanguages=%d: raise it", len(languages), maxLanguages)
	}
	tags, codes := map[Lang]bool{}, map[string]bool{}
	menus := map[string]int{}
	for _, l := range Languages() {
		if l.Tag == "" || tags[l.Tag] {
			t.Errorf("tag %q empty or repeated", l.Tag)
		}
		tags[l.Tag] = true
		if l.Code == "" || codes[l.Code] || strings.ToLower(l.Code) != l.Code || len(l.Code) > 4 {
			t.Errorf("%s: code %q empty, repeated, not lower case or longer than 4 bytes (callback data is capped at 64)", l.Tag, l.Code)
		}
		codes[l.Code] = true
		if l.Chinese != (l.Letter == nil) || l.Chinese != (l.Stemmer == "") {
			t.Errorf("%s: a Chinese language has no Letter and no Stemmer, any other language has both", l.Tag)
		}
		if l.PromptName == "" || l.Name == "" || l.Quotes[0] == "" || l.Quotes[1] == "" || len(l.UserCodes) == 0 {
			t.Errorf("%s: PromptName, Quotes and UserCodes are required", l.Tag)
		}
		if l.CommandsMenu {
			menus[l.CommandsCode]++
		}
		if got := l.Tag.Script(); got != l.Script {
			t.Errorf("%s: Script() = %v, registry says %v", l.Tag, got, l.Script)
		}
		if got, ok := LangByCode(l.Code); !ok || got != l.Tag {
			t.Errorf("LangByCode(%q) = %q, %v", l.Code, got, ok)
		}
		for _, c := range l.UserCodes {
			if got := UserLang(c); got != l.Tag {
				t.Errorf("UserLang(%q) = %s, want %s", c, got, l.Tag)
			}
		}
	}
	for code, n := range menus {
		if n != 1 {
			t.Errorf("command menu %q is filled by %d languages, want 1", code, n)
		}
	}
	if _, ok := Fallback.Info(); !ok {
		t.Errorf("Fallback %q is not registered", Fallback)
	}
}

func TestUserLang(t *testing.T) {
	for _, tt := range []struct {
		code string
		want Lang
	}{
		{"zh-hans", LangHans}, {"zh-CN", LangHans}, {"zh", LangHans}, {"zh-TW", LangHant}, {"zh_HK", LangHant},
		{"zh-Hant-TW", LangHant}, {"ru", LangRu}, {"kk", LangRu}, {"uz-Latn", LangRu}, {"en-GB", LangEn},
		{"de", LangEn}, {"", LangEn}, {"russian", LangEn},
	} {
		if got := UserLang(tt.code); got != tt.want {
			t.Errorf("UserLang(%q) = %s, want %s", tt.code, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tt := range []struct {
		lang Lang
		want string
	}{{LangHans, "“x”"}, {LangHant, "「x」"}, {LangEn, "“x”"}, {LangRu, "«x»"}, {"fr", "“x”"}} {
		if got := tt.lang.Quote("x"); got != tt.want {
			t.Errorf("%s: Quote = %q, want %q", tt.lang, got, tt.want)
		}
	}
}
