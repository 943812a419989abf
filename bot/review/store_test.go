package review

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	bolt "go.etcd.io/bbolt"
)

// counter collects what a store reports dropped.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(reason string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[reason] += n
}

func (c *counter) get(reason string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[reason]
}

func open(t *testing.T, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func record(id, q string) Record {
	return Record{ID: id, Question: q, Lang: "en", Mode: ModeOffline, Cited: []string{"2.36"},
		Retrieved: []bot.Scored{{ID: "2.36", Score: 0.03}}, Relevance: 0.8}
}

const (
	chatID = int64(-1001234567890)
	userA  = int64(987654321)
	userB  = int64(123456789)
)

func TestVotesCommentsAndPrivacy(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	id := NewID(time.Now())
	s.Add(chatID, record(id, "What about outer space?"))

	// A vote right after Add waits for the record: same queue.
	res, err := s.Vote(id, chatID, userA, Down)
	if err != nil || !res.Changed || res.Previous != "" {
		t.Fatalf("first vote: %+v %v", res, err)
	}
	if res, err = s.Vote(id, chatID, userA, Down); err != nil || res.Changed {
		t.Errorf("same vote again: %+v %v, want unchanged", res, err)
	}
	if res, err = s.Vote(id, chatID, userB, Up); err != nil || !res.Changed {
		t.Errorf("another user's vote: %+v %v", res, err)
	}
	if err := s.Comment(id, chatID, userB, "fine"); !errors.Is(err, ErrNoVoteDown) {
		t.Errorf("comment after a thumbs-up: %v, want ErrNoVoteDown", err)
	}
	if err := s.Comment(id, chatID, userA, "  wrong\nparagraph\x07 "); err != nil {
		t.Fatalf("comment: %v", err)
	}
	if err := s.Comment(id, chatID, userA, "again"); !errors.Is(err, ErrNoVoteDown) {
		t.Errorf("second comment: %v, want ErrNoVoteDown", err)
	}
	// Stale, forged or from another chat: recorded nowhere.
	for _, tc := range []struct {
		id   string
		chat int64
	}{{NewID(time.Now()), chatID}, {"zzzz", chatID}, {id, 42}} {
		if _, err := s.Vote(tc.id, tc.chat, userA, Up); !errors.Is(err, ErrUnknownAnswer) {
			t.Errorf("vote on %q in chat %d: %v, want ErrUnknownAnswer", tc.id, tc.chat, err)
		}
	}
	if res, err = s.Vote(id, chatID, userA, Up); err != nil || !res.Changed || res.Previous != Down {
		t.Errorf("changed vote: %+v %v", res, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, err := r.List(time.Time{}, time.Time{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("List: %d records, %v", len(recs), err)
	}
	got := recs[0]
	if got.Up() != 2 || got.Down() != 0 || len(got.Votes) != 2 {
		t.Errorf("votes %+v: want two users, both up now", got.Votes)
	}
	if len(got.Comments) != 1 || got.Comments[0].Text != "wrong paragraph" {
		t.Errorf("comments %+v, want one, on one line", got.Comments)
	}
	if got.Chat == "" || got.Chat == strconv.FormatInt(chatID, 10) {
		t.Errorf("chat kept as %q, want a salted hash", got.Chat)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, DBFile))
	for _, n := range []int64{chatID, -chatID, userA, userB} {
		if bytes.Contains(raw, []byte(strconv.FormatInt(n, 10))) {
			t.Errorf("the database file contains the Telegram ID %d", n)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, SaltFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("salt file: %v %v, want mode 0600", fi, err)
	}
}

func TestSaltMakesChatKeys(t *testing.T) {
	a, b := open(t, t.TempDir()), open(t, t.TempDir())
	if a.ChatKey(1) == b.ChatKey(1) {
		t.Error("two salts give the same chat key: the key is not salted")
	}
	if k1, k2, again := a.ChatKey(1), a.ChatKey(2), a.ChatKey(1); k1 == k2 || k1 != again {
		t.Errorf("chat keys %s, %s, %s: want chats told apart, and one chat the same each time", k1, k2, again)
	}
	dir := t.TempDir()
	first := open(t, dir)
	k := first.ChatKey(7)
	first.Close()
	if k2 := open(t, dir).ChatKey(7); k != k2 {
		t.Errorf("chat key changed across opens: %s, %s: the salt was made anew", k, k2)
	}
}

func TestRetention(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := open(t, dir, WithClock(clock), WithRetention(30*24*time.Hour))
	old, recent := NewID(now.Add(-31*24*time.Hour)), NewID(now.Add(-29*24*time.Hour))
	s.Add(1, Record{ID: old, At: now.Add(-31 * 24 * time.Hour)})
	s.Add(1, Record{ID: recent, At: now.Add(-29 * 24 * time.Hour)})
	n, err := s.Prune()
	if err != nil || n != 1 {
		t.Fatalf("Prune: %d, %v; want the one older than 30 days", n, err)
	}
	recs, _ := s.List(time.Time{}, time.Time{})
	if len(recs) != 1 || recs[0].ID != recent {
		t.Errorf("left %+v, want only the recent record", recs)
	}
}

func TestDamagedFileIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	if s.Recovered() == "" {
		t.Fatal("a damaged file was not reported moved aside")
	}
	if b, err := os.ReadFile(s.Recovered()); err != nil || !bytes.HasPrefix(b, []byte("not a database")) {
		t.Errorf("the damaged file was not kept as it was: %v", err)
	}
	id := NewID(time.Now())
	s.Add(1, record(id, "q"))
	if _, err := s.Vote(id, 1, 2, Up); err != nil {
		t.Errorf("the fresh store does not work: %v", err)
	}
}

// A full disk drops records, counted, and refuses votes with the error;
// once there is room again, writing resumes.
func TestFullDiskDropsRecordsCounted(t *testing.T) {
	var drops counter
	var mu sync.Mutex
	full := false
	s := open(t, t.TempDir(), WithDropCounter(drops.add), withBeforeCommit(func() error {
		mu.Lock()
		defer mu.Unlock()
		if full {
			return syscall.ENOSPC
		}
		return nil
	}))
	mu.Lock()
	full = true
	mu.Unlock()
	id := NewID(time.Now())
	s.Add(1, record(id, "q"))
	if _, err := s.Vote(id, 1, 2, Up); !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, ErrUnknownAnswer) {
		t.Errorf("vote on a full disk: %v", err)
	}
	if got := drops.get("write_failed"); got != 1 {
		t.Errorf("write_failed drops %d, want 1", got)
	}
	if s.Err() != nil {
		t.Errorf("a full disk failed the store: %v", s.Err())
	}
	mu.Lock()
	full = false
	mu.Unlock()
	id2 := NewID(time.Now())
	s.Add(1, record(id2, "q2"))
	if _, err := s.Vote(id2, 1, 2, Up); err != nil {
		t.Errorf("after the disk has room: %v", err)
	}
}

func TestFullQueueDropsCounted(t *testing.T) {
	var drops counter
	s := open(t, t.TempDir(), WithQueue(1), WithDropCounter(drops.add))
	// Hold the writer inside a commit, as a stuck disk would.
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = s.submit(func(*bolt.Bucket) error { close(held); <-release; return nil })
	}()
	<-held
	start := time.Now()
	for i := 0; i < 50; i++ {
		s.Add(1, record(NewID(time.Now()), "q"))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Add blocked %v behind a stuck commit", d)
	}
	close(release)
	if got := drops.get("queue_full"); got != 49 {
		t.Errorf("50 records into a queue of 1 behind a stuck commit: %d dropped, want 49", got)
	}
}
