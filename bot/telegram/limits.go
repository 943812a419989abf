package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// userLimits holds each user's question rate limiter and whether they have
// a question being answered. Entries idle for an hour are dropped so the
// map does not grow with every user ever seen.
type userLimits struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	users   map[int64]*userLimit
	touches int
}

type userLimit struct {
	lim      *rate.Limiter
	busy     bool
	lastSeen time.Time
	// recorded is set while the user's answer is on screen and its turn
	// is still being written to the history; release closes it.
	recorded chan struct{}
}

func newUserLimits(every time.Duration, burst int) *userLimits {
	return &userLimits{every: every, burst: max(burst, 1), users: map[int64]*userLimit{}}
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
		limit := rate.Inf
		if u.every > 0 {
			limit = rate.Every(u.every)
		}
		l = &userLimit{lim: rate.NewLimiter(limit, u.burst)}
		u.users[id] = l
	}
	l.lastSeen = now
	return l
}

// acquire marks the user busy; it returns false if they already are.
func (u *userLimits) acquire(id int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.get(id, time.Now())
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
		l := u.get(id, time.Now())
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

// allow takes one question from the user's budget; if there is none, it
// returns how long until there is.
func (u *userLimits) allow(id int64) (bool, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := time.Now()
	l := u.get(id, now)
	r := l.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
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
