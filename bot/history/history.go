// Package history keeps each conversation's last few question-and-answer
// turns on disk, so that follow-up questions ("and what about trade?")
// keep their context across restarts of the bot.
//
// The store is a single bbolt file: an embedded, pure-Go, transactional
// key/value database that needs no cgo and adds little to the binary.
// Each turn is one record, numbered in the order turns are recorded, and
// each conversation one small index entry listing its turns (see
// turnsBucket). Recording a turn writes that turn and the entry, not the
// whole conversation; the turn that falls out of the conversation's last
// few is deleted in the same transaction. Turns older than the TTL are
// dropped when read and pruned in the background.
package history

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
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

// The database's buckets.
//
// turnsBucket holds every turn under its number (8 bytes, big-endian,
// from the bucket's sequence): the byte recordTurn, the turn's time (unix
// nanoseconds, 8 bytes big-endian), the conversation's key (its length as
// a uvarint, then the key) and the turn as JSON. Numbers only grow, so a
// commit's new turns go together at the end of the bucket and fill whole
// pages, whichever conversations they belong to; the old turns a commit
// deletes are mostly the ones recorded together a few commits before.
// Keys made of the conversation and a number would put each new turn in
// its conversation's page among other conversations' turns, and delete
// the oldest from another: in a prototype at 1,000 users that wrote 14-22
// KB of pages per turn, numbered keys 4-18 KB, one record per
// conversation 14-34 KB (docs/BENCHMARKS.md, "History under load").
//
// convsBucket holds, under each conversation's key, its index entry: the
// byte recordIndex, then for each of its turns, oldest first, the turn's
// number and time (8 bytes big-endian each).
//
// legacyBucket is where stores before per-turn records (before this
// layout) kept one record per conversation (see frames); a conversation
// found there is moved to the turns when it is next appended to, and read
// from there until then.
var (
	turnsBucket  = []byte("turns")
	convsBucket  = []byte("convs")
	legacyBucket = []byte("conversations")
)

// Leading bytes of the records, so that a record of another kind or a
// later format is not misread.
const (
	recordTurn  = 0x01
	recordIndex = 0x01
)

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
// goroutine that turns memory faults into panics, and the caller waits
// for it only until the store fails (boltsafe.Guard): the first panic,
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

	guard *boltsafe.Guard
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
		aside, rerr := boltsafe.MoveAside(path)
		if rerr != nil {
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
	s.guard = boltsafe.NewGuard("history", path, s.opTimeout, ErrFailed, s.onFail)
	go s.writer()
	return s, nil
}

// openDB opens the history database (boltsafe.Open). Its free-page list
// is not written at every commit (it is rebuilt from the pages when the
// file is opened): fewer pages per commit, and commits are what appends
// wait for.
func openDB(path string, timeout time.Duration) (*bolt.DB, *os.File, error) {
	return boltsafe.Open(path, timeout, boltsafe.Options{Buckets: [][]byte{turnsBucket, convsBucket}, Tune: func(o *bolt.Options) {
		o.NoFreelistSync = true
		o.FreelistType = bolt.FreelistMapType
	}})
}

// Err returns nil while the store works, and after it has failed an
// error wrapping ErrFailed that says why.
func (s *Store) Err() error { return s.guard.Err() }

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
		s.closeErr = s.guard.Close(s.db, s.file, s.writerDone)
	})
	return s.closeErr
}

// Turns returns a conversation's unexpired turns, oldest first. A turn
// whose record is damaged is left out; the others are returned.
func (s *Store) Turns(key string) (turns []Turn, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		turns, err = s.read(tx, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("history: read %s: %w", key, err)
	}
	return s.fresh(turns), nil
}

func (s *Store) read(tx *bolt.Tx, key string) ([]Turn, error) {
	var out []Turn
	if lb := tx.Bucket(legacyBucket); lb != nil {
		old, err := decode(lb.Get([]byte(key)))
		if err != nil {
			return nil, err
		}
		out = old
	}
	legacy := len(out)
	es, err := parseIndex(tx.Bucket(convsBucket).Get([]byte(key)))
	if err != nil {
		return nil, err
	}
	// Only the turns that will be returned are decoded.
	es = s.live(es)
	turns := tx.Bucket(turnsBucket)
	for _, e := range es {
		_, conv, data, err := parseTurn(turns.Get(seqKey(e.seq)))
		if err != nil || string(conv) != key {
			continue
		}
		var t Turn
		if json.Unmarshal(data, &t) != nil {
			continue
		}
		out = append(out, t)
	}
	if legacy > 0 && len(out) > legacy {
		// Turns from both layouts: an older declbot wrote to this
		// conversation after a newer one had (see appendIn).
		slices.SortStableFunc(out, func(a, b Turn) int { return a.At.Compare(b.At) })
	}
	return out, nil
}

// MaxCited bounds the citation IDs kept with a turn: more than any answer
// cites, and a turn's record stays small whatever an answer holds.
const MaxCited = 64

// Append adds a turn to a conversation, dropping expired turns and the
// oldest beyond the maximum. Concurrent appends are committed together,
// in one disk write, and Append returns when its turn is on disk.
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
	// append waits for, only stores it.
	data, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("history: save %s: %w", key, err)
	}
	at := t.At.UnixNano()
	rec := encodeTurn(key, at, data)
	if err := s.batch(func(tx *bolt.Tx) error { return s.appendIn(tx, key, at, rec) }); err != nil {
		return fmt.Errorf("history: save %s: %w", key, err)
	}
	return nil
}

// stored is one of a conversation's turns while an append decides which
// to keep: in the turns bucket already (seq) or to be written (rec).
type stored struct {
	entry
	rec []byte
}

// appendIn records the turn rec of conversation key, at, in tx: it reads
// the conversation's index entry (and its record in the old layout, which
// it moves to the turns), keeps the unexpired turns and the new one up to
// the maximum, deletes the others and writes the entry.
func (s *Store) appendIn(tx *bolt.Tx, key string, at int64, rec []byte) error {
	turns, convs := tx.Bucket(turnsBucket), tx.Bucket(convsBucket)
	// Numbers only grow: pages filled to the end are not split again.
	turns.FillPercent = 1
	k := []byte(key)
	var all []stored
	es, err := parseIndex(convs.Get(k))
	if err == nil { // a damaged entry is replaced; Prune deletes its turns once expired
		for _, e := range es {
			all = append(all, stored{entry: e})
		}
	}
	if lb := tx.Bucket(legacyBucket); lb != nil {
		if v := lb.Get(k); v != nil {
			fs, err := frames(v)
			if err == nil { // a damaged record is replaced, as it always was
				for _, f := range fs {
					all = append(all, stored{entry: entry{at: f.at}, rec: encodeTurn(key, f.at, f.data)})
				}
				// Both layouts hold turns only when an older declbot
				// wrote this conversation after a newer one had.
				if len(es) > 0 {
					slices.SortStableFunc(all, func(a, b stored) int { return cmp.Compare(a.at, b.at) })
				}
			}
			if err := lb.Delete(k); err != nil {
				return err
			}
		}
	}
	// The new turn is kept whatever its time, as it always was; then
	// the unexpired others, up to the maximum.
	all = append(all, stored{entry: entry{at: at}, rec: rec})
	cutoff := s.now().Add(-s.ttl).UnixNano()
	kept := make([]stored, 0, len(all))
	var gone []stored
	for i, x := range all {
		if x.at > cutoff || i == len(all)-1 {
			kept = append(kept, x)
		} else {
			gone = append(gone, x)
		}
	}
	if n := len(kept) - s.maxTurns; n > 0 {
		gone, kept = append(gone, kept[:n]...), kept[n:]
	}
	for _, x := range gone {
		if x.rec == nil {
			if err := deleteTurn(turns, x.seq, k); err != nil {
				return err
			}
		}
	}
	out := make([]entry, len(kept))
	for i, x := range kept {
		if x.rec != nil {
			seq, err := turns.NextSequence()
			if err != nil {
				return err
			}
			if err := turns.Put(seqKey(seq), x.rec); err != nil {
				return err
			}
			x.seq = seq
		}
		out[i] = x.entry
	}
	return convs.Put(k, encodeIndex(out))
}

// Clear forgets a conversation.
func (s *Store) Clear(key string) error {
	err := s.batch(func(tx *bolt.Tx) error {
		k := []byte(key)
		turns, convs := tx.Bucket(turnsBucket), tx.Bucket(convsBucket)
		es, _ := parseIndex(convs.Get(k)) // a damaged entry's turns are left to Prune
		for _, e := range es {
			if err := deleteTurn(turns, e.seq, k); err != nil {
				return err
			}
		}
		if lb := tx.Bucket(legacyBucket); lb != nil {
			if err := lb.Delete(k); err != nil {
				return err
			}
		}
		return convs.Delete(k)
	})
	if err != nil {
		return fmt.Errorf("history: clear %s: %w", key, err)
	}
	return nil
}

// Prune deletes expired turns, and conversations whose turns have all
// expired, and returns how many conversations it deleted.
func (s *Store) Prune() (int, error) {
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		n, err = s.pruneIn(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	return n, nil
}

func (s *Store) pruneIn(tx *bolt.Tx) (int, error) {
	cutoff := s.now().Add(-s.ttl).UnixNano()
	turns, convs := tx.Bucket(turnsBucket), tx.Bucket(convsBucket)
	type change struct {
		key  []byte
		kept []entry // none: delete the conversation
	}
	type turn struct {
		seq  uint64
		conv []byte
	}
	var changes []change
	var gone []turn
	err := convs.ForEach(func(k, v []byte) error {
		es, err := parseIndex(v)
		if err != nil {
			// Its turns are deleted below once expired.
			changes = append(changes, change{key: slices.Clone(k)})
			return nil
		}
		var kept []entry
		k = slices.Clone(k)
		for _, e := range es {
			if e.at > cutoff {
				kept = append(kept, e)
			} else {
				gone = append(gone, turn{e.seq, k})
			}
		}
		if len(kept) < len(es) {
			changes = append(changes, change{key: k, kept: kept})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range changes {
		if len(c.kept) == 0 {
			n++
			err = convs.Delete(c.key)
		} else {
			err = convs.Put(c.key, encodeIndex(c.kept))
		}
		if err != nil {
			return 0, err
		}
	}
	for _, t := range gone {
		if err := deleteTurn(turns, t.seq, t.conv); err != nil {
			return 0, err
		}
	}
	// Turns that no entry lists (an entry found damaged was replaced)
	// are deleted once expired. Turns are numbered in the order they were
	// recorded, so the expired ones come first. First again after each
	// Delete: bbolt's cursor may skip a key when deleting as it moves on.
	c := turns.Cursor()
	for _, v := c.First(); v != nil; _, v = c.First() {
		if at, _, _, err := parseTurn(v); err == nil && at > cutoff {
			break
		}
		if err := c.Delete(); err != nil {
			return 0, err
		}
	}
	if lb := tx.Bucket(legacyBucket); lb != nil {
		var dead [][]byte
		err := lb.ForEach(func(k, v []byte) error {
			turns, err := decode(v)
			if err != nil || len(s.fresh(turns)) == 0 {
				dead = append(dead, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		for _, k := range dead {
			if err := lb.Delete(k); err != nil {
				return 0, err
			}
		}
		n += len(dead)
	}
	return n, nil
}

// Len returns the number of stored conversations.
func (s *Store) Len() (n int, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(convsBucket).Stats().KeyN
		if lb := tx.Bucket(legacyBucket); lb != nil {
			n += lb.Stats().KeyN
		}
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

// entry is one turn in a conversation's index entry.
type entry struct {
	seq uint64
	at  int64 // unix nanoseconds
}

// errRecord reports a record that cannot be read.
var errRecord = errors.New("damaged conversation record")

// live returns the entries of the turns Turns returns: unexpired, the
// last maxTurns.
func (s *Store) live(es []entry) []entry {
	cutoff := s.now().Add(-s.ttl).UnixNano()
	out := es[:0:0]
	for _, e := range es {
		if e.at > cutoff {
			out = append(out, e)
		}
	}
	if len(out) > s.maxTurns {
		out = out[len(out)-s.maxTurns:]
	}
	return out
}

func parseIndex(v []byte) ([]entry, error) {
	if len(v) == 0 {
		return nil, nil
	}
	if v[0] != recordIndex || (len(v)-1)%16 != 0 {
		return nil, errRecord
	}
	out := make([]entry, 0, (len(v)-1)/16)
	for p := v[1:]; len(p) > 0; p = p[16:] {
		out = append(out, entry{seq: binary.BigEndian.Uint64(p), at: int64(binary.BigEndian.Uint64(p[8:]))})
	}
	return out, nil
}

func encodeIndex(es []entry) []byte {
	buf := make([]byte, 1, 1+16*len(es))
	buf[0] = recordIndex
	for _, e := range es {
		buf = binary.BigEndian.AppendUint64(buf, e.seq)
		buf = binary.BigEndian.AppendUint64(buf, uint64(e.at))
	}
	return buf
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

// deleteTurn deletes turn seq unless it belongs to a conversation other
// than conv: an index entry damaged into listing another conversation's
// turn must not delete it.
func deleteTurn(turns *bolt.Bucket, seq uint64, conv []byte) error {
	c := turns.Cursor()
	k, v := c.Seek(seqKey(seq))
	if k == nil || binary.BigEndian.Uint64(k) != seq {
		return nil
	}
	if _, owner, _, err := parseTurn(v); err == nil && string(owner) != string(conv) {
		return nil
	}
	return c.Delete()
}

// encodeTurn makes a turn's record (see turnsBucket).
func encodeTurn(key string, at int64, data []byte) []byte {
	buf := make([]byte, 0, 1+8+binary.MaxVarintLen64+len(key)+len(data))
	buf = append(buf, recordTurn)
	buf = binary.BigEndian.AppendUint64(buf, uint64(at))
	buf = binary.AppendUvarint(buf, uint64(len(key)))
	buf = append(buf, key...)
	return append(buf, data...)
}

// parseTurn splits a turn's record; conv and data point into v.
func parseTurn(v []byte) (at int64, conv, data []byte, err error) {
	if len(v) < 10 || v[0] != recordTurn {
		return 0, nil, nil, errRecord
	}
	at = int64(binary.BigEndian.Uint64(v[1:]))
	p := v[9:]
	n, w := binary.Uvarint(p)
	if w <= 0 || n > uint64(len(p)-w) {
		return 0, nil, nil, errRecord
	}
	p = p[w:]
	return at, p[:n], p[n:], nil
}

// In the old layout (legacyBucket, from ed03e2d) a conversation was one
// record, framed: the byte recordFramed, then for each turn, oldest first,
// its time (unix nanoseconds) and the length of its JSON, 8 and 4 bytes
// big-endian, and the JSON. Before ed03e2d the record was a JSON array of
// turns. Both are read, and moved to the turns on the next append.
const recordFramed = 0x01

// frame is one turn of a framed record.
type frame struct {
	at   int64
	data []byte // the turn as JSON
}

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

// frames returns a record's frames, converting a JSON-array record.
func frames(data []byte) ([]frame, error) {
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

// decode reads an old-layout record, framed or a JSON array.
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
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.run(func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction of its own (for Prune, which may
// be long; Append and Clear go through the writer).
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.run(func() error { return s.db.Update(fn) })
}

// run calls op through the guard (boltsafe.Guard.Run).
func (s *Store) run(op func() error) error {
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	return s.guard.Run(op)
}

// writeReq is one Append or Clear waiting for the writer.
type writeReq struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// maxBatch bounds the writes committed together.
const maxBatch = 4096

// batch hands fn to the writer and waits for its commit.
func (s *Store) batch(fn func(*bolt.Tx) error) error {
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
	case <-s.guard.Failed():
		return s.Err()
	case <-t.C:
		return s.guard.TimedOut()
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
		return s.guard.TimedOut()
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
			s.guard.Recover(r)
		}
	}()
	for {
		var batch []writeReq
		select {
		case <-s.guard.Failed():
			return
		case <-s.closing:
			// Commit what was queued before Close, then stop.
			if batch = boltsafe.Gather(s.writes, batch, maxBatch); len(batch) > 0 {
				s.commit(batch)
			}
			return
		case r := <-s.writes:
			batch = append(batch, r)
		}
		s.commit(boltsafe.Gather(s.writes, batch, maxBatch))
	}
}

// commit writes a batch in one transaction; if it fails, each write is
// retried alone so that one bad write does not fail the others.
func (s *Store) commit(batch []writeReq) {
	s.commits.Add(1)
	err := s.guard.Check(s.db.Update(func(tx *bolt.Tx) error {
		for _, r := range batch {
			if err := r.fn(tx); err != nil {
				return err
			}
		}
		return nil
	}))
	if err == nil || len(batch) == 1 || s.Err() != nil {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	for _, r := range batch {
		r.done <- s.guard.Check(s.db.Update(r.fn))
	}
}
