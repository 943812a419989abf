package telegram

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// limitSpec is a token bucket: burst at once, then one more every every
// (0: no limit).
type limitSpec struct {
	every time.Duration
	burst int
}

func (s limitSpec) limiter() *rate.Limiter {
	limit := rate.Inf
	if s.every > 0 {
		limit = rate.Every(s.every)
	}
	return rate.NewLimiter(limit, max(s.burst, 1))
}

// noticeEvery is the least time between two "slow down" notices (busy,
// rate limited, too many updates, not allowed) to one user: a flood of
// refused updates gets one reply, not one each (issue 17: 500 messages
// got 499 "still answering" replies).
const noticeEvery = 10 * time.Second

// userLimits holds each user's limits: the questions they may ask, the
// updates of any kind the bot acts on for them (messages, commands,
// button presses) and their inline queries, whether they have a question
// being answered, and when they were last told to slow down. Entries idle
// for an hour are dropped so the map does not grow with every user ever
// seen.
type userLimits struct {
	mu                         sync.Mutex
	questions, updates, inline limitSpec
	noticeEvery                time.Duration
	now                        func() time.Time
	users                      map[int64]*userLimit
	touches                    int
}

type userLimit struct {
	questions, updates, inline *rate.Limiter
	busy                       bool
	lastSeen                   time.Time
	// noticed is when the user was last told to slow down.
	noticed time.Time
	// recorded is set while the user's answer is on screen and its turn
	// is still being written to the history; release closes it.
	recorded chan struct{}
}

func newUserLimits(questions, updates, inline limitSpec) *userLimits {
	return &userLimits{questions: questions, updates: updates, inline: inline,
		noticeEvery: noticeEvery, now: time.Now, users: map[int64]*userLimit{}}
}

func (u *userLimits) get(id int64, now time.Time) *userLimit {
	u.touches++
	if u.touches%1024 == 0 {
		for k, v := range u.users {
			if !v.busy && now.Sub(v.lastSeen) > time.Hour {
				delete(u.users, k)
			}
		}
	}
	l := u.users[id]
	if l == nil {
		l = &userLimit{questions: u.questions.limiter(), updates: u.updates.limiter(), inline: u.inline.limiter()}
		u.users[id] = l
	}
	l.lastSeen = now
	return l
}

// acquire marks the user busy; it returns false if they already are.
func (u *userLimits) acquire(id int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.get(id, u.now())
	if l.busy {
		return false
	}
	l.busy = true
	return true
}

// acquireWait is acquire for a user who may have just read their answer:
// if it is on screen and only its turn is still being recorded (a
// database write, which can take a while when many are queued), the new
// question waits for that, up to maxWait or until ctx ends, instead of
// being turned away as if the bot were still answering. A user whose
// answer is still being written is refused at once.
func (u *userLimits) acquireWait(ctx context.Context, id int64, maxWait time.Duration) bool {
	var timeout <-chan time.Time
	for {
		u.mu.Lock()
		l := u.get(id, u.now())
		if !l.busy {
			l.busy = true
			u.mu.Unlock()
			return true
		}
		wait := l.recorded
		u.mu.Unlock()
		if wait == nil {
			return false
		}
		if timeout == nil {
			t := time.NewTimer(maxWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-wait:
		case <-timeout:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// delivered notes that the user's answer is on screen; what remains
// before release is recording it.
func (u *userLimits) delivered(id int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if l := u.users[id]; l != nil && l.busy && l.recorded == nil {
		l.recorded = make(chan struct{})
	}
}

func (u *userLimits) release(id int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if l := u.users[id]; l != nil {
		l.busy = false
		if l.recorded != nil {
			close(l.recorded)
			l.recorded = nil
		}
	}
}

// allowQuestion takes one question from the user's budget; if there is
// none, it returns how long until there is.
func (u *userLimits) allowQuestion(id int64) (bool, time.Duration) {
	return u.take(id, func(l *userLimit) *rate.Limiter { return l.questions })
}

// allowUpdate takes one update (a message, a command, a button press)
// from the user's budget; if there is none, it returns how long until
// there is.
func (u *userLimits) allowUpdate(id int64) (bool, time.Duration) {
	return u.take(id, func(l *userLimit) *rate.Limiter { return l.updates })
}

// allowInline takes one inline query from the user's budget.
func (u *userLimits) allowInline(id int64) bool {
	ok, _ := u.take(id, func(l *userLimit) *rate.Limiter { return l.inline })
	return ok
}

// take takes a token from one of the user's buckets. A refusal takes
// nothing: a flood does not push the user's next allowed update further
// away than the bucket's own refill.
func (u *userLimits) take(id int64, bucket func(*userLimit) *rate.Limiter) (bool, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.now()
	r := bucket(u.get(id, now)).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// notice reports whether the user may be told to slow down now, and if
// so notes that they have been: at most once per noticeEvery.
func (u *userLimits) notice(id int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.now()
	l := u.get(id, now)
	if !l.noticed.IsZero() && now.Sub(l.noticed) < u.noticeEvery {
		return false
	}
	l.noticed = now
	return true
}

// groupPace spaces out the partial updates of streamed answers in each
// group: Telegram lets a bot post about 20 messages a minute in one group,
// edits included, and several answers may stream there at once. Final
// answers are not held back by it (they wait out a 429 instead).
type groupPace struct {
	mu sync.Mutex
	m  map[int64]*rate.Limiter
}

const (
	groupPartialsPerMinute = 20
	groupPartialBurst      = 4
	maxPacedGroups         = 10000
)

func newGroupPace() *groupPace { return &groupPace{m: map[int64]*rate.Limiter{}} }

// allow reports whether a partial update may be sent to chatID now.
func (g *groupPace) allow(chatID int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	l := g.m[chatID]
	if l == nil {
		if len(g.m) >= maxPacedGroups {
			g.m = map[int64]*rate.Limiter{} // forget old groups; the cost is a fresh burst
		}
		l = rate.NewLimiter(rate.Every(time.Minute/groupPartialsPerMinute), groupPartialBurst)
		g.m[chatID] = l
	}
	return l.Allow()
}

// notice tells a user who is over a limit (or not allowed) why nothing
// else happens, at most once per noticeEvery; the rest of a flood gets
// silence, which costs the bot nothing.
func (b *Bot) notice(ctx context.Context, userID int64, chat models.Chat, thread, replyTo int, s string) {
	if b.users.notice(userID) {
		b.reply(ctx, chat, thread, replyTo, s)
	}
}

// seconds rounds a wait up to whole seconds, at least one, for a notice.
func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }
