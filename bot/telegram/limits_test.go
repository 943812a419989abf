package telegram

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/telegram/tgtest"
)

func TestUserLimits(t *testing.T) {
	u := newUserLimits(limitSpec{time.Hour, 2}, limitSpec{}, limitSpec{})
	if !u.acquire(1) || u.acquire(1) {
		t.Fatal("a user got two questions in flight")
	}
	if !u.acquire(2) {
		t.Fatal("one user's question blocked another's")
	}
	u.release(1)
	if !u.acquire(1) {
		t.Fatal("release did not free the user")
	}
	for i := 0; i < 2; i++ {
		if ok, _ := u.allowQuestion(1); !ok {
			t.Fatalf("question %d within the burst refused", i)
		}
	}
	ok, wait := u.allowQuestion(1)
	if ok || wait < 59*time.Minute || wait > time.Hour {
		t.Errorf("third question: ok=%v wait=%v, want a refusal with about an hour to wait", ok, wait)
	}
	// A refusal does not use up budget.
	if ok, again := u.allowQuestion(1); ok || again > wait {
		t.Errorf("refusals consumed budget: %v", again)
	}
}

// Each kind of limit is its own bucket, per user; refusals take nothing,
// and a user over a limit is told so at most once per noticeEvery.
func TestUpdateLimitsAndNotices(t *testing.T) {
	now := time.Unix(1e9, 0)
	u := newUserLimits(limitSpec{time.Hour, 1}, limitSpec{time.Second, 3}, limitSpec{500 * time.Millisecond, 2})
	u.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := u.allowUpdate(1); !ok {
			t.Fatalf("update %d within the burst refused", i)
		}
	}
	for i := 0; i < 100; i++ {
		if ok, wait := u.allowUpdate(1); ok || wait != time.Second {
			t.Fatalf("update over the burst: ok=%v wait=%v, want a refusal with 1 s to wait", ok, wait)
		}
	}
	if ok, _ := u.allowUpdate(2); !ok {
		t.Error("one user's flood limited another")
	}
	if ok, _ := u.allowQuestion(1); !ok || !u.allowInline(1) || !u.allowInline(1) || u.allowInline(1) {
		t.Error("the update bucket is not separate from questions and inline queries")
	}
	now = now.Add(time.Second)
	if ok, _ := u.allowUpdate(1); !ok {
		t.Error("100 refused updates pushed the next one past the refill")
	}
	if !u.notice(1) || u.notice(1) {
		t.Fatal("want one notice, then none")
	}
	if !u.notice(2) {
		t.Error("one user's notice silenced another's")
	}
	now = now.Add(noticeEvery - time.Millisecond)
	if u.notice(1) {
		t.Error("a second notice within noticeEvery")
	}
	now = now.Add(time.Millisecond)
	if !u.notice(1) {
		t.Error("no notice after noticeEvery")
	}
}

func TestGroupPace(t *testing.T) {
	g := newGroupPace()
	n := 0
	for i := 0; i < 100; i++ {
		if g.allow(-1) {
			n++
		}
	}
	if n != groupPartialBurst {
		t.Errorf("%d partial updates allowed at once in one group, want %d", n, groupPartialBurst)
	}
	if !g.allow(-2) {
		t.Error("one group's pace held back another")
	}
}

// A user whose answer is on screen while its turn is still being
// recorded is waited for; one whose answer is still being written is
// refused at once; the wait is bounded.
func TestUserWaitsWhileTurnIsRecorded(t *testing.T) {
	u := newUserLimits(limitSpec{}, limitSpec{}, limitSpec{})
	ctx := context.Background()
	if !u.acquireWait(ctx, 1, time.Second) {
		t.Fatal("a free user was refused")
	}
	if u.acquireWait(ctx, 1, time.Hour) {
		t.Fatal("a second question was let in while the first was being answered")
	}
	u.delivered(1)
	got := make(chan bool, 1)
	go func() { got <- u.acquireWait(ctx, 1, time.Minute) }()
	u.release(1)
	if !<-got {
		t.Fatal("the question asked while the previous turn was recorded was refused")
	}
	u.delivered(1)
	if u.acquireWait(ctx, 1, 10*time.Millisecond) {
		t.Fatal("the wait for a record that never ends was not bounded")
	}
}

// recordingHistory holds every Append until the test lets it go.
type recordingHistory struct {
	entered chan string
	proceed chan struct{}
}

func (r *recordingHistory) Turns(string) ([]history.Turn, error) { return nil, nil }
func (r *recordingHistory) Clear(string) error                   { return nil }
func (r *recordingHistory) Append(_ string, t history.Turn) error {
	r.entered <- t.Question
	<-r.proceed
	return nil
}

// Found by the soak test: a user who reads the answer and asks again at
// once, while the bot is still writing the turn to the history, was told
// "I'm still answering your previous question" and lost the question.
func TestQuestionRightAfterTheAnswerIsNotRefused(t *testing.T) {
	rh := &recordingHistory{entered: make(chan string, 2), proceed: make(chan struct{})}
	h := start(t, WithHistory(rh))
	u := tgtest.NewUser(120, "P", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "first?")
	if q := <-rh.entered; q != "first?" {
		t.Fatalf("recorded %q", q)
	}
	if m := h.botMessages(chat.ID, 1); !strings.HasPrefix(m[0].Text, "Answer to: first?") {
		t.Fatalf("the first answer is not on screen: %q", m[0].Text)
	}
	h.srv.SendText(chat, u, "second?")
	h.srv.Wait(waitLong, "the second question to arrive", func() bool { return h.bot.Stats().Updates == 2 })
	// Refused, it would get the busy reply now, while the record waits.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) && len(h.srv.BotMessages(chat.ID)) == 1 {
		time.Sleep(10 * time.Millisecond)
	}
	close(rh.proceed)
	select {
	case q := <-rh.entered:
		if q != "second?" {
			t.Fatalf("recorded %q", q)
		}
	case <-time.After(waitLong):
		t.Errorf("the second question was never answered")
	}
	msgs := h.srv.BotMessages(chat.ID)
	if len(msgs) != 2 || !strings.HasPrefix(msgs[1].Text, "Answer to: second?") {
		var texts []string
		for _, m := range msgs {
			texts = append(texts, m.Text)
		}
		t.Errorf("chat shows %q, want the two answers", texts)
	}
}
