package retrieval

import (
	"github.com/declbot/declbot/corpus"
)

// DocFreq returns in how many passages the lexical index finds term, a
// piece of folded text that is one matching unit (a Han character, or a
// run of other letters and digits: "2025", "sco") or two adjacent ones
// ("外空"). Anything else has no count here (0). The lexical index's
// posting lists are the project's one source of term statistics: the
// offline composer weighs a question's terms by them too, so the two
// agree on what is rare.
func (x *Index) DocFreq(term string) int {
	return x.lex.docFreq(term)
}

// TermStats are the lexical index's term statistics without the rest of
// an index: what a composer built beside a stand-in retriever (in tests)
// reads. For a corpus, TermStats(c).DocFreq(t) equals the DocFreq of an
// Index built from c.
type TermStats struct{ lex *bm25 }

// NewTermStats counts the terms of c's passages as an Index does.
func NewTermStats(c *corpus.Corpus) *TermStats {
	return &TermStats{lex: buildLexical(c.Passages())}
}

// Len is the number of passages counted.
func (s *TermStats) Len() int { return s.lex.n }

// DocFreq is Index.DocFreq.
func (s *TermStats) DocFreq(term string) int { return s.lex.docFreq(term) }

// buildLexical builds the BM25 index of passages' simplified text.
func buildLexical(passages []corpus.Passage) *bm25 {
	lb := newBM25Builder(defaultK1, defaultB)
	var units []unit
	var terms []term
	for _, p := range passages {
		units = appendUnits(units[:0], corpus.Fold(p.TextHans))
		terms = appendTerms(terms[:0], units)
		lb.add(terms)
	}
	return lb.build()
}

// docFreq is the number of passages holding term (see Index.DocFreq).
func (x *bm25) docFreq(term string) int {
	units := appendUnits(nil, term)
	var h uint64
	switch {
	case len(units) == 1:
		h = units[0].h
	case len(units) == 2 && !units[1].brk:
		h = bigram(units[0].h, units[1].h)
	default:
		return 0
	}
	id, ok := x.terms.get(h)
	if !ok {
		return 0
	}
	return int(x.off[id+1] - x.off[id])
}
