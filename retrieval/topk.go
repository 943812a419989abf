package retrieval

import "slices"

// bestK keeps the k best values offered to it, by worse (a strict total
// order: ties broken, so that rankings are deterministic). It is a bounded
// min-heap whose root is the weakest value kept: offering costs O(log k)
// at most, O(1) for a value that does not make the cut.
type bestK[T any] struct {
	h     []T
	k     int
	worse func(a, b T) bool
}

func newBestK[T any](k int, worse func(a, b T) bool) *bestK[T] {
	return &bestK[T]{h: make([]T, 0, max(k, 0)), k: k, worse: worse}
}

// offer considers v.
func (b *bestK[T]) offer(v T) {
	h := b.h
	if len(h) < b.k {
		h = append(h, v)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !b.worse(h[i], h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		b.h = h
		return
	}
	if b.k <= 0 || !b.worse(h[0], v) {
		return
	}
	h[0] = v
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && b.worse(h[r], h[l]) {
			m = r
		}
		if !b.worse(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// sorted returns the values kept, best first.
func (b *bestK[T]) sorted() []T {
	slices.SortFunc(b.h, func(x, y T) int {
		switch {
		case b.worse(y, x):
			return -1
		case b.worse(x, y):
			return 1
		}
		return 0
	})
	return b.h
}
