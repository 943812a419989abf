package retrieval

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectBestMatchesSort checks the selection against sorting every
// value and taking the first k: random rankings full of ties, sorted and
// reversed ones (the pivots' worst case) and equal scores throughout.
func TestSelectBestMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 5))
	inputs := map[string]func(n int) []float64{
		"ties": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(rng.IntN(8) - 2) // some not positive
			}
			return a
		},
		"distinct": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = rng.Float64()
			}
			return a
		},
		"ascending": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(i + 1)
			}
			return a
		},
		"descending": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(n - i)
			}
			return a
		},
		"equal": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = 1
			}
			return a
		},
	}
	for name, gen := range inputs {
		for round := range 300 {
			n := rng.IntN(400)
			k := rng.IntN(80)
			acc := gen(n)
			var want []docScore
			for d, s := range acc {
				if s > 0 {
					want = append(want, docScore{int32(d), s})
				}
			}
			slices.SortFunc(want, compareScores)
			want = want[:min(k, len(want))]
			got := topScores(make([]docScore, 0, 3), acc, k, nil)
			if len(got) != len(want) || len(want) > 0 && !slices.Equal(got, want) {
				t.Fatalf("%s, round %d: topScores(k=%d) of %d = %v, want %v", name, round, k, n, got, want)
			}
		}
	}
}
