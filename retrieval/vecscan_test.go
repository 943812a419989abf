package retrieval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotSparseExact checks that skipping q's zero components gives
// chromem-go's dot product (dot32) bit for bit, on vectors with many
// zeros, negative zeros, tiny products that underflow to ±0 and sums that
// cancel to zero.
func TestDotSparseExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	val := func() float32 {
		switch rng.IntN(8) {
		case 0, 1, 2:
			return 0
		case 3:
			return float32(math.Copysign(0, -1))
		case 4:
			return float32(rng.NormFloat64() * 1e-30) // products underflow
		case 5:
			return float32(rng.IntN(5) - 2) // exact cancellations
		}
		return float32(rng.NormFloat64())
	}
	for round := range 20000 {
		n := 1 + rng.IntN(70)
		q := make([]float32, n)
		for i := range q {
			q[i] = val()
		}
		var rows [4][]float32
		for r := range rows {
			rows[r] = make([]float32, n)
			for i := range rows[r] {
				rows[r][i] = val()
			}
		}
		var idx []int32
		for i, x := range q {
			if x != 0 {
				idx = append(idx, int32(i))
			}
		}
		got := dot32x4Sparse(q, idx, rows[0], rows[1], rows[2], rows[3])
		for r := range rows {
			if want := dot32(q, rows[r]); math.Float32bits(got[r]) != math.Float32bits(want) {
				t.Fatalf("round %d, row %d: sparse %v (%#x), dot32 %v (%#x)", round, r, got[r], math.Float32bits(got[r]), want, math.Float32bits(want))
			}
		}
	}
}
