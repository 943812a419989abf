package telegram

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

func openReview(t *testing.T, m *metrics.Metrics) *review.Store {
	t.Helper()
	s, err := review.Open(t.TempDir(), review.WithWriteObserver(func(d time.Duration) { m.StoreWrite("review", d) }),
		review.WithDropCounter(m.ReviewDropped), review.WithWrittenCounter(m.ReviewRecorded))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// feedbackRow returns the data of the 👍 and 👎 buttons: the last row,
// after the source buttons.
func feedbackRow(t *testing.T, m tgtest.Message) (up, down string) {
	t.Helper()
	if m.Markup == nil || len(m.Markup.InlineKeyboard) < 2 {
		t.Fatalf("answer has no source and feedback rows: %+v", m.Markup)
	}
	rows := m.Markup.InlineKeyboard
	if !strings.HasPrefix(rows[0][0].Text, "📄") {
		t.Errorf("first row %+v: the source buttons should stay", rows[0])
	}
	last := rows[len(rows)-1]
	if len(last) != 2 || last[0].Text != "👍" || last[1].Text != "👎" {
		t.Fatalf("last row %+v, want 👍 and 👎", last)
	}
	for _, b := range last {
		if len(b.CallbackData) > maxCallbackData {
			t.Errorf("callback data %q is %d bytes", b.CallbackData, len(b.CallbackData))
		}
	}
	return last[0].CallbackData, last[1].CallbackData
}

func toast(t *testing.T, h *harness, queryID string) string {
	t.Helper()
	var ans tgtest.Call
	h.srv.Wait(waitLong, "the press answered", func() bool {
		var ok bool
		ans, ok = h.srv.CallbackAnswer(queryID)
		return ok
	})
	return ans.Params["text"]
}

// recordOf returns the review record of the answer to question.
func recordOf(t *testing.T, s *review.Store, question string) review.Record {
	t.Helper()
	recs, err := s.List(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Question == question {
			return r
		}
	}
	t.Fatalf("no review record of %q among %d", question, len(recs))
	return review.Record{}
}

func TestFeedbackPrivateChat(t *testing.T) {
	store := openReview(t, nil)
	h := start(t, WithReview(store))
	u := tgtest.NewUser(1301, "F", "ru")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "What about outer space?")
	ans := h.botMessages(chat.ID, 1)[0]
	up, down := feedbackRow(t, ans)

	if got := toast(t, h, h.srv.PressButton(chat, u, ans.ID, up)); got != i18n.Text(corpus.LangRu, i18n.FeedbackUp) {
		t.Errorf("👍 toast %q, want the Russian thanks", got)
	}
	h.settle()
	if n := len(h.srv.BotMessages(chat.ID)); n != 1 {
		t.Errorf("👍 sent %d messages; it should only toast", n-1)
	}
	if got := toast(t, h, h.srv.PressButton(chat, u, ans.ID, down)); got != i18n.Text(corpus.LangRu, i18n.FeedbackDown) {
		t.Errorf("👎 toast %q", got)
	}
	prompt := h.botMessages(chat.ID, 2)[1]
	if prompt.Text != i18n.Text(corpus.LangRu, i18n.CommentPrompt) || prompt.ReplyTo != ans.ID {
		t.Errorf("after 👎: %q replying to %d, want the comment prompt replying to the answer", prompt.Text, prompt.ReplyTo)
	}
	// Once: 👍 then 👎 again offers nothing more.
	toast(t, h, h.srv.PressButton(chat, u, ans.ID, up))
	toast(t, h, h.srv.PressButton(chat, u, ans.ID, down))
	h.settle()
	if n := len(h.srv.BotMessages(chat.ID)); n != 2 {
		t.Errorf("%d bot messages after a second 👎, want no second prompt", n)
	}
	// A message that is not a reply to the prompt is a question.
	h.srv.SendText(chat, u, "And trade?")
	h.botMessages(chat.ID, 3)
	h.settle()
	if qs := h.ans.asked(); len(qs) != 2 {
		t.Fatalf("questions asked %d, want the later message answered as a question", len(qs))
	}
	h.srv.ReplyTo(chat, u, prompt.ID, "It cited\nthe wrong paragraph")
	thanks := h.botMessages(chat.ID, 4)[3]
	if thanks.Text != i18n.Text(corpus.LangRu, i18n.CommentThanks) {
		t.Errorf("after the comment: %q", thanks.Text)
	}
	h.settle()
	if qs := h.ans.asked(); len(qs) != 2 {
		t.Errorf("the comment was asked as a question")
	}
	// A second reply to the same prompt is a question again.
	h.srv.ReplyTo(chat, u, prompt.ID, "one more thing")
	h.botMessages(chat.ID, 5)
	h.settle()

	recs, _ := store.List(time.Time{}, time.Time{})
	var first review.Record
	for _, r := range recs {
		if r.Question == "What about outer space?" {
			first = r
		}
	}
	if first.Down() != 1 || first.Up() != 0 || len(first.Votes) != 1 {
		t.Errorf("votes %+v: want the one user's latest verdict, 👎", first.Votes)
	}
	if len(first.Comments) != 1 || first.Comments[0].Text != "It cited the wrong paragraph" {
		t.Errorf("comments %+v", first.Comments)
	}
	if first.Chat == strconv.FormatInt(chat.ID, 10) || first.Chat == "" {
		t.Errorf("chat kept as %q", first.Chat)
	}
	if first.Question == "" || first.Lang == "" || first.Mode != review.ModeOffline || len(first.Cited) != 1 || first.LatencyMS <= 0 {
		t.Errorf("record %+v: want question, language, mode, cited IDs and latency", first)
	}
}

func TestFeedbackInGroupsCountsEachUserOnce(t *testing.T) {
	store := openReview(t, nil)
	h := start(t, WithReview(store))
	a, b := tgtest.NewUser(1311, "A", "en"), tgtest.NewUser(1312, "B", "zh-hans")
	g := tgtest.Group(-1001311, "G")
	h.srv.SendText(g, a, "/ask What about outer space?")
	h.botMessages(g.ID, 1)
	h.settle() // the streamed message gets its buttons when finished
	ans := h.srv.BotMessages(g.ID)[0]
	up, down := feedbackRow(t, ans)
	for i := 0; i < 3; i++ {
		toast(t, h, h.srv.PressButton(g, a, ans.ID, up))
	}
	if got := toast(t, h, h.srv.PressButton(g, b, ans.ID, down)); got != i18n.Text(corpus.LangHans, i18n.FeedbackDown) {
		t.Errorf("toast for a Chinese user %q", got)
	}
	prompt := h.botMessages(g.ID, 2)[1]
	// Another user's reply to b's prompt is not b's comment (it is a
	// question: it replies to the bot).
	h.srv.ReplyTo(g, a, prompt.ID, "not mine to say")
	h.settle()
	r := recordOf(t, store, "What about outer space?")
	if r.Up() != 1 || r.Down() != 1 || len(r.Comments) != 0 {
		t.Errorf("votes %+v comments %+v: want one 👍 (three taps, one user) and one 👎, no comment", r.Votes, r.Comments)
	}
	h.srv.ReplyTo(g, b, prompt.ID, "too vague")
	h.settle()
	if r := recordOf(t, store, "What about outer space?"); len(r.Comments) != 1 || r.Comments[0].Text != "too vague" {
		t.Errorf("comments %+v", r.Comments)
	}
}

// Forged or stale votes are answered politely and recorded nowhere: not
// in the store, not in the metrics.
func TestForgedAndStaleVotes(t *testing.T) {
	m := metrics.New()
	store := openReview(t, m)
	h := start(t, WithReview(store), WithMetrics(m))
	u := tgtest.NewUser(1321, "F", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "What about outer space?")
	ans := h.botMessages(chat.ID, 1)[0]
	up, _ := feedbackRow(t, ans)
	id := strings.Split(up, ":")[1]
	other := tgtest.NewUser(1322, "O", "en")
	otherChat := tgtest.PrivateChat(other)
	h.srv.SendText(otherChat, other, "hello there")
	h.botMessages(otherChat.ID, 1)
	h.settle()
	for _, tc := range []struct {
		chat models.Chat
		from models.User
		data string
	}{
		{chat, u, "f:" + review.NewID(time.Now().Add(-time.Hour)) + ":u"}, // stale: no such answer
		{chat, u, "f:" + id + ":x"},
		{chat, u, "f:" + strings.ToUpper(id) + ":u"},
		{chat, u, "f:" + id[:19] + ":d"},
		{chat, u, "f:" + id + "0:d"},
		{chat, u, "f:" + id + ":u:"},
		{otherChat, other, up}, // an answer from another chat
	} {
		q := h.srv.PressButton(tc.chat, tc.from, ans.ID, tc.data)
		if got := toast(t, h, q); got != i18n.Text(corpus.LangEn, i18n.Expired) {
			t.Errorf("data %q: toast %q, want the polite expired one", tc.data, got)
		}
	}
	h.settle()
	recs, err := store.List(time.Time{}, time.Time{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %d, %v; want the two answers", len(recs), err)
	}
	for _, r := range recs {
		if len(r.Votes) != 0 {
			t.Errorf("forged votes recorded on %q: %+v", r.Question, r.Votes)
		}
	}
	if v := scrape(t, m)["declbot_feedback_total"]; v != nil {
		t.Errorf("forged votes counted: %v", v)
	}
}

// scrape reads /metrics over HTTP, as Prometheus would, and parses the
// text exposition format.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Accept", "text/plain")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not in the text format: %v", err)
	}
	return fams
}

// value is the value of the series of fam with the given labels.
func value(fam *dto.MetricFamily, labels map[string]string) (float64, bool) {
	if fam == nil {
		return 0, false
	}
next:
	for _, m := range fam.Metric {
		for _, l := range m.Label {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsEndpoint(t *testing.T) {
	m := metrics.New()
	store := openReview(t, m)
	h := start(t, WithReview(store), WithMetrics(m))
	u := tgtest.NewUser(1331, "M", "en")
	chat := tgtest.PrivateChat(u)
	const question = "What does the declaration say about outer space?"
	h.srv.SendText(chat, u, question)
	ans := h.botMessages(chat.ID, 1)[0]
	up, down := feedbackRow(t, ans)
	toast(t, h, h.srv.PressButton(chat, u, ans.ID, up))
	toast(t, h, h.srv.PressButton(chat, u, ans.ID, down))
	h.srv.TooManyRequests("sendMessage", 1, 2)
	h.srv.SendText(chat, u, "Что о торговле?")
	h.botMessages(chat.ID, 3) // the comment prompt, the answer
	h.settle()
	// The second answer's metrics and review record are written after
	// its message is sent: on a loaded machine, after settle's idle
	// checks too. Wait for them rather than for idleness.
	h.srv.Wait(waitLong, "the second answer's metrics", func() bool {
		fams := scrape(t, m)
		ru, _ := value(fams["declbot_questions_total"], map[string]string{"lang": "ru", "mode": "offline"})
		rec, _ := value(fams["declbot_review_records_total"], nil)
		return ru >= 1 && rec >= 2
	})

	fams := scrape(t, m)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"declbot_questions_total", map[string]string{"lang": "en", "mode": "offline"}, 1},
		{"declbot_questions_total", map[string]string{"lang": "ru", "mode": "offline"}, 1},
		{"declbot_feedback_total", map[string]string{"verdict": "up"}, 1},
		{"declbot_feedback_total", map[string]string{"verdict": "down"}, 1},
		{"declbot_telegram_flood_waits_total", nil, 1},
		{"declbot_telegram_api_errors_total", map[string]string{"method": "sendMessage", "kind": "flood"}, 1},
		{"declbot_answer_latency_seconds", nil, 2},
		{"declbot_answers_in_flight", nil, 0},
		{"declbot_review_records_total", nil, 2},
	}
	for _, c := range checks {
		if got, ok := value(fams[c.name], c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if got, ok := value(fams["declbot_store_write_seconds"], map[string]string{"store": "review"}); !ok || got < 1 {
		t.Errorf("review store write latency: %v observations", got)
	}
	// No question text, answer ID or Telegram ID in any label.
	id := strings.Split(up, ":")[1]
	for name, fam := range fams {
		for _, s := range fam.Metric {
			for _, l := range s.Label {
				v := l.GetValue()
				if strings.Contains(question, v) && len(v) > 3 || strings.Contains(v, id) || strings.Contains(v, strconv.FormatInt(u.ID, 10)) || strings.Contains(v, "2.36") {
					t.Errorf("%s has label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}
}

// A reply to a comment prompt can arrive before the bot has learnt the
// prompt's message ID (the soak test's users reply at once): it waits
// for the prompt being sent, and is the comment.
func TestCommentWhilePromptIsBeingSent(t *testing.T) {
	c := newCommentPrompts()
	c.sending(-100, 7)
	got := make(chan string, 1)
	go func() {
		a, _ := c.take(context.Background(), -100, 42, 7)
		got <- a
	}()
	select {
	case a := <-got:
		t.Fatalf("take returned %q before the prompt was sent", a)
	case <-time.After(50 * time.Millisecond):
	}
	c.sending(-100, 8) // another user's prompt: not waited for by 7
	c.sent(-100, 8, 41, "other")
	c.sent(-100, 7, 42, "answer")
	select {
	case a := <-got:
		if a != "answer" {
			t.Errorf("take = %q, want the answer the prompt offered a comment on", a)
		}
	case <-time.After(waitLong):
		t.Fatal("take did not return after the prompt was sent")
	}
	// With no prompt being sent, a reply to an unknown message is no
	// comment, at once.
	if a, ok := c.take(context.Background(), -100, 99, 7); ok {
		t.Errorf("take of an unknown message = %q", a)
	}
	if _, ok := c.take(context.Background(), -100, 41, 7); ok {
		t.Error("user 7 took user 8's prompt")
	}
}
