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
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
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
type Store struct {
	db        *bolt.DB
	maxTurns  int
	ttl       time.Duration
	maxText   int
	now       func() time.Time
	recovered string
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

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("history database is in use by another process")

// Open opens (creating if needed) the database file at path. A file that
// is not a valid database (truncated, overwritten, from another program)
// is not deleted: it is renamed to path+".corrupt-UNIXTIME" and a fresh
// database created in its place; Recovered reports the new name so the
// caller can log it.
func Open(path string, opts ...Option) (*Store, error) {
	s := &Store{maxTurns: DefaultMaxTurns, ttl: DefaultTTL, maxText: DefaultMaxText, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.maxTurns < 1 {
		return nil, fmt.Errorf("history: max turns must be at least 1")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("history: create folder: %w", err)
	}
	db, err := openDB(path)
	if isCorrupt(err) {
		aside := path + ".corrupt-" + strconv.FormatInt(time.Now().Unix(), 10)
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("history: %s is damaged (%v) and could not be moved aside: %w", path, err, rerr)
		}
		s.recovered = aside
		db, err = openDB(path)
	}
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("history: %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	s.db = db
	return s, nil
}

func openDB(path string) (db *bolt.DB, err error) {
	// bbolt can panic on some kinds of damage; treat that as corruption.
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", berrors.ErrInvalid, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func isCorrupt(err error) bool {
	if err == nil || errors.Is(err, berrors.ErrTimeout) {
		return false
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
		return true
	}
	// bbolt reports a file too short to hold its meta pages in words only.
	return strings.Contains(err.Error(), "file size too small")
}

// Recovered returns where a damaged database file was moved by Open, or
// "" if none was.
func (s *Store) Recovered() string { return s.recovered }

// Path returns the database file's path.
func (s *Store) Path() string { return s.db.Path() }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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
	err := s.batch(func(b *bolt.Bucket) error {
		turns, err := decode(b.Get([]byte(key)))
		if err != nil {
			turns = nil // a damaged record is replaced, not fatal
		}
		turns = append(s.fresh(turns), t)
		if len(turns) > s.maxTurns {
			turns = turns[len(turns)-s.maxTurns:]
		}
		data, err := json.Marshal(turns)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), data)
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

func decode(data []byte) ([]Turn, error) {
	if len(data) == 0 {
		return nil, nil
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

// The wrappers below turn a panic inside bbolt (which it raises on some
// on-disk damage) into an error, so one bad page cannot crash the bot.

func (s *Store) view(fn func(*bolt.Bucket) error) (err error) {
	defer recoverInto(&err)
	return s.db.View(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) })
}

func (s *Store) update(fn func(*bolt.Bucket) error) (err error) {
	defer recoverInto(&err)
	return s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) })
}

func (s *Store) batch(fn func(*bolt.Bucket) error) (err error) {
	defer recoverInto(&err)
	return s.db.Batch(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) })
}

func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("database damaged: %v", r)
	}
}
