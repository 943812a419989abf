package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/declbot/declbot/corpus"
)

// Index snapshots.
//
// Building the lexical index, the offline embedder's n-gram weights and
// the alternative fields is most of what a process start spends in New
// (tokenising and stemming every passage, translation and listed
// question), and it gives the same tables every time for the same corpus
// and the same program. With a cache directory, New writes what it built
// to snapshot files there and, on the next start, maps them into memory
// and uses their arrays where they lie, instead of building them again.
// One file per part, each written when its part is first built: "base"
// (the lexical index and the n-gram weights) and one per language of
// alternative fields ("zh-Hans", "en", "ru"), so that a process that
// answers a Chinese question never reads or builds the English ones.
//
// A snapshot is used only when its key matches: a SHA-256 of the format
// version, the running executable (path, size, modification time: any
// rebuild of the program, which may tokenise or stem differently, makes
// its own snapshots) and every input the parts are built from (each
// passage's ID, Chinese text and working translations, every question
// list). Every section carries a CRC-32C that is checked before the
// section is used. A file that is missing, stale, truncated or corrupted
// is rebuilt from the corpus (and a corrupted one reported), never
// trusted; the vectors stay in the embedding cache and chromem-go, as
// before.
//
// Layout (little-endian, the host's order: snapshots are only written
// and read on little-endian machines):
//
//	magic      8 bytes  "DCLBIDX\n"
//	version    uint32   snapshotVersion
//	sections   uint32   n
//	key        32 bytes
//	n × {name 48 bytes (NUL-padded), offset uint64, length uint64, crc uint32, 0 uint32}
//	crc        uint32   CRC-32C of everything above; then 0 uint32
//	sections, each at an offset that is a multiple of 8
const (
	snapshotMagic   = "DCLBIDX\n"
	snapshotVersion = 2
	sectionNameLen  = 48
	sectionEntryLen = sectionNameLen + 8 + 8 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshotKey is the key of the snapshots of an index of passages (and
// c's question lists, c may be nil), or false when there can be none:
// the executable cannot be identified, or the machine is big-endian.
func snapshotKey(c *corpus.Corpus, passages []corpus.Passage) ([32]byte, bool) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return [32]byte{}, false
	}
	exe, err := os.Executable()
	if err != nil {
		return [32]byte{}, false
	}
	st, err := os.Stat(exe)
	if err != nil {
		return [32]byte{}, false
	}
	h := sha256.New()
	// Strings are copied through one buffer: io.WriteString would copy
	// each (600 KB in all) to a new slice, and fresh memory is what a
	// process start pays most for.
	buf := make([]byte, 0, 16<<10)
	str := func(s string) {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(len(s)))
		for len(s) > 0 {
			if len(buf) == cap(buf) {
				h.Write(buf)
				buf = buf[:0]
			}
			n := min(len(s), cap(buf)-len(buf))
			buf = append(buf, s[:n]...)
			s = s[n:]
		}
		if len(buf) > cap(buf)-8 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	str(snapshotMagic)
	str(strconv.Itoa(snapshotVersion))
	str(exe)
	str(strconv.FormatInt(st.Size(), 10))
	str(strconv.FormatInt(st.ModTime().UnixNano(), 10))
	str(strconv.Itoa(DefaultHashDim))
	if fp, ok := fingerprint(c, passages); ok {
		// The corpus names its passages, translations and question lists
		// (all of what follows) without their being read.
		str("fingerprint")
		str(string(fp[:]))
		h.Write(buf)
		var key [32]byte
		h.Sum(key[:0])
		return key, true
	}
	langs := corpus.LangTags()
	str(strconv.Itoa(len(passages)))
	for _, p := range passages {
		str(p.ID)
		str(p.TextHans)
		for _, l := range langs {
			if !l.IsChinese() {
				str(p.TextIn(l))
			}
		}
	}
	if c != nil {
		for _, l := range langs {
			qs := c.Questions(l)
			str(string(l))
			str(strconv.Itoa(len(qs)))
			for _, q := range qs {
				str(q.ID)
				str(q.Text)
			}
		}
	}
	h.Write(buf)
	var key [32]byte
	h.Sum(key[:0])
	return key, true
}

// fingerprint is c's Fingerprint when passages are c's own (the index of
// the whole corpus, not of a part or of other passages).
func fingerprint(c *corpus.Corpus, passages []corpus.Passage) ([32]byte, bool) {
	if c == nil {
		return [32]byte{}, false
	}
	own := c.Passages()
	if len(own) == 0 || len(passages) != len(own) || &passages[0] != &own[0] {
		return [32]byte{}, false
	}
	return c.Fingerprint()
}

// snapshots reads and writes the snapshot files of one index. A nil
// *snapshots has none: every part is built.
type snapshots struct {
	dir    string
	key    [32]byte
	logger *slog.Logger
	// mapped maps files into memory (WithMappedSnapshots) instead of
	// reading them.
	mapped bool
	// loaded names the parts taken from their files (for tests).
	mu     sync.Mutex
	loaded []string
}

// used records that part came from its file.
func (s *snapshots) used(part string) {
	s.mu.Lock()
	s.loaded = append(s.loaded, part)
	s.mu.Unlock()
}

// parts returns the parts taken from their files, sorted.
func (s *snapshots) parts() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.loaded))
}

// openSnapshots returns the snapshots of an index of passages (with c's
// question lists; c may be nil) in dir, or nil: no dir, or no key.
func openSnapshots(dir string, c *corpus.Corpus, passages []corpus.Passage, mapped bool, logger *slog.Logger) *snapshots {
	if dir == "" {
		return nil
	}
	key, ok := snapshotKey(c, passages)
	if !ok {
		return nil
	}
	return &snapshots{dir: dir, key: key, logger: logger, mapped: mapped}
}

// inconsistent reports a part whose file passed its checksums but not
// the checks of its contents (a writer's bug, not damage); the part is
// rebuilt.
func (s *snapshots) inconsistent(part string) {
	s.logger.Warn("index snapshot inconsistent; it will be rebuilt", "path", filepath.Join(s.dir, snapshotFileName(part)))
}

// defaultEmbedder is the offline embedder with n-gram weights fitted to
// passages: from their snapshot, or computed and saved.
func defaultEmbedder(passages []corpus.Passage, snaps *snapshots) *HashEmbedder {
	if snap := snaps.load("idf"); snap != nil {
		if opt, ok := idfFrom(snap); ok {
			snaps.used("idf")
			return NewHashEmbedder(0, opt)
		}
		snaps.inconsistent("idf")
	}
	texts := make([]string, len(passages))
	for i, p := range passages {
		texts[i] = p.TextHans
	}
	e := NewHashEmbedder(0, WithHashIDF(texts))
	if snaps != nil {
		var w snapshotWriter
		addIDF(&w, e)
		snaps.save("idf", &w)
	}
	return e
}

// lexicalIndex is the BM25 index of passages' Chinese text: from its
// snapshot, or built and saved.
func lexicalIndex(passages []corpus.Passage, snaps *snapshots) *bm25 {
	if snap := snaps.load("lex"); snap != nil {
		if x, ok := bm25From(snap, "lex"); ok && x.n == len(passages) {
			snaps.used("lex")
			return x
		}
		snaps.inconsistent("lex")
	}
	x := buildLexical(passages)
	if snaps != nil {
		var w snapshotWriter
		addBM25(&w, "lex", x)
		snaps.save("lex", &w)
	}
	return x
}

func snapshotFileName(part string) string { return "index-" + part + ".bin" }

// snapshot is one part's file, read (or mapped) into memory and checked.
// The arrays of the structures made from it lie in its memory. A read
// file is the process's own memory, which nothing done to the file
// afterwards can reach. A mapped one (WithMappedSnapshots) stays mapped
// for the rest of the process: its pages are the page cache's, shared,
// and cost a start far less than fresh memory; the files are never
// changed in place (a new one is renamed over the old), but a file
// truncated or overwritten in place by something else while a process
// has it mapped would reach that process, which is why only processes
// that answer and exit map them.
type snapshot struct {
	sections map[string][]byte
}

// load returns part's snapshot, or nil: missing or stale (quietly), or
// unreadable or corrupted (reported; the part is rebuilt and its file
// rewritten).
func (s *snapshots) load(part string) *snapshot {
	if s == nil {
		return nil
	}
	path := filepath.Join(s.dir, snapshotFileName(part))
	read := readFile
	if s.mapped {
		read = mapFile
	}
	data, release, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		// The directory is unusable, which the embedding cache reports,
		// or the file unreadable: the part is built, as without one.
		return nil
	}
	snap, err := parseSnapshot(data, s.key)
	if errors.Is(err, errStale) {
		release()
		return nil
	}
	if err != nil {
		release()
		s.logger.Warn("index snapshot rejected; it will be rebuilt", "path", path, "err", err)
		return nil
	}
	return snap
}

var errStale = errors.New("made for another program or corpus")

// readFile reads the file at path into memory aligned for any array a
// snapshot holds; release does nothing (the garbage collector frees it).
func readFile(path string) ([]byte, func(), error) {
	f, size, err := openSnapshotFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	words := make([]uint64, (size+7)/8)
	data := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

// openSnapshotFile opens a snapshot file for reading or mapping and
// returns its size, which must be from 1 byte to 2 GB.
func openSnapshotFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if size := st.Size(); size <= 0 || size > 1<<31 {
		f.Close()
		return nil, 0, errors.New("empty or over 2 GB")
	}
	return f, st.Size(), nil
}

// parseSnapshot checks data and indexes its sections.
func parseSnapshot(data []byte, key [32]byte) (*snapshot, error) {
	head := len(snapshotMagic) + 8 + 32
	if len(data) < head+8 || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, errors.New("not a declbot index snapshot (bad magic or too short)")
	}
	if v := binary.LittleEndian.Uint32(data[len(snapshotMagic):]); v != snapshotVersion {
		return nil, errStale
	}
	n := int(binary.LittleEndian.Uint32(data[len(snapshotMagic)+4:]))
	if !bytes.Equal(data[len(snapshotMagic)+8:head], key[:]) {
		return nil, errStale
	}
	if n > 1024 || len(data) < head+n*sectionEntryLen+8 {
		return nil, fmt.Errorf("truncated: %d bytes for %d sections", len(data), n)
	}
	end := head + n*sectionEntryLen
	if crc32.Checksum(data[:end], castagnoli) != binary.LittleEndian.Uint32(data[end:]) {
		return nil, errors.New("header checksum mismatch (corrupted)")
	}
	snap := &snapshot{sections: make(map[string][]byte, n)}
	for i := range n {
		e := data[head+i*sectionEntryLen:]
		name := string(bytes.TrimRight(e[:sectionNameLen], "\x00"))
		off := binary.LittleEndian.Uint64(e[sectionNameLen:])
		size := binary.LittleEndian.Uint64(e[sectionNameLen+8:])
		if off%8 != 0 || off > uint64(len(data)) || size > uint64(len(data))-off {
			return nil, fmt.Errorf("truncated: section %s at %d+%d of %d bytes", name, off, size, len(data))
		}
		sec := data[off : off+size : off+size]
		if crc32.Checksum(sec, castagnoli) != binary.LittleEndian.Uint32(e[sectionNameLen+16:]) {
			return nil, fmt.Errorf("section %s: checksum mismatch (corrupted)", name)
		}
		snap.sections[name] = sec
	}
	return snap, nil
}

// snapshotWriter collects the sections of one part's file.
type snapshotWriter struct {
	names []string
	data  [][]byte
}

// add adds a section holding s's memory as it is.
func addSection[T any](w *snapshotWriter, name string, s []T) {
	var zero T
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
	w.names = append(w.names, name)
	w.data = append(w.data, b)
}

// save writes part's file atomically (a temporary file renamed over the
// old one). It is a cache: a failure leaves the part to be built again on
// the next start and is not reported (a DATA_DIR that cannot be written
// is, by the embedding cache); the file is not synced to disk (one a
// crash leaves short fails its checks and is rebuilt).
func (s *snapshots) save(part string, w *snapshotWriter) {
	if s == nil {
		return
	}
	if os.MkdirAll(s.dir, 0o755) == nil {
		s.write(filepath.Join(s.dir, snapshotFileName(part)), w)
	}
}

func (s *snapshots) write(path string, w *snapshotWriter) (err error) {
	n := len(w.names)
	head := len(snapshotMagic) + 8 + 32
	end := head + n*sectionEntryLen
	buf := make([]byte, end+8, end+8+64)
	copy(buf, snapshotMagic)
	binary.LittleEndian.PutUint32(buf[len(snapshotMagic):], snapshotVersion)
	binary.LittleEndian.PutUint32(buf[len(snapshotMagic)+4:], uint32(n))
	copy(buf[len(snapshotMagic)+8:], s.key[:])
	off := uint64(len(buf))
	for i, name := range w.names {
		if len(name) > sectionNameLen {
			return fmt.Errorf("section name %q too long", name)
		}
		e := buf[head+i*sectionEntryLen:]
		copy(e, name)
		off = (off + 7) &^ 7
		binary.LittleEndian.PutUint64(e[sectionNameLen:], off)
		binary.LittleEndian.PutUint64(e[sectionNameLen+8:], uint64(len(w.data[i])))
		binary.LittleEndian.PutUint32(e[sectionNameLen+16:], crc32.Checksum(w.data[i], castagnoli))
		off += uint64(len(w.data[i]))
	}
	binary.LittleEndian.PutUint32(buf[end:], crc32.Checksum(buf[:end], castagnoli))

	tmp, err := os.CreateTemp(s.dir, ".index-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var pad [8]byte
	written := uint64(len(buf))
	if _, err := tmp.Write(buf); err != nil {
		return err
	}
	for _, d := range w.data {
		if p := (written + 7) &^ 7; p > written {
			if _, err := tmp.Write(pad[:p-written]); err != nil {
				return err
			}
			written = p
		}
		if _, err := tmp.Write(d); err != nil {
			return err
		}
		written += uint64(len(d))
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// view returns section name as a []T lying in the snapshot's memory, or
// false if it is missing or the wrong size or alignment.
func view[T any](snap *snapshot, name string) ([]T, bool) {
	b, ok := snap.sections[name]
	if !ok {
		return nil, false
	}
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b)%size != 0 {
		return nil, false
	}
	if len(b) == 0 {
		return []T{}, true
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%unsafe.Alignof(zero) != 0 {
		return nil, false
	}
	return unsafe.Slice((*T)(p), len(b)/size), true
}

// bm25Meta is a BM25 index's scalars in a snapshot.
type bm25Meta struct {
	n, terms, shift      int64
	avgdl, maxIdf, k1, b float64
}

// addBM25 adds x's sections, named prefix + "." + array.
func addBM25(w *snapshotWriter, prefix string, x *bm25) {
	addSection(w, prefix+".meta", []bm25Meta{{
		n: int64(x.n), terms: int64(x.terms.n), shift: int64(x.terms.shift),
		avgdl: x.avgdl, maxIdf: x.maxIdf, k1: x.k1, b: x.b,
	}})
	addSection(w, prefix+".docLen", x.docLen)
	addSection(w, prefix+".norm", x.norm)
	addSection(w, prefix+".slots", x.terms.slots)
	addSection(w, prefix+".off", x.off)
	addSection(w, prefix+".docs", x.docs)
	addSection(w, prefix+".tfs", x.tfs)
	addSection(w, prefix+".idf", x.idf)
	addSection(w, prefix+".contrib", x.contrib)
}

// bm25From returns the BM25 index in snap's sections named prefix, or
// false if they are missing or inconsistent.
func bm25From(snap *snapshot, prefix string) (*bm25, bool) {
	meta, ok1 := view[bm25Meta](snap, prefix+".meta")
	docLen, ok2 := view[float32](snap, prefix+".docLen")
	norm, ok3 := view[float64](snap, prefix+".norm")
	slots, ok4 := view[termSlot](snap, prefix+".slots")
	off, ok5 := view[int32](snap, prefix+".off")
	docs, ok6 := view[int32](snap, prefix+".docs")
	tfs, ok7 := view[uint16](snap, prefix+".tfs")
	idfs, ok8 := view[float64](snap, prefix+".idf")
	contrib, ok9 := view[float64](snap, prefix+".contrib")
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8 && ok9) || len(meta) != 1 {
		return nil, false
	}
	if len(contrib) == 0 {
		contrib = nil // none kept (a large index), or no postings
	}
	m := meta[0]
	nt := int(m.terms)
	// What a search indexes must be in range: sizes that agree, a table
	// of a power-of-two size at most half full, ascending offsets within
	// the postings, every posting a passage. (The checksums already rule
	// out damage; this rules out a writer's bug turning into a crash.)
	if int(m.n) != len(docLen) || len(norm) != len(docLen) || len(off) != nt+1 || len(idfs) != nt ||
		len(docs) != len(tfs) || contrib != nil && len(contrib) != len(docs) || !tableShape(len(slots), nt, m.shift) ||
		off[0] != 0 || int(off[nt]) != len(docs) {
		return nil, false
	}
	for i := range nt {
		if off[i] > off[i+1] {
			return nil, false
		}
	}
	for _, d := range docs {
		if d < 0 || int(d) >= len(docLen) {
			return nil, false
		}
	}
	for _, sl := range slots {
		if sl.id < 0 || int(sl.id) > nt {
			return nil, false
		}
	}
	return &bm25{
		k1: m.k1, b: m.b, n: int(m.n), avgdl: m.avgdl, maxIdf: m.maxIdf,
		docLen: docLen, norm: norm, terms: termTable{slots: slots, n: nt, shift: uint8(m.shift)},
		off: off, docs: docs, tfs: tfs, idf: idfs, contrib: contrib,
	}, true
}

// tableShape reports whether a term table of size slots holding n terms
// with the given shift is one termTable makes: empty, or a power of two
// at least twice n, shifted by 64 - log2(size).
func tableShape(size, n int, shift int64) bool {
	if size == 0 {
		return n == 0
	}
	return size&(size-1) == 0 && 2*n <= size && shift == int64(64-bits.TrailingZeros(uint(size)))
}

// idfMeta is the offline embedder's scalars in a snapshot.
type idfMeta struct {
	grams, shift int64
	unseen       float32
	_            float32
	fingerprint  [16]byte
}

// addIDF adds the n-gram weights of e (made by WithHashIDF).
func addIDF(w *snapshotWriter, e *HashEmbedder) {
	m := idfMeta{grams: int64(e.idfIDs.n), shift: int64(e.idfIDs.shift), unseen: e.unseen}
	copy(m.fingerprint[:], e.fingerprint)
	addSection(w, "idf.meta", []idfMeta{m})
	addSection(w, "idf.slots", e.idfIDs.slots)
	addSection(w, "idf.weights", e.idf)
}

// idfFrom returns the option that gives a HashEmbedder the n-gram weights
// in snap, or false.
func idfFrom(snap *snapshot) (HashOption, bool) {
	meta, ok1 := view[idfMeta](snap, "idf.meta")
	slots, ok2 := view[termSlot](snap, "idf.slots")
	weights, ok3 := view[float32](snap, "idf.weights")
	if !(ok1 && ok2 && ok3) || len(meta) != 1 {
		return nil, false
	}
	m := meta[0]
	n := int(m.grams)
	if len(weights) != n || !tableShape(len(slots), n, m.shift) {
		return nil, false
	}
	for _, sl := range slots {
		if sl.id < 0 || int(sl.id) > n {
			return nil, false
		}
	}
	fp := string(bytes.TrimRight(m.fingerprint[:], "\x00"))
	return func(e *HashEmbedder) {
		e.hasIDF = true
		e.idfIDs = termTable{slots: slots, n: n, shift: uint8(m.shift)}
		e.idf = weights
		e.unseen = m.unseen
		e.fingerprint = fp
	}, true
}

// addAltFields adds one language's alternative fields.
func addAltFields(w *snapshotWriter, fields []*altField) {
	names := make([]byte, 0, 64)
	for i, f := range fields {
		names = append(append(names, f.name...), 0)
		prefix := "f" + strconv.Itoa(i)
		addBM25(w, prefix, f.lex)
		addSection(w, prefix+".passage", f.passage)
		addSection(w, prefix+".vocab", f.vocab)
	}
	addSection(w, "fields", names)
}

// altFieldsFrom returns the alternative fields in snap for an index of n
// passages, or false.
func altFieldsFrom(snap *snapshot, n int) ([]*altField, bool) {
	names, ok := view[byte](snap, "fields")
	if !ok {
		return nil, false
	}
	var fields []*altField
	for i := 0; len(names) > 0; i++ {
		end := bytes.IndexByte(names, 0)
		if end < 0 {
			return nil, false
		}
		name := string(names[:end])
		names = names[end+1:]
		prefix := "f" + strconv.Itoa(i)
		lex, ok1 := bm25From(snap, prefix)
		owners, ok2 := view[int32](snap, prefix+".passage")
		flags, ok3 := view[byte](snap, prefix+".vocab")
		if !(ok1 && ok2 && ok3) || len(owners) != lex.n || len(flags) != lex.terms.n ||
			slices.ContainsFunc(owners, func(p int32) bool { return p < 0 || int(p) >= n }) ||
			slices.ContainsFunc(flags, func(b byte) bool { return b > 1 }) {
			return nil, false
		}
		// A byte of 0 or 1 is a bool's representation.
		vocab := unsafe.Slice((*bool)(unsafe.Pointer(unsafe.SliceData(flags))), len(flags))
		f := &altField{name: name, lex: lex, passage: owners, vocab: vocab}
		f.indexRuns()
		fields = append(fields, f)
	}
	return fields, true
}
