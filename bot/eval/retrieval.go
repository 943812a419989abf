package eval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// Retriever ranks passages for a query; *retrieval.Index implements it.
type Retriever interface {
	Search(ctx context.Context, q string, k int) (retrieval.Results, error)
}

// packSearcher is the scoped search of *retrieval.Index, used for items
// that name documents (Item.Docs). Retrieval is scored without the
// engine's steering: a question that names a document in its text is
// searched across every pack here.
type packSearcher interface {
	SearchPacks(ctx context.Context, q string, k int, packs []string) (retrieval.Results, error)
}

// DefaultK is the default cutoff of the "@k" metrics.
const DefaultK = 5

// mrrDepth is how deep the reciprocal rank looks when k is smaller: a gold
// paragraph at rank 8 is worth 1/8, not 0.
const mrrDepth = 10

// RetrievalItem is what retrieval did with one item.
type RetrievalItem struct {
	ID         string      `json:"id"`
	Lang       corpus.Lang `json:"lang"`
	Kind       Kind        `json:"kind"`
	Question   string      `json:"question"`
	Gold       []string    `json:"gold"`
	OutOfScope bool        `json:"out_of_scope"`
	// Got are the IDs of the top k results, best first, with their fused
	// scores.
	Got    []string  `json:"got"`
	Scores []float64 `json:"scores"`
	// Query is the processed query retrieval searched for.
	Query     string  `json:"query"`
	Relevance float64 `json:"relevance"`
	// InScope is retrieval's judgement that the corpus addresses the
	// question.
	InScope bool `json:"in_scope"`
	// Rank is the 1-based rank of the first gold passage within the top
	// max(k, 10), 0 when none is there or the item is out of scope.
	Rank   int     `json:"rank"`
	Hit1   bool    `json:"hit_at_1"`
	Hit3   bool    `json:"hit_at_3"`
	HitK   bool    `json:"hit_at_k"`
	Recall float64 `json:"recall_at_k"`
	RR     float64 `json:"reciprocal_rank"`
	NDCG   float64 `json:"ndcg_at_k"`
	// Latency is the time the search took.
	Latency Millis `json:"latency_ms"`
	// Problems says why the item fails; empty when it passes.
	Problems []string `json:"problems,omitempty"`
}

// RetrievalMetrics summarises a set of items. The ranking metrics are
// means over the answerable items; OOSDetection is over the out-of-scope
// items and FalseAlarm over the answerable ones.
type RetrievalMetrics struct {
	Answerable int     `json:"answerable"`
	Hit1       float64 `json:"hit_at_1"`
	Hit3       float64 `json:"hit_at_3"`
	HitK       float64 `json:"hit_at_k"`
	RecallK    float64 `json:"recall_at_k"`
	MRR        float64 `json:"mrr"`
	NDCGK      float64 `json:"ndcg_at_k"`
	OutOfScope int     `json:"out_of_scope"`
	// OOSDetection is the fraction of out-of-scope items retrieval judged
	// out of scope (InScope false).
	OOSDetection float64 `json:"oos_detection"`
	// FalseAlarm is the fraction of answerable items retrieval judged out
	// of scope.
	FalseAlarm float64 `json:"false_alarm"`
}

// RetrievalGroup is the metrics of one language or kind.
type RetrievalGroup struct {
	Name string `json:"name"`
	RetrievalMetrics
}

// RetrievalReport is the retrieval half of an evaluation.
type RetrievalReport struct {
	// K is the cutoff of hit@k, recall@k and nDCG@k.
	K       int              `json:"k"`
	Overall RetrievalMetrics `json:"overall"`
	ByLang  []RetrievalGroup `json:"by_lang"`
	ByKind  []RetrievalGroup `json:"by_kind"`
	Items   []RetrievalItem  `json:"items"`
}

// Failures returns the items with problems, in suite order.
func (r *RetrievalReport) Failures() []RetrievalItem {
	var out []RetrievalItem
	for _, it := range r.Items {
		if len(it.Problems) > 0 {
			out = append(out, it)
		}
	}
	return out
}

// EvaluateRetrieval searches every item's question with r and scores the
// rankings against the gold paragraphs, with k as the cutoff of the "@k"
// metrics (DefaultK when k <= 0). It stops at the first search error: a
// retriever that fails on one question is broken, not merely wrong.
func EvaluateRetrieval(ctx context.Context, s *Suite, r Retriever, k int) (*RetrievalReport, error) {
	if k <= 0 {
		k = DefaultK
	}
	depth := max(k, mrrDepth)
	rep := &RetrievalReport{K: k, Items: make([]RetrievalItem, 0, len(s.Items))}
	for _, it := range s.Items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		var res retrieval.Results
		var err error
		if ps, ok := r.(packSearcher); ok && len(it.Docs) > 0 {
			res, err = ps.SearchPacks(ctx, it.Question, depth, it.Docs)
		} else {
			res, err = r.Search(ctx, it.Question, depth)
		}
		lat := time.Since(start)
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			// A question that is all stop phrases finds nothing: that
			// is a wrong answer for this item, not a broken retriever.
			res, err = retrieval.Results{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("search %s (%q): %w", it.ID, it.Question, err)
		}
		ri := scoreRetrieval(it, res, k)
		ri.Latency = Millis(lat)
		rep.Items = append(rep.Items, ri)
	}
	rep.summarize()
	return rep, nil
}

func scoreRetrieval(it Item, res retrieval.Results, k int) RetrievalItem {
	ranked := make([]string, len(res.Items))
	for i, r := range res.Items {
		ranked[i] = r.Passage.ID
	}
	ri := RetrievalItem{
		ID: it.ID, Lang: it.Lang, Kind: it.Kind, Question: it.Question,
		Gold: it.Gold, OutOfScope: it.OutOfScope,
		Query: res.Query, Relevance: res.Relevance, InScope: res.InScope,
		Got: []string{}, Scores: []float64{},
	}
	for i, r := range res.Items {
		if i >= k {
			break
		}
		ri.Got = append(ri.Got, r.Passage.ID)
		ri.Scores = append(ri.Scores, r.Score)
	}
	if it.OutOfScope {
		if res.InScope {
			ri.Problems = append(ri.Problems, fmt.Sprintf("out-of-scope question judged in scope (relevance %.3f)", res.Relevance))
		}
		return ri
	}
	ri.Rank = firstGoldRank(ranked, it.Gold, max(k, mrrDepth))
	ri.Hit1 = HitAt(ranked, it.Gold, 1)
	ri.Hit3 = HitAt(ranked, it.Gold, 3)
	ri.HitK = HitAt(ranked, it.Gold, k)
	ri.Recall = RecallAt(ranked, it.Gold, k)
	ri.RR = ReciprocalRank(ranked[:min(len(ranked), max(k, mrrDepth))], it.Gold)
	ri.NDCG = NDCGAt(ranked, it.Gold, k)
	if !ri.HitK {
		if len(res.Items) == 0 {
			ri.Problems = append(ri.Problems, fmt.Sprintf("retrieval returned nothing (processed query %q)", res.Query))
		} else if ri.Rank > 0 {
			ri.Problems = append(ri.Problems, fmt.Sprintf("no gold paragraph in the top %d (first at rank %d)", k, ri.Rank))
		} else {
			ri.Problems = append(ri.Problems, fmt.Sprintf("no gold paragraph in the top %d", max(k, mrrDepth)))
		}
	}
	if !res.InScope {
		ri.Problems = append(ri.Problems, fmt.Sprintf("false alarm: answerable question judged out of scope (relevance %.3f)", res.Relevance))
	}
	return ri
}

func (r *RetrievalReport) summarize() {
	r.Overall = summarizeRetrieval(r.Items, func(RetrievalItem) bool { return true })
	r.ByLang = r.ByLang[:0]
	for _, l := range Langs() {
		r.ByLang = append(r.ByLang, RetrievalGroup{string(l), summarizeRetrieval(r.Items, func(it RetrievalItem) bool { return it.Lang == l })})
	}
	r.ByKind = r.ByKind[:0]
	for _, k := range Kinds {
		r.ByKind = append(r.ByKind, RetrievalGroup{string(k), summarizeRetrieval(r.Items, func(it RetrievalItem) bool { return it.Kind == k })})
	}
}

func summarizeRetrieval(items []RetrievalItem, keep func(RetrievalItem) bool) RetrievalMetrics {
	var m RetrievalMetrics
	var hit1, hit3, hitK, recall, rr, ndcg []float64
	detected, alarms := 0, 0
	for _, it := range items {
		if !keep(it) {
			continue
		}
		if it.OutOfScope {
			m.OutOfScope++
			if !it.InScope {
				detected++
			}
			continue
		}
		m.Answerable++
		if !it.InScope {
			alarms++
		}
		hit1 = append(hit1, b2f(it.Hit1))
		hit3 = append(hit3, b2f(it.Hit3))
		hitK = append(hitK, b2f(it.HitK))
		recall = append(recall, it.Recall)
		rr = append(rr, it.RR)
		ndcg = append(ndcg, it.NDCG)
	}
	m.Hit1, m.Hit3, m.HitK = mean(hit1), mean(hit3), mean(hitK)
	m.RecallK, m.MRR, m.NDCGK = mean(recall), mean(rr), mean(ndcg)
	m.OOSDetection = ratio(detected, m.OutOfScope)
	m.FalseAlarm = ratio(alarms, m.Answerable)
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
