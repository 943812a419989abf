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
//	s:ID:V     open the section whose first paragraph is ID in view V
//	x:LANG:N   ask example question N (0-2) in LANG (hans, hant, en, ru)
//	f:ID:V     vote on answer ID: V is u (👍) or d (👎) (feedback.go)
//
// ID is a canonical paragraph ID: "2.36" and "T3" for the built-in texts,
// "qinghu2026:2.36" for another pack's, whose colon is the pack
// qualifier's. The action is therefore what comes before the first colon,
// the last field what comes after the last, and the middle field may hold
// a colon; every other field is checked to hold none. A qualified ID is at
// most 32+1+5 bytes (pack IDs are at most 32), so "n:ID:ru" stays within
// 64. Buttons already sent with built-in IDs read as they always did.
//
// Sections of the built-in pack are named by index, as they always were:
// it is loaded first, so its indexes do not move. Another pack's sections
// are named by their first paragraph, whose ID stays the same when packs
// are added or removed between restarts (an index would then open another
// section).
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

// sectionData names section n of c; see the callback data above.
func sectionData(c *corpus.Corpus, n int, view corpus.Lang) string {
	s := c.Sections()[n]
	ref := strconv.Itoa(n)
	if first := c.Passages()[s.First]; first.Pack != corpus.BuiltinPack {
		ref = first.ID
	}
	return string(actionOpenSection) + ":" + ref + ":" + viewCode(view)
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
	// action:middle:last, where only the middle may hold a colon (a
	// qualified paragraph ID).
	head, rest, ok := strings.Cut(data, ":")
	i := strings.LastIndexByte(rest, ':')
	if !ok || len(head) != 1 || i < 0 {
		return callback{}, false
	}
	mid, last := rest[:i], rest[i+1:]
	cb := callback{action: action(head[0])}
	if cb.action != actionOpenParagraph && cb.action != actionShowInPlace && cb.action != actionOpenSection && strings.Contains(mid, ":") {
		return callback{}, false
	}
	switch cb.action {
	case actionOpenParagraph, actionShowInPlace:
		// Canonical IDs only ("2.36", "T3", "qinghu2026:2.36"): Get does
		// an exact lookup.
		if cb.passage, ok = c.Get(mid); !ok {
			return callback{}, false
		}
		if cb.view, ok = parseView(last); !ok {
			return callback{}, false
		}
	case actionOpenSection:
		if cb.section, ok = parseSection(c, mid); !ok {
			return callback{}, false
		}
		if cb.view, ok = parseView(last); !ok {
			return callback{}, false
		}
	case actionAskExample:
		if cb.lang, ok = corpus.LangByCode(mid); !ok {
			return callback{}, false
		}
		n, err := strconv.Atoi(last)
		if err != nil || n < 0 || n > 2 || len(last) != 1 {
			return callback{}, false
		}
		cb.example = n
	case actionFeedback:
		if cb.answer, cb.verdict, ok = parseFeedback(mid, last); !ok {
			return callback{}, false
		}
	default:
		return callback{}, false
	}
	return cb, true
}

// parseSection reads the section field of s:…:V: exactly what
// sectionData writes, an index for a built-in section, the first
// paragraph's canonical ID for another pack's.
func parseSection(c *corpus.Corpus, ref string) (int, bool) {
	secs := c.Sections()
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 0 || n >= len(secs) || strconv.Itoa(n) != ref || c.Passages()[secs[n].First].Pack != corpus.BuiltinPack {
			return 0, false
		}
		return n, true
	}
	p, ok := c.Get(ref)
	if !ok || p.Pack == corpus.BuiltinPack {
		return 0, false
	}
	for i, s := range secs {
		if s.First == p.Index {
			return i, true
		}
	}
	return 0, false
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

// multiPack reports whether c holds packs besides the built-in one: then
// buttons and lists name each paragraph's document, which a bare "2.36"
// no longer does.
func multiPack(c *corpus.Corpus) bool { return len(c.Packs()) > 1 }

// translatedIn reports whether p has text of its own in view: the Chinese
// always, a working translation when its pack has one (a pack without
// translations/ shows its Chinese to every reader).
func translatedIn(p corpus.Passage, view corpus.Lang) bool {
	return view.IsChinese() || p.TextIn(view) != p.Text(view.Script())
}

// viewNote is the line under a paragraph shown in view: for a working
// translation, that it is unofficial and the Chinese authoritative; for a
// reader of another language whose paragraph has no translation, that
// the Chinese is shown; for Chinese, none.
func viewNote(p corpus.Passage, view corpus.Lang) string {
	switch {
	case view.IsChinese():
		return ""
	case translatedIn(p, view):
		return text(view, i18n.TranslationNote)
	default:
		return text(view, i18n.NoTranslation)
	}
}

// paragraphDoc shows one paragraph in view (a language): its ID, where
// it is, and its text; a working translation is followed by the note that
// it is unofficial and the Chinese text authoritative.
func paragraphDoc(p corpus.Passage, view corpus.Lang) doc {
	d := paragraphEntry(p, view)
	if note := viewNote(p, view); note != "" {
		d.plain("\n")
		d.italic(note)
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

// docName names a document in lang in headings and labels: the built-in
// texts by the names the i18n tables give them (as they always were
// named), other packs' by their short title (Document.ShortTitle).
func docName(d *corpus.Document, lang corpus.Lang) string {
	if d == nil || d.Pack == corpus.BuiltinPack {
		if d != nil && d.Prefix != "" {
			if k := i18n.Key(i18n.DocShortPrefix + d.Key); i18n.Has(corpus.Fallback, k) {
				return text(lang, k)
			}
			return d.ShortTitle(lang)
		}
		return text(lang, i18n.DeclarationShort)
	}
	return d.ShortTitle(lang)
}

// shortTitle is the short title of p's document in lang, for buttons.
func shortTitle(p corpus.Passage, lang corpus.Lang) string {
	if d := p.Document(); d != nil {
		return d.ShortTitle(lang)
	}
	return text(lang, i18n.DeclarationShort)
}

// isStatement reports whether d is a document without sections (its IDs
// are a prefix and a number, T3), named by its title alone.
func isStatement(d *corpus.Document) bool { return d != nil && d.Prefix != "" }

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
	d := p.Document()
	if isStatement(d) {
		return docName(d, view)
	}
	return docName(d, view) + " · " + partName(p.Section, view)
}

// partName names a part of a sectioned document in a language other than
// Chinese: "Opening", "Part 2".
func partName(key string, lang corpus.Lang) string {
	if key == "0" {
		return text(lang, i18n.SectionOpening)
	}
	return text(lang, i18n.SectionPart, key)
}

// inlineTitle names where a paragraph is, for an inline result's title:
// the section's Chinese name ("第二部分"), or the heading in other
// languages. With several packs loaded the Chinese title names the
// document too ("青湖宣言 · 第二部分").
func inlineTitle(c *corpus.Corpus, p corpus.Passage, view corpus.Lang) string {
	if !view.IsChinese() {
		return paragraphHeading(p, view)
	}
	if !multiPack(c) {
		return p.SectionName(view.Script())
	}
	if isStatement(p.Document()) {
		return shortTitle(p, view)
	}
	return shortTitle(p, view) + " · " + p.SectionName(view.Script())
}

// paragraphKeyboard offers the neighbouring paragraphs in the same view,
// and a row switching to each other view (中文 / 繁體 / English / Русский,
// the current one left out, and languages the paragraph has no
// translation into); pressing them replaces the paragraph in place. lang
// is the language of the reader pressing them. Neighbours are in the same
// document, so their buttons name them by their local IDs (◀ 2.35).
func paragraphKeyboard(c *corpus.Corpus, p corpus.Passage, view, lang corpus.Lang) *keyboard {
	var nav []kbButton
	if prev, ok := c.Prev(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Prev, prev.Local), passageData(actionShowInPlace, prev.ID, view)))
	}
	if next, ok := c.Next(p.ID); ok {
		nav = append(nav, button(text(lang, i18n.Next, next.Local), passageData(actionShowInPlace, next.ID, view)))
	}
	var toggle []kbButton
	for _, l := range corpus.LangTags() {
		if viewCode(l) != viewCode(view) && translatedIn(p, l) {
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

// passageButton is a button opening p in view: "📄 2.36", or with several
// packs loaded "📄 2.36 · Tianjin Declaration", the ID first so that a
// client that shortens the label keeps it. perRow is how many fit a row.
func passageButton(c *corpus.Corpus, p corpus.Passage, view corpus.Lang) (b kbButton, perRow int) {
	if multiPack(c) {
		return button("📄 "+p.Local+" · "+shortTitle(p, view), passageData(actionOpenParagraph, p.ID, view)), 2
	}
	return button("📄 "+p.ID, passageData(actionOpenParagraph, p.ID, view)), 4
}

// sourceKeyboard has a button for each cited paragraph (and each related
// one an out-of-scope answer points to), opening it in view.
func sourceKeyboard(c *corpus.Corpus, a bot.Answer, view corpus.Lang) *keyboard {
	var bs []kbButton
	perRow := 4
	seen := map[string]bool{}
	for _, group := range [][]corpus.Passage{a.Citations, a.Related} {
		for _, p := range group {
			if seen[p.ID] || len(bs) == maxSourceButtons {
				continue
			}
			seen[p.ID] = true
			var b kbButton
			b, perRow = passageButton(c, p, view)
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		return nil
	}
	return &keyboard{InlineKeyboard: rows(bs, perRow)}
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

// sectionDocument is the document section s belongs to.
func sectionDocument(c *corpus.Corpus, s corpus.Section) *corpus.Document {
	return c.Passages()[s.First].Document()
}

// sectionRange is the IDs of section s as /cite takes them: "2.1–2.44",
// "qinghu2026:2.1–2.3" (the pack named once), "0.1".
func sectionRange(c *corpus.Corpus, s corpus.Section) string {
	rng := s.FirstID(c)
	if s.Count > 1 {
		rng += "–" + c.Passages()[s.First+s.Count-1].Local
	}
	return rng
}

// sectionLabel names a section for a button or a heading: a statement by
// its short name, a part of a sectioned document by the corpus's heading
// in Chinese and by its number in other languages; then its IDs.
func sectionLabel(c *corpus.Corpus, s corpus.Section, lang corpus.Lang) string {
	name := ""
	switch d := sectionDocument(c, s); {
	case isStatement(d):
		name = docName(d, lang)
	case lang.IsChinese():
		name = s.Name(lang.Script())
	default:
		name = partName(s.Key, lang)
	}
	return name + " (" + sectionRange(c, s) + ")"
}

// sectionHeading is sectionLabel naming the document of a part too when
// several packs are loaded ("Qinghu Declaration · Part 2 (…)"), for the
// contents' buttons and a section's message, which stand alone.
func sectionHeading(c *corpus.Corpus, s corpus.Section, lang corpus.Lang) string {
	label := sectionLabel(c, s, lang)
	if d := sectionDocument(c, s); multiPack(c) && !isStatement(d) {
		return docName(d, lang) + " · " + label
	}
	return label
}

// packLabel names a pack with its place and date: "qinghu2026 (Qinghu,
// 2026-06-15)".
func packLabel(p corpus.Pack, lang corpus.Lang) string {
	return text(lang, i18n.PackLabel, p.ID, p.Place.In(lang), p.Date)
}

// maxKeyboardButtons is the most buttons Telegram takes under one
// message ("reply markup is too long" past it).
const maxKeyboardButtons = 100

// tocDoc is the table of contents with a button per section: every
// document's title in the reader's language, its sections with their IDs
// and, with several packs loaded, each pack's ID, place and date above
// its documents. pack, when not "", limits it to that pack. Past
// maxKeyboardButtons sections (a dozen packs) the buttons stop, and a
// line says how to list one pack with all of its.
func tocDoc(c *corpus.Corpus, lang corpus.Lang, pack string) (doc, *keyboard) {
	var d doc
	d.plain(text(lang, i18n.Sections) + "\n\n")
	var bs []kbButton
	multi := multiPack(c)
	lastDoc, lastPack, cut := "", "", ""
	for i, s := range c.Sections() {
		document := sectionDocument(c, s)
		if pack != "" && (document == nil || document.Pack != pack) {
			continue
		}
		if multi && document != nil && document.Pack != lastPack {
			if lastPack != "" {
				d.plain("\n")
			}
			if p, ok := c.Pack(document.Pack); ok {
				d.italic(packLabel(p, lang))
				d.plain("\n")
			}
			lastPack, lastDoc = document.Pack, ""
		}
		if s.Doc != lastDoc {
			if lastDoc != "" {
				d.plain("\n")
			}
			if document != nil {
				d.bold(document.Titles.In(lang))
			}
			d.plain("\n")
			lastDoc = s.Doc
		}
		d.plain("• " + sectionLabel(c, s, lang) + "\n")
		if len(bs) == maxKeyboardButtons {
			if cut == "" && document != nil {
				cut = document.Pack
			}
			continue
		}
		bs = append(bs, button(sectionHeading(c, s, lang), sectionData(c, i, lang)))
	}
	if cut != "" {
		d.plain("\n")
		d.italic(text(lang, i18n.SectionsMore, maxKeyboardButtons, cut))
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
// each (by local ID: the heading names the document) up to Telegram's
// limit; lang is the language of the reader.
func sectionDoc(c *corpus.Corpus, idx int, view, lang corpus.Lang) (doc, *keyboard) {
	s := c.Sections()[idx]
	var d doc
	d.bold(sectionHeading(c, s, lang))
	d.plain("\n")
	var bs []kbButton
	for _, p := range c.Passages()[s.First : s.First+s.Count] {
		d.plain("\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + passageSnippet(p, view, 40))
		if len(bs) < maxKeyboardButtons { // the rest are listed, and /cite takes them
			bs = append(bs, button(p.Local, passageData(actionOpenParagraph, p.ID, view)))
		}
	}
	return d, &keyboard{InlineKeyboard: rows(bs, 6)}
}

// passageListDoc lists paragraphs found by /search in view, with buttons.
func passageListDoc(c *corpus.Corpus, header string, ps []corpus.Passage, view corpus.Lang) (doc, *keyboard) {
	var d doc
	d.plain(header)
	var bs []kbButton
	perRow := 4
	for _, p := range ps {
		d.plain("\n\n")
		d.bold("[" + p.ID + "]")
		d.plain(" " + passageSnippet(p, view, 90))
		var b kbButton
		b, perRow = passageButton(c, p, view)
		bs = append(bs, b)
	}
	return d, &keyboard{InlineKeyboard: rows(bs, perRow)}
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
