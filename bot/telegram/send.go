package telegram

import (
	"context"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// errKind sorts Bot API errors by what the bot does about them.
type errKind int

const (
	errOther        errKind = iota
	errFlood                // 429: wait retry_after, then again
	errTransient            // network failure or 5xx: back off, then again
	errParse                // Telegram refused the HTML: resend as plain text
	errNotModified          // an edit that changes nothing: done already
	errReplyMissing         // the message replied to is gone: send without reply
	errEditMissing          // the message to edit is gone: send a new one
	errInlineResult         // editing an inline message succeeded (see below)
)

var statusRE = regexp.MustCompile(`error response from telegram for method \w+, (\d{3}) `)

// classify reads an error from go-telegram/bot. It reports 429 as
// *tgbot.TooManyRequestsError, 400s as wrapped ErrorBadRequest with
// Telegram's description, 5xx as plain text, network failures as a
// wrapped *url.Error.
func classify(err error) (errKind, time.Duration) {
	var flood *tgbot.TooManyRequestsError
	if errors.As(err, &flood) {
		return errFlood, time.Duration(max(flood.RetryAfter, 1)) * time.Second
	}
	msg := err.Error()
	if errors.Is(err, tgbot.ErrorBadRequest) {
		switch {
		case strings.Contains(msg, "can't parse entities"), strings.Contains(msg, "can't find end tag"), strings.Contains(msg, "unsupported start tag"):
			return errParse, 0
		case strings.Contains(msg, "message is not modified"):
			return errNotModified, 0
		case strings.Contains(msg, "message to be replied not found"), strings.Contains(msg, "replied message not found"):
			return errReplyMissing, 0
		case strings.Contains(msg, "message to edit not found"), strings.Contains(msg, "MESSAGE_ID_INVALID"):
			return errEditMissing, 0
		}
		return errOther, 0
	}
	// Telegram answers true to an edit of an inline-mode message, which
	// go-telegram/bot v1.19.0 tries to decode as a Message: the edit was
	// made.
	if strings.Contains(msg, "error decode response result for method editMessageText") {
		return errInlineResult, 0
	}
	if m := statusRE.FindStringSubmatch(msg); m != nil {
		if code, _ := strconv.Atoi(m[1]); code >= 500 {
			return errTransient, 0
		}
		return errOther, 0
	}
	var uerr *url.Error
	var nerr net.Error
	if errors.As(err, &uerr) || errors.As(err, &nerr) || strings.Contains(msg, "error do request") || strings.Contains(msg, "error read response body") {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return errOther, 0
		}
		return errTransient, 0
	}
	return errOther, 0
}

const (
	maxFloodWaits     = 30
	maxTransientTries = 5
)

// retry runs call until it succeeds, waiting out flood control (429) as
// often as Telegram asks and retrying network failures and 5xx a few
// times with backoff. Other errors are returned at once.
func (b *Bot) retry(ctx context.Context, method string, call func(context.Context) error) error {
	floods, transients := 0, 0
	for {
		err := call(ctx)
		if err == nil {
			return nil
		}
		kind, wait := classify(err)
		b.countAPIError(method, kind)
		switch kind {
		case errFlood:
			b.metrics.FloodWait(wait)
			floods++
			if floods > maxFloodWaits {
				return err
			}
			b.log.Info("telegram: flood control; waiting as asked", "method", method, "retry_after", wait)
		case errTransient:
			transients++
			if transients > maxTransientTries {
				return err
			}
			wait = time.Duration(250<<transients) * time.Millisecond
			b.log.Warn("telegram: request failed; retrying", "method", method, "in", wait, b.errAttr(err))
		default:
			return err
		}
		if serr := b.sleep(ctx, wait); serr != nil {
			return err
		}
	}
}

// paceSend waits for a slot under the global sending rate.
func (b *Bot) paceSend(ctx context.Context) error {
	if b.sendLim == nil {
		return nil
	}
	return b.sendLim.Wait(ctx)
}

// outMsg is a message to send: where, what and with which buttons.
type outMsg struct {
	chatID   int64
	threadID int
	replyTo  int
	body     doc
	markup   *keyboard
}

// send delivers one message (already within the size limit), reliably:
// it waits out flood control, retries network failures, resends as plain
// text if Telegram refuses the HTML, and drops the reply reference if the
// question was deleted.
func (b *Bot) send(ctx context.Context, m outMsg) (*models.Message, error) {
	p := &tgbot.SendMessageParams{
		ChatID:             m.chatID,
		MessageThreadID:    m.threadID,
		Text:               m.body.html(),
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
	}
	if m.markup != nil {
		p.ReplyMarkup = m.markup
	}
	if m.replyTo != 0 {
		p.ReplyParameters = &models.ReplyParameters{MessageID: m.replyTo, AllowSendingWithoutReply: true}
	}
	var sent *models.Message
	call := func(ctx context.Context) error {
		if err := b.paceSend(ctx); err != nil {
			return err
		}
		var err error
		sent, err = b.tg.SendMessage(ctx, p)
		return err
	}
	for {
		err := b.retry(ctx, "sendMessage", call)
		if err == nil {
			return sent, nil
		}
		switch kind, _ := classify(err); {
		case kind == errParse && p.ParseMode != "":
			b.log.Warn("telegram: HTML refused; resending as plain text", b.errAttr(err))
			p.Text, p.ParseMode = m.body.text(), ""
			continue
		case kind == errReplyMissing && p.ReplyParameters != nil:
			p.ReplyParameters = nil
			continue
		}
		return nil, err
	}
}

// edit replaces the text of a message the bot sent (by chat and message
// ID, or by inline message ID). An edit that changes nothing succeeds.
func (b *Bot) edit(ctx context.Context, chatID int64, msgID int, inlineID string, body doc, markup *keyboard) error {
	p := &tgbot.EditMessageTextParams{
		Text:               body.html(),
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
	}
	if inlineID != "" {
		p.InlineMessageID = inlineID
	} else {
		p.ChatID, p.MessageID = chatID, msgID
	}
	if markup != nil {
		p.ReplyMarkup = markup
	}
	call := func(ctx context.Context) error {
		if err := b.paceSend(ctx); err != nil {
			return err
		}
		_, err := b.tg.EditMessageText(ctx, p)
		return err
	}
	for {
		err := b.retry(ctx, "editMessageText", call)
		if err == nil {
			return nil
		}
		switch kind, _ := classify(err); {
		case kind == errNotModified, kind == errInlineResult:
			return nil
		case kind == errParse && p.ParseMode != "":
			b.log.Warn("telegram: HTML refused in an edit; resending as plain text", b.errAttr(err))
			p.Text, p.ParseMode = body.text(), ""
			continue
		}
		return err
	}
}

// sendAll sends a doc that may be longer than one message: it is split,
// the first part replies to replyTo, and the buttons go under the last
// part. It returns the messages sent.
func (b *Bot) sendAll(ctx context.Context, m outMsg) ([]*models.Message, error) {
	chunks := m.body.split(b.msgLimit)
	var sent []*models.Message
	for i, c := range chunks {
		part := outMsg{chatID: m.chatID, threadID: m.threadID, body: c}
		if i == 0 {
			part.replyTo = m.replyTo
		}
		if i == len(chunks)-1 {
			part.markup = m.markup
		}
		msg, err := b.send(ctx, part)
		if err != nil {
			return sent, err
		}
		sent = append(sent, msg)
	}
	return sent, nil
}

// reply sends a short fixed text (a hint, an error) to a chat. Failures
// are logged: there is nobody else to tell.
func (b *Bot) reply(ctx context.Context, chat models.Chat, threadID, replyTo int, s string) {
	var d doc
	d.plain(s)
	if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: threadID, replyTo: replyTo, body: d}); err != nil {
		b.log.Warn("telegram: could not send a reply", "chat", chat.ID, b.errAttr(err))
	}
}
