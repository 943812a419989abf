package telegram

import (
	"testing"
	"time"
)

func TestUserLimits(t *testing.T) {
	u := newUserLimits(time.Hour, 2)
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
		if ok, _ := u.allow(1); !ok {
			t.Fatalf("question %d within the burst refused", i)
		}
	}
	ok, wait := u.allow(1)
	if ok || wait < 59*time.Minute || wait > time.Hour {
		t.Errorf("third question: ok=%v wait=%v, want a refusal with about an hour to wait", ok, wait)
	}
	// A refusal does not use up budget.
	if ok, again := u.allow(1); ok || again > wait {
		t.Errorf("refusals consumed budget: %v", again)
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
