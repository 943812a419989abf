// Package history keeps each conversation's last few question-and-answer
// turns on disk, so that follow-up questions ("and what about trade?")
// keep their context across restarts of the bot.
//
// The store is a single bbolt file: an embedded, pure-Go, transactional
// key/value database that needs no cgo and adds little to the binary.
// Each conversation is one key holding a small JSON array of turns; turns
// older than the TTL are dropped when read and pruned in the background.
package history

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/declbot/declbot/bot/internal/boltsafe"
)

// Defaults: six turns are enough for follow-ups without drowning the
// prompt; a day is how long a conversation plausibly continues.
const (
	DefaultMaxTurns = 6
	DefaultTTL      = 24 * time.Hour
	// DefaultMaxText bounds what is kept of each question and answer,
	// in characters; a follow-up needs the gist, not the whole answer.
	DefaultMaxText = 2000
)

var bucket = []byte("conversations")

// Turn is one exchange in a conversation.
type Turn struct {
	Question string `json:"q"`
	Answer   string `json:"a"`
	// Cited are the IDs the answer cited, in order; absent in turns
	// stored before they were kept.
	Cited []string  `json:"c,omitempty"`
	At    time.Time `json:"t"`
}

// Store is the history database. It is safe for concurrent use.
//
// A database file damaged while the bot runs (overwritten, truncated)
// makes bbolt panic, sometimes while it holds its locks, or touch memory
// the file no longer backs (SIGBUS). Every operation therefore runs on a
// goroutine that turns memory faults into panics (debug.SetPanicOnFault),
// and the caller waits for it only until the store fails: the first panic,
// fault or operation that does not finish within the operation timeout
// marks the store failed for good. From then on every call returns an
// error wrapping ErrFailed at once, nothing touches the database again,
// and Close releases the file without waiting on bbolt's locks. A file
// found damaged is moved aside at once, so the next Open starts afresh.
type Store struct {
	db        *bolt.DB
	file      *os.File // bbolt's file, to release its lock when bbolt is wedged
	path      string
	maxTurns  int
	ttl       time.Duration
	maxText   int
	now       func() time.Time
	recovered string
	opTimeout time.Duration
	onFail    func(error)

	writes chan writeReq
	// commits counts write transactions (for the load benchmark's
	// turns per commit).
	commits    atomic.Int64
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	failed   chan struct{} // closed when the store fails
	failOnce sync.Once
	failErr  error // set before failed is closed
}

// Option configures a Store.
type Option func(*Store)

// WithMaxTurns keeps at most n turns per conversation.
func WithMaxTurns(n int) Option { return func(s *Store) { s.maxTurns = n } }

// WithTTL forgets turns older than d.
func WithTTL(d time.Duration) Option { return func(s *Store) { s.ttl = d } }

// WithMaxText keeps at most n characters of each question and answer.
func WithMaxText(n int) Option { return func(s *Store) { s.maxText = n } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithOpTimeout sets how long one operation may take before the store is
// considered wedged and marked failed (default DefaultOpTimeout).
func WithOpTimeout(d time.Duration) Option { return func(s *Store) { s.opTimeout = d } }

// WithOnFail calls f once, with the reason, when the store fails (to log
// it once rather than at every call).
func WithOnFail(f func(error)) Option { return func(s *Store) { s.onFail = f } }

// DefaultOpTimeout bounds one operation: far longer than a commit takes
// even on a loaded machine, short enough that a wedged database is given
// up on while the bot answers.
const DefaultOpTimeout = 20 * time.Second

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("history database is in use by another process")

// ErrFailed is wrapped by every error of a store that has failed (see
// Store); the bot goes on without follow-up memory until restarted.
var ErrFailed = errors.New("history database failed")

// ErrClosed is returned by calls after Close.
var ErrClosed = errors.New("history database is closed")

// ErrSymlink is returned by Open when the database path is a symbolic
// link: declbot does not follow links in DATA_DIR, so that a link cannot
// make it write elsewhere.
var ErrSymlink = errors.New("is a symbolic link; declbot does not follow links in DATA_DIR: put the file itself there, or remove the link")

// Open opens (creating if needed) the database file at path. A file that
// is not a valid database (truncated, overwritten, from another program)
// is not deleted: it is renamed to path+".corrupt-UNIXTIME" and a fresh
// database created in its place; Recovered reports the new name so the
// caller can log it. A symbolic link at path is not followed (ErrSymlink).
func Open(path string, opts ...Option) (*Store, error) {
	s := &Store{maxTurns: DefaultMaxTurns, ttl: DefaultTTL, maxText: DefaultMaxText, now: time.Now,
		opTimeout: DefaultOpTimeout, path: path}
	for _, o := range opts {
		o(s)
	}
	if s.maxTurns < 1 {
		return nil, fmt.Errorf("history: max turns must be at least 1")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("history: create folder: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("history: %s %w", path, ErrSymlink)
	}
	db, f, err := openDB(path, s.opTimeout)
	if boltsafe.IsCorrupt(err) {
		aside := path + ".corrupt-" + strconv.FormatInt(time.Now().Unix(), 10)
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("history: %s is damaged (%v) and could not be moved aside: %w", path, err, rerr)
		}
		s.recovered = aside
		db, f, err = openDB(path, s.opTimeout)
	}
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("history: %s: %w", path, ErrLocked)
	}
	if errors.Is(err, syscall.ELOOP) {
		// The link appeared between the check above and the open.
		return nil, fmt.Errorf("history: %s %w", path, ErrSymlink)
	}
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	s.db, s.file = db, f
	s.writes = make(chan writeReq, 256)
	s.closing = make(chan struct{})
	s.writerDone = make(chan struct{})
	s.failed = make(chan struct{})
	go s.writer()
	return s, nil
}

// openDB opens the history database (boltsafe.Open). Its free-page list
// is not written at every commit (it is rebuilt from the pages when the
// file is opened): fewer pages per commit, and commits are what appends
// wait for.
func openDB(path string, timeout time.Duration) (*bolt.DB, *os.File, error) {
	return boltsafe.Open(path, timeout, boltsafe.Options{Bucket: bucket, Tune: func(o *bolt.Options) {
		o.NoFreelistSync = true
		o.FreelistType = bolt.FreelistMapType
	}})
}

// Err returns nil while the store works, and after it has failed an
// error wrapping ErrFailed that says why.
func (s *Store) Err() error {
	select {
	case <-s.failed:
		return s.failErr
	default:
		return nil
	}
}

// fail marks the store failed (once) and returns the error calls get from
// now on. When damage is the cause, the file is moved aside at once, so
// that the next start opens a fresh database whatever happens to this
// process; the file stays mapped and open until Close.
func (s *Store) fail(cause error, damaged bool) error {
	s.failOnce.Do(func() {
		reason := cause.Error()
		if damaged {
			aside := s.path + ".corrupt-" + strconv.FormatInt(time.Now().Unix(), 10)
			if err := os.Rename(s.path, aside); err == nil {
				reason += "; the file was kept as " + aside
			}
		}
		s.failErr = fmt.Errorf("history: %w: %s", ErrFailed, reason)
		// Reported before it shows: whoever sees the store failed (Err)
		// can count on the report having been made.
		if s.onFail != nil {
			s.onFail(s.failErr)
		}
		close(s.failed)
	})
	return s.failErr
}

// Recovered returns where a damaged database file was moved by Open, or
// "" if none was.
func (s *Store) Recovered() string { return s.recovered }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database. It returns within the operation timeout
// whatever bbolt does: a failed store's file is released without asking
// bbolt, whose locks a panic may have left held.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.Err() != nil {
			s.file.Close()
			return
		}
		done := make(chan error, 1)
		go func() {
			debug.SetPanicOnFault(true)
			defer func() {
				if r := recover(); r != nil {
					done <- fmt.Errorf("database damaged: %v", r)
				}
			}()
			<-s.writerDone
			done <- s.db.Close()
		}()
		select {
		case err := <-done:
			if err != nil {
				s.closeErr = fmt.Errorf("history: close: %w", err)
				s.file.Close()
			}
		case <-s.failed:
			s.file.Close()
		case <-time.After(s.opTimeout):
			s.file.Close()
			s.closeErr = fmt.Errorf("history: close: no answer from the database in %s; left as it is", s.opTimeout)
		}
	})
	return s.closeErr
}

// Turns returns a conversation's unexpired turns, oldest first.
func (s *Store) Turns(key string) (turns []Turn, err error) {
	err = s.view(func(b *bolt.Bucket) error {
		turns, err = decode(b.Get([]byte(key)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("history: read %s: %w", key, err)
	}
	return s.fresh(turns), nil
}

// MaxCited bounds the citation IDs kept with a turn: more than any answer
// cites, and a turn's record stays small whatever an answer holds.
const MaxCited = 64

// Append adds a turn to a conversation, dropping expired turns and the
// oldest beyond the maximum. Concurrent appends are batched into one disk
// write.
func (s *Store) Append(key string, t Turn) error {
	if t.At.IsZero() {
		t.At = s.now()
	}
	t.Question = truncate(t.Question, s.maxText)
	t.Answer = truncate(t.Answer, s.maxText)
	if len(t.Cited) > MaxCited {
		t.Cited = t.Cited[:MaxCited]
	}
	// Encoded here, on the caller's goroutine: the writer, which every
	// append waits for, only splices frames (see record).
	data, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("history: save %s: %w", key, err)
	}
	at := t.At.UnixNano()
	err = s.batch(func(b *bolt.Bucket) error {
		frames, err := s.frames(b.Get([]byte(key)))
		if err != nil {
			frames = nil // a damaged record is replaced, not fatal
		}
		cutoff := s.now().Add(-s.ttl).UnixNano()
		kept := frames[:0]
		for _, f := range frames {
			if f.at > cutoff {
				kept = append(kept, f)
			}
		}
		kept = append(kept, frame{at: at, data: data})
		if len(kept) > s.maxTurns {
			kept = kept[len(kept)-s.maxTurns:]
		}
		return b.Put([]byte(key), encodeFrames(kept))
	})
	if err != nil {
		return fmt.Errorf("history: save %s: %w", key, err)
	}
	return nil
}

// Clear forgets a conversation.
func (s *Store) Clear(key string) error {
	if err := s.batch(func(b *bolt.Bucket) error { return b.Delete([]byte(key)) }); err != nil {
		return fmt.Errorf("history: clear %s: %w", key, err)
	}
	return nil
}

// Prune deletes conversations whose turns have all expired and returns
// how many it deleted.
func (s *Store) Prune() (int, error) {
	n := 0
	err := s.update(func(b *bolt.Bucket) error {
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			turns, err := decode(v)
			if err != nil || len(s.fresh(turns)) == 0 {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	return n, nil
}

// Len returns the number of stored conversations.
func (s *Store) Len() (n int, err error) {
	err = s.view(func(b *bolt.Bucket) error {
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}

func (s *Store) fresh(turns []Turn) []Turn {
	cutoff := s.now().Add(-s.ttl)
	out := turns[:0:0]
	for _, t := range turns {
		if t.At.After(cutoff) {
			out = append(out, t)
		}
	}
	if len(out) > s.maxTurns {
		out = out[len(out)-s.maxTurns:]
	}
	return out
}

// A conversation's record is framed: the byte recordFramed, then for each
// turn, oldest first, its time (unix nanoseconds) and the length of its
// JSON, 8 and 4 bytes big-endian, and the JSON. Appending then drops
// expired and surplus turns by their times and adds the new turn's JSON
// as it is, without decoding or encoding the others: that decoding and
// encoding, on the one writer goroutine every append waits for, was what
// limited history writes at 1,000 users. Records written before (a JSON
// array of turns) are still read, and written framed on their next
// append.
const recordFramed = 0x01

// frame is one turn of a framed record.
type frame struct {
	at   int64
	data []byte // the turn as JSON
}

// errRecord reports a record that is neither framed nor a JSON array.
var errRecord = errors.New("damaged conversation record")

// parseFrames splits a framed record; data's frames point into it.
func parseFrames(data []byte) ([]frame, error) {
	var out []frame
	for p := data[1:]; len(p) > 0; {
		if len(p) < 12 {
			return nil, errRecord
		}
		at := int64(binary.BigEndian.Uint64(p))
		n := binary.BigEndian.Uint32(p[8:])
		p = p[12:]
		if uint64(n) > uint64(len(p)) {
			return nil, errRecord
		}
		out = append(out, frame{at: at, data: p[:n:n]})
		p = p[n:]
	}
	return out, nil
}

func encodeFrames(fs []frame) []byte {
	n := 1
	for _, f := range fs {
		n += 12 + len(f.data)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, recordFramed)
	for _, f := range fs {
		buf = binary.BigEndian.AppendUint64(buf, uint64(f.at))
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(f.data)))
		buf = append(buf, f.data...)
	}
	return buf
}

// frames returns a record's frames, converting a JSON-array record.
func (s *Store) frames(data []byte) ([]frame, error) {
	switch {
	case len(data) == 0:
		return nil, nil
	case data[0] == recordFramed:
		return parseFrames(data)
	}
	turns, err := decode(data)
	if err != nil {
		return nil, err
	}
	out := make([]frame, 0, len(turns))
	for _, t := range turns {
		d, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		out = append(out, frame{at: t.At.UnixNano(), data: d})
	}
	return out, nil
}

// decode reads a record, framed or a JSON array.
func decode(data []byte) ([]Turn, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if data[0] == recordFramed {
		fs, err := parseFrames(data)
		if err != nil {
			return nil, err
		}
		turns := make([]Turn, len(fs))
		for i, f := range fs {
			if err := json.Unmarshal(f.data, &turns[i]); err != nil {
				return nil, err
			}
		}
		return turns, nil
	}
	var turns []Turn
	if err := json.Unmarshal(data, &turns); err != nil {
		return nil, err
	}
	return turns, nil
}

func truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// view runs fn in a read transaction on a fault-guarded goroutine.
func (s *Store) view(fn func(*bolt.Bucket) error) error {
	return s.run(func() error {
		return s.db.View(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) })
	})
}

// update runs fn in a write transaction of its own (for Prune, which may
// be long; Append and Clear go through the writer).
func (s *Store) update(fn func(*bolt.Bucket) error) error {
	return s.run(func() error {
		return s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) })
	})
}

// run calls op on a goroutine where memory faults are panics and waits
// for it, for the store to fail, or for the operation timeout, whichever
// comes first. A panic or timeout fails the store.
func (s *Store) run(op func() error) error {
	if err := s.Err(); err != nil {
		return err
	}
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- s.fail(fmt.Errorf("database damaged: %v", r), true)
			}
		}()
		done <- op()
	}()
	return s.wait(done)
}

func (s *Store) wait(done chan error) error {
	t := time.NewTimer(s.opTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-s.failed:
		return s.failErr
	case <-t.C:
		return s.fail(fmt.Errorf("no answer from the database in %s", s.opTimeout), false)
	}
}

// writeReq is one Append or Clear waiting for the writer.
type writeReq struct {
	fn   func(*bolt.Bucket) error
	done chan error
}

// maxBatch bounds the writes committed together.
const maxBatch = 4096

// batch hands fn to the writer and waits for its commit.
func (s *Store) batch(fn func(*bolt.Bucket) error) error {
	if err := s.Err(); err != nil {
		return err
	}
	req := writeReq{fn: fn, done: make(chan error, 1)}
	t := time.NewTimer(s.opTimeout)
	defer t.Stop()
	select {
	case <-s.closing:
		return ErrClosed
	case s.writes <- req:
	case <-s.failed:
		return s.failErr
	case <-t.C:
		return s.fail(fmt.Errorf("no answer from the database in %s", s.opTimeout), false)
	}
	select {
	case err := <-req.done:
		return err
	case <-s.writerDone:
		select {
		case err := <-req.done:
			return err
		default:
		}
		if err := s.Err(); err != nil {
			return err
		}
		return ErrClosed
	case <-t.C:
		return s.fail(fmt.Errorf("no answer from the database in %s", s.opTimeout), false)
	}
}

// writer commits Appends and Clears. Writes that arrive while a commit
// runs are committed together in the next one (one fsync for many
// turns), as bbolt's Batch would, but on this one goroutine where memory
// faults are panics (Batch commits on a timer's goroutine, where a fault
// on the mapped file would kill the process).
func (s *Store) writer() {
	debug.SetPanicOnFault(true)
	defer close(s.writerDone)
	defer func() {
		if r := recover(); r != nil {
			s.fail(fmt.Errorf("database damaged: %v", r), true)
		}
	}()
	for {
		var batch []writeReq
		select {
		case <-s.failed:
			return
		case <-s.closing:
			// Commit what was queued before Close, then stop.
		drain:
			for len(batch) < maxBatch {
				select {
				case r := <-s.writes:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			if len(batch) > 0 {
				s.commit(batch)
			}
			return
		case r := <-s.writes:
			batch = append(batch, r)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commit(batch)
	}
}

// commit writes a batch in one transaction; if it fails, each write is
// retried alone so that one bad write does not fail the others.
func (s *Store) commit(batch []writeReq) {
	s.commits.Add(1)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for _, r := range batch {
			if err := r.fn(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	for _, r := range batch {
		r.done <- s.db.Update(func(tx *bolt.Tx) error { return r.fn(tx.Bucket(bucket)) })
	}
}
