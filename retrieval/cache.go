package retrieval

import (
	"bufio"
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// The embedding cache file holds the passage vectors of one embedder, keyed
// by sha256 of the embedded text, so that a restart embeds nothing it has
// embedded before. Layout (little-endian):
//
//	magic    8 bytes  "DCLBEMB\n"
//	version  uint32   cacheVersion
//	nameLen  uint32   then the embedder's Name, nameLen bytes
//	dim      uint32
//	count    uint32
//	count × (sha256 of the text, 32 bytes; dim × float32)
//	sha256 of everything above, 32 bytes
//
// A file that fails any check (another program's file, an older version,
// another embedder's vectors, a truncated or bit-flipped file) is reported
// once and replaced by a fresh one. Files are written to a temporary file in
// the same directory and renamed over the old one, so a crash never leaves a
// half-written cache behind.
const (
	cacheMagic   = "DCLBEMB\n"
	cacheVersion = 1
)

type textKey [32]byte

func keyOf(text string) textKey { return sha256.Sum256([]byte(text)) }

// cacheFileName is per embedder: switching EMBEDDING_MODEL back and forth
// keeps both caches warm.
func cacheFileName(embedder string) string {
	h := sha256.Sum256([]byte(embedder))
	return "embeddings-" + hex.EncodeToString(h[:8]) + ".bin"
}

// diskCache is the persistent cache of one Index. It is used only while the
// Index is built, from one goroutine.
type diskCache struct {
	path    string // "" when the cache is disabled
	name    string
	logger  *slog.Logger
	entries map[textKey][]float32
	dim     int
}

// openDiskCache loads the cache for embedder name from dir. Every problem
// is logged once and leaves an empty cache; a dir that cannot be created
// disables the cache for this run.
func openDiskCache(dir, name string, logger *slog.Logger) *diskCache {
	c := &diskCache{name: name, logger: logger, entries: map[textKey][]float32{}}
	if dir == "" {
		return c
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		logger.Warn("embedding cache disabled: cannot create its directory; passages will be embedded on every start", "dir", dir, "err", err)
		return c
	}
	c.path = filepath.Join(dir, cacheFileName(name))
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return c
	}
	if err != nil {
		logger.Warn("embedding cache unreadable; it will be rebuilt", "path", c.path, "err", err)
		return c
	}
	entries, dim, err := decodeCache(data, name)
	if err != nil {
		logger.Warn("embedding cache rejected; it will be rebuilt", "path", c.path, "err", err)
		return c
	}
	c.entries, c.dim = entries, dim
	return c
}

// Reasons a cache file is rejected (others carry details).
var (
	errNotCache  = errors.New("not a declbot embedding cache (bad magic)")
	errTruncated = errors.New("truncated")
	errChecksum  = errors.New("checksum mismatch (corrupted)")
)

func decodeCache(data []byte, name string) (map[textKey][]float32, int, error) {
	if len(data) < len(cacheMagic) || string(data[:len(cacheMagic)]) != cacheMagic {
		return nil, 0, errNotCache
	}
	if len(data) < len(cacheMagic)+8+32 {
		return nil, 0, errTruncated
	}
	body, sum := data[:len(data)-32], data[len(data)-32:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		// A truncated file almost always fails here too; say which.
		if n, ok := expectedSize(data); ok && n != len(data) {
			return nil, 0, fmt.Errorf("%w: %d bytes, header promises %d", errTruncated, len(data), n)
		}
		return nil, 0, errChecksum
	}
	r := body[len(cacheMagic):]
	version := binary.LittleEndian.Uint32(r)
	if version != cacheVersion {
		return nil, 0, fmt.Errorf("cache format version %d, this program reads %d", version, cacheVersion)
	}
	nameLen := int(binary.LittleEndian.Uint32(r[4:]))
	r = r[8:]
	if nameLen > len(r) {
		return nil, 0, errTruncated
	}
	if got := string(r[:nameLen]); got != name {
		return nil, 0, fmt.Errorf("made by embedder %q, not %q", got, name)
	}
	r = r[nameLen:]
	if len(r) < 8 {
		return nil, 0, errTruncated
	}
	dim := int(binary.LittleEndian.Uint32(r))
	count := int(binary.LittleEndian.Uint32(r[4:]))
	r = r[8:]
	if dim <= 0 || uint64(len(r)) != uint64(count)*uint64(32+4*dim) {
		return nil, 0, fmt.Errorf("%w: %d bytes of entries for %d vectors of %d dimensions", errTruncated, len(r), count, dim)
	}
	entries := make(map[textKey][]float32, count)
	// One backing array for all vectors: one allocation, not count.
	all := make([]float32, count*dim)
	for i := range count {
		var k textKey
		copy(k[:], r)
		r = r[32:]
		v := all[i*dim : (i+1)*dim : (i+1)*dim]
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(r[4*j:]))
		}
		r = r[4*dim:]
		entries[k] = v
	}
	return entries, dim, nil
}

// expectedSize reads the header of a file whose checksum failed and returns
// the size it promises, if the header is readable.
func expectedSize(data []byte) (int, bool) {
	r := data[len(cacheMagic):]
	if len(r) < 8 {
		return 0, false
	}
	nameLen := int(binary.LittleEndian.Uint32(r[4:]))
	r = r[8:]
	if nameLen+8 > len(r) {
		return 0, false
	}
	r = r[nameLen:]
	dim := uint64(binary.LittleEndian.Uint32(r))
	count := uint64(binary.LittleEndian.Uint32(r[4:]))
	n := uint64(len(cacheMagic)+8+nameLen+8) + count*(32+4*dim) + 32
	if n > math.MaxInt32*8 {
		return 0, false
	}
	return int(n), true
}

// get returns the cached vector for text.
func (c *diskCache) get(k textKey) ([]float32, bool) {
	v, ok := c.entries[k]
	return v, ok
}

// save writes exactly the given entries (the passages of the current
// corpus: stale vectors are dropped) atomically. Failure is logged, not
// returned: the index works without its cache.
func (c *diskCache) save(keys []textKey, vecs [][]float32) {
	if c.path == "" || len(keys) == 0 {
		return
	}
	if err := c.write(keys, vecs); err != nil {
		c.logger.Warn("embedding cache not saved; passages will be embedded again on the next start", "path", c.path, "err", err)
	}
}

func (c *diskCache) write(keys []textKey, vecs [][]float32) (err error) {
	dim := len(vecs[0])
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".embeddings-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, h), 1<<16)
	var b [4]byte
	u32 := func(x uint32) {
		binary.LittleEndian.PutUint32(b[:], x)
		w.Write(b[:])
	}
	w.WriteString(cacheMagic)
	u32(cacheVersion)
	u32(uint32(len(c.name)))
	w.WriteString(c.name)
	u32(uint32(dim))
	u32(uint32(len(keys)))
	for i, k := range keys {
		if len(vecs[i]) != dim {
			return fmt.Errorf("vector %d has %d dimensions, want %d", i, len(vecs[i]), dim)
		}
		w.Write(k[:])
		for _, x := range vecs[i] {
			u32(math.Float32bits(x))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := tmp.Write(h.Sum(nil)); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path)
}

// lru is a small in-memory cache of query embeddings, so that a question
// asked again (a retry, a popular question) costs no embedding call. It is
// safe for concurrent use.
type lru struct {
	mu    sync.Mutex
	cap   int
	order *list.List // front = most recent; values are *lruEntry
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	vec []float32
}

func newLRU(capacity int) *lru {
	return &lru{cap: capacity, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(key string) ([]float32, bool) {
	if l.cap <= 0 {
		return nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(el)
	return el.Value.(*lruEntry).vec, true
}

func (l *lru) put(key string, vec []float32) {
	if l.cap <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[key]; ok {
		el.Value.(*lruEntry).vec = vec
		l.order.MoveToFront(el)
		return
	}
	l.items[key] = l.order.PushFront(&lruEntry{key, vec})
	if l.order.Len() > l.cap {
		old := l.order.Back()
		l.order.Remove(old)
		delete(l.items, old.Value.(*lruEntry).key)
	}
}
