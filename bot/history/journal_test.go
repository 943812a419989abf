package history

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// crashed keeps what is journaled out of the database, even at Close:
// the store then leaves its files as a process killed before applying
// them would.
func crashed() Option { return func(s *Store) { s.holdApply = true } }

// logTo sends the store's log to buf.
func logTo(buf *syncBuffer) Option {
	return WithLogger(slog.New(slog.NewTextHandler(buf, nil)))
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// journalFiles returns the journal files of the database at path.
func journalFiles(t *testing.T, path string) []string {
	t.Helper()
	segs, err := findSegments(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range segs {
		out = append(out, s.path)
	}
	return out
}

// dbTurns counts the turn records in the database itself, without
// waiting for the applier.
func dbTurns(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.view(func(tx *bolt.Tx) error { n = tx.Bucket(turnsBucket).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// What was journaled and not applied when the process stopped is written
// to the database by the next Open, in order (a Clear between appends
// included), once only however often the journal is replayed; Turns
// shows it before it is applied.
func TestReplayAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, crashed())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"a1", "a2", "a3"} {
		if err := s.Append("a", Turn{Question: q}); err != nil {
			t.Fatal(err)
		}
	}
	s.Append("b", Turn{Question: "b1"})
	s.Clear("a")
	s.Append("a", Turn{Question: "a4"})
	s.Append("b", Turn{Question: "b2"})
	checkQuestions(t, s, map[string]string{"a": "a4", "b": "b1,b2"}, "before applying")
	if n := dbTurns(t, s); n != 0 {
		t.Fatalf("%d turns in the database; the test needs them all in the journal only", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	saved := journalFiles(t, path)
	if len(saved) != 1 {
		t.Fatalf("journal files after the crash: %v", saved)
	}
	journal, err := os.ReadFile(saved[0])
	if err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	checkQuestions(t, s, map[string]string{"a": "a4", "b": "b1,b2"}, "after replay")
	if n := dbTurns(t, s); n != 3 {
		t.Fatalf("%d turn records after replay; want 3", n)
	}
	if err := s.Append("a", Turn{Question: "a5"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if files := journalFiles(t, path); len(files) != 0 {
		t.Fatalf("journal files left after a clean Close: %v", files)
	}

	// The old journal back, as if its deletion had not reached the disk:
	// every record in it is applied already and is skipped.
	if err := os.WriteFile(saved[0], journal, 0o600); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	checkQuestions(t, s, map[string]string{"a": "a4,a5", "b": "b1,b2"}, "after replaying an applied journal")
	if n := dbTurns(t, s); n != 4 {
		t.Fatalf("%d turn records; want 4", n)
	}
}

func checkQuestions(t *testing.T, s *Store, want map[string]string, when string) {
	t.Helper()
	for key, qs := range want {
		got, err := s.Turns(key)
		if err != nil || questions(got) != qs {
			t.Fatalf("%s: %s has %q, %v; want %q", when, key, questions(got), err, qs)
		}
	}
}

// The writer starts a new journal file when one is full; the applier
// deletes each once the database holds all of it, and a crash leaves
// several, replayed in order.
func TestJournalFilesRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	small := func(s *Store) { s.segmentSize = 4 << 10 }
	s, err := Open(path, small, crashed(), WithMaxTurns(100))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 40 {
		q := fmt.Sprint("q", i)
		if err := s.Append("c", Turn{Question: q, Answer: strings.Repeat("答", 200)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, q)
	}
	s.Close()
	if files := journalFiles(t, path); len(files) < 5 {
		t.Fatalf("journal files after 40 turns of 600 bytes, 4 KB a file: %v", files)
	}
	s = open(t, path, small, WithMaxTurns(100))
	checkQuestions(t, s, map[string]string{"c": strings.Join(want, ",")}, "after replaying several files")
	for i := range 40 {
		q := fmt.Sprint("r", i)
		if err := s.Append("c", Turn{Question: q, Answer: strings.Repeat("答", 200)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, q)
	}
	applied(t, s)
	// The one being written, and the one the last write filled if it
	// is still being replaced.
	if files := journalFiles(t, path); len(files) > 2 {
		t.Errorf("journal files once everything is applied: %v; want the one being written", files)
	}
	checkQuestions(t, s, map[string]string{"c": strings.Join(want, ",")}, "applied")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if files := journalFiles(t, path); len(files) != 0 {
		t.Errorf("journal files after Close: %v", files)
	}
}

// crashedJournal journals questions qs in conversation "c" of a store
// that then stops before applying them, and returns the database's path
// and its journal file.
func crashedJournal(t *testing.T, qs ...string) (path, journal string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, crashed())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if err := s.Append("c", Turn{Question: q, Answer: strings.Repeat("答", 100)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	files := journalFiles(t, path)
	if len(files) != 1 {
		t.Fatalf("journal files: %v", files)
	}
	return path, files[0]
}

// recordOffsets returns where each record of a journal file starts.
func recordOffsets(t *testing.T, data []byte) []int {
	t.Helper()
	var out []int
	for p := len(journalMagic); p < len(data); {
		out = append(out, p)
		p += frameHeader + int(binary.BigEndian.Uint32(data[p:]))
	}
	return out
}

// A record cut short at the end of the journal (the process died while
// writing it: it was never acknowledged), or whole with a CRC that does
// not match, is dropped with a warning; the records before it are
// replayed, and the store works on.
func TestTornTailIsDropped(t *testing.T) {
	for _, tc := range []struct {
		name string
		tear func(data []byte, last int) []byte
	}{
		{"cut short", func(data []byte, last int) []byte { return data[:last+20] }},
		{"header only", func(data []byte, last int) []byte { return data[:last+5] }},
		{"CRC mismatch", func(data []byte, last int) []byte { data[len(data)-3] ^= 0x40; return data }},
		{"zeros", func(data []byte, last int) []byte { clear(data[last+frameHeader+4:]); return data }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, journal := crashedJournal(t, "q1", "q2", "q3")
			data, err := os.ReadFile(journal)
			if err != nil {
				t.Fatal(err)
			}
			offs := recordOffsets(t, data)
			if err := os.WriteFile(journal, tc.tear(data, offs[2]), 0o600); err != nil {
				t.Fatal(err)
			}
			var log syncBuffer
			s := open(t, path, logTo(&log))
			checkQuestions(t, s, map[string]string{"c": "q1,q2"}, "after replay")
			if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "was dropped") {
				t.Errorf("no warning about the dropped tail:\n%s", log.String())
			}
			if err := s.Append("c", Turn{Question: "q4"}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s = open(t, path)
			checkQuestions(t, s, map[string]string{"c": "q1,q2,q4"}, "reopened")
		})
	}
}

// A damaged record inside the journal (its CRC does not match; good
// records follow) is skipped with a warning, and only its turn is lost:
// the records after it are replayed.
func TestDamagedRecordIsSkipped(t *testing.T) {
	path, journal := crashedJournal(t, "q1", "q2", "q3", "q4")
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	offs := recordOffsets(t, data)
	data[offs[1]+frameHeader+40] ^= 0x01 // inside q2's turn
	if err := os.WriteFile(journal, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	s := open(t, path, logTo(&log))
	checkQuestions(t, s, map[string]string{"c": "q1,q3,q4"}, "after replay")
	if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "damaged records skipped") ||
		!strings.Contains(log.String(), "records=1") {
		t.Errorf("no warning about the damaged record:\n%s", log.String())
	}
	if strings.Contains(log.String(), "was dropped") {
		t.Errorf("the records after the damaged one were dropped:\n%s", log.String())
	}
}

// A journal that is not one (its header damaged) is dropped with a
// warning; the database opens as it was.
func TestJournalWithoutHeader(t *testing.T) {
	path, journal := crashedJournal(t, "q1")
	if err := os.WriteFile(journal, []byte("something else entirely"), 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	s := open(t, path, logTo(&log))
	checkQuestions(t, s, map[string]string{"c": ""}, "after replay")
	if !strings.Contains(log.String(), "level=WARN") {
		t.Errorf("no warning:\n%s", log.String())
	}
}

// A database written by an older store, with a journal of appends and a
// Clear made to it before a crash: Turns shows both together before the
// crash, and the replay moves the conversations appended to into per-turn
// records, keeping every turn.
func TestJournalOnOldDatabase(t *testing.T) {
	path, want := loadLegacy(t)
	now := func() time.Time { return legacyNow }
	s, err := Open(path, WithClock(now), crashed())
	if err != nil {
		t.Fatal(err)
	}
	fresh := map[string][]Turn{}
	for key, turns := range want {
		if key != "1003" { // expired at legacyNow
			fresh[key] = turns
		}
	}
	for _, key := range []string{"1001", "1002"} {
		turn := Turn{Question: "new " + key, Answer: "answer", Cited: []string{"0.1"}, At: legacyNow}
		if err := s.Append(key, turn); err != nil {
			t.Fatal(err)
		}
		fresh[key] = append(slices.Clone(fresh[key]), turn)
		if len(fresh[key]) > DefaultMaxTurns {
			fresh[key] = fresh[key][1:]
		}
	}
	if err := s.Clear("1004"); err != nil {
		t.Fatal(err)
	}
	delete(fresh, "1004")
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "journaled")
	}
	checkTurns(t, s, "1004", nil, "journaled")
	s.Close()

	s = open(t, path, WithClock(now))
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "replayed")
	}
	checkTurns(t, s, "1004", nil, "replayed")
	err = s.view(func(tx *bolt.Tx) error {
		lb := tx.Bucket(legacyBucket)
		for _, key := range []string{"1001", "1002", "1004"} {
			if lb.Get([]byte(key)) != nil {
				return fmt.Errorf("conversation %s is still in the old layout", key)
			}
		}
		if lb.Get([]byte("-1001234567890/42")) == nil {
			return fmt.Errorf("a conversation not appended to was moved")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Len(); err != nil || n != len(fresh)+1 { // and 1003, until pruned
		t.Fatalf("Len = %d, %v; want %d", n, err, len(fresh)+1)
	}
}

// A turn's record, in the journal and in the database, is what it was
// before the journal: its header and json.Marshal's JSON.
func TestRecordFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s := open(t, path, crashed())
	turn := Turn{Question: "<b>问</b> & \"q\"", Answer: "答\n", Cited: []string{"2.36"}, At: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	if err := s.Append("chat", turn); err != nil {
		t.Fatal(err)
	}
	files := journalFiles(t, path)
	if len(files) != 1 {
		t.Fatalf("journal files: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	ops, rep := parseSegment(data)
	if len(ops) != 1 || rep != (segmentReport{}) {
		t.Fatalf("journal holds %d records, %+v", len(ops), rep)
	}
	js, err := json.Marshal(turn)
	if err != nil {
		t.Fatal(err)
	}
	if want := encodeTurn("chat", turn.At.UnixNano(), js); !bytes.Equal(ops[0].rec, want) {
		t.Fatalf("record\n%q\nwant\n%q", ops[0].rec, want)
	}
}

// Append and Clear return only after the journal file holding their
// record has been synced (a SIGKILL cannot tell: the page cache outlives
// the process). The sync is slowed down so that a call returning before
// it would be seen.
func TestAcknowledgedAfterSync(t *testing.T) {
	var mu sync.Mutex
	synced := 0 // records in the journal file at its last sync
	slowSync := func(f *os.File) error {
		time.Sleep(20 * time.Millisecond)
		err := fdatasync(f)
		data, rerr := os.ReadFile(f.Name())
		if rerr != nil {
			t.Error(rerr)
		}
		ops, _ := parseSegment(data)
		mu.Lock()
		synced = len(ops)
		mu.Unlock()
		return err
	}
	s := open(t, filepath.Join(t.TempDir(), "history.db"), func(s *Store) { s.syncFile = slowSync })
	for i := 1; i <= 6; i++ {
		var err error
		if i == 4 {
			err = s.Clear("c")
		} else {
			err = s.Append("c", Turn{Question: fmt.Sprint("q", i)})
		}
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		n := synced
		mu.Unlock()
		if n < i {
			t.Fatalf("call %d returned when the journal had been synced with %d records", i, n)
		}
	}
}

// A journal file that is a symbolic link is not followed: Open fails.
func TestJournalSymlinkIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte(journalMagic), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, segmentPath(path, 1)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Open = %v; want the link refused", err)
	}
	if data, _ := os.ReadFile(target); string(data) != journalMagic {
		t.Errorf("the link's target was changed: %q", data)
	}
}

// diskFullEnv, when set to a database path, makes TestMain's child run
// diskFullChild.
const diskFullEnv = "HISTORY_DISKFULL_CHILD"

// diskFullChild records turns, then meets a full disk (RLIMIT_FSIZE 0:
// every write to a file fails, EFBIG where a full disk says ENOSPC) with
// turns acknowledged and not yet in the database: Append fails and says
// so, Turns still shows every acknowledged turn, Appends work again once
// there is room, and Close, unable to apply them, says that they are kept
// in the journal. It prints what happened for the parent to check.
func diskFullChild(path string) {
	s, err := Open(path, WithMaxTurns(100), func(s *Store) { s.applyEvery = time.Hour })
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := range 20 {
		if err := s.Append("c", Turn{Question: fmt.Sprint("q", i)}); err != nil {
			fmt.Println("append before the disk was full:", err)
			os.Exit(1)
		}
	}
	limit := func(n uint64) {
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			fmt.Println("getrlimit:", err)
			os.Exit(1)
		}
		lim.Cur = min(n, lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			fmt.Println("setrlimit:", err)
			os.Exit(1)
		}
	}
	limit(0)
	fmt.Println("full append:", s.Append("c", Turn{Question: "lost"}))
	turns, err := s.Turns("c")
	fmt.Println("turns while full:", len(turns), err)
	limit(^uint64(0))
	fmt.Println("append with room:", s.Append("c", Turn{Question: "resumed"}))
	limit(0)
	fmt.Println("close:", s.Close())
}

// A full disk: the turn that cannot be journaled is an error to its
// caller; no acknowledged turn is lost, though none could be written to
// the database before the process stopped.
func TestDiskFullLosesNoAcknowledgedTurn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), diskFullEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"full append: history: save c: write journal: ",
		"file too large",
		"turns while full: 20 <nil>",
		"append with room: <nil>",
		"close: history: close: turns acknowledged are not yet in the database",
		"kept in the journal",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("child's output lacks %q:\n%s", want, got)
		}
	}
	s := open(t, path, WithMaxTurns(100))
	got2, err := s.Turns("c")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprint("q", i))
	}
	want = append(want, "resumed")
	if questions(got2) != strings.Join(want, ",") {
		t.Fatalf("after the full disk: %q; want %q", questions(got2), strings.Join(want, ","))
	}
}
