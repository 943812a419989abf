package telegram

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// Faults of the Telegram side that the other tests do not cover: see
// docs/RELIABILITY.md for the whole matrix and which test covers each cell.

// A panic while answering: the user gets the polite "could not answer"
// (never the panic), the stream's "typing…" stops, and the next question
// is answered.
func TestPanicApologisesAndStopsTyping(t *testing.T) {
	fast := func(b *Bot) { b.typingInterval = 20 * time.Millisecond }
	h := start(t, fast)
	var calls atomic.Int32
	h.ans.reply = func(q bot.Question) (bot.Answer, []string, error) {
		if calls.Add(1) == 1 {
			panic("engine exploded with the token " + h.srv.Token())
		}
		return defaultReply(q)
	}
	u := tgtest.NewUser(300, "P", "ru")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "Первый вопрос?")
	h.srv.Wait(waitLong, "the panic", func() bool { return h.bot.Stats().Panics == 1 })
	h.settle()
	msgs := h.botMessages(chat.ID, 1)
	if len(msgs) != 1 || msgs[0].Text != text(userLang("ru"), i18n.Failed) {
		t.Fatalf("after a panic the user got %+v, want the polite failure message", msgs)
	}
	// Typing stops with the handler: no chat action for many intervals.
	typing := len(h.srv.CallsTo("sendChatAction"))
	time.Sleep(10 * 20 * time.Millisecond)
	if n := len(h.srv.CallsTo("sendChatAction")); n != typing {
		t.Errorf("still sending \"typing\" after the panic: %d calls, then %d", typing, n)
	}
	if strings.Contains(h.logs.String(), h.srv.Token()) {
		t.Error("the token appears in the logs")
	}
	h.srv.SendText(chat, u, "Второй?")
	h.settle()
	msgs = h.srv.BotMessages(chat.ID)
	if len(msgs) != 2 || !strings.HasPrefix(msgs[1].Text, "Answer to: Второй?") {
		t.Errorf("after a panic: %+v", msgs)
	}
}

// getUpdates failing (connection dropped, 502, 409 conflict): polling
// backs off and recovers; no update is lost or handled twice; the token,
// which is in the URL of every failed request, is never logged.
func TestPollingRecoversFromNetworkErrors(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(310, "Q", "en")
	chat := tgtest.PrivateChat(u)
	// The bot is ready before its first poll reaches the server; a fault
	// meant for the polls after it would otherwise hit that one, leaving
	// both questions to arrive together.
	h.srv.Wait(waitLong, "the first poll", h.srv.Polling)
	h.srv.FailNext("getUpdates", 2, tgtest.Fault{Drop: true})
	h.srv.FailNext("getUpdates", 1, tgtest.Fault{Code: 502})
	h.srv.FailNext("getUpdates", 1, tgtest.Fault{Code: 409, Description: "Conflict: terminated by other getUpdates request"})
	// The poll in progress returns the first question; the next four
	// polls fail; the second question is waiting when polling recovers.
	h.srv.SendText(chat, u, "first?")
	h.srv.Wait(waitLong, "the failed polls", func() bool {
		failed := 0
		for _, c := range h.srv.CallsTo("getUpdates") {
			if c.Status != 200 {
				failed++
			}
		}
		return failed == 4
	})
	h.srv.SendText(chat, u, "second?")
	msgs := h.botMessages(chat.ID, 2)
	h.settle()
	if !strings.HasPrefix(msgs[0].Text, "Answer to: first?") || !strings.HasPrefix(msgs[1].Text, "Answer to: second?") {
		t.Errorf("answers = %q, %q", msgs[0].Text, msgs[1].Text)
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 2 {
		t.Errorf("%d answers for 2 questions", n)
	}
	if len(h.ans.asked()) != 2 {
		t.Errorf("engine asked %d times, want 2", len(h.ans.asked()))
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "getUpdates") {
		t.Errorf("failed polls not logged:\n%s", logs)
	}
	if strings.Contains(logs, h.srv.Token()) {
		t.Error("the token appears in the logs")
	}
}

// Telegram refusing the HTML of an edit (a group's streamed answer): the
// edit is redone as plain text, the answer stays one message with its
// buttons.
func TestEditHTMLRefusedIsRedoneAsPlainText(t *testing.T) {
	h := start(t, WithEditInterval(5*time.Millisecond))
	h.ans.stepDelay = 10 * time.Millisecond
	var refused atomic.Int32
	h.srv.SetHook(func(c tgtest.Call) *tgtest.Fault {
		// Refuse the final edit (the one with the buttons), once.
		if c.Method == "editMessageText" && c.Params["parse_mode"] == "HTML" && c.Params["reply_markup"] != "" && refused.Add(1) == 1 {
			return &tgtest.Fault{Code: 400, Description: "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""}
		}
		return nil
	})
	g := tgtest.Group(3200, "g")
	u := tgtest.NewUser(320, "R", "en")
	h.srv.SendText(g, u, "/ask **bold** question")
	h.srv.Wait(waitLong, "the answer", func() bool { return h.bot.Stats().Answers == 1 })
	msgs := h.srv.BotMessages(g.ID)
	if refused.Load() != 1 {
		t.Fatalf("the final edit was not refused (%d); transcript:\n%s", refused.Load(), h.srv.Transcript())
	}
	if len(msgs) != 1 || msgs[0].ParseMode != "" || msgs[0].Text != "Answer to: bold question [2.36]" || len(buttons(msgs[0])) != 1 {
		t.Errorf("after the refused edit: %+v", msgs)
	}
}
