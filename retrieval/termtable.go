package retrieval

import "math/bits"

// termTable maps term hashes to term IDs (0, 1, 2, … in the order terms
// were added): open addressing with linear probing in a power-of-two
// table kept at most half full. It replaces a map[uint64]int32 in the
// BM25 indexes: a search looks up every query term in two or three of
// them, and a Go map's lookups were a tenth of a search. It is also one
// flat array.
//
// A slot holds the hash and 1 + the ID, side by side (one cache line
// read per probe); ID 0 marks a free slot. A hash's home slot is given
// by its top bits after a multiplication (Fibonacci hashing), so that
// hashes with patterns in their low bits (the offline embedder's n-gram
// hashes carry their order there) still spread.
type termTable struct {
	slots []termSlot
	n     int
	shift uint8 // 64 - log2(len(slots))
}

// home is h's first slot.
func (t *termTable) home(h uint64) uint64 { return (h * 0x9e3779b97f4a7c15) >> t.shift }

type termSlot struct {
	h  uint64
	id int32 // 1 + ID; 0: free
	_  int32
}

// get returns h's ID.
func (t *termTable) get(h uint64) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.home(h); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			return 0, false
		}
		if sl.h == h {
			return sl.id - 1, true
		}
	}
}

// has reports whether h is in the table.
func (t *termTable) has(h uint64) bool {
	_, ok := t.get(h)
	return ok
}

// add returns h's ID, giving it the next one (t.len()) if it is new.
func (t *termTable) add(h uint64) (id int32, added bool) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.home(h); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		switch {
		case sl.id == 0:
			sl.h, sl.id = h, int32(t.n+1)
			t.n++
			return int32(t.n - 1), true
		case sl.h == h:
			return sl.id - 1, false
		}
	}
}

func (t *termTable) grow() {
	old := t.slots
	t.slots = make([]termSlot, max(64, 2*len(old)))
	t.shift = uint8(64 - bits.TrailingZeros(uint(len(t.slots))))
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.id == 0 {
			continue
		}
		i := t.home(sl.h)
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// len is the number of terms.
func (t *termTable) len() int { return t.n }
