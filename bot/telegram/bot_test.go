package telegram

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

func TestValidateToken(t *testing.T) {
	tests := []struct {
		token string
		want  error
	}{
		{"", ErrNoToken},
		{"   ", ErrNoToken},
		{"123456789:AAHfakeTokenForTestsOnly_abcdefghijk", nil},
		{"abc", ErrBadToken},
		{"123456789", ErrBadToken},
		{"123:short", ErrBadToken},
		{"bot123456789:AAHfakeTokenForTestsOnly_abcdefghijk", ErrBadToken},
		{"123456789:AAHfakeTokenForTestsOnly abcdefghijk", ErrBadToken},
	}
	for _, tt := range tests {
		if err := ValidateToken(tt.token); !errors.Is(err, tt.want) {
			t.Errorf("ValidateToken(%q) = %v, want %v", tt.token, err, tt.want)
		}
		if err := ValidateToken(tt.token); err != nil && strings.TrimSpace(tt.token) != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.token)) {
			t.Errorf("error repeats the token: %v", err)
		}
	}
}

func TestRejectedTokenStopsRun(t *testing.T) {
	srv := tgtest.NewServer(t, tgtest.WithToken("111:AAHsomeOtherTokenThatTheServerWants_xyz"))
	logs := &logBuffer{}
	b, err := New(tgtest.DefaultToken, testCorpus, &fakeAnswerer{}, WithAPIURL(srv.URL()), WithLogger(slogTo(logs)))
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("Run = %v, want ErrTokenRejected", err)
	}
	if strings.Contains(err.Error(), tgtest.DefaultToken) || strings.Contains(logs.String(), tgtest.DefaultToken) {
		t.Errorf("the token leaked: %v\n%s", err, logs.String())
	}
}

func TestStartupRegistersCommands(t *testing.T) {
	h := start(t)
	for _, lang := range []string{"", "zh", "ru"} {
		cmds := h.srv.Commands(lang)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Command)
		}
		slices.Sort(names)
		if strings.Join(names, ",") != "ask,cite,doc,docs,help,new,search,sections,start" {
			t.Errorf("commands for %q = %v", lang, names)
		}
	}
	if len(h.srv.CallsTo("deleteWebhook")) != 1 {
		t.Error("polling mode did not clear a stale webhook")
	}
}

func TestPrivateQuestionStreamsDraftsThenAnswers(t *testing.T) {
	h := start(t)
	h.ans.stepDelay = 20 * time.Millisecond
	u := tgtest.NewUser(10, "Ann", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "What about <b>AI</b> & space?")
	msgs := h.botMessages(chat.ID, 1)
	h.settle()
	m := msgs[0]
	if m.Text != "Answer to: What about <b>AI</b> & space? [2.36]" {
		t.Errorf("answer text = %q", m.Text)
	}
	if m.ParseMode != "HTML" || !strings.Contains(m.Raw, "&lt;b&gt;AI&lt;/b&gt; &amp;") {
		t.Errorf("answer not sent as escaped HTML: %q", m.Raw)
	}
	// An English answer's source opens in the English working translation.
	if got := callbackData(m); !slices.Equal(got, []string{"p:2.36:en"}) {
		t.Errorf("source buttons = %v", got)
	}
	if len(h.srv.CallsTo("sendChatAction")) == 0 {
		t.Error("no typing action")
	}
	drafts := h.srv.CallsTo("sendMessageDraft")
	if len(drafts) == 0 {
		t.Fatal("no drafts streamed in a private chat")
	}
	for _, d := range drafts {
		if d.Params["draft_id"] == "0" || d.Params["draft_id"] == "" || d.Status != 200 {
			t.Errorf("draft call %+v", d)
		}
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 1 {
		t.Errorf("%d messages sent, want exactly 1 final answer", n)
	}
	if s := h.bot.Stats(); s.Answers != 1 || s.Questions != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		name     string
		send     func(h *harness, g, u tgtestChat) int // returns the asking message ID
		answered string                                // the question the engine gets; "" for none
	}{
		{"plain chatter is ignored", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "what a nice day").ID
		}, ""},
		{"mention", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "@declbot_test_bot what about trade?").ID
		}, "what about trade?"},
		{"mention in other case", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "hey @DeclBot_Test_Bot, outer space?").ID
		}, "hey , outer space?"},
		{"/ask with the bot's name", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "/ask@declbot_test_bot what about Afghanistan?").ID
		}, "what about Afghanistan?"},
		{"/ask without a name", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "/ask 上合组织开发银行").ID
		}, "上合组织开发银行"},
		{"another bot whose name starts with ours", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "@declbot_test_bot2 what about trade?").ID
		}, ""},
		{"an e-mail address is no mention", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "write to press@declbot_test_bot").ID
		}, ""},
		{"mention after another bot's", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "@declbot_test_bot2 or @declbot_test_bot: trade?").ID
		}, "@declbot_test_bot2 or : trade?"},
		{"another bot's command", func(h *harness, g, u tgtestChat) int {
			return h.srv.SendText(g.chat, u.user, "/ask@some_other_bot what about trade?").ID
		}, ""},
		{"reply to the bot", func(h *harness, g, u tgtestChat) int {
			h.srv.SendText(g.chat, u.user, "/help@declbot_test_bot")
			help := h.botMessages(g.chat.ID, 1)[0]
			return h.srv.ReplyTo(g.chat, u.user, help.ID, "and the climate?").ID
		}, "and the climate?"},
		{"reply to someone else", func(h *harness, g, u tgtestChat) int {
			other := h.srv.SendText(g.chat, tgtest.NewUser(77, "Z", ""), "hello")
			return h.srv.ReplyTo(g.chat, u.user, other.ID, "and the climate?").ID
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			g := tgtestChat{chat: tgtest.Group(500, "SCO fans")}
			u := tgtestChat{user: tgtest.NewUser(20, "Bo", "en")}
			asked := tt.send(h, g, u)
			h.settle()
			qs := h.ans.asked()
			if tt.answered == "" {
				if len(qs) != 0 {
					t.Fatalf("answered %q", qs[0].Text)
				}
				return
			}
			if len(qs) != 1 || qs[0].Text != tt.answered {
				t.Fatalf("engine asked %+v, want %q", qs, tt.answered)
			}
			var answer tgtest.Message
			for _, m := range h.srv.BotMessages(g.chat.ID) {
				if strings.HasPrefix(m.Text, "Answer to:") {
					answer = m
				}
			}
			if answer.ReplyTo != asked {
				t.Errorf("answer replies to %d, want the question %d", answer.ReplyTo, asked)
			}
			if len(h.srv.CallsTo("sendMessageDraft")) != 0 {
				t.Error("drafts used in a group")
			}
			if len(buttons(answer)) != 1 {
				t.Errorf("answer buttons = %+v", buttons(answer))
			}
		})
	}
}

// In a forum group the bot answers in the topic it was asked in: the
// answer, a paragraph opened from its buttons, and a paragraph sent anew
// because its message could not be edited in place.
func TestForumTopics(t *testing.T) {
	h := start(t)
	g := tgtest.Group(600, "SCO forum")
	g.IsForum = true
	u := tgtest.NewUser(21, "Fo", "en")
	const topic = 7
	h.srv.SendTopicText(g, topic, u, "/ask@declbot_test_bot what about space?")
	h.botMessages(g.ID, 1)
	h.settle() // the streamed message gets its buttons when finished
	answer := h.srv.BotMessages(g.ID)[0]
	h.srv.PressButton(g, u, answer.ID, callbackData(answer)[0])
	para := h.botMessages(g.ID, 2)[1]
	h.settle()
	h.srv.FailNext("editMessageText", 1, tgtest.Fault{Code: 400, Description: "Bad Request: message to edit not found"})
	h.srv.PressButton(g, u, para.ID, passageData(actionShowInPlace, "2.37", corpus.LangHans))
	anew := h.botMessages(g.ID, 3)[2]
	h.settle()
	if !strings.HasPrefix(anew.Text, "[2.37]") {
		t.Errorf("paragraph sent anew: %q, want 2.37", anew.Text)
	}
	for _, m := range []tgtest.Message{answer, para, anew} {
		if m.ThreadID != topic {
			t.Errorf("message %d %q went to topic %d, want %d", m.ID, snippet(m.Text, 30), m.ThreadID, topic)
		}
	}
}

type tgtestChat struct {
	chat models.Chat
	user models.User
}

func slogTo(w *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
