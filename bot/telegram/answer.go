package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/review"
)

// question is a question to answer and where the answer goes.
type question struct {
	chat    models.Chat
	thread  int
	from    models.User
	text    string
	replyTo int // in groups, the message asking
	// callbackID is the button press that asked (an example question),
	// which ask answers: empty once the question is taken, with a toast
	// saying why if it is refused.
	callbackID string
}

// maxRecordWait bounds how long a question waits for the user's previous
// turn to be recorded (normally milliseconds) before the busy reply.
const maxRecordWait = 10 * time.Second

// convKey names a conversation for the history: a chat, or a topic in a
// forum group.
func convKey(chat models.Chat, thread int) string {
	k := strconv.FormatInt(chat.ID, 10)
	if thread != 0 {
		k += "/" + strconv.Itoa(thread)
	}
	return k
}

// ask answers a question: it checks the limits, shows "typing", streams
// the answer (drafts in private chats, throttled edits in groups), sends
// the final answer with its source buttons, and records the turn.
func (b *Bot) ask(ctx context.Context, q question) {
	arrived := time.Now()
	lang := messageLang(q.text, q.from.LanguageCode)
	q.text = strings.TrimSpace(q.text)
	if n := utf8.RuneCountInString(q.text); n > b.maxQuestion {
		b.tell(ctx, q, text(lang, i18n.TooLong, b.maxQuestion))
		return
	}
	if q.text == "" {
		b.tell(ctx, q, bot.Text(lang, bot.MsgEmptyQuestion))
		return
	}
	if !b.users.acquireWait(ctx, q.from.ID, maxRecordWait) {
		b.refuse(ctx, q, text(lang, i18n.Busy))
		return
	}
	defer b.users.release(q.from.ID)
	if ok, wait := b.users.allowQuestion(q.from.ID); !ok {
		b.refuse(ctx, q, text(lang, i18n.RateLimited, seconds(wait)))
		return
	}
	if q.callbackID != "" {
		b.answerCallback(ctx, q.callbackID, "")
	}
	b.stats.questions.Add(1)
	b.metrics.InFlight(1)
	defer b.metrics.InFlight(-1)

	key := convKey(q.chat, q.thread)
	var turns []bot.Turn
	if b.hist != nil {
		hs, err := b.hist.Turns(key)
		if err != nil && !errors.Is(err, history.ErrFailed) { // a failed store is logged once, by its owner
			b.log.Warn("telegram: could not read history; answering without it", "chat", q.chat.ID, b.errAttr(err))
		}
		for _, t := range hs {
			turns = append(turns, bot.Turn{Question: t.Question, Answer: t.Answer, Cited: t.Cited})
		}
	}

	s := b.newStream(ctx, q)
	defer func() {
		// A panic below would leave the stream's workers running (and
		// "typing…" shown for as long as the bot runs) and the user
		// without a word. Stop them, apologise, and let dispatch log it.
		if r := recover(); r != nil {
			s.stop()
			s.fail(text(lang, i18n.Failed))
			panic(r)
		}
	}()
	ans, err := b.answerer.AskStream(ctx, bot.Question{Text: q.text, History: turns, Packs: b.chatPacks(q.chat)}, s.update)
	s.stop()
	if err != nil {
		b.stats.failures.Add(1)
		b.log.Error("telegram: no answer", "chat", q.chat.ID, b.errAttr(err))
		s.fail(text(lang, i18n.Failed))
		return
	}
	answerID := ""
	if b.reviews != nil {
		answerID = review.NewID(arrived)
	}
	b.recordAnswer(q, answerID, ans, time.Since(arrived))
	if err := s.finish(ans, answerID); err != nil {
		b.stats.failures.Add(1)
		b.log.Error("telegram: could not deliver an answer", "chat", q.chat.ID, b.errAttr(err))
		return
	}
	// The user can read the answer and ask again while the turn is
	// recorded; that question waits for the record instead of being
	// refused as busy.
	b.users.delivered(q.from.ID)
	b.stats.answers.Add(1)
	b.metrics.AnswerLatency(time.Since(arrived))
	if b.hist != nil {
		t0 := time.Now()
		err := b.hist.Append(key, history.Turn{Question: q.text, Answer: ans.Text, Cited: ans.CitedIDs()})
		b.metrics.StoreWrite("history", time.Since(t0))
		if err != nil && !errors.Is(err, history.ErrFailed) {
			b.log.Warn("telegram: could not save history", "chat", q.chat.ID, b.errAttr(err))
		}
	}
}

// tell answers a question that will not be asked: a button press with a
// toast, a message with a reply.
func (b *Bot) tell(ctx context.Context, q question, s string) {
	if q.callbackID != "" {
		b.answerCallback(ctx, q.callbackID, s)
		return
	}
	b.reply(ctx, q.chat, q.thread, q.replyTo, s)
}

// refuse turns a question away because its user already has one being
// answered or asks too fast: a button press gets a toast, a message a
// notice, at most one per noticeEvery (issue 17: each of 499 messages
// sent during an answer got its own "still answering" reply).
func (b *Bot) refuse(ctx context.Context, q question, s string) {
	b.stats.limited.Add(1)
	if q.callbackID != "" {
		b.answerCallbackOnce(ctx, q.callbackID, s)
		return
	}
	b.notice(ctx, q.from.ID, q.chat, q.thread, q.replyTo, s)
}

// stream shows an answer while it is written. In private chats it
// updates a draft (sendMessageDraft); in groups it sends a message and
// edits it at most once per edit interval. Partial updates are
// best-effort: under flood control they are skipped, never queued. The
// final answer is delivered reliably by finish.
type stream struct {
	b       *Bot
	q       question
	private bool
	draftID int64

	mu      sync.Mutex
	latest  string
	version int

	wake    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	shown   chan struct{} // closed when the first text is on screen
	once    sync.Once
	stopped bool

	// Owned by the worker until done is closed.
	msgID      int       // groups: the message being edited
	msgText    string    // groups: its current text
	pausedTill time.Time // flood control: no partial updates before
	drafts     bool      // private: drafts still work here
	plainDraft bool      // private: Telegram refused the HTML once
}

func (b *Bot) newStream(ctx context.Context, q question) *stream {
	sctx, cancel := context.WithCancel(ctx)
	s := &stream{
		b: b, q: q, private: isPrivate(q.chat),
		draftID: b.nextID.Add(1),
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		ctx:     sctx, cancel: cancel,
		shown:  make(chan struct{}),
		drafts: true,
	}
	go s.typing()
	go s.run()
	return s
}

// update receives the whole answer so far from the engine.
func (s *stream) update(text string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.latest = text
	s.version++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// typing shows "typing…" until the first text is on screen; Telegram
// clears the status after five seconds, so it is repeated.
func (s *stream) typing() {
	for {
		_, err := s.b.tg.SendChatAction(s.ctx, &tgbot.SendChatActionParams{
			ChatID: s.q.chat.ID, MessageThreadID: s.q.thread, Action: models.ChatActionTyping,
		})
		if err != nil && s.ctx.Err() == nil {
			s.b.log.Debug("telegram: sendChatAction failed", s.b.errAttr(err))
		}
		select {
		case <-s.shown:
			return
		case <-s.ctx.Done():
			return
		case <-s.quit:
			return
		case <-time.After(s.b.typingInterval):
		}
	}
}

func (s *stream) markShown() { s.once.Do(func() { close(s.shown) }) }

// run is the worker that puts partial text on screen at a bounded pace.
func (s *stream) run() {
	defer close(s.done)
	interval := s.b.editInterval
	if s.private {
		interval = s.b.draftInterval
	}
	shownVersion := 0
	var last time.Time
	for {
		select {
		case <-s.wake:
		case <-s.quit:
			return
		}
		// Pace: wait out the interval (and any flood-control pause), then
		// show whatever is newest by then.
		wait := max(time.Until(last.Add(interval)), time.Until(s.pausedTill))
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-s.quit:
				return
			}
		}
		s.mu.Lock()
		text, version := s.latest, s.version
		s.mu.Unlock()
		if version == shownVersion || strings.TrimSpace(text) == "" {
			continue
		}
		shownVersion = version
		last = time.Now()
		s.show(text)
	}
}

// show puts a partial answer on screen, once.
func (s *stream) show(text string) {
	chunks := markdownDoc(text).split(s.b.msgLimit)
	if len(chunks) == 0 {
		return
	}
	if s.private {
		if !s.drafts {
			return
		}
		// A draft shows the part being written: the last chunk.
		d := chunks[len(chunks)-1]
		p := &tgbot.SendMessageDraftParams{ChatID: s.q.chat.ID, MessageThreadID: s.q.thread,
			DraftID: strconv.FormatInt(s.draftID, 10), Text: d.html(), ParseMode: models.ParseModeHTML}
		if s.plainDraft {
			p.Text, p.ParseMode = d.text(), ""
		}
		_, err := s.b.tg.SendMessageDraft(s.ctx, p)
		s.partialError("sendMessageDraft", err)
		return
	}
	// Groups: the first chunk, in one message edited as it grows; the
	// rest is sent by finish.
	d := chunks[0]
	if s.msgID != 0 && d.text() == s.msgText {
		return
	}
	if !s.b.groups.allow(s.q.chat.ID) || (s.b.sendLim != nil && !s.b.sendLim.Allow()) {
		return
	}
	if s.msgID == 0 {
		p := &tgbot.SendMessageParams{ChatID: s.q.chat.ID, MessageThreadID: s.q.thread, Text: d.html(), ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()}}
		if s.q.replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: s.q.replyTo, AllowSendingWithoutReply: true}
		}
		m, err := s.b.tg.SendMessage(s.ctx, p)
		if err == nil {
			s.msgID, s.msgText = m.ID, d.text()
		}
		s.partialError("sendMessage", err)
		return
	}
	_, err := s.b.tg.EditMessageText(s.ctx, &tgbot.EditMessageTextParams{ChatID: s.q.chat.ID, MessageID: s.msgID,
		Text: d.html(), ParseMode: models.ParseModeHTML, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()}})
	if err == nil {
		s.msgText = d.text()
	}
	s.partialError("editMessageText", err)
}

// partialError decides what a failed partial update means for the next
// ones.
func (s *stream) partialError(method string, err error) {
	if err == nil {
		s.markShown()
		return
	}
	if s.ctx.Err() != nil {
		return
	}
	switch kind, wait := classify(err); kind {
	case errFlood:
		s.pausedTill = time.Now().Add(wait)
		s.b.log.Info("telegram: flood control while streaming; pausing updates", "method", method, "retry_after", wait)
	case errParse:
		s.plainDraft = true
	case errNotModified:
	case errEditMissing:
		s.msgID = 0
	default:
		if method == "sendMessageDraft" {
			// Drafts unavailable here: the answer arrives whole.
			s.drafts = false
		}
		s.b.log.Warn("telegram: streaming update failed", "method", method, s.b.errAttr(err))
	}
}

// stop ends partial updates and waits for the worker.
func (s *stream) stop() {
	s.mu.Lock()
	already := s.stopped
	s.stopped = true
	s.mu.Unlock()
	if already {
		return
	}
	close(s.quit)
	<-s.done
	s.cancel()
}

// finish delivers the final answer reliably: in groups the streamed
// message becomes its first part, in private chats the answer is sent
// (which ends the draft). The source buttons go under the last part.
func (s *stream) finish(a bot.Answer, answerID string) error {
	ctx := s.b.work
	body := answerDoc(a)
	kb := withFeedback(sourceKeyboard(s.b.c, a, sourceView(a, s.q.text, s.q.from.LanguageCode)), answerID)
	chunks := body.split(s.b.msgLimit)
	if len(chunks) == 0 {
		var d doc
		d.plain(bot.Text(a.Lang, bot.MsgNotAddressed))
		chunks = []doc{d}
	}
	start := 0
	if s.msgID != 0 {
		var markup *keyboard
		if len(chunks) == 1 {
			markup = kb
		}
		err := s.b.edit(ctx, s.q.chat.ID, s.msgID, "", chunks[0], markup)
		if err == nil {
			start = 1
		} else {
			s.b.log.Warn("telegram: could not finish the streamed message; sending the answer anew", s.b.errAttr(err))
		}
	}
	for i := start; i < len(chunks); i++ {
		m := outMsg{chatID: s.q.chat.ID, threadID: s.q.thread, body: chunks[i]}
		if i == 0 {
			m.replyTo = s.q.replyTo
		}
		if i == len(chunks)-1 {
			m.markup = kb
		}
		if _, err := s.b.send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// fail tells the user no answer could be given, replacing the streamed
// message in groups.
func (s *stream) fail(msg string) {
	var d doc
	d.plain(msg)
	if s.msgID != 0 {
		if err := s.b.edit(s.b.work, s.q.chat.ID, s.msgID, "", d, nil); err == nil {
			return
		}
	}
	s.b.reply(s.b.work, s.q.chat, s.q.thread, s.q.replyTo, msg)
}

// Compile-time check that the engine satisfies Answerer.
var _ Answerer = (*bot.Engine)(nil)
