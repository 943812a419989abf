package bot

import (
	"strings"
	"testing"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

// Every fixed text exists in every language, takes the same number of
// arguments in each, and the two Chinese scripts say the same thing.
func TestMessagesComplete(t *testing.T) {
	for key, byLang := range messages {
		verbs := -1
		for _, lang := range Langs() {
			s, ok := byLang[lang]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("key %d: no %s text", key, lang)
				continue
			}
			n := strings.Count(s, "%") - 2*strings.Count(s, "%%")
			if verbs >= 0 && n != verbs {
				t.Errorf("key %d: %s text takes %d arguments, others %d", key, lang, n, verbs)
			}
			verbs = n
		}
		hans, hant := byLang[corpus.LangHans], byLang[corpus.LangHant]
		if corpus.Fold(hans) != corpus.Fold(hant) {
			t.Errorf("key %d: zh-Hant %q is not the traditional form of %q", key, hant, hans)
		}
		if en := byLang[corpus.LangEn]; corpus.HasHan(en) {
			t.Errorf("key %d: English text has Chinese: %q", key, en)
		}
		// Separators ("; ", ", ") have no letters to detect a language by.
		if ru := byLang[corpus.LangRu]; strings.IndexFunc(ru, unicode.IsLetter) >= 0 && corpus.DetectLang(ru) != corpus.LangRu {
			t.Errorf("key %d: Russian text %q is not detected as Russian", key, ru)
		}
	}
}

func TestText(t *testing.T) {
	if got := Text(corpus.LangRu, MsgRelated, "космос"); got != "Ближайшие темы, которые в них есть: космос." {
		t.Errorf("Text(ru, MsgRelated) = %q", got)
	}
	if got, want := Text("fr", MsgNotAddressed), Text(corpus.LangEn, MsgNotAddressed); got != want {
		t.Errorf("unknown language: %q, want the English %q", got, want)
	}
	if got := Text(corpus.LangEn, MessageKey(9999)); got != "" {
		t.Errorf("unknown key: %q, want empty", got)
	}
}
