package retrieval

import (
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
