package retrieval

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestFuseShares holds fuse to its sum: each ranking adds its weight times
// the candidate's share of the ranking's best (a vector ranking's: of the
// span from its worst candidate) plus the reciprocal rank 1/(k+rank).
func TestFuseShares(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	const k = DefaultRRFK
	rr := func(rank int) float64 { return 1 / (k + float64(rank)) }
	tests := []struct {
		name      string
		vec, lex  []docScore
		alts      []altRanking
		lexW      float64
		vecW      float64
		wantOrder []int32
		want      map[int32]float64
	}{{
		// By rank alone (reciprocal rank fusion) passage 1 would lead:
		// first in two rankings out of three. The question lists
		// clearly prefer passage 0, while the text and the translation
		// barely prefer 1, so 0 leads.
		name: "a clear preference outweighs two near ties",
		lex:  []docScore{{doc: 1, score: 31}, {doc: 0, score: 30}},
		alts: []altRanking{
			{field: FieldQuestions, weight: 0.7, ranked: []docScore{{doc: 0, score: 10}, {doc: 1, score: 2}}},
			{field: FieldTranslation, weight: 0.3, ranked: []docScore{{doc: 1, score: 5}, {doc: 0, score: 4.9}}},
		},
		lexW:      1,
		wantOrder: []int32{0, 1},
		want: map[int32]float64{
			0: 1*(30.0/31+rr(2)) + 0.7*(1+rr(1)) + 0.3*(4.9/5+rr(2)),
			1: 1*(1+rr(1)) + 0.7*(2.0/10+rr(2)) + 0.3*(1+rr(1)),
		},
	}, {
		// Cosine similarities are spread from the worst candidate to
		// the best: 0.5, 0.4 and 0.3 are shares 1, 0.5 and 0.
		name:      "vector shares run from the worst candidate",
		vec:       []docScore{{doc: 2, score: 0.5}, {doc: 3, score: 0.4}, {doc: 4, score: 0.3}},
		vecW:      0.3,
		lexW:      1,
		wantOrder: []int32{2, 3, 4},
		want: map[int32]float64{
			2: 0.3 * (1 + rr(1)),
			3: 0.3 * (0.5 + rr(2)),
			4: 0.3 * (0 + rr(3)),
		},
	}, {
		// Equal scores cannot be told apart: each gets the full share,
		// and only the reciprocal ranks differ; the vector ranking then
		// puts passage 6 first.
		name:      "equal scores share fully",
		lex:       []docScore{{doc: 5, score: 7}, {doc: 6, score: 7}},
		vec:       []docScore{{doc: 6, score: 0.2}},
		lexW:      0.5,
		vecW:      0.3,
		wantOrder: []int32{6, 5},
		want: map[int32]float64{
			5: 0.5 * (1 + rr(1)),
			6: 0.5*(1+rr(2)) + 0.3*(1+rr(1)),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := x.getScratch()
			defer x.putScratch(s)
			got := x.fuse(s, tt.vec, tt.lex, tt.alts, nil, 5, tt.lexW, tt.vecW)
			var order []int32
			for _, r := range got {
				order = append(order, int32(r.Passage.Index))
				want, ok := tt.want[int32(r.Passage.Index)]
				if !ok {
					t.Fatalf("fuse returned passage %d, in no ranking", r.Passage.Index)
				}
				if math.Abs(r.Score-want) > 1e-9 {
					t.Errorf("passage %d: score %.6f, want %.6f", r.Passage.Index, r.Score, want)
				}
			}
			if !slices.Equal(order, tt.wantOrder) {
				t.Errorf("order %v, want %v", order, tt.wantOrder)
			}
		})
	}
}
