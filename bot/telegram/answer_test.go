package telegram

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// longAnswer is an answer of n paragraphs that cites 2.36 in each.
func longAnswer(n int) bot.Answer {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Paragraph %d: the member states **reaffirmed** their commitment to <cooperation> & dialogue. ", i)
		b.WriteString(strings.Repeat("They stressed that security is indivisible. ", 8))
		b.WriteString("[2.36]\n\n")
	}
	return bot.Answer{Text: b.String(), Citations: []corpus.Passage{passage("2.36"), passage("T3")}, Grounded: true, Lang: corpus.LangEn}
}

func TestLongAnswerIsSplitWithoutLoss(t *testing.T) {
	for _, private := range []bool{true, false} {
		t.Run(fmt.Sprint("private=", private), func(t *testing.T) {
			h := start(t)
			a := longAnswer(40) // about 16 000 characters
			h.ans.reply = func(bot.Question) (bot.Answer, []string, error) {
				return a, []string{a.Text[:5000], a.Text[:12000]}, nil
			}
			u := tgtest.NewUser(60, "F", "en")
			chat := tgtest.PrivateChat(u)
			if !private {
				chat = tgtest.Group(600, "g")
			}
			text := "tell me everything"
			if !private {
				text = "@declbot_test_bot " + text
			}
			h.srv.SendText(chat, u, text)
			h.srv.Wait(waitLong, "the answer", func() bool { return h.bot.Stats().Answers == 1 })
			msgs := h.srv.BotMessages(chat.ID)
			if len(msgs) < 4 {
				t.Fatalf("%d messages for a 16 000-character answer", len(msgs))
			}
			var got strings.Builder
			for i, m := range msgs {
				if n := tgtest.UTF16Len(m.Text); n > tgtest.MaxMessageLen {
					t.Errorf("message %d has %d units", i, n)
				}
				if m.ParseMode != "HTML" {
					t.Errorf("message %d not HTML", i)
				}
				if (m.Markup != nil) != (i == len(msgs)-1) {
					t.Errorf("message %d: buttons %v (only the last should have them)", i, m.Markup != nil)
				}
				got.WriteString(m.Text)
			}
			want := markdownDoc(a.Text).text()
			if noSpace(got.String()) != noSpace(want) {
				t.Errorf("text lost or changed in splitting")
			}
			if !strings.Contains(got.String(), "<cooperation> & dialogue") {
				t.Error("answer text not shown literally")
			}
		})
	}
}

func TestGroupStreamingEditsThenFinishes(t *testing.T) {
	h := start(t, WithEditInterval(40*time.Millisecond))
	h.ans.stepDelay = 25 * time.Millisecond
	h.ans.reply = func(q bot.Question) (bot.Answer, []string, error) {
		a, _, _ := defaultReply(q)
		var steps []string
		for i := 1; i < 12; i++ {
			steps = append(steps, strings.Repeat("word ", i))
		}
		return a, steps, nil
	}
	g := tgtest.Group(700, "g")
	u := tgtest.NewUser(70, "G", "en")
	q := h.srv.SendText(g, u, "/ask what about trade?")
	h.srv.Wait(waitLong, "the answer", func() bool { return h.bot.Stats().Answers == 1 })
	msgs := h.srv.BotMessages(g.ID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages; a group answer is one message edited in place", len(msgs))
	}
	m := msgs[0]
	if m.ReplyTo != q.ID || m.Edits < 2 || !strings.HasPrefix(m.Text, "Answer to:") || len(buttons(m)) != 1 {
		t.Errorf("final message = %+v", m)
	}
	// Edits are paced: never two within the interval.
	var last time.Time
	edits := h.srv.CallsTo("editMessageText")
	for i, c := range edits {
		if i > 0 && i < len(edits)-1 && c.At.Sub(last) < 30*time.Millisecond {
			t.Errorf("edit %d came %v after the previous one", i, c.At.Sub(last))
		}
		last = c.At
	}
}

func TestHTMLRefusedIsResentAsPlainText(t *testing.T) {
	h := start(t)
	// Pretend Telegram's parser disagrees with us about the first send.
	h.srv.FailNext("sendMessage", 1, tgtest.Fault{Code: 400, Description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3"})
	u := tgtest.NewUser(80, "H", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "question with **bold**")
	m := h.botMessages(chat.ID, 1)[0]
	if m.ParseMode != "" || m.Text != "Answer to: question with bold [2.36]" {
		t.Errorf("plain resend = %+v", m)
	}
	if len(buttons(m)) != 1 {
		t.Error("buttons lost in the plain resend")
	}
}

func TestFloodControl(t *testing.T) {
	h := start(t)
	h.ans.stepDelay = 15 * time.Millisecond
	h.srv.TooManyRequests("sendMessageDraft", 100, 5) // drafts are skipped, not retried
	h.srv.TooManyRequests("sendMessage", 3, 4)        // the final answer waits
	u := tgtest.NewUser(90, "I", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "flood?")
	m := h.botMessages(chat.ID, 1)[0]
	if !strings.HasPrefix(m.Text, "Answer to: flood?") {
		t.Errorf("answer = %q", m.Text)
	}
	fours := 0
	for _, d := range h.sleeps.waits() {
		if d == 4*time.Second {
			fours++
		}
	}
	if fours != 3 {
		t.Errorf("waited retry_after=4s %d times, want 3: %v", fours, h.sleeps.waits())
	}
	if n := len(h.srv.CallsTo("sendMessageDraft")); n != 1 {
		t.Errorf("%d draft calls; after a 429 drafts should pause for retry_after", n)
	}
}

func TestFloodControlOnEditsInGroups(t *testing.T) {
	h := start(t, WithEditInterval(10*time.Millisecond))
	h.ans.stepDelay = 15 * time.Millisecond
	h.srv.TooManyRequests("editMessageText", 2, 3)
	g := tgtest.Group(710, "g")
	u := tgtest.NewUser(91, "J", "en")
	h.srv.SendText(g, u, "/ask edits?")
	h.srv.Wait(waitLong, "the answer", func() bool { return h.bot.Stats().Answers == 1 })
	msgs := h.srv.BotMessages(g.ID)
	if len(msgs) != 1 || msgs[0].Text != "Answer to: edits? [2.36]" || len(buttons(msgs[0])) != 1 {
		t.Errorf("after 429s on edits: %+v", msgs)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	h := start(t)
	h.srv.FailNext("sendMessage", 1, tgtest.Fault{Drop: true})
	h.srv.FailNext("sendMessage", 1, tgtest.Fault{Code: 502})
	u := tgtest.NewUser(92, "K", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "network?")
	if m := h.botMessages(chat.ID, 1)[0]; !strings.HasPrefix(m.Text, "Answer to: network?") {
		t.Errorf("answer = %q", m.Text)
	}
}

func TestNonTextAndLimits(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		do   func(h *harness, chat models.Chat, u models.User)
		want []string // the bot's messages, by prefix
		asks int
	}{
		{"sticker", nil, func(h *harness, c models.Chat, u models.User) { h.srv.SendSticker(c, u) }, []string{"I can only read text"}, 0},
		{"photo", nil, func(h *harness, c models.Chat, u models.User) { h.srv.SendPhoto(c, u, "看看这个") }, []string{"我只能读文字"}, 0},
		{"voice", nil, func(h *harness, c models.Chat, u models.User) { h.srv.SendVoice(c, u) }, []string{"I can only read text"}, 0},
		{"too long", []Option{WithMaxQuestion(50)}, func(h *harness, c models.Chat, u models.User) {
			h.srv.SendText(c, u, strings.Repeat("why ", 20))
		}, []string{"That question is too long (the limit is 50 characters)"}, 0},
		{"too long in chinese", []Option{WithMaxQuestion(10)}, func(h *harness, c models.Chat, u models.User) {
			h.srv.SendText(c, u, strings.Repeat("为什么", 5))
		}, []string{"问题太长了（上限 10 字）"}, 0},
		{"empty after the mention", nil, func(h *harness, c models.Chat, u models.User) {
			h.srv.SendText(c, u, "/ask   ")
		}, []string{"Write your question after /ask"}, 0},
		{"rate limited", []Option{WithRateLimit(time.Hour, 2)}, func(h *harness, c models.Chat, u models.User) {
			for i := 0; i < 3; i++ {
				h.srv.SendText(c, u, fmt.Sprint("question ", i))
				h.settle()
			}
		}, []string{"Answer to: question 0", "Answer to: question 1", "You're asking a little fast — please try again in 3600 s."}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.opts...)
			u := tgtest.NewUser(100, "L", "en")
			chat := tgtest.PrivateChat(u)
			tt.do(h, chat, u)
			h.settle()
			msgs := h.srv.BotMessages(chat.ID)
			if len(msgs) != len(tt.want) {
				t.Fatalf("%d messages, want %d\n%s", len(msgs), len(tt.want), h.srv.Transcript())
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(msgs[i].Text, w) {
					t.Errorf("message %d = %q, want %q…", i, msgs[i].Text, w)
				}
			}
			if n := len(h.ans.asked()); n != tt.asks {
				t.Errorf("engine asked %d times, want %d", n, tt.asks)
			}
		})
	}
}

func TestOneQuestionInFlightPerUser(t *testing.T) {
	h := start(t)
	h.ans.gate = make(chan struct{})
	u := tgtest.NewUser(110, "M", "ru")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "Первый вопрос?")
	h.srv.Wait(waitLong, "the first question to reach the engine", func() bool { return len(h.ans.asked()) == 1 })
	h.srv.SendText(chat, u, "Второй вопрос?")
	busy := h.botMessages(chat.ID, 1)[0]
	if busy.Text != "Я ещё отвечаю на ваш предыдущий вопрос — минутку, пожалуйста." {
		t.Errorf("busy reply = %q", busy.Text)
	}
	// Someone else is not blocked.
	v := tgtest.NewUser(111, "N", "en")
	h.srv.SendText(tgtest.PrivateChat(v), v, "mine?")
	h.srv.Wait(waitLong, "the other user's question", func() bool { return len(h.ans.asked()) == 2 })
	close(h.ans.gate)
	h.settle()
	msgs := h.srv.BotMessages(chat.ID)
	if len(msgs) != 2 || !strings.HasPrefix(msgs[1].Text, "Answer to: Первый вопрос?") {
		t.Errorf("messages = %+v", msgs)
	}
	// Free again.
	h.srv.SendText(chat, u, "Третий?")
	h.settle()
	if n := len(h.srv.BotMessages(chat.ID)); n != 3 {
		t.Errorf("after the answer the user is still blocked: %d messages", n)
	}
}

func TestEngineErrorIsExplained(t *testing.T) {
	h := start(t)
	h.ans.reply = func(bot.Question) (bot.Answer, []string, error) { return bot.Answer{}, nil, errBoom }
	u := tgtest.NewUser(120, "O", "zh-hans")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "为什么？")
	if m := h.botMessages(chat.ID, 1)[0]; m.Text != "抱歉，暂时无法回答。请稍后再试。" {
		t.Errorf("error reply = %q", m.Text)
	}
	if strings.Contains(h.srv.BotMessages(chat.ID)[0].Text, "boom") {
		t.Error("internal error shown to the user")
	}
}

func TestPanicIsRecoveredAndNeverShown(t *testing.T) {
	h := start(t)
	var calls atomic.Int32
	h.ans.reply = func(q bot.Question) (bot.Answer, []string, error) {
		if calls.Add(1) == 1 {
			panic("engine exploded")
		}
		return defaultReply(q)
	}
	u := tgtest.NewUser(130, "P", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "first")
	h.srv.Wait(waitLong, "the panic", func() bool { return h.bot.Stats().Panics == 1 })
	h.settle()
	for _, m := range h.srv.BotMessages(chat.ID) {
		if strings.Contains(m.Text, "exploded") || strings.Contains(m.Text, "panic") {
			t.Errorf("panic shown to the user: %q", m.Text)
		}
	}
	if !strings.Contains(h.logs.String(), "engine exploded") {
		t.Error("panic not logged")
	}
	// The user is not stuck "in flight" and the bot still works.
	h.srv.SendText(chat, u, "second")
	h.settle()
	msgs := h.srv.BotMessages(chat.ID)
	if len(msgs) == 0 || !strings.HasPrefix(msgs[len(msgs)-1].Text, "Answer to: second") {
		t.Errorf("after a panic: %+v", msgs)
	}
}

func TestFollowUpHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	store, err := history.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := tgtest.NewServer(t)
	fa := &fakeAnswerer{}
	h := startWith(t, srv, fa, WithHistory(store))
	u := tgtest.NewUser(140, "Q", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "What about Afghanistan?")
	h.settle()
	h.srv.SendText(chat, u, "And drugs?")
	h.settle()
	qs := fa.asked()
	if len(qs[1].History) != 1 || qs[1].History[0].Question != "What about Afghanistan?" || !strings.HasPrefix(qs[1].History[0].Answer, "Answer to: What about Afghanistan?") {
		t.Fatalf("follow-up history = %+v", qs[1].History)
	}

	// A restart keeps it.
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	store.Close()
	store, err = history.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h = startWith(t, srv, fa, WithHistory(store))
	h.srv.SendText(chat, u, "And terrorism?")
	h.settle()
	qs = fa.asked()
	if n := len(qs[2].History); n != 2 {
		t.Fatalf("after restart the follow-up has %d turns, want 2", n)
	}
	// /new forgets.
	h.srv.SendText(chat, u, "/new")
	h.settle()
	h.srv.SendText(chat, u, "Fresh question")
	h.settle()
	qs = fa.asked()
	if n := len(qs[3].History); n != 0 {
		t.Errorf("after /new: %d turns", n)
	}
	// Other chats have their own history.
	v := tgtest.NewUser(141, "R", "en")
	h.srv.SendText(tgtest.PrivateChat(v), v, "Someone else")
	h.settle()
	if n := len(fa.asked()[4].History); n != 0 {
		t.Errorf("another chat sees %d turns", n)
	}
}

func TestAllowlist(t *testing.T) {
	h := start(t, WithAllowlist([]int64{150}, []int64{-750}))
	allowed := tgtest.NewUser(150, "S", "en")
	stranger := tgtest.NewUser(151, "T", "ru")
	group := tgtest.Group(750, "allowed group")
	otherGroup := tgtest.Group(751, "other group")

	h.srv.SendText(tgtest.PrivateChat(allowed), allowed, "hi?")
	h.srv.SendText(tgtest.PrivateChat(stranger), stranger, "hi?")
	h.srv.SendText(tgtest.PrivateChat(stranger), stranger, "/cite 2.36")
	h.srv.SendText(group, stranger, "/ask in the allowed group?")
	h.srv.SendText(otherGroup, stranger, "/ask in another group?")
	h.settle()
	if n := len(h.ans.asked()); n != 2 {
		t.Errorf("engine asked %d questions, want 2 (allowed user, allowed group)", n)
	}
	for _, m := range h.srv.BotMessages(stranger.ID) {
		if m.Text != "Извините, этот бот доступен только определённым пользователям." {
			t.Errorf("stranger got %q", m.Text)
		}
	}
	if n := len(h.srv.BotMessages(otherGroup.ID)); n != 0 {
		t.Errorf("other group got %d messages", n)
	}
	// Callbacks and inline queries too.
	msgs := h.srv.BotMessages(allowed.ID)
	q := h.srv.PressButton(tgtest.PrivateChat(stranger), stranger, msgs[0].ID, "p:2.36:h")
	h.settle()
	if a, _ := h.srv.CallbackAnswer(q); !strings.Contains(a.Params["text"], "только определённым") {
		t.Errorf("stranger's callback answered %+v", a.Params)
	}
	iq := h.srv.InlineQuery(stranger, "2.36")
	h.settle()
	if rs, ok := h.srv.InlineAnswer(iq); !ok || len(rs) != 0 {
		t.Errorf("stranger's inline query got %d results (answered %v)", len(rs), ok)
	}
	iq = h.srv.InlineQuery(allowed, "2.36")
	h.settle()
	if rs, _ := h.srv.InlineAnswer(iq); len(rs) != 1 {
		t.Errorf("allowed user's inline query got %d results", len(rs))
	}
	if c := h.srv.CallsTo("answerInlineQuery"); c[len(c)-1].Params["is_personal"] != "true" {
		t.Error("results cached across users despite the allowlist")
	}
}

func TestInlineMode(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(160, "U", "zh-hant")
	tests := []struct {
		query string
		ids   []string
	}{
		{"2.36", []string{"2.36"}},
		{"T3 w1", []string{"T3", "W1"}},
		{"", nil},
		{"zzzz no match", nil},
		{"上海合作组织", []string{"0.1"}}, // fallback text match, first hit
	}
	for _, tt := range tests {
		q := h.srv.InlineQuery(u, tt.query)
		h.settle()
		rs, ok := h.srv.InlineAnswer(q)
		if !ok {
			t.Fatalf("%q not answered", tt.query)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		if len(tt.ids) > 0 && (len(ids) == 0 || ids[0] != tt.ids[0]) || len(tt.ids) == 0 && len(ids) != 0 {
			t.Errorf("%q: results %v, want %v first", tt.query, ids, tt.ids)
		}
	}
	q := h.srv.InlineQuery(u, "2.36")
	h.settle()
	rs, _ := h.srv.InlineAnswer(q)
	if !strings.Contains(rs[0].Content.MessageText, passage("2.36").TextHant) {
		t.Errorf("zh-Hant user gets %q", rs[0].Content.MessageText)
	}
	// Picking the result posts it; its buttons edit it in place.
	inlineID, ok := h.srv.ChooseInlineResult(u, q, "2.36")
	if !ok {
		t.Fatal("could not choose the result")
	}
	h.srv.PressInlineMessageButton(u, inlineID, "n:2.37:t")
	h.settle()
	if m, _ := h.srv.InlineMessage(inlineID); !strings.HasPrefix(m.Text, "[2.37]") {
		t.Errorf("inline message after next: %q", m.Text)
	}
}

func TestShutdownLetsAnswersFinish(t *testing.T) {
	h := start(t)
	h.ans.gate = make(chan struct{})
	u := tgtest.NewUser(170, "V", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "slow question")
	h.srv.Wait(waitLong, "the question to reach the engine", func() bool { return len(h.ans.asked()) == 1 })
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	// Run waits for the answer in progress.
	select {
	case <-stopped:
		t.Fatal("Run returned while an answer was in progress")
	case <-time.After(100 * time.Millisecond):
	}
	close(h.ans.gate)
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return")
	}
	if msgs := h.srv.BotMessages(chat.ID); len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "Answer to: slow question") {
		t.Errorf("after shutdown: %+v", msgs)
	}
}

func TestShutdownGraceIsBounded(t *testing.T) {
	h := start(t, WithShutdownGrace(50*time.Millisecond))
	h.ans.gate = make(chan struct{}) // never opened: the answer hangs
	u := tgtest.NewUser(171, "W", "en")
	h.srv.SendText(tgtest.PrivateChat(u), u, "hang")
	h.srv.Wait(waitLong, "the question", func() bool { return len(h.ans.asked()) == 1 })
	began := time.Now()
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if s := h.bot.Stats(); s.Abandoned != 1 {
		t.Errorf("stats = %+v, want 1 abandoned", s)
	}
}

// Updates Telegram has handed over that the bot had not started on when
// it stopped (every handler slot busy) are neither lost nor answered
// twice: the next run gets exactly those.
func TestShutdownUnderLoadLosesNoUpdate(t *testing.T) {
	srv := tgtest.NewServer(t)
	var chats []models.Chat
	for i := range 5 {
		u := tgtest.NewUser(int64(180+i), "L", "en")
		chats = append(chats, tgtest.PrivateChat(u))
		srv.SendText(chats[i], u, fmt.Sprintf("question %d", i))
	}
	first := &fakeAnswerer{gate: make(chan struct{})}
	h := startWith(t, srv, first, WithMaxConcurrent(1))
	srv.Wait(waitLong, "the first question to reach the engine", func() bool { return len(first.asked()) == 1 })
	// Not an assertion: gives go-telegram/bot time to fetch the rest of
	// the batch and poll again, which is what lost them.
	time.Sleep(100 * time.Millisecond)
	h.cancel()
	close(first.gate)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	second := startWith(t, srv, &fakeAnswerer{})
	for _, c := range chats {
		second.botMessages(c.ID, 1)
	}
	second.settle()
	for i, c := range chats {
		if msgs := srv.BotMessages(c.ID); len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, fmt.Sprintf("Answer to: question %d", i)) {
			t.Errorf("chat %d after the restart: %+v, want the one answer", c.ID, msgs)
		}
	}
	if n := len(first.asked()) + len(second.ans.asked()); n != len(chats) {
		t.Errorf("%d questions reached the engines, want %d", n, len(chats))
	}
}
