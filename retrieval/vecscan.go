package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	chromem "github.com/philippgille/chromem-go"
)

// Scoring the vectors directly.
//
// chromem-go stays the vector store and the source of the vectors: the
// passages' vectors are added to its collection (which normalises them),
// and what is scored is the vectors it holds. But its query machinery
// (a goroutine per CPU, a channel send and a mutex per document, a map of
// documents filtered into a fresh slice) was half of a search's time on a
// collection of 166 vectors. vecScan keeps the collection's own vector
// slices, read once after the collection is built, and ranks them with
// the same float32 dot product and the same query normalisation.

// vecScan holds the collection's vectors by passage.
type vecScan struct {
	rows [][]float32 // the collection's own vectors (not copies)
	doc  []int32     // the passage of each row
}

// newVecScan reads the vectors of coll's n documents, naming each
// passage by byID.
func newVecScan(ctx context.Context, coll *chromem.Collection, n, dim int, byID map[string]int32) (vecScan, error) {
	if n == 0 {
		return vecScan{}, nil
	}
	// Any query returns every document's Embedding as the collection
	// holds it (chromem-go hands out its own slices, not copies).
	probe := make([]float32, dim)
	probe[0] = 1
	all, err := coll.QueryEmbedding(ctx, probe, n, nil, nil)
	if err != nil {
		return vecScan{}, fmt.Errorf("read the vector collection: %w", err)
	}
	v := vecScan{rows: make([][]float32, len(all)), doc: make([]int32, len(all))}
	// Rows in passage order: ties then go to the earlier passage.
	slices.SortFunc(all, func(a, b chromem.Result) int { return cmp.Compare(byID[a.ID], byID[b.ID]) })
	for i, r := range all {
		v.rows[i], v.doc[i] = r.Embedding, byID[r.ID]
	}
	return v, nil
}

// search returns the c passages most similar to q, best first, each
// with its cosine similarity as the score (a float32 widened to float64:
// same order, and it narrows back unchanged); equal similarities go to
// the earlier passage. The result is dst's array, reused; nz (reused too)
// holds q's non-zero components' indexes; buf is selectBest's.
func (v *vecScan) search(dst []docScore, nz *[]int32, q []float32, c int, buf *[]docScore) []docScore {
	if !chromemIsNormalized(q) {
		q = chromemNormalize(q)
	}
	c = min(c, len(v.rows))
	if c <= 0 {
		return nil
	}
	// A question's vector has a few dozen non-zero components of 128
	// (its n-grams' buckets): the products of the others are zeros, which
	// leave a sum unchanged (see dot32x4Sparse), so only these are read.
	if cap(*nz) < len(q) {
		*nz = make([]int32, len(q))
	}
	idx := (*nz)[:len(q)]
	m := 0
	for i, x := range q {
		// Branch-free: which components are zero follows no pattern
		// the processor could predict.
		idx[m] = int32(i)
		m += b2i(x != 0)
	}
	idx = idx[:m]
	all := dst[:0]
	var sims [4]float32
	for i := range v.rows {
		if i%4 == 0 {
			if i+4 <= len(v.rows) {
				sims = dot32x4Sparse(q, idx, v.rows[i], v.rows[i+1], v.rows[i+2], v.rows[i+3])
			} else {
				for j := range sims {
					if i+j < len(v.rows) {
						sims[j] = dot32(q, v.rows[i+j])
					}
				}
			}
		}
		all = append(all, docScore{doc: v.doc[i], score: float64(sims[i%4])})
	}
	return selectBest(all, c, buf)
}

// dot32x4Sparse is dot32 of q with four rows at once, reading only the
// components idx (ascending) where q is not zero: four independent sums,
// each in index order as dot32 adds, which the processor overlaps instead
// of waiting on one chain of additions. Each is dot32's bit for bit: a
// skipped product is 0 times a finite number, ±0, and adding ±0 to a sum
// leaves it as it is unless the sum is -0, which a sum that starts at +0
// never is (x + y is -0 only when both are; x + (-x) is +0). Vectors are
// finite: Index checks every passage's and the query's.
// TestDotSparseExact checks it against dot32.
func dot32x4Sparse(q []float32, idx []int32, a, b, c, d []float32) (s [4]float32) {
	n := len(q)
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	var s0, s1, s2, s3 float32
	for _, i := range idx {
		x := q[i]
		s0 += x * a[i]
		s1 += x * b[i]
		s2 += x * c[i]
		s3 += x * d[i]
	}
	return [4]float32{s0, s1, s2, s3}
}

// dot32 is chromem-go's dotProduct: a float32 sum in index order, so that
// similarities are the ones it computes, bit for bit.
func dot32(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// chromemIsNormalized and chromemNormalize are chromem-go's isNormalized
// and normalizeVector (v0.7.0), which QueryEmbedding applies to a query.
func chromemIsNormalized(v []float32) bool {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	return math.Abs(math.Sqrt(sq)-1) < 1e-6
}

func chromemNormalize(v []float32) []float32 {
	var norm float32
	for _, x := range v {
		norm += x * x
	}
	norm = float32(math.Sqrt(float64(norm)))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x / norm
	}
	return out
}
