package retrieval

import (
	"math"
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

// TestBucketSelectMatchesSort checks selectBest's bucket path on rankings
// of every kind a small corpus gives: negative and zero scores (the
// vector side's), -0 against +0, values bunched in one bucket or spread
// over many binades, ties throughout; and that it never leaves out a
// value a full sort keeps.
func TestBucketSelectMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	gens := map[string]func() float64{
		"cosines":   func() float64 { return rng.Float64()*1.2 - 0.2 },
		"bm25":      func() float64 { return math.Exp(rng.Float64()*12 - 8) },
		"ties":      func() float64 { return float64(rng.IntN(5)) - 1 },
		"zeros":     func() float64 { return []float64{0, math.Copysign(0, -1), 1, -1}[rng.IntN(4)] },
		"bunched":   func() float64 { return 1 + float64(rng.IntN(3))*1e-15 },
		"outlier":   func() float64 { return []float64{1e300, rng.Float64(), rng.Float64() * 1e-300}[rng.IntN(3)] },
		"quantised": func() float64 { return float64(rng.IntN(1000)) / 7 },
		// One far above the rest, which then share the last bucket: the
		// insertion sort gives up and the values are sorted in full.
		"lopsided": func() float64 {
			if rng.IntN(40) == 0 {
				return 1e6
			}
			return 1 + rng.Float64()*1e-4
		},
	}
	used := 0
	for name, gen := range gens {
		for round := range 2000 {
			n := 1 + rng.IntN(bucketMax)
			k := 1 + rng.IntN(n)
			a := make([]docScore, n)
			for i := range a {
				a[i] = docScore{int32(i), gen()}
			}
			want := slices.Clone(a)
			slices.SortFunc(want, compareScores)
			want = want[:k]
			in := slices.Clone(a)
			if _, ok := bucketSelect(slices.Clone(a), k, nil); ok {
				used++
			}
			if got := selectBest(in, k, nil); !slices.Equal(got, want) {
				t.Fatalf("%s, round %d: selectBest(k=%d) of %d = %v, want %v", name, round, k, n, got, want)
			}
		}
	}
	if used < 5000 {
		t.Errorf("the bucket path took %d of 16000 rankings; it should take most", used)
	}
}

func TestInsertionScoresWithin(t *testing.T) {
	rev := make([]docScore, 40)
	for i := range rev {
		rev[i] = docScore{int32(i), float64(i)}
	}
	if insertionScoresWithin(slices.Clone(rev), 100) {
		t.Error("a reversed ranking of 40 sorted within 100 moves")
	}
	got := slices.Clone(rev)
	if !insertionScoresWithin(got, 40*40) {
		t.Fatal("a reversed ranking of 40 not sorted within 1,600 moves")
	}
	want := slices.Clone(rev)
	slices.SortFunc(want, compareScores)
	if !slices.Equal(got, want) {
		t.Errorf("sorted: %v, want %v", got, want)
	}
}

// A full bucketMax ranking of equal scores puts every value in one
// bucket.
func TestBucketSelectOneBucket(t *testing.T) {
	for _, k := range []int{1, 120, 200, bucketMax - 1} {
		a := make([]docScore, bucketMax)
		for i := range a {
			a[i] = docScore{int32(i), 2.5}
		}
		got := selectBest(slices.Clone(a), k, nil)
		if !slices.Equal(got, a[:k]) {
			t.Fatalf("k=%d: %v, want the first %d passages", k, got, k)
		}
	}
}
