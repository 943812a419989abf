package history

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
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
