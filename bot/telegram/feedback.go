package telegram

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/bot/review"
)

// Reviews keeps what was asked and answered, and users' votes and
// comments, for review (issue 13); *review.Store is the implementation.
// It is given chat and user IDs and keeps neither (it hashes them).
type Reviews interface {
	// Add queues an answer's record; it must never block.
	Add(chatID int64, r review.Record)
	// Vote records a verdict; review.ErrUnknownAnswer for an answer not
	// given in that chat (stale or forged buttons).
	Vote(answerID string, chatID, userID int64, verdict string) (review.VoteResult, error)
	// Comment records a one-line comment from a user who voted down.
	Comment(answerID string, chatID, userID int64, text string) error
	// List returns the records in [since, until), newest first (/stats).
	List(since, until time.Time) ([]review.Record, error)
}

// WithReview records every answer in r and puts 👍 / 👎 under answers.
// Without it answers carry only their source buttons.
func WithReview(r Reviews) Option { return func(b *Bot) { b.reviews = r } }

// WithMetrics counts what the bot does in m (METRICS_LISTEN).
func WithMetrics(m *metrics.Metrics) Option { return func(b *Bot) { b.metrics = m } }

// actionFeedback is a vote on an answer: f:ANSWERID:u or f:ANSWERID:d.
// ANSWERID is a review.NewID (20 hex digits), so the data is 24 bytes.
const actionFeedback action = 'f'

func feedbackData(answerID, verdict string) string {
	return string(actionFeedback) + ":" + answerID + ":" + verdict[:1]
}

// parseFeedback validates the fields of f:ID:V.
func parseFeedback(id, v string) (string, string, bool) {
	if !review.ValidID(id) {
		return "", "", false
	}
	switch v {
	case "u":
		return id, review.Up, true
	case "d":
		return id, review.Down, true
	}
	return "", "", false
}

// withFeedback adds the 👍 / 👎 row under an answer's source buttons.
func withFeedback(kb *keyboard, answerID string) *keyboard {
	if answerID == "" {
		return kb
	}
	row := []kbButton{button("👍", feedbackData(answerID, review.Up)), button("👎", feedbackData(answerID, review.Down))}
	if kb == nil {
		return &keyboard{InlineKeyboard: [][]kbButton{row}}
	}
	return &keyboard{InlineKeyboard: append(append([][]kbButton{}, kb.InlineKeyboard...), row)}
}

// recordAnswer queues the review record of an answer and counts it. It
// runs before the answer is sent, so that a vote (which the store
// applies in order) always finds its record.
func (b *Bot) recordAnswer(q question, id string, a bot.Answer, took time.Duration) {
	if b.reviews != nil && id != "" {
		b.reviews.Add(q.chat.ID, review.FromAnswer(id, q.text, a, took))
	}
	b.metrics.Answer(string(a.Lang), review.ModeOf(a), a.Trace.Fallback, !a.Grounded, len(a.Rejected))
	if a.Trace.ModelTime > 0 {
		b.metrics.ModelLatency(a.Trace.ModelTime)
	}
}

// onFeedback records a 👍 or 👎 and answers with a toast; after a first
// 👎 from a user it offers, once, to take a comment.
func (b *Bot) onFeedback(ctx context.Context, q *models.CallbackQuery, chat models.Chat, thread, msgID int, cb callback) {
	lang := userLang(q.From.LanguageCode)
	if b.reviews == nil || chat.ID == 0 || q.InlineMessageID != "" {
		b.answerCallback(ctx, q.ID, text(lang, i18n.Expired))
		return
	}
	res, err := b.reviews.Vote(cb.answer, chat.ID, q.From.ID, cb.verdict)
	switch {
	case errors.Is(err, review.ErrUnknownAnswer):
		b.log.Info("telegram: vote on an unknown answer refused", "len", len(q.Data))
		b.answerCallback(ctx, q.ID, text(lang, i18n.Expired))
		return
	case err != nil:
		b.log.Warn("telegram: could not record a vote", b.errAttr(err))
		b.answerCallback(ctx, q.ID, text(lang, i18n.Failed))
		return
	}
	if res.Changed {
		b.metrics.Feedback(cb.verdict)
	}
	toast := i18n.FeedbackUp
	if cb.verdict == review.Down {
		toast = i18n.FeedbackDown
	}
	b.answerCallback(ctx, q.ID, text(lang, toast))
	if cb.verdict != review.Down || !b.comments.offer(cb.answer, q.From.ID) {
		return
	}
	var d doc
	d.plain(text(lang, i18n.CommentPrompt))
	// The user can reply as soon as Telegram has the prompt, before send
	// returns its ID: takeComment waits for the prompt being sent.
	b.comments.sending(chat.ID, q.From.ID)
	m, err := b.send(ctx, outMsg{chatID: chat.ID, threadID: thread, replyTo: msgID, body: d})
	if err != nil {
		b.comments.sent(chat.ID, q.From.ID, 0, "")
		b.log.Warn("telegram: could not offer to take a comment", "chat", chat.ID, b.errAttr(err))
		return
	}
	b.comments.sent(chat.ID, q.From.ID, m.ID, cb.answer)
}

// takeComment records m as a comment if it replies to a comment prompt
// and comes from the user it was offered to; it reports whether it did.
// Any other message, even the same user's next one, is not a comment.
func (b *Bot) takeComment(ctx context.Context, m *models.Message, thread, replyTo int) bool {
	r := m.ReplyToMessage
	if b.reviews == nil || r == nil || m.From == nil || m.Text == "" {
		return false
	}
	answerID, ok := b.comments.take(ctx, m.Chat.ID, r.ID, m.From.ID)
	if !ok {
		return false
	}
	lang := userLang(m.From.LanguageCode) // the prompt's language
	if err := b.reviews.Comment(answerID, m.Chat.ID, m.From.ID, m.Text); err != nil {
		if !errors.Is(err, review.ErrNoVoteDown) && !errors.Is(err, review.ErrUnknownAnswer) {
			b.log.Warn("telegram: could not record a comment", b.errAttr(err))
			b.reply(ctx, m.Chat, thread, replyTo, text(lang, i18n.Failed))
			return true
		}
		// The vote was changed to 👍 since: the prompt no longer stands,
		// and the message is an ordinary one.
		return false
	}
	b.metrics.Comment()
	b.reply(ctx, m.Chat, thread, replyTo, text(lang, i18n.CommentThanks))
	return true
}

// commentPrompts remembers the comment prompts sent and the (answer,
// user) pairs offered one, so that each user is offered once per answer
// and only a reply to the prompt is taken. Bounded: prompts expire after
// commentWindow and at most maxPrompts are kept.
type commentPrompts struct {
	mu      sync.Mutex
	offered map[string]time.Time    // answer ID + user ID
	waiting map[promptKey]promptFor // the prompt messages
	now     func() time.Time
	// inflight counts the prompts being sent, by chat and user; changed
	// is closed (and replaced) whenever one has been sent.
	inflight map[chatUser]int
	changed  chan struct{}
}

type promptKey struct {
	chat int64
	msg  int
}

type chatUser struct{ chat, user int64 }

type promptFor struct {
	answer string
	user   int64
	at     time.Time
}

const (
	commentWindow = 30 * time.Minute
	maxPrompts    = 10000
)

func newCommentPrompts() *commentPrompts {
	return &commentPrompts{offered: map[string]time.Time{}, waiting: map[promptKey]promptFor{}, now: time.Now,
		inflight: map[chatUser]int{}, changed: make(chan struct{})}
}

// offer reports whether user may be offered a comment on answer (the
// first time only) and notes that they were.
func (c *commentPrompts) offer(answer string, user int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expireLocked()
	k := answer + ":" + strconv.FormatInt(user, 10)
	if _, ok := c.offered[k]; ok || len(c.offered) >= maxPrompts {
		return false
	}
	c.offered[k] = c.now()
	return true
}

// sending notes that a prompt to user in chat is being sent.
func (c *commentPrompts) sending(chat, user int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight[chatUser{chat, user}]++
}

// sent notes that the prompt is message msg, offering a comment on
// answer (msg 0: it could not be sent).
func (c *commentPrompts) sent(chat, user int64, msg int, answer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := chatUser{chat, user}
	if c.inflight[k]--; c.inflight[k] <= 0 {
		delete(c.inflight, k)
	}
	if msg != 0 {
		c.waiting[promptKey{chat, msg}] = promptFor{answer: answer, user: user, at: c.now()}
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// promptSendWait bounds how long a reply waits for a prompt being sent
// to that user in that chat to be known: the send itself (a sendMessage
// that Telegram has already accepted) is all it waits for.
const promptSendWait = 5 * time.Second

// take returns the answer a reply to msg is a comment on, once. A reply
// that comes while a prompt to the same user in the same chat is still
// being sent (the soak test's users reply at once) waits for it.
func (c *commentPrompts) take(ctx context.Context, chat int64, msg int, user int64) (string, bool) {
	deadline := time.NewTimer(promptSendWait)
	defer deadline.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	k := promptKey{chat, msg}
	for {
		p, ok := c.waiting[k]
		if ok {
			if p.user != user || c.now().Sub(p.at) > commentWindow {
				return "", false
			}
			delete(c.waiting, k)
			return p.answer, true
		}
		if c.inflight[chatUser{chat, user}] == 0 {
			return "", false
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
			c.mu.Lock()
		case <-deadline.C:
			c.mu.Lock()
			return "", false
		case <-ctx.Done():
			c.mu.Lock()
			return "", false
		}
	}
}

// expireLocked forgets prompts older than the window. An offer is kept
// as long: a user is not offered twice while the first offer stands.
func (c *commentPrompts) expireLocked() {
	if len(c.offered) < maxPrompts/2 {
		return
	}
	cutoff := c.now().Add(-commentWindow)
	for k, at := range c.offered {
		if at.Before(cutoff) {
			delete(c.offered, k)
		}
	}
	for k, p := range c.waiting {
		if p.at.Before(cutoff) {
			delete(c.waiting, k)
		}
	}
}

// countAPIError counts a failed Bot API call by its kind.
func (b *Bot) countAPIError(method string, kind errKind) {
	if b.metrics == nil {
		return
	}
	name := "other"
	switch kind {
	case errFlood:
		name = "flood"
	case errTransient:
		name = "transient"
	}
	b.metrics.APIError(method, name)
}
