package retrieval

import (
	"context"
	"slices"
)

// SearchPacks is Search within the passages of the given document packs
// (pack IDs, corpus.Pack.ID); no packs means all. It serves a chat pinned
// to one declaration and a question that names one: the packs' passages
// are ranked among themselves, as if the index held them alone, so a
// small pack is not crowded out by a large one.
func (x *Index) SearchPacks(ctx context.Context, q string, k int, packs []string) (Results, error) {
	if len(packs) == 0 {
		return x.Search(ctx, q, k)
	}
	in := make([]bool, len(x.passages))
	found := false
	for i, p := range x.passages {
		if slices.Contains(packs, p.Pack) {
			in[i], found = true, true
		}
	}
	if !found {
		return Results{}, nil
	}
	return x.search(ctx, q, k, in)
}

// within keeps the first c entries of each ranking whose passage is in.
func within(in []bool, c int, lex, vec []docScore, alts []altRanking) ([]docScore, []docScore, []altRanking) {
	out := func(s docScore) bool { return !in[s.doc] }
	lex = slices.DeleteFunc(lex, out)
	lex = lex[:min(c, len(lex))]
	vec = slices.DeleteFunc(vec, out)
	vec = vec[:min(c, len(vec))]
	for i := range alts {
		alts[i].ranked = slices.DeleteFunc(alts[i].ranked, out)
		alts[i].ranked = alts[i].ranked[:min(c, len(alts[i].ranked))]
	}
	alts = slices.DeleteFunc(alts, func(a altRanking) bool { return len(a.ranked) == 0 })
	return lex, vec, alts
}
