package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/declbot/declbot/bot/internal/boltsafe"
)

// op is one Append or Clear: journaled by the writer, then applied to the
// database by the applier. It does not change once journaled.
type op struct {
	lsn  uint64 // its record's number, from the writer
	kind byte   // opAppend, opClear
	key  string
	at   int64  // opAppend: the turn's time
	rec  []byte // opAppend: the turn's record (encodeTurn); opClear: the key
}

// size is what an op waiting to be applied holds in memory, roughly.
func (o *op) size() int { return 64 + len(o.key) + len(o.rec) }

// writeReq is one Append or Clear waiting for the writer.
type writeReq struct {
	op   *op
	done chan error
}

// Limits of the writer and the applier.
const (
	// maxBatch bounds the writes journaled together.
	maxBatch = 4096
	// maxApply bounds the writes applied in one transaction: the longer
	// a transaction, the longer the writer may wait for room (below).
	maxApply = 1024
	// maxPending bounds the bytes of writes journaled and not yet
	// applied (held in memory for Turns): past it, the writer waits for
	// the applier, and when the database fails to take them (a full
	// disk), new writes fail with the reason.
	maxPending = 4 << 20
	// applyEvery and applySoon: see applier.
	applyEvery = 100 * time.Millisecond
	applySoon  = 512 << 10
)

// Retry pauses of an applier whose transaction failed.
const (
	applyRetryMin = 50 * time.Millisecond
	applyRetryMax = 2 * time.Second
)

// submit hands o to the writer and waits until it is journaled.
func (s *Store) submit(o *op) error {
	if err := s.Err(); err != nil {
		return err
	}
	req := writeReq{op: o, done: make(chan error, 1)}
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

// writer journals Appends and Clears. Writes that arrive while the
// journal is being written and synced are journaled together in the next
// write (one fdatasync for many turns).
func (s *Store) writer() {
	defer close(s.writerDone)
	defer func() { s.jrn.f.Close() }() // the file written last: rotate changes s.jrn
	for {
		var batch []writeReq
		select {
		case <-s.guard.Failed():
			return
		case <-s.closing:
			// Journal what was queued before Close, then stop.
			if batch = boltsafe.Gather(s.writes, batch, maxBatch); len(batch) > 0 {
				s.journalBatch(batch)
			}
			return
		case r := <-s.writes:
			batch = append(batch, r)
		}
		s.journalBatch(boltsafe.Gather(s.writes, batch, maxBatch))
	}
}

// journalBatch journals a batch in one write and one fdatasync, makes it
// visible to Turns and the applier, and only then acknowledges it.
func (s *Store) journalBatch(batch []writeReq) {
	reply := func(err error) {
		for _, r := range batch {
			r.done <- err
		}
	}
	if err := s.waitRoom(); err != nil {
		reply(err)
		return
	}
	s.commits.Add(1)
	buf := s.buf[:0]
	lsn := s.lsn
	for _, r := range batch {
		lsn++
		r.op.lsn = lsn
		buf = appendFrame(buf, r.op.kind, lsn, r.op.rec)
	}
	if cap(buf) <= 4<<20 {
		s.buf = buf
	}
	if err := s.jrn.write(buf); err != nil {
		reply(err)
		return
	}
	s.journalBytes.Add(int64(len(buf)))
	s.lsn = lsn
	s.mu.Lock()
	for _, r := range batch {
		s.pending = append(s.pending, r.op)
		s.byKey[r.op.key] = append(s.byKey[r.op.key], r.op)
		s.pendingBytes += r.op.size()
	}
	s.journaled = lsn
	s.mu.Unlock()
	select {
	case s.work <- struct{}{}:
	default:
	}
	reply(nil)
	if s.jrn.off >= s.segmentSize {
		s.rotate()
	}
}

// rotate starts a new journal file; the applier deletes the old one once
// the database holds all of it. If the new file cannot be made, the
// writer goes on with the old one and tries again after its next write.
func (s *Store) rotate() {
	next, err := createSegment(s.path, s.lsn+1, s.syncFile)
	if err != nil {
		return
	}
	old := s.jrn
	old.f.Close()
	old.seg.last = s.lsn
	s.jrn = next
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = next.seg.path
	if old.seg.last <= s.applied {
		os.Remove(old.seg.path)
		return
	}
	s.sealed = append(s.sealed, old.seg)
}

// waitRoom waits while the writes not yet applied hold maxPending bytes,
// and fails at once if the applier cannot apply them.
func (s *Store) waitRoom() error {
	for {
		s.mu.Lock()
		full, err, progress := s.pendingBytes >= maxPending, s.applyErr, s.progress
		s.mu.Unlock()
		if !full {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%d MB of turns wait for the database, which cannot take them: %w", maxPending>>20, err)
		}
		select {
		case <-progress:
		case <-s.guard.Failed():
			return s.Err()
		}
	}
}

// signal wakes whoever waits for the applier's progress; s.mu is held.
func (s *Store) signal() {
	close(s.progress)
	s.progress = make(chan struct{})
}

// applier applies journaled writes to the database, in transactions at
// least applyEvery apart (fewer, larger transactions write fewer pages per
// turn: a page holds the new turns of many conversations) unless applySoon
// bytes are waiting, and deletes the journal files the database then
// holds. A transaction that fails (a full disk) is tried again after a
// pause; the writes stay in the journal and in memory meanwhile. When the
// writer has stopped (Close) it applies what is left and deletes the
// journal.
func (s *Store) applier() {
	defer close(s.applierDone)
	if s.holdApply {
		<-s.writerDone
		return
	}
	retry := applyRetryMin
	var last time.Time
	for {
		s.mu.Lock()
		waiting := len(s.pending)
		s.mu.Unlock()
		if waiting == 0 {
			select {
			case <-s.guard.Failed():
				return
			case <-s.writerDone:
				s.finish()
				return
			case <-s.work:
			}
			continue
		}
		if !s.waitBatch(last) {
			return
		}
		last = time.Now()
		if _, err := s.applyOnce(); err != nil {
			select {
			case <-s.guard.Failed():
				return
			case <-s.writerDone:
				s.finish()
				return
			case <-time.After(retry):
			}
			retry = min(2*retry, applyRetryMax)
			continue
		}
		retry = applyRetryMin
	}
}

// waitBatch waits until applyEvery has passed since the last transaction
// began, applySoon bytes are waiting or the writer has stopped; false if
// the store failed meanwhile.
func (s *Store) waitBatch(last time.Time) bool {
	d := time.Until(last.Add(s.applyEvery))
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		s.mu.Lock()
		soon := s.pendingBytes >= applySoon
		s.mu.Unlock()
		if soon {
			return true
		}
		select {
		case <-t.C:
			return true
		case <-s.work:
		case <-s.writerDone:
			return true
		case <-s.guard.Failed():
			return false
		}
	}
}

// applyOnce applies the first maxApply writes waiting, in one
// transaction, and says whether more are waiting.
func (s *Store) applyOnce() (more bool, err error) {
	s.mu.Lock()
	batch := s.pending[:min(len(s.pending), maxApply)]
	s.mu.Unlock()
	if len(batch) == 0 {
		return false, nil
	}
	// Through the guard, but not s.run: after Close the rest is applied.
	err = s.guard.Run(func() error { return s.db.Update(func(tx *bolt.Tx) error { return s.applyIn(tx, batch) }) })
	s.applies.Add(1)
	s.mu.Lock()
	if err != nil {
		s.applyErr = err
		s.signal()
		s.mu.Unlock()
		return false, err
	}
	for _, o := range batch {
		ks := s.byKey[o.key]
		ks[0] = nil
		if ks = ks[1:]; len(ks) == 0 {
			delete(s.byKey, o.key)
		} else {
			s.byKey[o.key] = ks
		}
		s.pendingBytes -= o.size()
	}
	s.applied = batch[len(batch)-1].lsn
	clear(s.pending[:len(batch)]) // batch's too: the same array
	s.pending = s.pending[len(batch):]
	s.applyErr = nil
	// Journal files the database now holds all of go (one per
	// segmentSize bytes: rarely).
	for len(s.sealed) > 0 && s.sealed[0].last <= s.applied {
		os.Remove(s.sealed[0].path)
		s.sealed = s.sealed[1:]
	}
	more = len(s.pending) > 0
	s.signal()
	s.mu.Unlock()
	return more, nil
}

// applyIn applies ops in tx, and records the number of the last.
func (s *Store) applyIn(tx *bolt.Tx, ops []*op) error {
	for _, o := range ops {
		var err error
		switch o.kind {
		case opAppend:
			err = s.appendIn(tx, o.key, o.at, o.rec)
		case opClear:
			err = clearIn(tx, o.key)
		}
		if err != nil {
			return err
		}
	}
	return tx.Bucket(journalBucket).Put(appliedKey, binary.BigEndian.AppendUint64(nil, ops[len(ops)-1].lsn))
}

// appliedLSN returns the number of the last journal record the database
// holds.
func appliedLSN(tx *bolt.Tx) uint64 {
	v := tx.Bucket(journalBucket).Get(appliedKey)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// finish applies what is left once the writer has stopped, and deletes
// the journal; what cannot be applied is left in it for the next Open.
func (s *Store) finish() {
	for {
		more, err := s.applyOnce()
		if err != nil {
			s.mu.Lock()
			s.finalErr = fmt.Errorf("history: close: turns acknowledged are not yet in the database (%w); they are kept in the journal and written at the next start", err)
			s.mu.Unlock()
			return
		}
		if !more {
			break
		}
	}
	s.mu.Lock()
	files := append(s.sealed, segment{path: s.current})
	s.sealed, s.current = nil, ""
	s.mu.Unlock()
	for _, seg := range files {
		os.Remove(seg.path)
	}
}

// drain waits until the database holds every write journaled so far.
func (s *Store) drain() error {
	if err := s.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	target := s.journaled
	s.mu.Unlock()
	t := time.NewTimer(s.opTimeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		applied, err, progress := s.applied, s.applyErr, s.progress
		s.mu.Unlock()
		if applied >= target {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-progress:
		case <-s.guard.Failed():
			return s.Err()
		case <-s.applierDone:
			return ErrClosed
		case <-t.C:
			return s.guard.TimedOut()
		}
	}
}

// replay applies to the database the journal records it does not hold,
// deletes the journal files and starts a new one. Records the database
// holds already (a crash after the transaction that applied them, before
// their file was deleted) are skipped by their number.
func (s *Store) replay() error {
	var applied uint64
	if err := s.view(func(tx *bolt.Tx) error { applied = appliedLSN(tx); return nil }); err != nil {
		return err
	}
	segs, err := findSegments(s.path)
	if err != nil {
		return err
	}
	last := applied
	var batch []*op
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.update(func(tx *bolt.Tx) error { return s.applyIn(tx, batch) })
		batch = batch[:0]
		return err
	}
	replayed := 0
	for _, seg := range segs {
		data, err := readSegment(seg.path)
		if err != nil {
			return err
		}
		ops, rep := parseSegment(data)
		if rep.damaged > 0 {
			s.log.Warn("history journal: damaged records skipped (CRC mismatch); the turns they held are lost",
				"file", seg.path, "records", rep.damaged)
		}
		if rep.tail > 0 {
			s.log.Warn("history journal: an unfinished or damaged record at the end was dropped (a write cut short by a crash is never acknowledged)",
				"file", seg.path, "bytes", rep.tail)
		}
		for _, o := range ops {
			if o.lsn <= last {
				continue
			}
			batch = append(batch, o)
			last = o.lsn
			replayed++
			if len(batch) == maxApply {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if replayed > 0 {
		s.log.Info("history journal: writes acknowledged before the last stop written to the database", "writes", replayed)
	}
	// The database holds every record, committed: the files can go.
	for _, seg := range segs {
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	j, err := createSegment(s.path, last+1, s.syncFile)
	if err != nil {
		return err
	}
	s.jrn, s.lsn, s.journaled, s.applied, s.current = j, last, last, last, j.seg.path
	return nil
}
