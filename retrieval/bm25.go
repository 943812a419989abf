package retrieval

import (
	"math"
	"slices"
)

// BM25 parameters: the standard Okapi values (Robertson & Zaragoza 2009,
// Lucene's defaults).
const (
	defaultK1 = 1.2
	defaultB  = 0.75
)

// bm25 is an inverted index over the unigram and bigram terms of the
// passages, scored with Okapi BM25:
//
//	score(q, d) = Σ_t∈q  w_t · idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
//	idf(t)      = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))
//
// where |d| counts d's terms (unigrams plus bigrams), n_t is the number of
// passages containing t and w_t is the query's weight for t (1 unless the
// caller weights bigrams above unigrams). The idf is Lucene's, which stays
// positive for terms in more than half of the passages. It is read-only once
// built and safe for concurrent use.
type bm25 struct {
	k1, b  float64
	n      int
	avgdl  float64
	docLen []float32
	// norm is each passage's k1·(1 − b + b·|d|/avgdl), computed once.
	norm []float64
	// contrib is, at each posting, what the term adds to the passage's
	// score when its query weight is 1 (every term a search makes): the
	// same expression accumulate computes, evaluated once at build, so
	// that a search adds instead of dividing. nil for an index of more
	// than maxContribPostings postings, where 8 bytes a posting would
	// add more memory than the divisions cost time.
	contrib []float64
	// maxIdf is idf(n, 0) (maxIDF).
	maxIdf float64
	// terms maps a term hash to its id. Term id's posting list is
	// docs[off[id]:off[id+1]] (ascending) with the term's frequency in
	// each at the same positions of tfs: one array for all lists, not one
	// slice per term (which was a third of the bytes a process start
	// allocated).
	terms termTable
	off   []int32
	docs  []int32
	tfs   []uint16
	idf   []float64
}

// postings returns term id's documents and frequencies.
func (x *bm25) postings(id int32) ([]int32, []uint16) {
	lo, hi := x.off[id], x.off[id+1]
	return x.docs[lo:hi], x.tfs[lo:hi]
}

// bm25Builder collects passages one at a time, so that a large corpus is
// never held twice as term lists: each passage leaves only its distinct
// terms' ids and frequencies, in passage order, which build sorts into
// posting lists.
type bm25Builder struct {
	x       *bm25
	scratch []uint64
	total   float64
	ids     []int32  // term id of each (passage, term), passage by passage
	freqs   []uint16 // its frequency
	ends    []int32  // each passage's end in ids
	df      []int32  // passages per term id
}

func newBM25Builder(k1, b float64) *bm25Builder {
	return &bm25Builder{x: &bm25{k1: k1, b: b}}
}

// add indexes the next passage (document numbers are assigned in order).
func (bb *bm25Builder) add(terms []term) {
	x := bb.x
	x.docLen = append(x.docLen, float32(len(terms)))
	bb.total += float64(len(terms))
	hs := bb.scratch[:0]
	for _, t := range terms {
		hs = append(hs, t.h)
	}
	slices.Sort(hs)
	for i := 0; i < len(hs); {
		j := i + 1
		for j < len(hs) && hs[j] == hs[i] {
			j++
		}
		id, added := x.terms.add(hs[i])
		if added {
			bb.df = append(bb.df, 0)
		}
		bb.df[id]++
		bb.ids = append(bb.ids, id)
		bb.freqs = append(bb.freqs, uint16(min(j-i, math.MaxUint16)))
		i = j
	}
	bb.ends = append(bb.ends, int32(len(bb.ids)))
	bb.scratch = hs
}

// build computes the collection statistics and returns the index.
func (bb *bm25Builder) build() *bm25 {
	x := bb.x
	x.n = len(x.docLen)
	if x.n > 0 {
		x.avgdl = bb.total / float64(x.n)
	}
	nt := len(bb.df)
	x.off = make([]int32, nt+1)
	x.idf = make([]float64, nt)
	for id, df := range bb.df {
		x.off[id+1] = x.off[id] + df
		x.idf[id] = idf(x.n, int(df))
	}
	x.maxIdf = idf(x.n, 0)
	x.norm = make([]float64, x.n)
	for d, dl := range x.docLen {
		x.norm[d] = x.k1 * (1 - x.b + x.b*float64(dl)/x.avgdl)
	}
	x.docs = make([]int32, len(bb.ids))
	x.tfs = make([]uint16, len(bb.ids))
	next := slices.Clone(x.off[:nt])
	doc := int32(0)
	for i, id := range bb.ids {
		for int32(i) >= bb.ends[doc] {
			doc++
		}
		x.docs[next[id]] = doc
		x.tfs[next[id]] = bb.freqs[i]
		next[id]++
	}
	if len(x.docs) <= maxContribPostings {
		x.contrib = make([]float64, len(x.docs))
		k1p1 := x.k1 + 1
		for id := range nt {
			w := 1.0 * x.idf[id] // as accumulateTerm weighs, for a weight of 1
			for i := x.off[id]; i < x.off[id+1]; i++ {
				tf := float64(x.tfs[i])
				x.contrib[i] = w * tf * k1p1 / (tf + x.norm[x.docs[i]])
			}
		}
	}
	bb.x = nil
	return x
}

// maxContribPostings bounds the indexes that keep bm25.contrib: 4M
// postings (32 MB of contributions) is twenty times a corpus of a few
// thousand passages, and a tenth of the 100,000-paragraph benchmark's.
const maxContribPostings = 4 << 20

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// maxIDF is the idf of a term that is in no passage: the most informative
// a term can be. Relevance uses it for query terms the corpus lacks.
func (x *bm25) maxIDF() float64 { return x.maxIdf }

// weightedTerm is a query term with its weight.
type weightedTerm struct {
	h  uint64
	w  float64
	bi bool
	// id is the term's id in the index the term was resolved against
	// (bm25.resolve), -1 if that index lacks it.
	id int32
}

// resolve sets the ids of q's terms: a search looks them up once, then
// reads their postings for BM25, a passage's score and the relevance
// signal.
func (x *bm25) resolve(q []weightedTerm) {
	for i := range q {
		id, ok := x.terms.get(q[i].h)
		if !ok {
			id = -1
		}
		q[i].id = id
	}
}

// accumulateResolved is accumulate for terms resolved against x.
func (x *bm25) accumulateResolved(q []weightedTerm, acc []float64) {
	for _, t := range q {
		if t.id >= 0 {
			x.accumulateTerm(t.id, t.w, acc)
		}
	}
}

// accumulate adds every passage's score for q to acc (len(acc) == x.n).
func (x *bm25) accumulate(q []weightedTerm, acc []float64) {
	for _, t := range q {
		if id, ok := x.terms.get(t.h); ok {
			x.accumulateTerm(id, t.w, acc)
		}
	}
}

// accumulateTerm adds term id's scores, weighted w, to acc.
func (x *bm25) accumulateTerm(id int32, w float64, acc []float64) {
	lo, hi := x.off[id], x.off[id+1]
	if w == 1 && x.contrib != nil {
		// The contributions computed at build: bit for bit what the
		// loop below computes for a weight of 1.
		docs, contrib := x.docs[lo:hi], x.contrib[lo:hi]
		contrib = contrib[:len(docs)]
		for i, d := range docs {
			acc[d] += contrib[i]
		}
		return
	}
	w *= x.idf[id]
	k1p1 := x.k1 + 1
	docs, tfs := x.postings(id)
	tfs = tfs[:len(docs)]
	for i, d := range docs {
		tf := float64(tfs[i])
		acc[d] += w * tf * k1p1 / (tf + x.norm[d])
	}
}

// score returns one passage's score for q.
func (x *bm25) score(q []weightedTerm, doc int32) float64 {
	s := 0.0
	for _, t := range q {
		id, ok := x.terms.get(t.h)
		if !ok {
			continue
		}
		tf := float64(x.tf(id, doc))
		if tf == 0 {
			continue
		}
		s += t.w * x.idf[id] * tf * (x.k1 + 1) / (tf + x.norm[doc])
	}
	return s
}

// tf returns the frequency of term id in doc, 0 if absent.
func (x *bm25) tf(id int32, doc int32) uint16 {
	ds, tfs := x.postings(id)
	i, found := slices.BinarySearch(ds, doc)
	if !found {
		return 0
	}
	return tfs[i]
}

// lookup reports whether the passage doc has the term t (resolved against
// x), and the term's idf (maxIDF for a term the corpus lacks).
func (x *bm25) lookup(t weightedTerm, doc int32) (in bool, idf float64) {
	if t.id < 0 {
		return false, x.maxIDF()
	}
	return x.tf(t.id, doc) > 0, x.idf[t.id]
}

// has reports whether any passage contains the term h.
func (x *bm25) has(h uint64) bool {
	return x.terms.has(h)
}

// docScore is a passage number with a score.
type docScore struct {
	doc   int32
	score float64
}

// topScores returns up to k passages with a positive score in acc, best
// first; ties go to the earlier passage, so rankings are deterministic.
// The result is dst's array, reused; buf is selectBest's.
func topScores(dst []docScore, acc []float64, k int, buf *[]docScore) []docScore {
	dst = dst[:0]
	for d, s := range acc {
		if s > 0 {
			dst = append(dst, docScore{int32(d), s})
		}
	}
	return selectBest(dst, k, buf)
}
