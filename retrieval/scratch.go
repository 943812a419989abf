package retrieval

// scratch is one search's working memory, taken from Index.scratch and
// put back when the search is done, so that a search allocates little
// beyond its Results: ranking ~166 passages four ways is small work, and
// allocating (and later collecting) its buffers anew each time was a
// good part of it.
type scratch struct {
	// acc holds BM25 accumulators by passage; all zero between searches.
	acc []float64
	// altAcc holds an alternative field's accumulators by entry, then
	// its best score by passage (altField.rank); all zero between
	// searches.
	altAcc []float64
	// lex, vec and alt hold the rankings fused: the lexical one, the
	// vector one and one per alternative field.
	lex, vec []docScore
	alt      [][]docScore
	// nz holds the query vector's non-zero components (vecScan.search);
	// sel is selectBest's buffer for a corpus of more than 256 passages.
	nz  []int32
	sel []docScore
	// slot maps a passage to 1 + its position in cands, 0 if none
	// (fuse); all zero between searches.
	slot  []int32
	cands []cand
	// top are the passages of the Results fuse returned, in order; top0
	// holds its best candidates while it selects them.
	top  []int32
	top0 []*cand
	// units and terms hold a text's units and terms while its query
	// terms are made; qterms and altTerms are the query's terms for the
	// Chinese text and for the alternative fields; seen deduplicates them.
	units []unit
	terms []term
	// content holds the terms of a Chinese question's own words, its
	// pieces (query.Query.Pieces), while its question-list terms are made.
	content          []term
	qterms, altTerms []weightedTerm
	seen             hashSet
	// unitRunes and inName hold a piece's units and which of its runes
	// are in a name (coverage).
	unitRunes []unitRune
	inName    []bool
}

// getScratch returns a scratch sized for x.
func (x *Index) getScratch() *scratch {
	if s, ok := x.scratch.Get().(*scratch); ok {
		return s
	}
	n := len(x.passages)
	return &scratch{acc: make([]float64, n), slot: make([]int32, n)}
}

func (x *Index) putScratch(s *scratch) { x.scratch.Put(s) }

// altBuf returns the i-th alternative ranking's buffer.
func (s *scratch) altBuf(i int) []docScore {
	for len(s.alt) <= i {
		s.alt = append(s.alt, nil)
	}
	return s.alt[i]
}

// hashSet is a set of 64-bit hashes, reused: open addressing with linear
// probing in a power-of-two table that grows to stay at most half full.
// 0 marks a free slot, so the hash 0 is kept apart.
type hashSet struct {
	slots []uint64
	n     int
	zero  bool
}

// add adds h and reports whether it was new.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		if s.zero {
			return false
		}
		s.zero = true
		return true
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(64, 2*len(old)))
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}

// reset empties the set, keeping its table.
func (s *hashSet) reset() {
	if s.n > 0 {
		clear(s.slots)
		s.n = 0
	}
	s.zero = false
}
