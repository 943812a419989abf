package telegram

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

// Callback data is what a button sends back when pressed. Telegram caps
// it at 64 bytes and anyone can forge it, so it is short, fixed in shape
// and checked strictly before use:
//
//	p:ID:S     open paragraph ID in script S (h or t) as a new message
//	n:ID:S     show paragraph ID in place of the message (prev/next/script)
//	s:N:S      open section N (index into Corpus.Sections) as a new message
//	x:LANG:N   ask example question N (0-2) in LANG (hans, hant, en, ru)
//	f:ID:V     vote on answer ID: V is u (👍) or d (👎) (feedback.go)
type callback struct {
	action  action
	passage corpus.Passage
	script  corpus.Script
	section int
	lang    corpus.Lang
	example int
	answer  string // feedback: the answer's ID
	verdict string // feedback: review.Up or review.Down
}

const maxCallbackData = 64

// action is the first field of callback data: what the button does. The
// values are on the wire, in buttons already sent, so they never change.
type action byte

const (
	actionOpenParagraph action = 'p' // p:ID:S
	actionShowInPlace   action = 'n' // n:ID:S
	actionOpenSection   action = 's' // s:N:S
	actionAskExample    action = 'x' // x:LANG:N
)

func sectionData(n int, sc corpus.Script) string {
	return string(actionOpenSection) + ":" + strconv.Itoa(n) + ":" + scriptCode(sc)
}

func exampleData(l corpus.Lang, n int) string {
	return string(actionAskExample) + ":" + langCode(l) + ":" + strconv.Itoa(n)
}

func scriptCode(sc corpus.Script) string {
	if sc == corpus.Hant {
		return "t"
	}
	return "h"
}

// langCode is l's short code for callback data (corpus.Language.Code).
func langCode(l corpus.Lang) string {
	info, ok := l.Info()
	if !ok {
		info, _ = corpus.Fallback.Info()
	}
	return info.Code
}

func passageData(a action, id string, sc corpus.Script) string {
	return string(a) + ":" + id + ":" + scriptCode(sc)
}

// parseCallback validates callback data against the corpus. Anything not
// produced by the bot itself is rejected.
func parseCallback(c *corpus.Corpus, data string) (callback, bool) {
	if len(data) == 0 || len(data) > maxCallbackData || !utf8.ValidString(data) {
		return callback{}, false
	}
	parts := strings.Split(data, ":")
	if len(parts) != 3 || len(parts[0]) != 1 {
		return callback{}, false
	}
	cb := callback{action: action(parts[0][0])}
	script := func(s string) (corpus.Script, bool) {
		switch s {
		case "h":
			return corpus.Hans, true
		case "t":
			return corpus.Hant, true
		}
		return 0, false
	}
	var ok bool
	switch cb.action {
	case actionOpenParagraph, actionShowInPlace:
		// Canonical IDs only ("2.36", "T3"): Get does an exact lookup.
		if cb.passage, ok = c.Get(parts[1]); !ok {
			return callback{}, false
		}
		if cb.script, ok = script(parts[2]); !ok {
			return callback{}, false
		}
	case actionOpenSection:
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || n >= len(c.Sections()) || strconv.Itoa(n) != parts[1] {
			return callback{}, false
		}
		cb.section = n
		if cb.script, ok = script(parts[2]); !ok {
			return callback{}, false
		}
	case actionAskExample:
		if cb.lang, ok = corpus.LangByCode(parts[1]); !ok {
			return callback{}, false
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 0 || n > 2 || len(parts[2]) != 1 {
			return callback{}, false
		}
		cb.example = n
	case actionFeedback:
		if cb.answer, cb.verdict, ok = parseFeedback(parts[1], parts[2]); !ok {
			return callback{}, false
		}
	default:
		return callback{}, false
	}
	return cb, true
}

func button(text, data string) kbButton {
	return kbButton{Text: text, CallbackData: data}
}

// rows lays buttons out n to a row.
func rows(bs []kbButton, n int) [][]kbButton {
	var out [][]kbButton
	for len(bs) > 0 {
		k := min(n, len(bs))
		out = append(out, bs[:k])
		bs = bs[k:]
	}
	return out
}

// paragraphDoc shows one paragraph: its ID, where it is, and its text.
func paragraphDoc(p corpus.Passage, sc corpus.Script) doc {
	var d doc
	d.bold("[" + p.ID + "]")
	d.plain(" ")
	title, section := p.Title(sc), p.SectionName(sc)
	if section != title {
		d.italic(title + " · " + section)
	} else {
		d.italic(title)
	}
	d.plain("\n")
	d.quote(p.Text(sc))
	return d
}

// paragraphKeyboard offers the neighbouring paragraphs and the other
// script; pressing them replaces the paragraph in place.
func paragraphKeyboard(c *corpus.Corpus, p corpus.Passage, sc corpus.Script, lang corpus.Lang) *keyboard {
	var nav []kbButton
	if prev, ok := c.Prev(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Prev, prev.ID), passageData(actionShowInPlace, prev.ID, sc)))
	}
	if next, ok := c.Next(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Next, next.ID), passageData(actionShowInPlace, next.ID, sc)))
	}
	other, label := corpus.Hant, "繁體"
	if sc == corpus.Hant {
		other, label = corpus.Hans, "简体"
	}
	kb := [][]kbButton{}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []kbButton{button(label, passageData(actionShowInPlace, p.ID, other))})
	return &keyboard{InlineKeyboard: kb}
}

// maxSourceButtons bounds the source buttons under an answer.
const maxSourceButtons = 24

// sourceKeyboard has a button for each cited paragraph (and each related
// one an out-of-scope answer points to).
func sourceKeyboard(a bot.Answer, sc corpus.Script) *keyboard {
	var bs []kbButton
	seen := map[string]bool{}
	for _, group := range [][]corpus.Passage{a.Citations, a.Related} {
		for _, p := range group {
			if seen[p.ID] || len(bs) == maxSourceButtons {
				continue
			}
			seen[p.ID] = true
			bs = append(bs, button("📄 "+p.ID, passageData(actionOpenParagraph, p.ID, sc)))
		}
	}
	if len(bs) == 0 {
		return nil
	}
	return &keyboard{InlineKeyboard: rows(bs, 4)}
}

// answerDoc formats an answer: the notice (why the answer is extractive,
// say) in italics above the text.
func answerDoc(a bot.Answer) doc {
	var d doc
	if a.Notice != "" {
		d.italic(a.Notice)
		d.plain("\n\n")
	}
	d.append(markdownDoc(a.Text))
	return d
}

// sectionLabel names a section for a button or a heading: a statement by
// its short name, a part of the declaration by the corpus's heading in
// Chinese and by its number in other languages.
func sectionLabel(c *corpus.Corpus, s corpus.Section, lang corpus.Lang) string {
	rng := s.FirstID(c)
	if s.Count > 1 {
		rng += "–" + s.LastID(c)
	}
	if short := i18n.Key(i18n.DocShortPrefix + s.Doc); i18n.Has(corpus.Fallback, short) {
		return text(lang, short) + " (" + rng + ")"
	}
	name := s.Name(lang.Script())
	if !lang.IsChinese() {
		if s.Key == "0" {
			name = text(lang, i18n.SectionOpening)
		} else {
			name = text(lang, i18n.SectionPart, s.Key)
		}
	}
	return name + " (" + rng + ")"
}

// tocDoc is the table of contents with a button per section.
func tocDoc(c *corpus.Corpus, lang corpus.Lang) (doc, *keyboard) {
	var d doc
	sc := lang.Script()
	d.plain(text(lang, i18n.Sections) + "\n\n")
	var bs []kbButton
	lastDoc := ""
	for i, s := range c.Sections() {
		if s.Doc != lastDoc {
			if lastDoc != "" {
				d.plain("\n")
			}
			for _, doc := range c.Documents() {
				if doc.Key == s.Doc {
					d.bold(doc.Title(sc))
				}
			}
			d.plain("\n")
			lastDoc = s.Doc
		}
		label := sectionLabel(c, s, lang)
		d.plain("• " + label + "\n")
		bs = append(bs, button(label, sectionData(i, sc)))
	}
	return d, &keyboard{InlineKeyboard: rows(bs, 1)}
}

// snippet is the start of a paragraph, for lists.
func snippet(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// sectionDoc lists a section's paragraphs with a button for each.
func sectionDoc(c *corpus.Corpus, idx int, sc corpus.Script, lang corpus.Lang) (doc, *keyboard) {
	s := c.Sections()[idx]
	var d doc
	d.bold(sectionLabel(c, s, lang))
	d.plain("\n")
	var bs []kbButton
	for _, p := range c.Passages()[s.First : s.First+s.Count] {
		d.plain("\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + snippet(p.Text(sc), 40))
		bs = append(bs, button(p.ID, passageData(actionOpenParagraph, p.ID, sc)))
	}
	return d, &keyboard{InlineKeyboard: rows(bs, 6)}
}

// passageListDoc lists paragraphs found by /search, with buttons.
func passageListDoc(header string, ps []corpus.Passage, sc corpus.Script) (doc, *keyboard) {
	var d doc
	d.plain(header)
	var bs []kbButton
	for _, p := range ps {
		d.plain("\n\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + snippet(p.Text(sc), 90))
		bs = append(bs, button("📄 "+p.ID, passageData(actionOpenParagraph, p.ID, sc)))
	}
	return d, &keyboard{InlineKeyboard: rows(bs, 4)}
}

// keyboard is an inline keyboard as the Bot API reads it. It is ours
// rather than models.InlineKeyboardMarkup because that type always
// serializes "copy_text":{"text":""} (CopyTextButton is not a pointer),
// which Telegram has been reported to refuse with BUTTON_COPY_TEXT_INVALID
// (go-telegram/bot pull request 167); we send only what we mean.
type keyboard struct {
	InlineKeyboard [][]kbButton `json:"inline_keyboard"`
}

type kbButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}
