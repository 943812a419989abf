package boltsafe

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// MoveAside renames a damaged database file to path.corrupt-UNIXTIME, so
// that the next open starts a fresh one, and returns the new name.
func MoveAside(path string) (string, error) {
	aside := path + ".corrupt-" + strconv.FormatInt(time.Now().Unix(), 10)
	return aside, os.Rename(path, aside)
}

// Guard is a store's failure state. A database file damaged while the
// store is open (overwritten, truncated) makes bbolt panic, sometimes
// while it holds its locks, or touch memory the file no longer backs
// (SIGBUS). A store therefore calls bbolt through Run, on a goroutine
// where memory faults are panics, and waits for it only until the store
// fails: the first panic, fault or call that does not finish within the
// timeout fails it for good (Fail). From then on Err returns the failure,
// the store touches the database no more, and Close releases the file
// without waiting on bbolt's locks. A file found damaged is moved aside
// at once, so that the next start opens a fresh one.
type Guard struct {
	name      string
	path      string
	timeout   time.Duration
	errFailed error
	onFail    func(error)

	failed chan struct{} // closed when the store fails
	once   sync.Once
	err    error // set before failed is closed
}

// NewGuard returns the guard of the store name ("history": the first
// word of its errors) on the database at path. Its failure wraps
// errFailed; onFail, if not nil, is told once, before the failure shows.
// timeout bounds every call made through Run, and Close.
func NewGuard(name, path string, timeout time.Duration, errFailed error, onFail func(error)) *Guard {
	return &Guard{name: name, path: path, timeout: timeout, errFailed: errFailed, onFail: onFail,
		failed: make(chan struct{})}
}

// Err returns nil until the store fails, then an error wrapping the
// store's errFailed that says why.
func (g *Guard) Err() error {
	select {
	case <-g.failed:
		return g.err
	default:
		return nil
	}
}

// Failed is closed when the store fails.
func (g *Guard) Failed() <-chan struct{} { return g.failed }

// Fail fails the store (the first call only; later ones change nothing)
// and returns the error calls get from now on. When damage is the cause,
// the file is moved aside; it stays mapped and open until Close.
func (g *Guard) Fail(cause error, damaged bool) error {
	g.once.Do(func() {
		reason := cause.Error()
		if damaged {
			if aside, err := MoveAside(g.path); err == nil {
				reason += "; the file was kept as " + aside
			}
		}
		g.err = fmt.Errorf("%s: %w: %s", g.name, g.errFailed, reason)
		// Reported before it shows: whoever sees the store failed (Err)
		// can count on the report having been made.
		if g.onFail != nil {
			g.onFail(g.err)
		}
		close(g.failed)
	})
	return g.err
}

// Recover fails the store for r, a panic recovered on a goroutine that
// called bbolt (a damaged file), and returns the failure.
func (g *Guard) Recover(r any) error {
	return g.Fail(fmt.Errorf("database damaged: %v", r), true)
}

// Check fails the store when err says that bbolt can no longer use the
// file, and returns the failure; any other err is returned as it is. When
// a commit must map more of a file it re-reads the file's meta pages;
// found damaged, bbolt returns "mmap allocate error: invalid database"
// (an error that wraps nothing) and from then on fails every call with
// ErrInvalidMapping, without a panic. The file is moved aside when the
// error says it is damaged; a mapping lost for another reason (out of
// address space) leaves it for the next open to check.
func (g *Guard) Check(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !errors.Is(err, berrors.ErrInvalidMapping) && !strings.Contains(msg, "mmap allocate error") {
		return err
	}
	damaged := false
	for _, e := range []error{berrors.ErrInvalid, berrors.ErrChecksum, berrors.ErrVersionMismatch} {
		damaged = damaged || strings.Contains(msg, e.Error())
	}
	return g.Fail(err, damaged)
}

// Run calls op on a goroutine where memory faults are panics, and waits
// for it, for the store to fail or for the timeout, whichever comes
// first. A panic, the timeout or an error Check fails on fails the store.
func (g *Guard) Run(op func() error) error {
	if err := g.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- g.Recover(r)
			}
		}()
		done <- g.Check(op())
	}()
	t := time.NewTimer(g.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-g.failed:
		return g.err
	case <-t.C:
		return g.TimedOut()
	}
}

// TimedOut fails the store because a call did not finish in time.
func (g *Guard) TimedOut() error {
	return g.Fail(fmt.Errorf("no answer from the database in %s", g.timeout), false)
}

// Close closes db once idle is closed (the store's writer has stopped),
// and returns within the timeout whatever bbolt does: a failed store's
// file f is released without asking bbolt, whose locks a panic may have
// left held, and so is a file bbolt does not close in time.
func (g *Guard) Close(db *bolt.DB, f *os.File, idle <-chan struct{}) error {
	if g.Err() != nil {
		f.Close()
		return nil
	}
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("database damaged: %v", r)
			}
		}()
		<-idle
		done <- db.Close()
	}()
	t := time.NewTimer(g.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return fmt.Errorf("%s: close: %w", g.name, err)
		}
		return nil
	case <-g.failed:
		f.Close()
		return nil
	case <-t.C:
		f.Close()
		return fmt.Errorf("%s: close: no answer from the database in %s; the file was released as it is", g.name, g.timeout)
	}
}

// Gather appends to batch what ch holds now, without waiting, until batch
// has max entries: a single writer's group commit (the writes that arrive
// while a commit runs go into the next one).
func Gather[T any](ch <-chan T, batch []T, max int) []T {
	for len(batch) < max {
		select {
		case v := <-ch:
			batch = append(batch, v)
		default:
			return batch
		}
	}
	return batch
}
