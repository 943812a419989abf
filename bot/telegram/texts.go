package telegram

import (
	"strings"
	"unicode"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

// text returns a fixed text in lang (English if lang has none): every
// text the bot shows is in bot/i18n, one table per language.
func text(lang corpus.Lang, key i18n.Key, args ...any) string { return i18n.Text(lang, key, args...) }

// examples are the three questions /start offers as buttons, in lang.
func examples(lang corpus.Lang) [len(i18n.Examples)]string {
	var out [len(i18n.Examples)]string
	for i, k := range i18n.Examples {
		out[i] = text(lang, k)
	}
	return out
}

// commandMenus are the command descriptions registered with
// setMyCommands, by language code ("" is the default menu): one menu per
// corpus.Language.CommandsCode, in the language the registry names for
// it (Telegram's codes are two letters, so Chinese is one menu, in
// simplified script).
func commandMenus() map[string][]models.BotCommand {
	out := map[string][]models.BotCommand{}
	for _, l := range corpus.Languages() {
		if !l.CommandsMenu {
			continue
		}
		for _, c := range i18n.Commands {
			out[l.CommandsCode] = append(out[l.CommandsCode], models.BotCommand{Command: c, Description: text(l.Tag, i18n.Key(i18n.CommandPrefix+c))})
		}
	}
	return out
}

// userLang maps a Telegram language_code to the language of the bot's
// texts (corpus.UserLang: the registry's UserCodes).
func userLang(code string) corpus.Lang { return corpus.UserLang(code) }

// messageLang picks the language to answer text in: the language of the
// text itself when it says enough to tell, else the user's language
// setting. Chinese or Cyrillic letters decide at once; Latin letters only
// from two words on, because "/cite T3" or "/search SCO" from a Chinese
// user is no sign that they read English. Paragraph IDs are no words:
// "qinghu2026:A1" or "astana2024:2.1 T3" says nothing of the reader.
func messageLang(s, code string) corpus.Lang {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Cyrillic, r) }) >= 0 {
		return corpus.DetectLang(s)
	}
	words := 0
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		if _, isRef := corpus.ParseRef(f); isRef {
			continue
		}
		words += len(strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }))
	}
	if words >= 2 {
		return corpus.DetectLang(s)
	}
	return userLang(code)
}
