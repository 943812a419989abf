package retrieval

import (
	"github.com/declbot/declbot/retrieval/query"
)

// DefaultRelevanceThreshold is the Relevance at or above which a query is
// InScope, calibrated on the golden suite (go test ./retrieval -run Golden
// -v prints the sweep; numbers in docs/BENCHMARKS.md). It is the highest
// threshold that keeps false alarms on answerable questions at or under 5%:
// telling a user "the declaration does not address this" when it does is
// the worse error, since the answer step can still decline on weak
// passages. Offline, colloquial Chinese paraphrases share few characters
// with their paragraph and score as low as out-of-scope questions, so this
// threshold catches only the clear cases (nothing the corpus knows).
const DefaultRelevanceThreshold = 0.04

// relevance scores in [0,1] how well the best passages cover the query: the
// idf-weighted share of the query's bigrams (its unigrams, if it has no
// bigrams) found in one of the top passages. A term the corpus lacks counts
// with the highest idf, so a question about something the declaration never
// names scores low however well its other words match. English and Russian
// words the glossary does not know lower the score in proportion.
func (x *Index) relevance(pq query.Query, qterms []weightedTerm, items []Result) float64 {
	if len(items) == 0 || len(qterms) == 0 {
		return 0
	}
	useBi := false
	for _, t := range qterms {
		if t.bi {
			useBi = true
			break
		}
	}
	best := 0.0
	for _, it := range items[:min(3, len(items))] {
		doc := x.byID[it.Passage.ID]
		have, total := 0.0, 0.0
		for _, t := range qterms {
			if t.bi != useBi {
				continue
			}
			in, idf := x.lex.lookup(t.h, doc)
			total += idf
			if in {
				have += idf
			}
		}
		if total > 0 {
			best = max(best, have/total)
		}
	}
	if known, unknown := len(pq.Terms), len(pq.Unmatched); unknown > 0 {
		best *= float64(known) / float64(known+unknown)
	}
	return best
}
