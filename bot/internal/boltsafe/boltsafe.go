// Package boltsafe opens a bbolt database so that a damaged or hostile
// file cannot take the process down: the history and review stores share
// it.
package boltsafe

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options say how to open.
type Options struct {
	// Buckets are created if missing (not when ReadOnly).
	Buckets  [][]byte
	ReadOnly bool
	// Tune, if set, adjusts bbolt's options (free-list settings).
	Tune func(*bolt.Options)
}

// Open opens the database at path on a goroutine that turns memory
// faults into panics, recovered as corruption (IsCorrupt), and gives up
// after timeout. The file is opened with O_NOFOLLOW: never through a link
// planted in the data directory. It returns the database and its file,
// which a caller closes itself when bbolt can no longer be asked to.
func Open(path string, timeout time.Duration, o Options) (*bolt.DB, *os.File, error) {
	type result struct {
		db  *bolt.DB
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		debug.SetPanicOnFault(true)
		var f *os.File
		defer func() {
			if r := recover(); r != nil {
				if f != nil {
					f.Close() // releases the lock; the mapping is abandoned
				}
				done <- result{err: fmt.Errorf("%w: %v", berrors.ErrInvalid, r)}
			}
		}()
		bo := &bolt.Options{
			Timeout:  time.Second,
			ReadOnly: o.ReadOnly,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				of, err := os.OpenFile(name, flag|syscall.O_NOFOLLOW, perm)
				f = of
				return of, err
			},
		}
		if o.Tune != nil {
			o.Tune(bo)
		}
		db, err := bolt.Open(path, 0o600, bo)
		if err != nil {
			done <- result{err: err}
			return
		}
		if !o.ReadOnly && len(o.Buckets) > 0 {
			err = db.Update(func(tx *bolt.Tx) error {
				for _, name := range o.Buckets {
					if _, err := tx.CreateBucketIfNotExists(name); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				db.Close()
				done <- result{err: err}
				return
			}
		}
		done <- result{db: db, f: f}
	}()
	select {
	case r := <-done:
		return r.db, r.f, r.err
	case <-time.After(timeout):
		return nil, nil, fmt.Errorf("opening %s took longer than %s", path, timeout)
	}
}

// IsCorrupt reports whether err from Open says the file is damaged (and
// should be moved aside), not merely locked or slow.
func IsCorrupt(err error) bool {
	if err == nil || errors.Is(err, berrors.ErrTimeout) {
		return false
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
		return true
	}
	// bbolt reports a file too short to hold its meta pages in words only.
	return strings.Contains(err.Error(), "file size too small")
}
