package boltsafe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

var errTestFailed = errors.New("test database failed")

// openTest makes a guard whose calls time out after timeout: long where
// a test needs calls to finish, however slow the machine.
func openTest(t *testing.T, timeout time.Duration) (path string, g *Guard, fails *[]error) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "t.db")
	var mu sync.Mutex
	fails = new([]error)
	g = NewGuard("test", path, timeout, errTestFailed, func(err error) {
		mu.Lock()
		*fails = append(*fails, err)
		mu.Unlock()
	})
	return path, g, fails
}

// A panic in a call fails the store once, moves the file aside and is
// reported once; every later call gets the failure without running.
func TestPanicFailsOnce(t *testing.T) {
	path, g, fails := openTest(t, time.Minute)
	db, f, err := Open(path, time.Second, Options{Buckets: [][]byte{[]byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Run(func() error { return nil }); err != nil || g.Err() != nil {
		t.Fatalf("a call that works: %v, Err %v", err, g.Err())
	}
	err = g.Run(func() error { panic("bbolt: damaged page") })
	if !errors.Is(err, errTestFailed) || !strings.Contains(err.Error(), "damaged page") {
		t.Fatalf("Run after a panic = %v", err)
	}
	ran := false
	if err := g.Run(func() error { ran = true; return nil }); !errors.Is(err, errTestFailed) || ran {
		t.Fatalf("a call after the failure: %v, ran %v", err, ran)
	}
	g.Fail(errors.New("again"), true)
	if len(*fails) != 1 || !errors.Is(g.Err(), errTestFailed) {
		t.Fatalf("reported %d times: %v", len(*fails), *fails)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the damaged file is still at %s", path)
	}
	if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("the damaged file was not moved aside: %v", aside)
	}
	if err := g.Close(db, f, nil); err != nil {
		t.Errorf("Close of a failed store: %v", err)
	}
}

// A call that does not return within the timeout fails the store (not
// damaged: the file stays), and Close returns although the database is
// never closed.
func TestTimeoutFailsAndCloseReturns(t *testing.T) {
	path, g, fails := openTest(t, 200*time.Millisecond)
	db, f, err := Open(path, time.Second, Options{Buckets: [][]byte{[]byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	err = g.Run(func() error { <-release; return nil })
	if !errors.Is(err, errTestFailed) || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("Run of a stuck call = %v", err)
	}
	if len(*fails) != 1 {
		t.Fatalf("reported %d times", len(*fails))
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a stuck (not damaged) file was moved: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Close(db, f, make(chan struct{})) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close of a failed store did not return")
	}
}

// Close of a working store waits for the writer (idle), then closes the
// database; when the writer never stops, it gives up after the timeout
// and releases the file.
func TestCloseWaitsForTheWriter(t *testing.T) {
	path, g, _ := openTest(t, time.Minute)
	db, f, err := Open(path, time.Second, Options{Buckets: [][]byte{[]byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	idle := make(chan struct{})
	go func() { time.Sleep(20 * time.Millisecond); close(idle) }()
	if err := g.Close(db, f, idle); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, _, err = Open(path, time.Second, Options{})
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	db.Close()

	path2, g2, _ := openTest(t, 200*time.Millisecond)
	db2, f2, err := Open(path2, time.Second, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = g2.Close(db2, f2, make(chan struct{}))
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("Close with a writer that never stops: %v", err)
	}
}

// Check fails the store on the errors after which bbolt cannot use the
// file (moving it aside only when the error says it is damaged), and
// passes any other error through.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		err           error
		fails, damage bool
	}{
		{nil, false, false},
		{errors.New("disk full"), false, false},
		{berrors.ErrTxClosed, false, false},
		{fmt.Errorf("mmap allocate error: %s", berrors.ErrInvalid), true, true},
		{fmt.Errorf("mmap allocate error: %s", berrors.ErrChecksum), true, true},
		{fmt.Errorf("mmap allocate error: %s", "cannot allocate memory"), true, false},
		{berrors.ErrInvalidMapping, true, false},
	} {
		path, g, _ := openTest(t, time.Minute)
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := g.Check(tc.err)
		if failed := g.Err() != nil; failed != tc.fails {
			t.Errorf("Check(%v): failed %v, want %v", tc.err, failed, tc.fails)
		}
		if tc.fails && !errors.Is(err, errTestFailed) {
			t.Errorf("Check(%v) = %v, want the failure", tc.err, err)
		}
		if !tc.fails && err != tc.err {
			t.Errorf("Check(%v) = %v, want it unchanged", tc.err, err)
		}
		aside, _ := filepath.Glob(path + ".corrupt-*")
		if moved := len(aside) == 1; moved != tc.damage {
			t.Errorf("Check(%v): file moved aside %v, want %v", tc.err, moved, tc.damage)
		}
	}
}

func TestGather(t *testing.T) {
	ch := make(chan int, 10)
	for i := range 5 {
		ch <- i
	}
	got := Gather(ch, []int{-1}, 4)
	if len(got) != 4 || got[0] != -1 || got[3] != 2 || len(ch) != 2 {
		t.Errorf("Gather up to 4 = %v, %d left", got, len(ch))
	}
	if got = Gather(ch, nil, 10); len(got) != 2 || len(ch) != 0 {
		t.Errorf("Gather of what is there = %v", got)
	}
	if got = Gather(ch, nil, 10); len(got) != 0 {
		t.Errorf("Gather of an empty channel = %v: it must not wait", got)
	}
}
