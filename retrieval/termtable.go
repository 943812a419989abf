package retrieval

// termTable maps term hashes to term IDs (0, 1, 2, … in the order terms
// were added): open addressing with linear probing in a power-of-two
// table kept at most half full. It replaces a map[uint64]int32 in the
// BM25 indexes: a search looks up every query term in two or three of
// them, and a Go map's lookups were a tenth of a search. It is also two
// flat arrays, which an index snapshot stores as they are.
//
// A slot holds the hash and 1 + the ID; ID 0 marks a free slot. The hash
// spreads its bits already (mix), so its low bits index the table.
type termTable struct {
	keys []uint64
	ids  []int32 // 1 + ID; 0: free
	n    int
}

// get returns h's ID.
func (t *termTable) get(h uint64) (int32, bool) {
	if len(t.keys) == 0 {
		return 0, false
	}
	mask := uint64(len(t.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		id := t.ids[i]
		if id == 0 {
			return 0, false
		}
		if t.keys[i] == h {
			return id - 1, true
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
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch {
		case t.ids[i] == 0:
			t.keys[i], t.ids[i] = h, int32(t.n+1)
			t.n++
			return int32(t.n - 1), true
		case t.keys[i] == h:
			return t.ids[i] - 1, false
		}
	}
}

func (t *termTable) grow() {
	keys, ids := t.keys, t.ids
	size := max(64, 2*len(keys))
	t.keys, t.ids = make([]uint64, size), make([]int32, size)
	mask := uint64(size - 1)
	for j, id := range ids {
		if id == 0 {
			continue
		}
		i := keys[j] & mask
		for t.ids[i] != 0 {
			i = (i + 1) & mask
		}
		t.keys[i], t.ids[i] = keys[j], id
	}
}

// len is the number of terms.
func (t *termTable) len() int { return t.n }
