package telegram

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// route handles one update; dispatch runs it in its own goroutine.
func (b *Bot) route(ctx context.Context, _ *tgbot.Bot, u *models.Update) {
	switch {
	case u.Message != nil:
		b.onMessage(ctx, u.Message)
	case u.CallbackQuery != nil:
		b.onCallback(ctx, u.CallbackQuery)
	case u.InlineQuery != nil:
		b.onInline(ctx, u.InlineQuery)
	}
}

// allowed applies the allowlists: with none set everyone is served;
// otherwise the user or the chat must be listed.
func (b *Bot) allowed(userID, chatID int64) bool {
	if len(b.allowedUsers) == 0 && len(b.allowedChats) == 0 {
		return true
	}
	return b.allowedUsers[userID] || b.admins[userID] || (chatID != 0 && b.allowedChats[chatID])
}

// command splits "/cmd@bot args" into its parts. ok is false when the
// text is not a command or is addressed to another bot.
// go-telegram/bot's command matching compares the whole "cmd@bot" with
// the pattern, so commands in groups (where clients add @bot) would be
// missed; we parse them here.
func (b *Bot) command(text string) (cmd, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	name, target, hasTarget := strings.Cut(head[1:], "@")
	if hasTarget && !strings.EqualFold(target, b.me.Username) {
		return "", "", false
	}
	if name == "" {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(rest), true
}

func isPrivate(c models.Chat) bool { return c.Type == models.ChatTypePrivate }

// mentioned reports whether a group message is for the bot (it names
// @bot or replies to the bot) and returns the text without the mention.
// A mention is the whole username: @bot_helper or x@bot (an e-mail
// address) do not name @bot.
func (b *Bot) mentioned(m *models.Message, text string) (string, bool) {
	if b.me.Username != "" {
		at := "@" + strings.ToLower(b.me.Username)
		// Usernames are ASCII, so lowering changes no byte offsets of a match.
		lower := strings.ToLower(text)
		for from := 0; ; {
			i := strings.Index(lower[from:], at)
			if i < 0 {
				break
			}
			i += from
			end := i + len(at)
			if (i == 0 || !isUsernameByte(text[i-1])) && (end == len(text) || !isUsernameByte(text[end])) {
				return strings.TrimSpace(text[:i] + text[end:]), true
			}
			from = end
		}
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == b.me.ID {
		return text, true
	}
	return text, false
}

func isUsernameByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func hasMedia(m *models.Message) bool {
	return m.Sticker != nil || len(m.Photo) > 0 || m.Voice != nil || m.Audio != nil || m.Video != nil ||
		m.VideoNote != nil || m.Document != nil || m.Animation != nil || m.Location != nil || m.Contact != nil ||
		m.Poll != nil || m.Dice != nil || m.Venue != nil
}

func (b *Bot) onMessage(ctx context.Context, m *models.Message) {
	if m.From == nil || m.From.IsBot {
		return
	}
	private := isPrivate(m.Chat)
	thread := 0
	if m.IsTopicMessage {
		thread = m.MessageThreadID
	}
	replyTo := 0
	if !private {
		replyTo = m.ID
	}
	userL := userLang(m.From.LanguageCode)
	t := m.Text
	cmd, args, isCmd := b.command(t)
	if !private && !isCmd {
		// In a group only what is addressed to the bot counts: the rest of
		// the conversation is none of its business, nor of its limits.
		if strings.HasPrefix(t, "/") {
			return // another bot's command
		}
		var forUs bool
		t, forUs = b.mentioned(m, t)
		if !forUs {
			if _, captionForUs := b.mentioned(m, m.Caption); !hasMedia(m) || !captionForUs {
				return
			}
		}
	}
	if ok, wait := b.users.allowUpdate(m.From.ID); !ok {
		b.stats.limited.Add(1)
		b.notice(ctx, m.From.ID, m.Chat, thread, replyTo, text(userL, i18n.SlowDown, seconds(wait)))
		return
	}
	if !b.allowed(m.From.ID, m.Chat.ID) {
		if private {
			b.notice(ctx, m.From.ID, m.Chat, thread, 0, text(userL, i18n.NotAllowed))
		}
		b.log.Info("telegram: message from a user not on the allowlist ignored", "user", m.From.ID, "chat", m.Chat.ID)
		return
	}
	if isCmd {
		b.onCommand(ctx, m, cmd, args, thread, replyTo)
		return
	}
	if b.takeComment(ctx, m, thread, replyTo) {
		return
	}
	if m.Text == "" {
		if hasMedia(m) || private {
			b.reply(ctx, m.Chat, thread, replyTo, text(messageLang(m.Caption, m.From.LanguageCode), i18n.NonText))
		}
		return
	}
	b.ask(ctx, question{chat: m.Chat, thread: thread, from: *m.From, text: t, replyTo: replyTo})
}

// commandCall is one command as a handler gets it: args is the text
// after the command, lang the language to answer in.
type commandCall struct {
	m               *models.Message
	args            string
	thread, replyTo int
	lang            corpus.Lang
}

// commandHandlers answer the commands of the menu (commandDescriptions),
// each documented in i18n.Help; TestCommandsHaveHandlersAndHelp keeps the
// three in step.
var commandHandlers = map[string]func(b *Bot, ctx context.Context, c commandCall){
	"start": func(b *Bot, ctx context.Context, c commandCall) {
		b.sendWelcome(ctx, c.m.Chat, c.thread, userLang(c.m.From.LanguageCode))
	},
	"help": func(b *Bot, ctx context.Context, c commandCall) {
		b.reply(ctx, c.m.Chat, c.thread, c.replyTo, strings.ReplaceAll(text(c.lang, i18n.Help), "{bot}", b.me.Username))
	},
	"ask": func(b *Bot, ctx context.Context, c commandCall) {
		if c.args == "" {
			b.reply(ctx, c.m.Chat, c.thread, c.replyTo, text(c.lang, i18n.AskUsage))
			return
		}
		b.ask(ctx, question{chat: c.m.Chat, thread: c.thread, from: *c.m.From, text: c.args, replyTo: c.replyTo})
	},
	"cite": func(b *Bot, ctx context.Context, c commandCall) {
		b.cite(ctx, c.m.Chat, c.thread, c.replyTo, c.args, c.lang)
	},
	"search": func(b *Bot, ctx context.Context, c commandCall) {
		b.search(ctx, c.m.Chat, c.thread, c.replyTo, c.args, c.lang, b.chatPacks(c.m.Chat))
	},
	"docs": func(b *Bot, ctx context.Context, c commandCall) {
		d := docsDoc(b.c, c.lang, b.storedPin(c.m.Chat))
		if _, err := b.sendAll(ctx, outMsg{chatID: c.m.Chat.ID, threadID: c.thread, replyTo: c.replyTo, body: d}); err != nil {
			b.log.Warn("telegram: could not send the list of documents", "chat", c.m.Chat.ID, b.errAttr(err))
		}
	},
	"doc": func(b *Bot, ctx context.Context, c commandCall) { b.docCommand(ctx, c) },
	"sections": func(b *Bot, ctx context.Context, c commandCall) {
		// "/sections qinghu2026" lists one pack; anything else, all.
		pack := foldDocArg(c.args)
		if _, ok := b.c.Pack(pack); !ok {
			pack = ""
		}
		d, kb := tocDoc(b.c, c.lang, pack)
		if _, err := b.sendAll(ctx, outMsg{chatID: c.m.Chat.ID, threadID: c.thread, replyTo: c.replyTo, body: d, markup: kb}); err != nil {
			b.log.Warn("telegram: could not send the contents", "chat", c.m.Chat.ID, b.errAttr(err))
		}
	},
	"new": func(b *Bot, ctx context.Context, c commandCall) {
		if b.hist != nil {
			// A failed store remembers nothing: there is nothing to forget.
			if err := b.hist.Clear(convKey(c.m.Chat, c.thread)); err != nil && !errors.Is(err, history.ErrFailed) {
				b.log.Error("telegram: could not clear history", "chat", c.m.Chat.ID, b.errAttr(err))
				b.reply(ctx, c.m.Chat, c.thread, c.replyTo, text(c.lang, i18n.Failed))
				return
			}
		}
		b.reply(ctx, c.m.Chat, c.thread, c.replyTo, text(c.lang, i18n.Cleared))
	},
}

// commandAliases are other names users may type for a command; they are
// in neither the menu nor the help.
var commandAliases = map[string]string{"q": "ask", "toc": "sections", "reset": "new"}

func (b *Bot) onCommand(ctx context.Context, m *models.Message, cmd, args string, thread, replyTo int) {
	c := commandCall{m: m, args: args, thread: thread, replyTo: replyTo, lang: messageLang(args, m.From.LanguageCode)}
	if name, ok := commandAliases[cmd]; ok {
		cmd = name
	}
	if h, ok := commandHandlers[cmd]; ok {
		h(b, ctx, c)
		return
	}
	if h, ok := operatorCommands[cmd]; ok {
		if b.admins[m.From.ID] {
			h(b, ctx, c)
			return
		}
		// For anyone else the command does not exist, and a reply (even
		// "unknown command") would say that it does: nothing is sent.
		b.log.Debug("telegram: operator command from a user who is not an admin ignored", "command", cmd)
		return
	}
	if isPrivate(m.Chat) {
		b.reply(ctx, m.Chat, thread, replyTo, text(c.lang, i18n.UnknownCommand))
	}
}

func (b *Bot) sendWelcome(ctx context.Context, chat models.Chat, thread int, lang corpus.Lang) {
	var d doc
	d.plain(text(lang, i18n.Welcome))
	var bs [][]kbButton
	for i, q := range examples(lang) {
		bs = append(bs, []kbButton{button(q, exampleData(lang, i))})
	}
	if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, body: d, markup: &keyboard{InlineKeyboard: bs}}); err != nil {
		b.log.Warn("telegram: could not send the welcome", "chat", chat.ID, b.errAttr(err))
	}
}

// maxCited bounds the paragraphs one /cite shows.
const maxCited = 10

func (b *Bot) cite(ctx context.Context, chat models.Chat, thread, replyTo int, args string, lang corpus.Lang) {
	if args == "" {
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.CiteUsage))
		return
	}
	ps, err := b.c.LookupAll(args)
	if err != nil {
		var le *corpus.LookupError
		if errors.As(err, &le) {
			b.reply(ctx, chat, thread, replyTo, text(lang, i18n.CiteNotFound, le.Reason))
			return
		}
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.Failed))
		return
	}
	view := viewLang(args, lang)
	if len(ps) == 1 {
		b.sendParagraph(ctx, chat, thread, replyTo, ps[0], view, lang)
		return
	}
	var d doc
	for i, p := range ps {
		if i == maxCited {
			d.plain("\n\n")
			d.italic(text(lang, i18n.CiteTooMany, maxCited))
			break
		}
		if i > 0 {
			d.plain("\n\n")
		}
		d.append(paragraphEntry(p, view))
	}
	// The notes of the paragraphs shown, each once, in order: a range
	// of one document has one; a list may mix translated paragraphs with
	// those of a pack without translations.
	var notes []string
	for _, p := range ps[:min(len(ps), maxCited)] {
		if n := viewNote(p, view); n != "" && !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	for _, n := range notes {
		d.plain("\n\n")
		d.italic(n)
	}
	if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, replyTo: replyTo, body: d}); err != nil {
		b.log.Warn("telegram: could not send paragraphs", "chat", chat.ID, b.errAttr(err))
	}
}

// viewLang chooses the language to show the corpus in to a reader of
// lang who typed s: Chinese in the script typed if s has Chinese in it,
// else lang (the working translation for English and Russian readers).
func viewLang(s string, lang corpus.Lang) corpus.Lang {
	if corpus.HasHan(s) {
		if corpus.DetectScript(s) == corpus.Hant {
			return corpus.LangHant
		}
		return corpus.LangHans
	}
	return lang
}

func (b *Bot) sendParagraph(ctx context.Context, chat models.Chat, thread, replyTo int, p corpus.Passage, view, lang corpus.Lang) {
	_, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, replyTo: replyTo,
		body: paragraphDoc(p, view), markup: paragraphKeyboard(b.c, p, view, lang)})
	if err != nil {
		b.log.Warn("telegram: could not send a paragraph", "chat", chat.ID, "id", p.ID, b.errAttr(err))
	}
}

// maxSearch is how many paragraphs /search and inline mode offer.
const maxSearch = 5

// search answers /search: in a chat pinned to a pack (packs), only that
// pack's paragraphs are offered, unless IDs are typed.
func (b *Bot) search(ctx context.Context, chat models.Chat, thread, replyTo int, q string, lang corpus.Lang, packs []string) {
	// Searched and echoed without bidi controls, zero-width characters or
	// markup (red team: up to 40 U+202E were echoed in the header).
	q = strings.TrimSpace(corpus.CleanText(q))
	if q == "" {
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.SearchUsage))
		return
	}
	if utf8.RuneCountInString(q) > b.maxQuestion {
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.TooLong, b.maxQuestion))
		return
	}
	ps, err := b.findPassages(ctx, q, maxSearch, packs)
	if err != nil {
		b.log.Warn("telegram: search failed", b.errAttr(err))
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.SearchUnavailable))
		return
	}
	if len(ps) == 0 {
		b.reply(ctx, chat, thread, replyTo, text(lang, i18n.SearchNone))
		return
	}
	d, kb := passageListDoc(b.c, text(lang, i18n.SearchHeader, snippet(q, 40)), ps, viewLang(q, lang))
	if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, replyTo: replyTo, body: d, markup: kb}); err != nil {
		b.log.Warn("telegram: could not send search results", "chat", chat.ID, b.errAttr(err))
	}
}

// findPassages resolves paragraph IDs typed as such, else ranks
// paragraphs with the Searcher, else matches the folded text. Ranked or
// matched paragraphs are those of packs (none: every pack); IDs typed
// are shown whatever their pack.
func (b *Bot) findPassages(ctx context.Context, q string, k int, packs []string) ([]corpus.Passage, error) {
	if ps, err := b.c.LookupAll(q); err == nil {
		return ps[:min(len(ps), k)], nil
	}
	if b.searcher != nil {
		var res retrieval.Results
		var err error
		if ps, ok := b.searcher.(PackSearcher); ok && len(packs) > 0 {
			res, err = ps.SearchPacks(ctx, q, k, packs)
		} else {
			// A Searcher that ranks every pack: ask for enough to find k
			// of the pinned one among them.
			n := k
			if len(packs) > 0 {
				n = min(b.c.Len(), k*4*len(b.c.Packs()))
			}
			res, err = b.searcher.Search(ctx, q, n)
		}
		if err != nil {
			return nil, err
		}
		var ps []corpus.Passage
		for _, r := range res.Items {
			if len(ps) == k {
				break
			}
			if inPacks(r.Passage, packs) {
				ps = append(ps, r.Passage)
			}
		}
		return ps, nil
	}
	fq := corpus.Fold(q)
	if fq == "" {
		return nil, nil
	}
	var ps []corpus.Passage
	for _, p := range b.c.Passages() {
		if inPacks(p, packs) && strings.Contains(corpus.Fold(p.TextHans), fq) {
			ps = append(ps, p)
			if len(ps) == k {
				break
			}
		}
	}
	return ps, nil
}

func (b *Bot) answerCallback(ctx context.Context, id, msg string) {
	_ = b.retry(ctx, "answerCallbackQuery", func(ctx context.Context) error {
		_, err := b.tg.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: msg})
		return err
	})
}

// answerCallbackOnce answers a press the bot refuses, with a toast, in
// one attempt: a flood of presses must not hold handlers waiting out
// Telegram's flood control for answers nobody needs to see.
func (b *Bot) answerCallbackOnce(ctx context.Context, id, msg string) {
	if _, err := b.tg.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: msg}); err != nil {
		b.log.Debug("telegram: could not answer a refused button press", b.errAttr(err))
	}
}

func (b *Bot) onCallback(ctx context.Context, q *models.CallbackQuery) {
	lang := userLang(q.From.LanguageCode)
	var chat models.Chat
	msgID := 0
	switch {
	case q.Message.Message != nil:
		chat, msgID = q.Message.Message.Chat, q.Message.Message.ID
	case q.Message.InaccessibleMessage != nil:
		chat, msgID = q.Message.InaccessibleMessage.Chat, q.Message.InaccessibleMessage.MessageID
	}
	// Every press is answered (Telegram shows a spinner until then), but
	// over the limit with a toast, not a message: each press used to send
	// one (issue 17: 300 presses, 300 messages).
	if ok, wait := b.users.allowUpdate(q.From.ID); !ok {
		b.stats.limited.Add(1)
		b.answerCallbackOnce(ctx, q.ID, text(lang, i18n.SlowDown, seconds(wait)))
		return
	}
	if !b.allowed(q.From.ID, chat.ID) {
		b.answerCallback(ctx, q.ID, text(lang, i18n.NotAllowed))
		return
	}
	cb, ok := parseCallback(b.c, q.Data)
	if !ok {
		b.log.Info("telegram: invalid callback data refused", "user", q.From.ID, "len", len(q.Data))
		b.answerCallback(ctx, q.ID, text(lang, i18n.Expired))
		return
	}
	if chat.ID == 0 && q.InlineMessageID == "" {
		b.answerCallback(ctx, q.ID, text(lang, i18n.Expired))
		return
	}
	thread := 0
	if m := q.Message.Message; m != nil && m.IsTopicMessage {
		thread = m.MessageThreadID
	}
	switch cb.action {
	case actionOpenParagraph:
		b.answerCallback(ctx, q.ID, "")
		if q.InlineMessageID != "" {
			// No chat to post in: show it in place instead.
			b.showInPlace(ctx, chat, thread, msgID, q.InlineMessageID, cb.passage, cb.view, lang)
			return
		}
		b.sendParagraph(ctx, chat, thread, msgID, cb.passage, cb.view, lang)
	case actionShowInPlace:
		b.answerCallback(ctx, q.ID, "")
		b.showInPlace(ctx, chat, thread, msgID, q.InlineMessageID, cb.passage, cb.view, lang)
	case actionOpenSection:
		b.answerCallback(ctx, q.ID, "")
		if q.InlineMessageID != "" {
			return
		}
		d, kb := sectionDoc(b.c, cb.section, cb.view, lang)
		if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, body: d, markup: kb}); err != nil {
			b.log.Warn("telegram: could not send a section", "chat", chat.ID, b.errAttr(err))
		}
	case actionAskExample:
		if q.InlineMessageID != "" {
			b.answerCallback(ctx, q.ID, "")
			return
		}
		replyTo := 0
		if !isPrivate(chat) {
			replyTo = msgID
		}
		// ask answers the press: with a toast if it refuses the question.
		b.ask(ctx, question{chat: chat, thread: thread, from: q.From, text: examples(cb.lang)[cb.example], replyTo: replyTo, callbackID: q.ID})
	case actionFeedback:
		b.onFeedback(ctx, q, chat, thread, msgID, cb)
	}
}

// showInPlace replaces a paragraph message with another paragraph (or
// the same in another view); if the message is gone, it sends a new one
// in the same topic.
func (b *Bot) showInPlace(ctx context.Context, chat models.Chat, thread, msgID int, inlineID string, p corpus.Passage, view, lang corpus.Lang) {
	body, kb := paragraphDoc(p, view), paragraphKeyboard(b.c, p, view, lang)
	if chunks := body.split(b.msgLimit); len(chunks) == 1 {
		err := b.edit(ctx, chat.ID, msgID, inlineID, body, kb)
		if err == nil || inlineID != "" {
			if err != nil {
				b.log.Warn("telegram: could not edit an inline message", b.errAttr(err))
			}
			return
		}
		b.log.Info("telegram: could not edit a paragraph message; sending it anew", b.errAttr(err))
	}
	b.sendParagraph(ctx, chat, thread, 0, p, view, lang)
}

// maxInline bounds inline results (Telegram allows 50).
const maxInline = 10

func (b *Bot) onInline(ctx context.Context, q *models.InlineQuery) {
	results := []models.InlineQueryResult{}
	var from models.User
	if q.From != nil {
		from = *q.From
	}
	lang := userLang(from.LanguageCode)
	if !b.users.allowInline(from.ID) {
		// Over the limit: no search, and an empty answer only this user's
		// client keeps, for a second, so the next query is answered.
		b.stats.limited.Add(1)
		_, err := b.tg.AnswerInlineQuery(ctx, &tgbot.AnswerInlineQueryParams{InlineQueryID: q.ID,
			Results: results, IsPersonal: true, CacheTime: 1})
		if err != nil {
			b.log.Debug("telegram: could not answer a refused inline query", b.errAttr(err))
		}
		return
	}
	query := strings.TrimSpace(q.Query)
	if b.allowed(from.ID, 0) && query != "" && utf8.RuneCountInString(query) <= b.maxQuestion {
		ps, err := b.findPassages(ctx, query, maxInline, nil)
		if err != nil {
			b.log.Warn("telegram: inline search failed", b.errAttr(err))
		}
		// The paragraph opens as in a chat (viewLang); whoever reads the
		// message in the chat it was sent to can switch its language.
		view := viewLang(query, lang)
		for _, p := range ps {
			body := paragraphDoc(p, view).split(b.msgLimit)[0]
			results = append(results, &models.InlineQueryResultArticle{
				ID:                  p.ID,
				Title:               "[" + p.ID + "] " + inlineTitle(b.c, p, view),
				Description:         snippet(p.TextIn(view), 100),
				InputMessageContent: &models.InputTextMessageContent{MessageText: body.html(), ParseMode: models.ParseModeHTML},
				ReplyMarkup:         paragraphKeyboard(b.c, p, view, lang),
			})
		}
	}
	params := &tgbot.AnswerInlineQueryParams{
		InlineQueryID: q.ID,
		Results:       results,
		CacheTime:     300,
		// With an allowlist, results must not be cached for other users.
		IsPersonal: len(b.allowedUsers)+len(b.allowedChats) > 0,
	}
	if params.IsPersonal {
		// Not 0: go-telegram/bot omits a zero cache_time (omitempty), and
		// Telegram then caches for its default 300 s. One second is the
		// least that is really sent.
		params.CacheTime = 1
	}
	err := b.retry(ctx, "answerInlineQuery", func(ctx context.Context) error {
		_, err := b.tg.AnswerInlineQuery(ctx, params)
		return err
	})
	if err != nil {
		b.log.Warn("telegram: could not answer an inline query", b.errAttr(err))
	}
}
