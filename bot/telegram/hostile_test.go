package telegram

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// With an allowlist, inline results must not be cached across users: the
// cache time is really sent (red team: a cache time of 0 was dropped by
// the library's omitempty, so Telegram's 300 s default applied).
func TestInlineCacheTimeIsSent(t *testing.T) {
	h := start(t, WithAllowlist([]int64{150}, nil))
	u := tgtest.NewUser(150, "A", "en")
	q := h.srv.InlineQuery(u, "outer space")
	h.srv.Wait(waitLong, "the inline answer", func() bool { _, ok := h.srv.InlineAnswer(q); return ok })
	calls := h.srv.CallsTo("answerInlineQuery")
	if len(calls) != 1 {
		t.Fatalf("%d answerInlineQuery calls", len(calls))
	}
	ct, ok := calls[0].Params["cache_time"]
	if !ok || ct != "1" || calls[0].Params["is_personal"] != "true" {
		t.Errorf("cache_time %q (sent: %v), is_personal %q; want 1, personal", ct, ok, calls[0].Params["is_personal"])
	}
}

// Bidi overrides and zero-width characters in a query are not echoed
// back (red team: /search echoed up to 40 U+202E).
func TestSearchDoesNotEchoBidiControls(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(151, "B", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "/search "+strings.Repeat("\u202e", 40)+"外\u200b空\u2066")
	m := h.botMessages(chat.ID, 1)[0]
	if strings.ContainsAny(m.Text, "\u202e\u200b\u2066") {
		t.Errorf("search header echoes control characters: %q", m.Text)
	}
	if !strings.Contains(m.Text, "外空") {
		t.Errorf("search header lost the query: %q", m.Text)
	}
}
