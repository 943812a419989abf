package review

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/declbot/declbot/bot/internal/boltsafe"
)

// File names in DATA_DIR.
const (
	DBFile   = "review.db"
	SaltFile = "review-salt"
)

// Defaults.
const (
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultQueue bounds the records waiting to be written: past it a
	// record is dropped (and counted) rather than hold an answer back.
	DefaultQueue = 4096
	// DefaultOpTimeout bounds one operation, as for the history store.
	DefaultOpTimeout = 20 * time.Second
	// MaxQuestion and MaxComment bound the text kept, in runes.
	MaxQuestion = 2000
	MaxComment  = 500
	// maxBatch bounds the writes committed in one transaction.
	maxBatch = 256
	// pruneEvery is how often the writer deletes expired records.
	pruneEvery = time.Hour
)

var bucket = []byte("answers")

// Errors.
var (
	// ErrUnknownAnswer: a vote or comment names no answer the store has
	// for that chat (forged, pruned, or from before the store was reset).
	ErrUnknownAnswer = errors.New("review: no such answer in this chat")
	// ErrNoVoteDown: a comment from a user who has not voted the answer
	// down, or who has commented on it already.
	ErrNoVoteDown = errors.New("review: comment without a thumbs-down, or a second one")
	// ErrFailed is wrapped by every error of a store that has failed.
	ErrFailed = errors.New("review database failed")
	ErrClosed = errors.New("review database is closed")
	ErrLocked = errors.New("review database is in use by another process")
)

// Store is the review database: one bbolt file, written by one goroutine
// that commits what arrives together (one fsync for many records).
//
// It follows the history store's fault isolation (bot/history,
// boltsafe.Guard): every bbolt call runs on a goroutine where memory
// faults are panics and is waited for at most the operation timeout; a
// panic, fault or timeout marks the store failed for good (records are then dropped and counted,
// votes refused), and a damaged file is moved aside so that the next
// start opens a fresh one. A file found damaged at Open is moved aside
// and a fresh one started at once. Nothing here ever holds an answer
// back: Add never blocks.
type Store struct {
	db        *bolt.DB
	file      *os.File
	path      string
	salt      []byte
	retention time.Duration
	now       func() time.Time
	opTimeout time.Duration
	queue     int
	onFail    func(error)
	observe   func(time.Duration)
	dropped   func(reason string, n int)
	written   func(n int)
	recovered string
	// beforeCommit, when set (tests), runs before each commit and fails it
	// with its error: a full disk.
	beforeCommit func() error

	ops        chan op
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	guard *boltsafe.Guard
}

// op is one write for the writer: a record to add (done nil: nobody
// waits) or a function to run (a vote, a comment).
type op struct {
	add  *Record
	fn   func(*bolt.Bucket) error
	done chan error
}

// Option configures a Store.
type Option func(*Store)

// WithRetention keeps records for d (default DefaultRetention).
func WithRetention(d time.Duration) Option { return func(s *Store) { s.retention = d } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithOpTimeout bounds one operation (default DefaultOpTimeout).
func WithOpTimeout(d time.Duration) Option { return func(s *Store) { s.opTimeout = d } }

// WithQueue bounds the records waiting to be written (default
// DefaultQueue).
func WithQueue(n int) Option { return func(s *Store) { s.queue = n } }

// WithOnFail calls f once, with the reason, when the store fails.
func WithOnFail(f func(error)) Option { return func(s *Store) { s.onFail = f } }

// WithWriteObserver calls f with the time of every commit (metrics).
func WithWriteObserver(f func(time.Duration)) Option { return func(s *Store) { s.observe = f } }

// WithDropCounter calls f with the records not kept and why: queue_full,
// write_failed (a full disk), store_failed.
func WithDropCounter(f func(reason string, n int)) Option { return func(s *Store) { s.dropped = f } }

// withBeforeCommit runs f before every commit, failing it with f's error
// (tests: a full disk, a stuck disk).
func withBeforeCommit(f func() error) Option { return func(s *Store) { s.beforeCommit = f } }

// WithWrittenCounter calls f with the records written by each commit.
func WithWrittenCounter(f func(n int)) Option { return func(s *Store) { s.written = f } }

// Open opens (creating if needed) the review database in dir, and its
// salt. A damaged database file is renamed to review.db.corrupt-UNIXTIME
// and a fresh one created (Recovered says where it went).
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{path: filepath.Join(dir, DBFile), retention: DefaultRetention, now: time.Now,
		opTimeout: DefaultOpTimeout, queue: DefaultQueue}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("review: create folder: %w", err)
	}
	salt, err := loadSalt(filepath.Join(dir, SaltFile))
	if err != nil {
		return nil, err
	}
	s.salt = salt
	db, f, err := openDB(s.path, s.opTimeout, false)
	if boltsafe.IsCorrupt(err) {
		aside, rerr := boltsafe.MoveAside(s.path)
		if rerr != nil {
			return nil, fmt.Errorf("review: %s is damaged (%v) and could not be moved aside: %w", s.path, err, rerr)
		}
		s.recovered = aside
		db, f, err = openDB(s.path, s.opTimeout, false)
	}
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("review: %s: %w", s.path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("review: open %s: %w", s.path, err)
	}
	s.db, s.file = db, f
	s.ops = make(chan op, max(s.queue, 1))
	s.closing = make(chan struct{})
	s.writerDone = make(chan struct{})
	s.guard = boltsafe.NewGuard("review", s.path, s.opTimeout, ErrFailed, s.onFail)
	go s.writer()
	return s, nil
}

// Reader reads a review database without writing it, for declbot review.
type Reader struct {
	db   *bolt.DB
	tmp  string
	Snap bool // the database was in use: this is a copy taken just now
}

// OpenReader opens the review database in dir for reading. While a
// declbot serve holds it (bbolt locks the file), a copy is read instead.
func OpenReader(dir string) (*Reader, error) {
	path := filepath.Join(dir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("review: no review log in %s (%v): it is written by declbot serve unless REVIEW_LOG=off", dir, err)
	}
	db, _, err := openDB(path, 5*time.Second, true)
	if err == nil {
		return &Reader{db: db}, nil
	}
	if !errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("review: open %s: %w", path, err)
	}
	// In use: read a copy. bbolt keeps two meta pages and commits by
	// writing one after the data, so a copy taken mid-commit still opens
	// at the previous commit; a copy that does not is taken again.
	for try := 0; ; try++ {
		tmp, cerr := copyFile(path)
		if cerr != nil {
			return nil, fmt.Errorf("review: copy %s: %w", path, cerr)
		}
		db, _, err = openDB(tmp, 5*time.Second, true)
		if err == nil {
			return &Reader{db: db, tmp: tmp, Snap: true}, nil
		}
		os.Remove(tmp)
		if try == 2 {
			return nil, fmt.Errorf("review: %s is in use and a copy of it could not be read: %w", path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func copyFile(path string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp("", "declbot-review-*.db")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), out.Close()
}

// Close releases the database (and removes a copy).
func (r *Reader) Close() error {
	err := r.db.Close()
	if r.tmp != "" {
		os.Remove(r.tmp)
	}
	return err
}

// List returns the records at or after since and before until (zero:
// no bound), newest first.
func (r *Reader) List(since, until time.Time) ([]Record, error) {
	var out []Record
	err := guard(func() error {
		return r.db.View(func(tx *bolt.Tx) error { return scan(tx.Bucket(bucket), since, until, &out) })
	})
	return out, err
}

// scan appends the records in [since, until) to out, newest first.
func scan(b *bolt.Bucket, since, until time.Time, out *[]Record) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	var k, v []byte
	if until.IsZero() {
		k, v = c.Last()
	} else {
		// Seek lands on the first key at or after until: the newest
		// record before it is the one before (or the last of all).
		if k, _ = c.Seek(idKey(until)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	lo := idKey(since)
	for ; k != nil; k, v = c.Prev() {
		if !since.IsZero() && bytes.Compare(k, lo) < 0 {
			break
		}
		var rec Record
		if err := json.Unmarshal(v, &rec); err != nil {
			continue // one damaged record hides no others
		}
		if !until.IsZero() && !rec.At.Before(until) {
			continue
		}
		if !since.IsZero() && rec.At.Before(since) {
			continue
		}
		*out = append(*out, rec)
	}
	return nil
}

// guard runs f where memory faults are panics, and returns a panic as an
// error: a damaged file must not kill declbot review either.
func guard(f func() error) (err error) {
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("review: database damaged: %v", r)
			}
		}()
		done <- f()
	}()
	return <-done
}

// loadSalt reads the salt, creating it (32 random bytes, readable by the
// owner only) when there is none.
func loadSalt(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 16 {
		return b, nil
	}
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("review: read the salt %s: %w", path, err)
	}
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("review: make a salt: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("review: write the salt %s: %w", path, err)
	}
	if _, err := f.Write(salt); err != nil {
		f.Close()
		return nil, fmt.Errorf("review: write the salt %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("review: write the salt %s: %w", path, err)
	}
	return salt, nil
}

func (s *Store) hash(parts ...string) string {
	m := hmac.New(sha256.New, s.salt)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// ChatKey is the salted hash a chat is kept under.
func (s *Store) ChatKey(chatID int64) string { return s.hash("chat", strconv.FormatInt(chatID, 10)) }

// voterKey is the hash a user's vote on one answer is kept under: it
// counts each user once per answer and links no two answers of one user.
func (s *Store) voterKey(answerID string, userID int64) string {
	return s.hash("vote", answerID, strconv.FormatInt(userID, 10))
}

// openDB opens the review database (boltsafe.Open).
func openDB(path string, timeout time.Duration, readOnly bool) (*bolt.DB, *os.File, error) {
	return boltsafe.Open(path, timeout, boltsafe.Options{Buckets: [][]byte{bucket}, ReadOnly: readOnly})
}

// Err is nil while the store works, and after it has failed an error
// wrapping ErrFailed.
func (s *Store) Err() error { return s.guard.Err() }

// Recovered is where Open moved a damaged file, or "".
func (s *Store) Recovered() string { return s.recovered }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close writes what is queued and closes the database, within the
// operation timeout whatever bbolt does.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.closeErr = s.guard.Close(s.db, s.file, s.writerDone)
	})
	return s.closeErr
}

func (s *Store) drop(reason string, n int) {
	if s.dropped != nil && n > 0 {
		s.dropped(reason, n)
	}
}

// Add queues the record of an answer given in chatID, to be written with
// others; it never blocks. When the queue is full or the store has
// failed, the record is dropped and counted. The record's Chat is set
// here, from chatID, which is not kept.
func (s *Store) Add(chatID int64, r Record) {
	if s.Err() != nil {
		s.drop("store_failed", 1)
		return
	}
	r.Chat = s.ChatKey(chatID)
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.Question = truncate(r.Question, MaxQuestion)
	select {
	case <-s.closing:
		s.drop("store_failed", 1)
	case s.ops <- op{add: &r}:
	default:
		s.drop("queue_full", 1)
	}
}

// VoteResult says what a vote changed.
type VoteResult struct {
	// Previous is the user's verdict before ("" for a first vote).
	Previous string
	// Changed is true when the vote is new or changes the verdict.
	Changed bool
}

// Vote records userID's verdict (Up or Down) on an answer given in
// chatID; a second vote replaces the first. It waits for the commit. An
// answer not in the store for that chat is ErrUnknownAnswer, and nothing
// is written.
func (s *Store) Vote(answerID string, chatID, userID int64, verdict string) (VoteResult, error) {
	if verdict != Up && verdict != Down {
		return VoteResult{}, fmt.Errorf("review: verdict %q", verdict)
	}
	chat, voter := s.ChatKey(chatID), s.voterKey(answerID, userID)
	var res VoteResult
	err := s.modify(answerID, chat, func(r *Record) error {
		prev := r.Votes[voter]
		res = VoteResult{Previous: prev.Verdict, Changed: prev.Verdict != verdict}
		if !res.Changed {
			return errUnchanged
		}
		if r.Votes == nil {
			r.Votes = map[string]Vote{}
		}
		r.Votes[voter] = Vote{Verdict: verdict, At: s.now()}
		return nil
	})
	return res, err
}

// Comment records a one-line comment from userID, who voted the answer
// down; one per user and answer (ErrNoVoteDown otherwise).
func (s *Store) Comment(answerID string, chatID, userID int64, text string) error {
	text = oneLine(text)
	if text == "" {
		return fmt.Errorf("review: empty comment")
	}
	chat, voter := s.ChatKey(chatID), s.voterKey(answerID, userID)
	return s.modify(answerID, chat, func(r *Record) error {
		if r.Votes[voter].Verdict != Down {
			return ErrNoVoteDown
		}
		for _, c := range r.Comments {
			if c.Voter == voter {
				return ErrNoVoteDown
			}
		}
		r.Comments = append(r.Comments, Comment{Text: text, At: s.now(), Voter: voter})
		return nil
	})
}

// errUnchanged leaves a record as it was without failing the batch.
var errUnchanged = errors.New("unchanged")

// modify runs change on the record answerID of chat, in the writer, and
// waits for the commit.
func (s *Store) modify(answerID, chat string, change func(*Record) error) error {
	if !ValidID(answerID) {
		return ErrUnknownAnswer
	}
	var result error
	fn := func(b *bolt.Bucket) error {
		v := b.Get([]byte(answerID))
		var r Record
		if v == nil || json.Unmarshal(v, &r) != nil || r.Chat != chat {
			result = ErrUnknownAnswer
			return nil
		}
		if err := change(&r); err != nil {
			result = err
			return nil
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put([]byte(answerID), data)
	}
	if err := s.submit(fn); err != nil {
		return err
	}
	if errors.Is(result, errUnchanged) {
		return nil
	}
	return result
}

// submit hands fn to the writer and waits for its commit.
func (s *Store) submit(fn func(*bolt.Bucket) error) error {
	if err := s.Err(); err != nil {
		return err
	}
	o := op{fn: fn, done: make(chan error, 1)}
	t := time.NewTimer(s.opTimeout)
	defer t.Stop()
	select {
	case <-s.closing:
		return ErrClosed
	case s.ops <- o:
	case <-s.guard.Failed():
		return s.Err()
	case <-t.C:
		return s.guard.TimedOut()
	}
	select {
	case err := <-o.done:
		return err
	case <-s.guard.Failed():
		return s.Err()
	case <-t.C:
		return s.guard.TimedOut()
	}
}

// List returns the records in [since, until) (zero: unbounded), newest
// first, for /stats.
func (s *Store) List(since, until time.Time) ([]Record, error) {
	var out []Record
	err := s.guard.Run(func() error {
		return s.db.View(func(tx *bolt.Tx) error { return scan(tx.Bucket(bucket), since, until, &out) })
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writer commits what arrives, in batches, and prunes expired records.
func (s *Store) writer() {
	debug.SetPanicOnFault(true)
	defer close(s.writerDone)
	var pending []op
	defer func() {
		if r := recover(); r != nil {
			s.guard.Recover(r)
			s.dropOps(pending)
		}
	}()
	s.prune()
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		pending = pending[:0]
		select {
		case <-s.guard.Failed():
			return
		case <-tick.C:
			s.prune()
			continue
		case <-s.closing:
		drain:
			for {
				select {
				case o := <-s.ops:
					pending = append(pending, o)
					if len(pending) == maxBatch {
						s.commit(pending)
						pending = pending[:0]
					}
				default:
					break drain
				}
			}
			if len(pending) > 0 {
				s.commit(pending)
			}
			return
		case o := <-s.ops:
			pending = append(pending, o)
		}
		pending = boltsafe.Gather(s.ops, pending, maxBatch)
		s.commit(pending)
	}
}

// dropOps answers ops that will not be written.
func (s *Store) dropOps(ops []op) {
	n := 0
	for _, o := range ops {
		if o.add != nil {
			n++
		} else {
			o.done <- s.Err()
		}
	}
	s.drop("store_failed", n)
}

// commit writes a batch in one transaction. If it fails (a full disk),
// records are dropped and counted, and each vote or comment is tried
// alone so that one failure does not fail the others.
func (s *Store) commit(ops []op) {
	start := time.Now()
	apply := func(b *bolt.Bucket, o op) error {
		if o.add != nil {
			data, err := json.Marshal(o.add)
			if err != nil {
				return err
			}
			return b.Put([]byte(o.add.ID), data)
		}
		return o.fn(b)
	}
	err := s.update(func(b *bolt.Bucket) error {
		for _, o := range ops {
			if err := apply(b, o); err != nil {
				return err
			}
		}
		return nil
	})
	if s.observe != nil {
		s.observe(time.Since(start))
	}
	adds := 0
	for _, o := range ops {
		if o.add != nil {
			adds++
		}
	}
	if err == nil {
		if s.written != nil && adds > 0 {
			s.written(adds)
		}
		for _, o := range ops {
			if o.done != nil {
				o.done <- nil
			}
		}
		return
	}
	if s.Err() != nil {
		s.dropOps(ops)
		return
	}
	s.drop("write_failed", adds)
	for _, o := range ops {
		if o.done == nil {
			continue
		}
		if len(ops) == 1 {
			o.done <- err
			continue
		}
		o.done <- s.update(func(b *bolt.Bucket) error { return o.fn(b) })
	}
}

// update runs fn in one write transaction (on the writer's goroutine).
func (s *Store) update(fn func(*bolt.Bucket) error) error {
	if s.beforeCommit != nil {
		if err := s.beforeCommit(); err != nil {
			return err
		}
	}
	return s.guard.Check(s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucket)) }))
}

// prune deletes records older than the retention period, a bounded
// number per transaction so that writes are not held up long.
func (s *Store) prune() {
	for {
		n := 0
		err := s.update(func(b *bolt.Bucket) error {
			var err error
			n, err = s.pruneIn(b, 10000)
			return err
		})
		if err != nil || n < 10000 {
			return
		}
	}
}

// pruneIn deletes up to limit expired records from b. Keys start with
// the time, so the expired ones are the first.
func (s *Store) pruneIn(b *bolt.Bucket, limit int) (int, error) {
	cutoff := idKey(s.now().Add(-s.retention))
	c := b.Cursor()
	n := 0
	// First again after each Delete: bbolt's cursor may skip a key when
	// deleting while it moves on with Next.
	for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0 && n < limit; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Prune deletes expired records now and returns how many (the writer
// also does it at start and every hour).
func (s *Store) Prune() (int, error) {
	n := 0
	err := s.submit(func(b *bolt.Bucket) error {
		var err error
		n, err = s.pruneIn(b, 1<<30)
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// oneLine makes a comment one line of at most MaxComment runes, without
// control characters.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return truncate(strings.Join(strings.Fields(s), " "), MaxComment)
}
