package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The write-ahead journal.
//
// Append and Clear are acknowledged once their record is in the journal:
// files next to the database (path.journal-<first number, 16 hex
// digits>), written only at the end, each record framed and the file
// fdatasync'ed once for every group of calls that arrived together. The
// database is brought up to date behind it, in large transactions (see
// applier), each of which also records the number of the last journal
// record it holds (journalBucket); a journal file is deleted once every
// record in it is in a committed transaction, and Open replays into the
// database the records it does not have. Why: an append waited for
// bbolt's commit (building pages, a pwrite per dirty page, two
// fdatasync), and at 1,000 users without pauses that did not fit in 50
// ms; the journal's commit is one write and one fdatasync per group
// (docs/BENCHMARKS.md, "History under load").
//
// A journal file starts with journalMagic, then records:
//
//	length   4 bytes big-endian: of the payload
//	crc      4 bytes big-endian: CRC-32C (Castagnoli) of length and payload
//	payload  the operation (opAppend, opClear), its number (8 bytes
//	         big-endian; numbers only grow, one per record) and its body:
//	         opAppend the turn's record as the turns bucket holds it
//	         (encodeTurn), opClear the conversation's key
//
// A record cut short by a crash, or whose CRC does not match, at the end
// of a file was never acknowledged (the fdatasync it waited for did not
// return) and is dropped. A damaged record followed by good ones is
// skipped, with a warning: its call was acknowledged, and is lost.

const journalMagic = "declbot history journal 1\n"

// Record operations.
const (
	opAppend = 0x01
	opClear  = 0x02
)

// frameHeader is the length and CRC before each payload; payloadHeader
// the operation and number at the start of it.
const (
	frameHeader   = 8
	payloadHeader = 9
)

// maxRecord bounds a record's length as read back: a damaged length
// field must not make replay allocate gigabytes.
const maxRecord = 64 << 20

// segmentSize is the size past which the writer starts a new journal
// file, so that applied records can be deleted with their file.
const segmentSize = 16 << 20

// journalBucket holds appliedKey: the number of the last journal record
// the database holds (8 bytes big-endian), written in the transaction
// that applies it. An older declbot ignores the bucket.
var (
	journalBucket = []byte("journal")
	appliedKey    = []byte("applied")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends to buf the record of operation kind, number lsn,
// with body.
func appendFrame(buf []byte, kind byte, lsn uint64, body []byte) []byte {
	start := len(buf)
	buf = binary.BigEndian.AppendUint32(buf, uint32(payloadHeader+len(body)))
	buf = append(buf, 0, 0, 0, 0) // the CRC, below
	buf = append(buf, kind)
	buf = binary.BigEndian.AppendUint64(buf, lsn)
	buf = append(buf, body...)
	crc := crc32.Update(0, castagnoli, buf[start:start+4])
	crc = crc32.Update(crc, castagnoli, buf[start+frameHeader:])
	binary.BigEndian.PutUint32(buf[start+4:], crc)
	return buf
}

// frameAt reads the record at data[p:]. n is the record's whole length
// when its length field fits in data (whether or not the rest is good),
// 0 when it does not; ok says the record is good.
func frameAt(data []byte, p int) (o *op, n int, ok bool) {
	if len(data)-p < frameHeader {
		return nil, 0, false
	}
	size := binary.BigEndian.Uint32(data[p:])
	if size > maxRecord || uint64(size) > uint64(len(data)-p-frameHeader) {
		return nil, 0, false
	}
	n = frameHeader + int(size)
	payload := data[p+frameHeader : p+n]
	crc := crc32.Update(0, castagnoli, data[p:p+4])
	crc = crc32.Update(crc, castagnoli, payload)
	if crc != binary.BigEndian.Uint32(data[p+4:]) || len(payload) < payloadHeader {
		return nil, n, false
	}
	o = &op{kind: payload[0], lsn: binary.BigEndian.Uint64(payload[1:])}
	body := payload[payloadHeader:]
	switch o.kind {
	case opAppend:
		at, key, _, err := parseTurn(body)
		if err != nil {
			return nil, n, false
		}
		o.key, o.at, o.rec = string(key), at, body
	case opClear:
		o.key = string(body)
	default:
		return nil, n, false
	}
	return o, n, true
}

// segmentReport says what reading a journal file left out.
type segmentReport struct {
	damaged int // records skipped inside the file
	tail    int // bytes dropped at its end
}

// parseSegment returns the good records of a journal file, in order.
func parseSegment(data []byte) ([]*op, segmentReport) {
	var rep segmentReport
	if !strings.HasPrefix(string(data), journalMagic) {
		// Cut short while it was being created, or not a journal.
		rep.tail = len(data)
		return nil, rep
	}
	var out []*op
	for p := len(journalMagic); p < len(data); {
		o, n, ok := frameAt(data, p)
		if ok {
			out = append(out, o)
			p += n
			continue
		}
		// A damaged record whose length still leads to a good one is
		// skipped; anything else ends the file.
		if n > 0 && p+n < len(data) {
			if _, _, next := frameAt(data, p+n); next {
				rep.damaged++
				p += n
				continue
			}
		}
		rep.tail = len(data) - p
		break
	}
	return out, rep
}

// segment is a journal file: its path and the number of its first
// record (and, once the writer has moved on, of its last).
type segment struct {
	path        string
	first, last uint64
}

func segmentPath(db string, first uint64) string {
	return fmt.Sprintf("%s.journal-%016x", db, first)
}

// findSegments lists the journal files of the database at db, oldest
// first. A journal path that is a symbolic link is an error: it is not
// followed.
func findSegments(db string) ([]segment, error) {
	names, err := filepath.Glob(globEscape(db) + ".journal-*")
	if err != nil {
		return nil, err
	}
	var out []segment
	prefix := db + ".journal-"
	for _, name := range names {
		hex := strings.TrimPrefix(name, prefix)
		if len(hex) != 16 {
			continue
		}
		first, err := strconv.ParseUint(hex, 16, 64)
		if err != nil {
			continue
		}
		fi, err := os.Lstat(name)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s %w", name, ErrSymlink)
		}
		out = append(out, segment{path: name, first: first})
	}
	slices.SortFunc(out, func(a, b segment) int {
		switch {
		case a.first < b.first:
			return -1
		case a.first > b.first:
			return 1
		}
		return 0
	})
	return out, nil
}

// globEscape escapes the characters filepath.Glob treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readSegment reads a journal file without following a link.
func readSegment(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, fi.Size())
	n, err := f.ReadAt(data, 0)
	if err != nil && n != len(data) {
		return nil, err
	}
	return data, nil
}

// journal is the file the writer appends to. Only the writer goroutine
// uses it after Open.
type journal struct {
	db   string // the database's path
	f    *os.File
	sync func(*os.File) error // fdatasync; tests watch it
	seg  segment
	off  int64 // end of the last record written and synced
	// dirty says a failed write may have left bytes past off: they are
	// cut off before anything else is written, so that no good record
	// ever follows a bad one.
	dirty bool
}

// createSegment creates the journal file whose first record is first,
// with its header, and makes it and its name durable.
func createSegment(db string, first uint64, sync func(*os.File) error) (*journal, error) {
	path := segmentPath(db, first)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	err = func() error {
		if _, err := f.WriteAt([]byte(journalMagic), 0); err != nil {
			return err
		}
		if err := sync(f); err != nil {
			return err
		}
		// The file's name, too, must be on disk before a record in it is
		// acknowledged.
		return syncDir(filepath.Dir(path))
	}()
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create journal %s: %w", path, err)
	}
	return &journal{db: db, f: f, sync: sync, seg: segment{path: path, first: first}, off: int64(len(journalMagic))}, nil
}

// write appends buf (whole records) and waits until it is on disk.
func (j *journal) write(buf []byte) error {
	if err := j.clean(); err != nil {
		return err
	}
	if _, err := j.f.WriteAt(buf, j.off); err != nil {
		j.dirty = true
		j.clean()
		return fmt.Errorf("write journal: %w", err)
	}
	if err := j.sync(j.f); err != nil {
		// The records may be on disk, in part or whole; they are
		// reported as not written, and cut off.
		j.dirty = true
		j.clean()
		return fmt.Errorf("sync journal: %w", err)
	}
	j.off += int64(len(buf))
	return nil
}

// clean cuts off what a failed write may have left, and makes the cut
// durable.
func (j *journal) clean() error {
	if !j.dirty {
		return nil
	}
	if err := j.f.Truncate(j.off); err != nil {
		return fmt.Errorf("journal: drop a failed write: %w", err)
	}
	if err := j.sync(j.f); err != nil {
		return fmt.Errorf("journal: drop a failed write: %w", err)
	}
	j.dirty = false
	return nil
}

// syncDir makes the directory's entries (a new file's name) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
