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
//	p:ID:V     open paragraph ID in view V as a new message
//	n:ID:V     show paragraph ID in view V in place of the message
//	           (prev/next/language toggle)
//	s:N:V      open section N (index into Corpus.Sections) in view V
//	x:LANG:N   ask example question N (0-2) in LANG (hans, hant, en, ru)
//	f:ID:V     vote on answer ID: V is u (👍) or d (👎) (feedback.go)
//
// A view V is the language a paragraph is shown in (viewCode): h or t,
// the Chinese text in simplified or traditional script, or en or ru, the
// working translation. Buttons sent before translations were shown carry
// only h and t, which still mean what they meant.
type callback struct {
	action  action
	passage corpus.Passage
	// view is the language paragraphs are shown in (p, n, s).
	view    corpus.Lang
	section int
	// lang is the language of an example question (x).
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
	actionOpenParagraph action = 'p' // p:ID:V
	actionShowInPlace   action = 'n' // n:ID:V
	actionOpenSection   action = 's' // s:N:V
	actionAskExample    action = 'x' // x:LANG:N
)

func sectionData(n int, view corpus.Lang) string {
	return string(actionOpenSection) + ":" + strconv.Itoa(n) + ":" + viewCode(view)
}

func exampleData(l corpus.Lang, n int) string {
	return string(actionAskExample) + ":" + langCode(l) + ":" + strconv.Itoa(n)
}

// viewCode is the code of view l in callback data: "h" or "t" for the
// Chinese languages (the codes of the scripts, as buttons have always
// carried them), the registry's Code ("en", "ru") for the others. A
// language that is not registered is shown as the Fallback one.
func viewCode(l corpus.Lang) string {
	info, ok := l.Info()
	if !ok {
		info, _ = corpus.Fallback.Info()
	}
	if info.Chinese {
		if info.Script == corpus.Hant {
			return "t"
		}
		return "h"
	}
	return info.Code
}

// parseView is the inverse of viewCode: exactly the codes it writes.
func parseView(code string) (corpus.Lang, bool) {
	for _, l := range corpus.LangTags() {
		if viewCode(l) == code {
			return l, true
		}
	}
	return "", false
}

// langCode is l's short code for callback data (corpus.Language.Code).
func langCode(l corpus.Lang) string {
	info, ok := l.Info()
	if !ok {
		info, _ = corpus.Fallback.Info()
	}
	return info.Code
}

func passageData(a action, id string, view corpus.Lang) string {
	return string(a) + ":" + id + ":" + viewCode(view)
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
	var ok bool
	switch cb.action {
	case actionOpenParagraph, actionShowInPlace:
		// Canonical IDs only ("2.36", "T3"): Get does an exact lookup.
		if cb.passage, ok = c.Get(parts[1]); !ok {
			return callback{}, false
		}
		if cb.view, ok = parseView(parts[2]); !ok {
			return callback{}, false
		}
	case actionOpenSection:
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || n >= len(c.Sections()) || strconv.Itoa(n) != parts[1] {
			return callback{}, false
		}
		cb.section = n
		if cb.view, ok = parseView(parts[2]); !ok {
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

// paragraphDoc shows one paragraph in view (a language): its ID, where
// it is, and its text; a working translation is followed by the note that
// it is unofficial and the Chinese text authoritative.
func paragraphDoc(p corpus.Passage, view corpus.Lang) doc {
	d := paragraphEntry(p, view)
	if !view.IsChinese() {
		d.plain("\n")
		d.italic(text(view, i18n.TranslationNote))
	}
	return d
}

// paragraphEntry is paragraphDoc without the translation note, for lists
// of paragraphs that carry the note once.
func paragraphEntry(p corpus.Passage, view corpus.Lang) doc {
	var d doc
	d.bold("[" + p.ID + "]")
	d.plain(" ")
	d.italic(paragraphHeading(p, view))
	d.plain("\n")
	d.quote(p.TextIn(view))
	return d
}

// paragraphHeading names the document and section a paragraph is in, in
// view: the corpus's own titles in Chinese ("上海合作组织成员国元首理事会天津宣言
// · 第二部分"), short names in other languages ("Tianjin Declaration ·
// Part 2"; a statement by its short name alone).
func paragraphHeading(p corpus.Passage, view corpus.Lang) string {
	if view.IsChinese() {
		sc := view.Script()
		title, section := p.Title(sc), p.SectionName(sc)
		if section == title {
			return title
		}
		return title + " · " + section
	}
	if short := i18n.Key(i18n.DocShortPrefix + p.Doc); i18n.Has(corpus.Fallback, short) {
		return text(view, short)
	}
	section := text(view, i18n.SectionPart, p.Section)
	if p.Section == "0" {
		section = text(view, i18n.SectionOpening)
	}
	return text(view, i18n.DeclarationShort) + " · " + section
}

// inlineTitle names where a paragraph is, for an inline result's title:
// the section's Chinese name ("第二部分"), or the heading in other languages.
func inlineTitle(p corpus.Passage, view corpus.Lang) string {
	if view.IsChinese() {
		return p.SectionName(view.Script())
	}
	return paragraphHeading(p, view)
}

// paragraphKeyboard offers the neighbouring paragraphs in the same view,
// and a row switching to each other view (中文 / 繁體 / English / Русский,
// the current one left out); pressing them replaces the paragraph in
// place. lang is the language of the reader pressing them.
func paragraphKeyboard(c *corpus.Corpus, p corpus.Passage, view, lang corpus.Lang) *keyboard {
	var nav []kbButton
	if prev, ok := c.Prev(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Prev, prev.ID), passageData(actionShowInPlace, prev.ID, view)))
	}
	if next, ok := c.Next(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Next, next.ID), passageData(actionShowInPlace, next.ID, view)))
	}
	var toggle []kbButton
	for _, l := range corpus.LangTags() {
		if viewCode(l) != viewCode(view) {
			toggle = append(toggle, button(text(l, i18n.ViewLabel), passageData(actionShowInPlace, p.ID, l)))
		}
	}
	kb := [][]kbButton{}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, toggle)
	return &keyboard{InlineKeyboard: kb}
}

// maxSourceButtons bounds the source buttons under an answer.
const maxSourceButtons = 24

// sourceKeyboard has a button for each cited paragraph (and each related
// one an out-of-scope answer points to), opening it in view.
func sourceKeyboard(a bot.Answer, view corpus.Lang) *keyboard {
	var bs []kbButton
	seen := map[string]bool{}
	for _, group := range [][]corpus.Passage{a.Citations, a.Related} {
		for _, p := range group {
			if seen[p.ID] || len(bs) == maxSourceButtons {
				continue
			}
			seen[p.ID] = true
			bs = append(bs, button("📄 "+p.ID, passageData(actionOpenParagraph, p.ID, view)))
		}
	}
	if len(bs) == 0 {
		return nil
	}
	return &keyboard{InlineKeyboard: rows(bs, 4)}
}

// sourceView is the language the sources under answer a open in: the
// answer's (the Chinese of its script, or the working translation an
// English or Russian answer quotes), else that of the question, asked by
// a user with the given language code.
func sourceView(a bot.Answer, question, userCode string) corpus.Lang {
	if _, ok := a.Lang.Info(); ok {
		return a.Lang
	}
	return viewLang(question, messageLang(question, userCode))
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
		bs = append(bs, button(label, sectionData(i, lang)))
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

// passageSnippet is the start of p in view, n characters of Chinese or
// twice as many of a translation, which says as much in about as many
// words (and every English paragraph starts "The member states").
func passageSnippet(p corpus.Passage, view corpus.Lang, n int) string {
	if !view.IsChinese() {
		n *= 2
	}
	return snippet(p.TextIn(view), n)
}

// sectionDoc lists a section's paragraphs in view, with a button for
// each; lang is the language of the reader.
func sectionDoc(c *corpus.Corpus, idx int, view, lang corpus.Lang) (doc, *keyboard) {
	s := c.Sections()[idx]
	var d doc
	d.bold(sectionLabel(c, s, lang))
	d.plain("\n")
	var bs []kbButton
	for _, p := range c.Passages()[s.First : s.First+s.Count] {
		d.plain("\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + passageSnippet(p, view, 40))
		bs = append(bs, button(p.ID, passageData(actionOpenParagraph, p.ID, view)))
	}
	return d, &keyboard{InlineKeyboard: rows(bs, 6)}
}

// passageListDoc lists paragraphs found by /search in view, with buttons.
func passageListDoc(header string, ps []corpus.Passage, view corpus.Lang) (doc, *keyboard) {
	var d doc
	d.plain(header)
	var bs []kbButton
	for _, p := range ps {
		d.plain("\n\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + passageSnippet(p, view, 90))
		bs = append(bs, button("📄 "+p.ID, passageData(actionOpenParagraph, p.ID, view)))
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
