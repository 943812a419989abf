package history

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func open(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func questions(ts []Turn) string {
	var qs []string
	for _, t := range ts {
		qs = append(qs, t.Question)
	}
	return strings.Join(qs, ",")
}

func TestKeepsLastTurnsAndSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history.db")
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s, err := Open(path, WithMaxTurns(3), WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if err := s.Append("chat:1", Turn{Question: fmt.Sprint("q", i), Answer: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append("chat:2", Turn{Question: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, WithMaxTurns(3), WithClock(c.now))
	got, err := s.Turns("chat:1")
	if err != nil || questions(got) != "q3,q4,q5" {
		t.Fatalf("after reopen: %q, %v", questions(got), err)
	}
	if err := s.Clear("chat:1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Turns("chat:1"); len(got) != 0 {
		t.Errorf("after Clear: %v", got)
	}
	if got, _ := s.Turns("chat:2"); questions(got) != "other" {
		t.Errorf("Clear touched another chat: %v", got)
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithTTL(time.Hour), WithClock(c.now))
	s.Append("a", Turn{Question: "old"})
	s.Append("b", Turn{Question: "old-b"})
	c.add(50 * time.Minute)
	s.Append("a", Turn{Question: "new"})
	c.add(20 * time.Minute)
	if got, _ := s.Turns("a"); questions(got) != "new" {
		t.Errorf("turns = %q, want only the unexpired one", questions(got))
	}
	n, err := s.Prune()
	if err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1 (conversation b)", n, err)
	}
	if l, _ := s.Len(); l != 1 {
		t.Errorf("Len after prune = %d", l)
	}
}

func TestTruncatesLongText(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithMaxText(5))
	s.Append("k", Turn{Question: "一二三四五六七", Answer: "short"})
	got, _ := s.Turns("k")
	if got[0].Question != "一二三四五…" || got[0].Answer != "short" {
		t.Errorf("got %+v", got[0])
	}
}

func TestConcurrentAppends(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithMaxTurns(100))
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Append(fmt.Sprint("k", i%5), Turn{Question: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	total := 0
	for i := 0; i < 5; i++ {
		got, _ := s.Turns(fmt.Sprint("k", i))
		total += len(got)
	}
	if total != 50 {
		t.Errorf("stored %d turns, want 50", total)
	}
}

func TestDamagedFileIsMovedAside(t *testing.T) {
	for name, content := range map[string][]byte{
		"short":   []byte("not a database"),
		"garbage": randomBytes(t, 64<<10),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s := open(t, path)
			if s.Recovered() == "" {
				t.Fatal("damaged file not reported")
			}
			kept, err := os.ReadFile(s.Recovered())
			if err != nil || string(kept) != string(content) {
				t.Errorf("damaged file not kept intact at %s: %v", s.Recovered(), err)
			}
			if err := s.Append("k", Turn{Question: "q"}); err != nil {
				t.Errorf("fresh database unusable: %v", err)
			}
		})
	}
}

func TestSecondOpenReportsLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	open(t, path)
	_, err := Open(path)
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v, want ErrLocked", err)
	}
}

func TestUnwritableFolder(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root can write anywhere")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if _, err := Open(filepath.Join(dir, "h.db")); err == nil {
		t.Error("Open in a read-only folder succeeded")
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// The citation IDs kept with a turn survive a reopen, bounded in number.
func TestKeepsCitedIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s := open(t, path)
	many := make([]string, MaxCited+10)
	for i := range many {
		many[i] = fmt.Sprintf("2.%d", i+1)
	}
	s.Append("k", Turn{Question: "q1", Answer: "a [2.36]", Cited: []string{"2.36", "T3"}})
	s.Append("k", Turn{Question: "q2", Answer: "a", Cited: many})
	s.Close()
	s = open(t, path)
	got, err := s.Turns("k")
	if err != nil || len(got) != 2 {
		t.Fatalf("Turns = %+v, %v", got, err)
	}
	if !slices.Equal(got[0].Cited, []string{"2.36", "T3"}) || !slices.Equal(got[1].Cited, many[:MaxCited]) {
		t.Errorf("Cited = %q and %d IDs", got[0].Cited, len(got[1].Cited))
	}
}

// within fails the test if f does not return within d: a call that
// blocks forever is the bug these tests look for, not a slow machine.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s: the store is wedged", what, d)
	}
}

// A database file damaged under a running store (overwritten with garbage
// or truncated: bbolt then panics while holding its locks, or touches
// pages the file no longer backs, a SIGBUS) fails the store: every later
// call returns ErrFailed at once, OnFail is told once, Close returns, the
// file is moved aside, and the next Open starts a fresh database.
func TestDamageWhileOpenFailsTheStore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"overwritten", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(randomBytes(t, int(fi.Size())), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			var mu sync.Mutex
			var fails []error
			s, err := Open(path, WithOnFail(func(err error) { mu.Lock(); fails = append(fails, err); mu.Unlock() }))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 200; i++ {
				if err := s.Append(fmt.Sprint("chat:", i), Turn{Question: strings.Repeat("q", 300), Answer: strings.Repeat("a", 300)}); err != nil {
					t.Fatal(err)
				}
			}
			tc.damage(t, path)
			var errs []error
			within(t, 10*time.Second, "calls after the damage", func() {
				for i := 0; i < 10; i++ {
					_, err := s.Turns(fmt.Sprint("chat:", i))
					errs = append(errs, err)
					errs = append(errs, s.Append(fmt.Sprint("chat:", i), Turn{Question: "q"}))
					errs = append(errs, s.Clear(fmt.Sprint("chat:", i)))
				}
				_, err := s.Prune()
				errs = append(errs, err)
			})
			if !errors.Is(s.Err(), ErrFailed) {
				t.Fatalf("store not failed after damage: Err() = %v; calls: %v", s.Err(), errs)
			}
			if last := errs[len(errs)-1]; !errors.Is(last, ErrFailed) {
				t.Errorf("call after failure: %v, want ErrFailed", last)
			}
			within(t, 10*time.Second, "Close", func() { s.Close() })
			mu.Lock()
			if len(fails) != 1 {
				t.Errorf("OnFail called %d times, want once", len(fails))
			}
			mu.Unlock()
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Errorf("damaged file not moved aside: %v", aside)
			}
			s2 := open(t, path)
			if err := s2.Append("k", Turn{Question: "after"}); err != nil {
				t.Errorf("fresh database after restart: %v", err)
			}
		})
	}
}

// An operation that does not finish within the operation timeout (a
// wedged lock, a hung disk) fails the store instead of blocking its
// caller: the caller and everyone after get ErrFailed.
func TestWedgedOperationFailsTheStore(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithOpTimeout(200*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	inside := make(chan struct{})
	go s.update(func(*bolt.Tx) error { close(inside); <-release; return nil }) // holds bbolt's write lock
	<-inside
	var err error
	within(t, 5*time.Second, "Append behind a wedged writer", func() { err = s.Append("k", Turn{Question: "q"}) })
	if !errors.Is(err, ErrFailed) {
		t.Errorf("Append = %v, want ErrFailed", err)
	}
	within(t, 5*time.Second, "Close", func() { s.Close() })
}

// A symbolic link at the database path is not followed, and what it
// points to is not written.
func TestSymlinkIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "history.db")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if !errors.Is(err, ErrSymlink) {
		t.Errorf("Open through a link: %v, want ErrSymlink", err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Size() != 0 {
		t.Errorf("link target written: %v, %v", fi.Size(), err)
	}
}

// A record written before records were framed (a JSON array of turns) is
// read as it was, and the next append keeps its turns.
func TestJSONArrayRecordStillRead(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "h.db"))
	now := time.Now()
	old := []Turn{{Question: "q1", Answer: "a1", At: now.Add(-2 * time.Minute)}, {Question: "q2", Answer: "a2", Cited: []string{"2.36"}, At: now.Add(-time.Minute)}}
	data, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(legacyBucket)
		if err != nil {
			return err
		}
		return b.Put([]byte("chat"), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Turns("chat")
	if err != nil || questions(got) != "q1,q2" || got[1].Cited[0] != "2.36" {
		t.Fatalf("legacy record read as %+v, %v", got, err)
	}
	if err := s.Append("chat", Turn{Question: "q3", Answer: "a3"}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Turns("chat")
	if err != nil || questions(got) != "q1,q2,q3" || !got[0].At.Equal(old[0].At) {
		t.Fatalf("after an append: %+v, %v", got, err)
	}
}

// stored returns how many turn records the database holds, listed in a
// conversation or not: what is deleted is gone from the file, not hidden.
func storedTurns(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(turnsBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Turns beyond the maximum, cleared and expired are deleted from the
// file, in the transaction that drops them (expired ones by Prune).
func TestDroppedTurnsAreDeleted(t *testing.T) {
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithMaxTurns(3), WithTTL(time.Hour), WithClock(c.now))
	for i := 1; i <= 8; i++ {
		s.Append("a", Turn{Question: fmt.Sprint("a", i)})
		s.Append("b", Turn{Question: fmt.Sprint("b", i)})
	}
	if n := storedTurns(t, s); n != 6 {
		t.Fatalf("%d turn records after 16 appends to two conversations, keeping 3 each; want 6", n)
	}
	if err := s.Clear("a"); err != nil {
		t.Fatal(err)
	}
	if n := storedTurns(t, s); n != 3 {
		t.Fatalf("%d turn records after Clear; want 3", n)
	}
	c.add(61 * time.Minute)
	if n, err := s.Prune(); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if n := storedTurns(t, s); n != 0 {
		t.Fatalf("%d turn records after every turn expired and Prune; want 0", n)
	}
}

// A damaged turn record hides that turn only, and a record listed in one
// conversation that belongs to another is never shown in it.
func TestDamagedTurnHidesNoOther(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "h.db"))
	for _, q := range []string{"q1", "q2", "q3"} {
		s.Append("a", Turn{Question: q})
	}
	s.Append("b", Turn{Question: "b's"})
	var seqs []uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		es, err := parseIndex(tx.Bucket(convsBucket).Get([]byte("a")))
		if err != nil || len(es) != 3 {
			return fmt.Errorf("index of a: %v, %v", es, err)
		}
		for _, e := range es {
			seqs = append(seqs, e.seq)
		}
		bes, _ := parseIndex(tx.Bucket(convsBucket).Get([]byte("b")))
		// a's second turn damaged; a's index also lists b's turn.
		if err := tx.Bucket(turnsBucket).Put(seqKey(es[1].seq), []byte("\x01garbage")); err != nil {
			return err
		}
		return tx.Bucket(convsBucket).Put([]byte("a"), encodeIndex(append(es, bes[0])))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Turns("a")
	if err != nil || questions(got) != "q1,q3" {
		t.Fatalf("Turns = %q, %v; want q1,q3", questions(got), err)
	}
	if err := s.Append("a", Turn{Question: "q4"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Turns("a"); questions(got) != "q1,q3,q4" {
		t.Fatalf("after an append: %q", questions(got))
	}
	// Until the entry drops b's turn: it is not deleted with it.
	for _, q := range []string{"q5", "q6", "q7", "q8", "q9"} {
		s.Append("a", Turn{Question: q})
	}
	if got, _ := s.Turns("a"); questions(got) != "q4,q5,q6,q7,q8,q9" {
		t.Fatalf("after more appends: %q", questions(got))
	}
	if got, _ := s.Turns("b"); questions(got) != "b's" {
		t.Fatalf("b: %q", questions(got))
	}
	if n := storedTurns(t, s); n != 7 {
		t.Fatalf("%d turn records; want 7 (a's six and b's)", n)
	}
}

// A damaged index entry fails Turns for its conversation alone; the next
// append replaces it, and the turns it listed are deleted once expired.
func TestDamagedIndexEntryIsReplaced(t *testing.T) {
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithTTL(time.Hour), WithClock(c.now))
	s.Append("a", Turn{Question: "q1"})
	s.Append("a", Turn{Question: "q2"})
	s.Append("b", Turn{Question: "b1"})
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(convsBucket).Put([]byte("a"), []byte("\x01short")) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Turns("a"); err == nil {
		t.Fatal("Turns of a damaged entry: no error")
	}
	if got, err := s.Turns("b"); err != nil || questions(got) != "b1" {
		t.Fatalf("b: %q, %v", questions(got), err)
	}
	c.add(30 * time.Minute)
	if err := s.Append("a", Turn{Question: "q3"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Turns("a"); err != nil || questions(got) != "q3" {
		t.Fatalf("after an append: %q, %v", questions(got), err)
	}
	if n := storedTurns(t, s); n != 4 {
		t.Fatalf("%d turn records; want 4 (q1 and q2 until they expire)", n)
	}
	c.add(31 * time.Minute) // q1, q2 and b1 expired, q3 not
	if n, err := s.Prune(); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 (b)", n, err)
	}
	if n := storedTurns(t, s); n != 1 {
		t.Fatalf("%d turn records after Prune; want 1 (q3)", n)
	}
	if got, _ := s.Turns("a"); questions(got) != "q3" {
		t.Fatalf("after Prune: %q", questions(got))
	}
}

// A conversation recorded by this store and then by an older declbot
// (one record in the old layout, started on the same file after this one)
// reads as one, in time order, and the next append keeps all of it.
func TestOldLayoutWrittenAfterNew(t *testing.T) {
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s := open(t, filepath.Join(t.TempDir(), "h.db"), WithClock(c.now))
	s.Append("chat", Turn{Question: "q1"})
	c.add(time.Minute)
	s.Append("chat", Turn{Question: "q2"})
	c.add(time.Minute)
	data, err := json.Marshal([]Turn{{Question: "q3", At: c.now()}, {Question: "q4", At: c.now().Add(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(legacyBucket)
		if err != nil {
			return err
		}
		return b.Put([]byte("chat"), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Turns("chat"); err != nil || questions(got) != "q1,q2,q3,q4" {
		t.Fatalf("Turns = %q, %v", questions(got), err)
	}
	c.add(time.Minute)
	if err := s.Append("chat", Turn{Question: "q5"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Turns("chat"); err != nil || questions(got) != "q1,q2,q3,q4,q5" {
		t.Fatalf("after an append: %q, %v", questions(got), err)
	}
	if n := storedTurns(t, s); n != 5 {
		t.Fatalf("%d turn records; want 5", n)
	}
	if n, _ := s.Len(); n != 1 {
		t.Fatalf("Len = %d; want 1 (the old record moved)", n)
	}
}

// Damage that a commit finds when it maps more of the file (bbolt then
// returns an error, not a panic, and fails every later call with
// ErrInvalidMapping) fails the store like a panic does: calls return
// ErrFailed, the file is moved aside, and the next Open starts afresh.
func TestDamageFoundByACommitFailsTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// A record larger than the file's first mapping: the commit grows the
	// file and maps it again, re-reading the meta pages, after the damage.
	data, err := json.Marshal(Turn{Question: "q", Answer: strings.Repeat("答", 50_000)})
	if err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.batch(func(tx *bolt.Tx) error {
			err := s.appendIn(tx, "first", time.Now().UnixNano(), encodeTurn("first", time.Now().UnixNano(), data))
			close(inside)
			<-release
			return err
		})
	}()
	<-inside
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(randomBytes(t, int(fi.Size())), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	close(release)
	if err := <-done; !errors.Is(err, ErrFailed) {
		t.Fatalf("the commit that found the damage: %v, want ErrFailed", err)
	}
	within(t, 10*time.Second, "calls after the damage", func() {
		if _, err := s.Turns("other"); !errors.Is(err, ErrFailed) {
			t.Errorf("Turns: %v, want ErrFailed", err)
		}
		if err := s.Append("other", Turn{Question: "q"}); !errors.Is(err, ErrFailed) {
			t.Errorf("Append: %v, want ErrFailed", err)
		}
	})
	within(t, 10*time.Second, "Close", func() { s.Close() })
	if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("damaged file not moved aside: %v", aside)
	}
	s2 := open(t, path)
	if err := s2.Append("k", Turn{Question: "after"}); err != nil {
		t.Errorf("fresh database after restart: %v", err)
	}
}
