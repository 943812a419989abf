package eval

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/declbot/declbot/corpus"
)

// The metric functions below are pure: they take ranked or cited IDs and
// the gold IDs of one item and return a number, so that each can be checked
// against values computed by hand. Rankings are best first; gold order does
// not matter; a ranking that repeats an ID counts it once, at its best rank.

// HitAt reports whether any gold ID is among the first k ranked IDs.
func HitAt(ranked, gold []string, k int) bool {
	return firstGoldRank(ranked, gold, k) > 0
}

// RecallAt is the fraction of the gold IDs found among the first k ranked
// IDs. It is 0 when gold is empty.
func RecallAt(ranked, gold []string, k int) float64 {
	g := set(gold)
	if len(g) == 0 {
		return 0
	}
	found := 0
	for _, id := range dedupe(ranked, k) {
		if g[id] {
			found++
		}
	}
	return float64(found) / float64(len(g))
}

// ReciprocalRank is 1/r for the rank r (1-based) of the first gold ID in
// the ranking, 0 when none is ranked.
func ReciprocalRank(ranked, gold []string) float64 {
	r := firstGoldRank(ranked, gold, len(ranked))
	if r == 0 {
		return 0
	}
	return 1 / float64(r)
}

// NDCGAt is the normalised discounted cumulative gain of the first k
// ranked IDs with binary relevance (1 for a gold ID, 0 otherwise):
//
//	DCG@k  = Σ_{i=1..k} rel_i / log2(i+1)
//	IDCG@k = Σ_{i=1..min(|gold|,k)} 1 / log2(i+1)
//
// It is 0 when gold is empty.
func NDCGAt(ranked, gold []string, k int) float64 {
	g := set(gold)
	if len(g) == 0 || k <= 0 {
		return 0
	}
	dcg := 0.0
	for i, id := range dedupe(ranked, k) {
		if g[id] {
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	idcg := 0.0
	for i := range min(len(g), k) {
		idcg += 1 / math.Log2(float64(i+2))
	}
	return dcg / idcg
}

// Precision is the fraction of got that is in want. ok is false when got
// is empty (precision is undefined, and callers leave the item out of the
// average rather than count it as 0 or 1).
func Precision(got, want []string) (p float64, ok bool) {
	g := set(got)
	if len(g) == 0 {
		return 0, false
	}
	w := set(want)
	n := 0
	for id := range g {
		if w[id] {
			n++
		}
	}
	return float64(n) / float64(len(g)), true
}

// Recall is the fraction of want that is in got; ok is false when want is
// empty.
func Recall(got, want []string) (r float64, ok bool) {
	w := set(want)
	if len(w) == 0 {
		return 0, false
	}
	g := set(got)
	n := 0
	for id := range w {
		if g[id] {
			n++
		}
	}
	return float64(n) / float64(len(w)), true
}

// FactCoverage is the fraction of facts that occur in text, compared after
// corpus.Fold (so traditional and simplified forms, full- and half-width
// digits and quotation-mark styles all match) and with citation markers
// removed from text (a marker placed inside a quoted phrase must not hide
// it). It returns the facts that were not found. With no facts the
// coverage is 1.
func FactCoverage(text string, facts []string) (coverage float64, missing []string) {
	if len(facts) == 0 {
		return 1, nil
	}
	folded := corpus.Fold(StripMarkers(text))
	found := 0
	for _, f := range facts {
		if strings.Contains(folded, corpus.Fold(f)) {
			found++
		} else {
			missing = append(missing, f)
		}
	}
	return float64(found) / float64(len(facts)), missing
}

// CitationMarkers returns the IDs named by citation markers in text (as
// corpus.FindMarkers reads them: the grammar the answer engine checks), in
// order of appearance, without repeats, in canonical form ("[2-36]" gives
// "2.36"). A range within one section is expanded; any other range gives
// its two ends. IDs are not checked against the corpus: "[9.99]" gives
// "9.99", so that an invented citation can be counted.
func CitationMarkers(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range corpus.FindMarkers(text) {
		for _, ref := range m.Refs {
			for _, id := range ref.IDs() {
				if !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// FirstClaimCitations returns the IDs cited by the first sentence of text
// that carries a citation marker: the answer's lead claim. An answer's
// opening may be a line with no claim in it (the note that a quotation
// is an unofficial translation), so sentences without markers before the
// first marker are skipped; the sentence ends at the first full stop,
// question or exclamation mark or line break after the first marker, and
// every marker before that end counts ("…[2.20][2.21]。" cites both).
func FirstClaimCitations(text string) []string {
	ms := corpus.FindMarkers(text)
	if len(ms) == 0 {
		return nil
	}
	end := len(text)
	if i := strings.IndexFunc(text[ms[0].End:], func(r rune) bool {
		return strings.ContainsRune("。！？.!?\n", r)
	}); i >= 0 {
		end = ms[0].End + i
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Start > end {
			break
		}
		for _, ref := range m.Refs {
			for _, id := range ref.IDs() {
				if !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// StripMarkers removes citation markers from text.
func StripMarkers(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range corpus.FindMarkers(text) {
		b.WriteString(text[last:m.Start])
		last = m.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method: the smallest value such that at least p percent of
// the values are less than or equal to it. It is 0 for no values.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

// firstGoldRank returns the 1-based rank of the first gold ID among the
// first k ranked IDs, 0 when there is none.
func firstGoldRank(ranked, gold []string, k int) int {
	g := set(gold)
	for i, id := range dedupe(ranked, k) {
		if g[id] {
			return i + 1
		}
	}
	return 0
}

// dedupe returns the first k distinct IDs of ranked.
func dedupe(ranked []string, k int) []string {
	out := make([]string, 0, min(k, len(ranked)))
	seen := make(map[string]bool, len(ranked))
	for _, id := range ranked {
		if len(out) >= k {
			break
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// mean returns the average of xs, 0 for none.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
