package telegram

import (
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// statsReply scripts answers by the question's first word: "model" the
// model wrote it, "fallback" it fell back after a timeout, "refuse" the
// texts do not address it; anything else is an offline answer.
func statsReply(q bot.Question) (bot.Answer, []string, error) {
	a, steps, err := defaultReply(q)
	switch w := strings.TrimSuffix(strings.ToLower(strings.Fields(q.Text)[0]), ":"); {
	case w == "model":
		a.Mode = bot.ModeLLM
	case w == "fallback":
		a.Trace.Fallback, a.Notice = bot.FallbackTimeout, bot.Text(a.Lang, bot.MsgModelTimeout)
	case strings.HasPrefix(w, "refuse"):
		a = bot.Answer{Text: "The texts do not address this question.", Lang: a.Lang}
	}
	return a, steps, err
}

// feedbackButtons returns the 👍 and 👎 data under a message.
func feedbackButtons(t *testing.T, m tgtest.Message) (up, down string) {
	t.Helper()
	for _, d := range callbackData(m) {
		switch {
		case strings.HasPrefix(d, "f:") && strings.HasSuffix(d, ":u"):
			up = d
		case strings.HasPrefix(d, "f:") && strings.HasSuffix(d, ":d"):
			down = d
		}
	}
	if up == "" || down == "" {
		t.Fatalf("message %q has no 👍/👎: %v", m.Text, callbackData(m))
	}
	return up, down
}

// noWarnings fails if the bot logged a warning or an error.
func noWarnings(t *testing.T, h *harness) {
	t.Helper()
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			t.Errorf("logged: %s", line)
		}
	}
}

func TestStatsForAdmins(t *testing.T) {
	store := openReview(t, nil)
	admin := tgtest.NewUser(1401, "Admin", "ru")
	h := start(t, WithReview(store), WithAdmins([]int64{admin.ID}))
	h.ans.reply = statsReply

	// An answer from three days ago: in the week, not the day.
	old := time.Now().Add(-72 * time.Hour)
	store.Add(-1009999, review.Record{ID: review.NewID(old), At: old, Question: "Refused: who won the match?",
		Mode: review.ModeOffline, Refused: true})

	u := tgtest.NewUser(1402, "U", "en")
	chat := tgtest.PrivateChat(u)
	ask := func(text string) tgtest.Message {
		t.Helper()
		n := len(h.srv.BotMessages(chat.ID))
		h.srv.SendText(chat, u, text)
		m := h.botMessages(chat.ID, n+1)[n]
		// The answer is on screen a moment before its handler ends; a
		// question sent in that moment would be "still answering".
		h.settle()
		return m
	}
	space := ask("What about outer space?")
	refused := ask("refused: Who won the match?")
	ask("REFUSED: who won the match")
	ask("refuse: what is the weather like")
	up, _ := feedbackButtons(t, space)
	toast(t, h, h.srv.PressButton(chat, u, space.ID, up))
	_, down := feedbackButtons(t, refused)
	toast(t, h, h.srv.PressButton(chat, u, refused.ID, down))

	g := tgtest.Group(-1001401, "G")
	v, w := tgtest.NewUser(1403, "V", "en"), tgtest.NewUser(1404, "W", "zh-hans")
	h.srv.SendText(g, v, "/ask model: what about trade?")
	h.srv.SendText(g, w, "/ask fallback: what about banks?")
	h.botMessages(g.ID, 2)
	h.settle()
	for _, m := range h.srv.BotMessages(g.ID) {
		if strings.Contains(m.Text, "model:") {
			up, down := feedbackButtons(t, m)
			toast(t, h, h.srv.PressButton(g, v, m.ID, up))
			toast(t, h, h.srv.PressButton(g, w, m.ID, down))
			toast(t, h, h.srv.PressButton(g, w, m.ID, down)) // once per user
		}
	}
	h.settle()
	// Records are written in the background: wait for all seven.
	h.srv.Wait(waitLong, "seven records", func() bool {
		recs, err := store.List(time.Time{}, time.Time{})
		return err == nil && len(recs) == 7
	})

	adminChat := tgtest.PrivateChat(admin)
	before := len(h.srv.BotMessages(adminChat.ID))
	h.srv.SendText(adminChat, admin, "/stats")
	got := h.botMessages(adminChat.ID, before+1)[before].Text
	ru := corpus.LangRu
	for _, want := range []string{
		// Day: 6 answers (2 in the group), 1 by the model, 4 offline, 1
		// fallback; 3 refusals; 2 👍 and 2 👎 (one 👎 pressed twice);
		// two chats.
		i18n.Text(ru, i18n.StatsDay) + "\n" + i18n.Text(ru, i18n.StatsCounts, 6, 1, 4, 1, 3, 2, 2, 2),
		i18n.Text(ru, i18n.StatsWeek) + "\n" + i18n.Text(ru, i18n.StatsCounts, 7, 1, 5, 1, 4, 2, 2, 3),
		i18n.Text(ru, i18n.StatsFallbacks, "timeout 1"),
		i18n.Text(ru, i18n.StatsTopRefused) + "\n1. 3× REFUSED: who won the match\n2. 1× refuse: what is the weather like",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats shows\n%s\n\nwant it to contain\n%s", got, want)
		}
	}

	// In a group an admin's /stats goes to them privately: it lists other
	// people's questions.
	groupBefore := len(h.srv.BotMessages(g.ID))
	h.srv.SendText(g, admin, "/stats")
	h.botMessages(adminChat.ID, before+2)
	h.settle()
	if n := len(h.srv.BotMessages(g.ID)); n != groupBefore {
		t.Errorf("/stats in a group sent %d messages to the group", n-groupBefore)
	}
	noWarnings(t, h)
}

// An admin who never opened a private chat with the bot is told in the
// group where to ask; the statistics stay out of the group.
func TestStatsInGroupWithoutPrivateChat(t *testing.T) {
	admin := tgtest.NewUser(1411, "Admin", "en")
	h := start(t, WithReview(openReview(t, nil)), WithAdmins([]int64{admin.ID}))
	g := tgtest.Group(-1001411, "G")
	h.srv.SendText(g, admin, "/stats")
	if got := h.botMessages(g.ID, 1)[0].Text; got != i18n.Text(corpus.LangEn, i18n.StatsPrivate) {
		t.Errorf("group got %q", got)
	}
}

// For anyone but an admin /stats does not exist: no reply at all, not
// even "unknown command", in a private chat or a group, and nothing
// logged as a warning or an error.
func TestStatsIgnoredForOthers(t *testing.T) {
	admin := tgtest.NewUser(1421, "Admin", "en")
	h := start(t, WithReview(openReview(t, nil)), WithAdmins([]int64{admin.ID}))
	u := tgtest.NewUser(1422, "U", "en")
	chat := tgtest.PrivateChat(u)
	g := tgtest.Group(-1001421, "G")
	me := h.bot.Me().Username
	h.srv.SendText(chat, u, "/stats")
	h.srv.SendText(chat, u, "/STATS@"+me)
	h.srv.SendText(g, u, "/stats")
	h.srv.SendText(g, u, "/stats@"+me)
	h.settle()
	if n := len(h.srv.BotMessages(chat.ID)) + len(h.srv.BotMessages(g.ID)); n != 0 {
		t.Errorf("%d replies to a non-admin's /stats; want none", n)
	}
	if n := len(h.srv.CallsTo("sendMessage")); n != 0 {
		t.Errorf("%d messages sent", n)
	}
	noWarnings(t, h)
	// The same user's next message is answered as usual.
	h.srv.SendText(chat, u, "What about outer space?")
	h.botMessages(chat.ID, 1)
}

func TestStatsWithoutReviewLog(t *testing.T) {
	admin := tgtest.NewUser(1431, "Admin", "zh-hant")
	h := start(t, WithAdmins([]int64{admin.ID}))
	chat := tgtest.PrivateChat(admin)
	h.srv.SendText(chat, admin, "/stats")
	if got := h.botMessages(chat.ID, 1)[0].Text; got != i18n.Text(corpus.LangHant, i18n.StatsOff) {
		t.Errorf("/stats with REVIEW_LOG=off: %q", got)
	}
}

// An admin is served even when the allowlist does not name them.
func TestAdminPassesTheAllowlist(t *testing.T) {
	admin := tgtest.NewUser(1441, "Admin", "en")
	h := start(t, WithReview(openReview(t, nil)), WithAdmins([]int64{admin.ID}), WithAllowlist([]int64{1}, nil))
	chat := tgtest.PrivateChat(admin)
	h.srv.SendText(chat, admin, "/stats")
	if got := h.botMessages(chat.ID, 1)[0].Text; !strings.HasPrefix(got, i18n.Text(corpus.LangEn, i18n.StatsDay)) {
		t.Errorf("admin not on the allowlist got %q", got)
	}
}

// failingList is a review log whose reads fail (a damaged database).
type failingList struct{ Reviews }

func (failingList) List(time.Time, time.Time) ([]review.Record, error) {
	return nil, review.ErrFailed
}

// When the review log cannot be read, the admin is told politely and the
// reason is logged; the bot goes on.
func TestStatsWhenTheLogCannotBeRead(t *testing.T) {
	admin := tgtest.NewUser(1451, "Admin", "en")
	h := start(t, WithReview(failingList{openReview(t, nil)}), WithAdmins([]int64{admin.ID}))
	chat := tgtest.PrivateChat(admin)
	h.srv.SendText(chat, admin, "/stats")
	if got := h.botMessages(chat.ID, 1)[0].Text; got != i18n.Text(corpus.LangEn, i18n.Failed) {
		t.Errorf("/stats with a failed log: %q", got)
	}
	if !strings.Contains(h.logs.String(), "could not read the review log") {
		t.Error("the failure is not logged")
	}
	h.srv.SendText(chat, admin, "What about outer space?")
	h.botMessages(chat.ID, 2)
}
