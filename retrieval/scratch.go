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
	// slot maps a passage to 1 + its position in cands, 0 if none
	// (fuse); all zero between searches.
	slot  []int32
	cands []cand
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
