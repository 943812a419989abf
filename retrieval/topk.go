package retrieval

import (
	"math"
	"math/bits"
	"slices"
)

// Selecting the best c of a ranking (c is DefaultCandidates, 50, of ~166
// passages, most of them with a positive score) is done by quickselect,
// then sorting the c kept, with the order written out as a plain
// function on a concrete type. A bounded heap with a comparison func (a
// generic's indirect call per comparison, which Go cannot inline) cost
// four times as much and was a quarter of a search.
//
// The order is strict and total (ties go to the earlier passage), so the
// values kept and their order are the only possible ones, whatever the
// algorithm.

// betterScore reports whether a ranks above b: a higher score, or the
// same score and an earlier passage.
func betterScore(a, b docScore) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// selectBest reorders a so that its best k values come first, best first,
// and returns them (all of a, sorted, if k >= len(a)). The partitions
// write into a buffer (see partitionScores): on the stack for a ranking
// of a small corpus, as this one is, else *buf (grown as needed; nil:
// allocated).
func selectBest(a []docScore, k int, buf *[]docScore) []docScore {
	if k <= 0 {
		return a[:0]
	}
	if k < len(a) && len(a) <= bucketMax {
		if top, ok := bucketSelect(a, k, buf); ok {
			return top
		}
	}
	var stack [256]docScore
	tmp := stack[:]
	if len(a) > len(stack) {
		if buf == nil {
			buf = new([]docScore)
		}
		if cap(*buf) < len(a) {
			*buf = make([]docScore, len(a))
		}
		tmp = (*buf)[:len(a)]
	}
	k = min(k, len(a))
	partialSort(a, k, tmp, 2*bits.Len(uint(len(a))))
	return a[:k]
}

// partialSort puts the best k values of a first, best first: quicksort
// that sorts a partition only where it overlaps the first k (a partial
// quicksort; no pass over values that end up after k is repeated).
// Median-of-three pivots keep it fast on sorted input; past the depth
// budget, the standard library's sort.
func partialSort(a []docScore, k int, tmp []docScore, budget int) {
	for len(a) > 12 && k > 0 {
		if budget == 0 {
			slices.SortFunc(a, compareScores)
			return
		}
		budget--
		p := partitionScores(a, tmp)
		if p < k {
			// All of a[:p] is kept: sort it; the pivot is in place;
			// the rest of the k come from after it.
			sortScores(a[:p], tmp, budget)
			a, k = a[p+1:], k-p-1
		} else {
			a = a[:p]
		}
	}
	if k > 0 {
		insertionScores(a)
	}
}

// sortScores sorts a best first: quicksort down to short runs, then
// insertion sort; past the depth budget, the standard library's sort.
// tmp holds at least len(a) values.
func sortScores(a, tmp []docScore, budget int) {
	for len(a) > 12 {
		if budget == 0 {
			slices.SortFunc(a, compareScores)
			return
		}
		budget--
		p := partitionScores(a, tmp)
		// Recurse into the shorter side, loop on the longer.
		if p < len(a)-p {
			sortScores(a[:p], tmp, budget)
			a = a[p+1:]
		} else {
			sortScores(a[p+1:], tmp, budget)
			a = a[:p]
		}
	}
	insertionScores(a)
}

func compareScores(a, b docScore) int {
	switch {
	case betterScore(a, b):
		return -1
	case betterScore(b, a):
		return 1
	}
	return 0
}

// partitionScores partitions a (len >= 3) around the median of its first,
// middle and last values and returns the pivot's final index: every value
// before it ranks above it, every value after it below. tmp holds at
// least len(a) values.
//
// Each value is written to both ends of tmp and the end it belongs to
// advances, by the comparison's outcome as a number: no branch on an
// outcome the processor cannot predict, and no swaps in place, whose
// stores each next step would wait on.
func partitionScores(a, tmp []docScore) int {
	n := len(a)
	m := n / 2
	if betterScore(a[m], a[0]) {
		a[m], a[0] = a[0], a[m]
	}
	if betterScore(a[n-1], a[0]) {
		a[n-1], a[0] = a[0], a[n-1]
	}
	if betterScore(a[m], a[n-1]) {
		a[m], a[n-1] = a[n-1], a[m]
	}
	pivot := a[n-1]
	tmp = tmp[:n]
	lo, hi := 0, n-1
	for _, v := range a[:n-1] {
		above := b2i(v.score > pivot.score) | b2i(v.score == pivot.score)&b2i(v.doc < pivot.doc)
		tmp[lo] = v
		tmp[hi] = v
		lo += above
		hi -= 1 - above
	}
	tmp[lo] = pivot
	copy(a, tmp)
	return lo
}

// b2i is 1 for true and 0 for false; the compiler makes it a flag move,
// not a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func insertionScores(a []docScore) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for j > 0 && betterScore(v, a[j-1]) {
			a[j] = a[j-1]
			j--
		}
		a[j] = v
	}
}

// Selecting from a small ranking by a sampled threshold and buckets.
//
// For a ranking of a small corpus (c = 50 of ~166 passages; most of them
// scored) the quicksort above spends about as long finding the best k as
// sorting them, in passes whose every step waits on the one before.
// bucketSelect does both in a few straight passes. A sample of the scores
// gives a threshold a little below the k-th best, and one pass keeps the
// values at or above it: if there are k or more, the best k are among
// them, since every value left out is below every one kept. Each kept
// value goes into one of 256 buckets by how far its score lies below the
// best (for positive scores, as most are, on the scale of their bits,
// which follows their logarithm); laid out bucket by bucket the values
// are nearly in order, and an insertion sort by betterScore puts them in
// their exact order (or, if they were far from it, a full sort). The sample and the buckets only make the work short: whatever
// they are, the result is the k best values in betterScore's order, or,
// when the threshold misses, bucketSelect declines and the quicksort runs.

// bucketMax is the longest ranking bucketSelect takes; sampleSize is how
// many scores its threshold is drawn from.
const (
	bucketMax  = 256
	sampleSize = 16
)

// bucketSelect is selectBest for 0 < k < len(a) <= bucketMax, laying the
// values out in *buf (grown to bucketMax; nil: on the stack). It reports
// false, having changed nothing, when the values at or above its
// threshold are fewer than k or too many to sort this way.
func bucketSelect(a []docScore, k int, buf *[]docScore) ([]docScore, bool) {
	n := len(a)
	if n < 2*sampleSize {
		return nil, false
	}
	// The threshold: the sample's score whose rank in the sample, scaled
	// to the ranking, is a little beyond k.
	var sample [sampleSize]float64
	step := n / sampleSize
	for i := range sample {
		s := a[i*step].score
		j := i
		for j > 0 && sample[j-1] < s {
			sample[j] = sample[j-1]
			j--
		}
		sample[j] = s
	}
	pick := min((k+k/4+4)*sampleSize/n, sampleSize-1)
	// The values at or above it, by index; if they are fewer than k,
	// once more with a lower threshold.
	var keep [bucketMax]uint8
	var m int
	var threshold, hi float64
	for {
		threshold = sample[pick]
		m, hi = 0, threshold
		for i, v := range a {
			// Branch-free: whether a value is kept is a coin toss
			// the processor cannot predict.
			keep[m] = uint8(i)
			m += b2i(v.score >= threshold)
			if v.score > hi {
				hi = v.score
			}
		}
		if m >= k || pick == sampleSize-1 {
			break
		}
		pick = min(pick+4, sampleSize-1)
	}
	if m < k || m > 3*k+16 {
		return nil, false
	}
	// Buckets by distance below the best score, then each bucket's start.
	var bucket [bucketMax]uint8
	var count [256]uint16
	if threshold > 0 {
		// Positive scores: by the distance between their bits, which
		// follows their logarithm, and so spreads scores that crowd
		// near the threshold (as most do) over more buckets.
		top := math.Float64bits(hi)
		shift := uint(max(bits.Len64(top-math.Float64bits(threshold))-8, 0))
		for j, i := range keep[:m] {
			b := uint8((top - math.Float64bits(a[i].score)) >> shift)
			bucket[j] = b
			count[b]++
		}
	} else {
		// In equal steps (0: one bucket, for scores too close or too
		// far apart to divide).
		scale := 0.0
		if d := hi - threshold; d > 0 && !math.IsInf(d, 0) {
			scale = 256 / d
			if math.IsInf(scale, 0) {
				scale = 0
			}
		}
		for j, i := range keep[:m] {
			b := uint8(0)
			if scale != 0 {
				b = uint8(min(int((hi-a[i].score)*scale), 255))
			}
			bucket[j] = b
			count[b]++
		}
	}
	var start [256]uint16
	pos := 0
	for b, c := range count {
		start[b] = uint16(pos)
		pos += int(c)
	}
	var out []docScore
	if buf != nil {
		if cap(*buf) < bucketMax {
			*buf = make([]docScore, bucketMax)
		}
		out = (*buf)[:bucketMax]
	} else {
		out = make([]docScore, bucketMax) // on the stack: it does not escape
	}
	for j, i := range keep[:m] {
		b := bucket[j]
		out[start[b]] = a[i]
		start[b]++
	}
	if !insertionScoresWithin(out[:m], 8*m) {
		// Scores bunched in a few buckets: the insertion sort would
		// take quadratic time over them.
		slices.SortFunc(out[:m], compareScores)
	}
	return a[:copy(a, out[:k])], true
}

// insertionScoresWithin is insertionScores that gives up, leaving a in
// some order, once it has moved more than budget values; it reports
// whether it finished.
func insertionScoresWithin(a []docScore, budget int) bool {
	for i := 1; i < len(a); i++ {
		v := a[i]
		if !betterScore(v, a[i-1]) {
			// In place already, as most are: nothing is stored, so the
			// next comparison does not wait on a store.
			continue
		}
		j := i
		for j > 0 && betterScore(v, a[j-1]) {
			a[j] = a[j-1]
			j--
		}
		a[j] = v
		if budget -= i - j; budget < 0 {
			return false
		}
	}
	return true
}
