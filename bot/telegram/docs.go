package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

// /docs lists the loaded documents; /doc pins a chat to one pack, so that
// its questions are answered (and its /search results found) from that
// pack alone, or unpins it. The pin is a chat setting ("pack"), kept by
// Settings across restarts.

// Settings keeps per-chat settings across restarts; *history.Store is the
// implementation (a bucket of its own in the history database).
type Settings interface {
	// Setting returns the named setting of chat, "" when it is not set.
	Setting(chat, name string) (string, error)
	// SetSetting sets it; "" removes it.
	SetSetting(chat, name, value string) error
}

// WithSettings keeps per-chat settings (the /doc pin) in s. Without it
// they are kept in memory and forgotten when the bot stops.
func WithSettings(s Settings) Option { return func(b *Bot) { b.settings = s } }

// settingPack is the setting holding a chat's pinned pack ID.
const settingPack = "pack"

// memSettings keeps settings in memory, for a bot built without Settings.
type memSettings struct {
	mu sync.Mutex
	m  map[[2]string]string
}

func newMemSettings() *memSettings { return &memSettings{m: map[[2]string]string{}} }

func (s *memSettings) Setting(chat, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[[2]string{chat, name}], nil
}

func (s *memSettings) SetSetting(chat, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == "" {
		delete(s.m, [2]string{chat, name})
	} else {
		s.m[[2]string{chat, name}] = value
	}
	return nil
}

// chatKey names a chat for its settings: a pin holds for the whole chat,
// every topic of a forum included.
func chatKey(chat models.Chat) string { return strconv.FormatInt(chat.ID, 10) }

// storedPin returns the pack ID stored for chat, loaded or not ("" for
// none, or when the settings cannot be read: the chat then uses every
// pack, which is never wrong, only wider).
func (b *Bot) storedPin(chat models.Chat) string {
	if chat.ID == 0 {
		return "" // an inline message: no chat
	}
	id, err := b.settings.Setting(chatKey(chat), settingPack)
	if err != nil && !errors.Is(err, history.ErrFailed) { // a failed store is logged once, by its owner
		b.log.Warn("telegram: could not read the chat's document pin; using every document", "chat", chat.ID, b.errAttr(err))
	}
	return id
}

// chatPacks returns the packs chat's questions are limited to: its pin
// when that pack is loaded, else none (every pack). A pin to a pack that
// is no longer loaded is kept, and holds again when the pack is back.
func (b *Bot) chatPacks(chat models.Chat) []string {
	if !multiPack(b.c) {
		return nil
	}
	if id := b.storedPin(chat); id != "" {
		if _, ok := b.c.Pack(id); ok {
			return []string{id}
		}
	}
	return nil
}

// inPacks reports whether p belongs to one of packs (none: all).
func inPacks(p corpus.Passage, packs []string) bool {
	if len(packs) == 0 {
		return true
	}
	for _, id := range packs {
		if p.Pack == id {
			return true
		}
	}
	return false
}

// unpinWords are what /doc takes to use every pack again: "all", "*" and
// each language's word (DocAll: 全部, все), compared folded (fold).
func unpinWords() map[string]bool {
	out := map[string]bool{"all": true, "*": true}
	for _, l := range corpus.LangTags() {
		out[foldDocArg(text(l, i18n.DocAll))] = true
	}
	return out
}

// foldDocArg folds what a user typed after /doc: full-width forms, case,
// ё.
func foldDocArg(s string) string {
	s = strings.ToLower(corpus.FoldWidth(strings.TrimSpace(s)))
	return strings.ReplaceAll(s, "ё", "е")
}

// packIDList lists the loaded packs' IDs, the built-in first.
func packIDList(c *corpus.Corpus, lang corpus.Lang) string {
	var ids []string
	for _, p := range c.Packs() {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, text(lang, i18n.IDSeparator))
}

// examplePack is a pack ID to show in "/doc ID, e.g. /doc …": the first
// pack that is not the built-in one.
func examplePack(c *corpus.Corpus) string {
	ps := c.Packs()
	for _, p := range ps {
		if !p.BuiltIn() {
			return p.ID
		}
	}
	return ps[0].ID
}

// docCommand answers /doc [ID|all].
func (b *Bot) docCommand(ctx context.Context, c commandCall) {
	chat, lang := c.m.Chat, c.lang
	say := func(s string) { b.reply(ctx, chat, c.thread, c.replyTo, s) }
	packs := b.c.Packs()
	if len(packs) == 1 {
		// Nothing to choose; a pin stored while more packs were loaded
		// stays, and holds again when they are.
		say(text(lang, i18n.DocSingle, packLabel(packs[0], lang)))
		return
	}
	arg := foldDocArg(c.args)
	allWord := text(lang, i18n.DocAll)
	switch {
	case arg == "":
		pinned := b.storedPin(chat)
		p, loaded := b.c.Pack(pinned)
		switch {
		case pinned == "":
			say(text(lang, i18n.DocCurrentAll, packIDList(b.c, lang), examplePack(b.c)))
		case loaded:
			say(text(lang, i18n.DocCurrentPinned, packLabel(p, lang), allWord))
		default:
			say(text(lang, i18n.DocStale, pinned) + "\n\n" + text(lang, i18n.DocCurrentAll, packIDList(b.c, lang), examplePack(b.c)))
		}
		return
	case unpinWords()[arg]:
		if err := b.settings.SetSetting(chatKey(chat), settingPack, ""); err != nil {
			b.log.Error("telegram: could not unpin a chat's documents", "chat", chat.ID, b.errAttr(err))
			say(text(lang, i18n.Failed))
			return
		}
		say(text(lang, i18n.DocUnpinned))
		return
	}
	p, ok := b.c.Pack(arg)
	if !ok {
		typed := snippet(strings.TrimSpace(corpus.CleanText(c.args)), 40)
		say(text(lang, i18n.DocUnknown, typed, packIDList(b.c, lang)))
		return
	}
	if err := b.settings.SetSetting(chatKey(chat), settingPack, p.ID); err != nil {
		b.log.Error("telegram: could not pin a chat's documents", "chat", chat.ID, b.errAttr(err))
		say(text(lang, i18n.Failed))
		return
	}
	say(text(lang, i18n.DocPinned, packLabel(p, lang), allWord))
}

// docsDoc lists the loaded documents for /docs: each pack by its ID,
// place and date (📌 when the chat is pinned to it), its documents by
// their short titles with their IDs and paragraph counts, and its working
// translations; then how to pin one, or that the chat is pinned.
func docsDoc(c *corpus.Corpus, lang corpus.Lang, pinned string) doc {
	counts := map[string]int{}
	for _, s := range c.Sections() {
		counts[s.Doc] += s.Count
	}
	var d doc
	d.plain(text(lang, i18n.DocsHeader))
	for _, p := range c.Packs() {
		d.plain("\n\n")
		if p.ID == pinned {
			d.plain("📌 ")
		}
		d.bold(packLabel(p, lang))
		for _, document := range p.Documents {
			first, last := docRange(c, document.Key)
			rng := first.ID
			if last.ID != first.ID {
				rng += "–" + last.Local
			}
			d.plain("\n")
			if n := counts[document.Key]; n == 1 {
				d.plain(text(lang, i18n.DocsDocOne, document.ShortTitle(lang), rng))
			} else {
				d.plain(text(lang, i18n.DocsDoc, document.ShortTitle(lang), rng, n))
			}
		}
		var langs []string
		for _, l := range corpus.TranslationLangs() {
			if _, ok := p.Translations[l]; ok {
				langs = append(langs, text(l, i18n.ViewLabel))
			}
		}
		d.plain("\n")
		if len(langs) > 0 {
			d.italic(text(lang, i18n.DocsTranslations, strings.Join(langs, text(lang, i18n.IDSeparator))))
		} else {
			d.italic(text(lang, i18n.DocsNoTranslations))
		}
	}
	if multiPack(c) {
		d.plain("\n\n")
		if _, ok := c.Pack(pinned); ok && pinned != "" {
			d.plain(text(lang, i18n.DocsPinned, pinned, text(lang, i18n.DocAll)))
		} else {
			d.plain(text(lang, i18n.DocsAll, examplePack(c)))
		}
	}
	return d
}

// docRange returns the first and last passages of the document with the
// given key.
func docRange(c *corpus.Corpus, key string) (first, last corpus.Passage) {
	found := false
	for _, p := range c.Passages() {
		if p.Doc != key {
			if found {
				break
			}
			continue
		}
		if !found {
			first, found = p, true
		}
		last = p
	}
	return first, last
}
