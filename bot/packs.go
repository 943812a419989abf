package bot

import (
	"context"
	"fmt"
	"slices"
	"unicode"

	"github.com/declbot/declbot/bot/compose"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
	"github.com/declbot/declbot/retrieval/docref"
)

// Questions across document packs (docs/PACKS.md). With the built-in texts
// alone, none of this runs: answers are exactly as they were. With more
// packs loaded, a question is searched where it points: the packs a chat
// is pinned to (Question.Packs), the pack it names ("the Astana
// declaration", "2024年宣言"), or, for a comparison ("what is new on AI
// compared with last year?"), each of the packs compared, answered side by
// side.

// packSearcher is the scoped search *retrieval.Index offers; a Retriever
// without it is filtered after searching.
type packSearcher interface {
	SearchPacks(ctx context.Context, q string, k int, packs []string) (retrieval.Results, error)
}

// scope decides where question text is searched: the packs to search
// within (nil: all), whether to answer side by side, and the search
// query: searchQ, or when the question names documents, searchQ without
// the names (they would dilute its own words in every pack's ranking).
func (e *Engine) scope(q Question, text, searchQ string) (packs []string, compare bool, query string) {
	query = searchQ
	if e.docs == nil {
		return q.Packs, false, query
	}
	if len(q.Packs) > 0 {
		packs = q.Packs
	} else {
		packs, compare = e.docs.Targets(e.docs.Find(text))
	}
	if len(packs) > 0 {
		if r := e.docs.Find(searchQ); r.Query != "" && hasWordOrHan(r.Query) {
			query = r.Query
		}
	}
	return packs, compare, query
}

// hasWordOrHan reports whether s has a letter or a Han character left to
// search for.
func hasWordOrHan(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// searchPacks is search within packs (all when none), k passages.
func (e *Engine) searchPacks(ctx context.Context, q string, k int, packs []string) (retrieval.Results, error) {
	if len(packs) == 0 {
		return e.searchK(ctx, q, k)
	}
	ps, ok := e.r.(packSearcher)
	if !ok {
		res, err := e.searchK(ctx, q, e.c.Len())
		res.Items = slices.DeleteFunc(res.Items, func(it retrieval.Result) bool { return !slices.Contains(packs, it.Passage.Pack) })
		res.Items = res.Items[:min(k, len(res.Items))]
		return res, err
	}
	res, err := ps.SearchPacks(ctx, q, k, packs)
	if err != nil && ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		return res, fmt.Errorf("search the declaration: %w", err)
	}
	return res, nil
}

// compareInput searches each pack for q and returns the input of a
// side-by-side answer: Sides holds each pack's own results (what the
// composer answers from), Results every side's passages interleaved (what
// a model is given).
func (e *Engine) compareInput(ctx context.Context, q, text string, lang corpus.Lang, packs []string) (compose.Input, error) {
	k := max(3, e.topK/len(packs))
	in := compose.Input{Question: text, Lang: lang}
	for _, p := range packs {
		res, err := e.searchPacks(ctx, q, k, []string{p})
		if err != nil {
			return in, err
		}
		in.Sides = append(in.Sides, compose.Side{Label: e.packLabel(p, lang), Results: res})
	}
	sides := in.Sides
	// Interleave, so that a model given the first passages of each side
	// sees both; relevance is the best side's.
	for i := 0; i < k; i++ {
		for _, s := range sides {
			if i < len(s.Results.Items) {
				in.Results.Items = append(in.Results.Items, s.Results.Items[i])
			}
		}
	}
	for _, s := range sides {
		if s.Results.Relevance > in.Results.Relevance {
			in.Results.Relevance, in.Results.InScope, in.Results.Query = s.Results.Relevance, s.Results.InScope, s.Results.Query
		}
	}
	return in, nil
}

// packLabel names a pack for a reader of lang: its first document's short
// title and the date ("Qinghu Declaration (2026-06-15)").
func (e *Engine) packLabel(id string, lang corpus.Lang) string {
	p, ok := e.c.Pack(id)
	if !ok || len(p.Documents) == 0 {
		return id
	}
	name := p.Documents[0].ShortTitle(lang)
	if p.Date == "" {
		return name
	}
	if lang.IsChinese() {
		return name + "（" + p.Date + "）"
	}
	return name + " (" + p.Date + ")"
}

// newDocFinder is the document finder when several packs are loaded; nil
// with the built-in texts alone, so that nothing is ever steered.
func newDocFinder(c *corpus.Corpus) *docref.Finder {
	if len(c.Packs()) < 2 {
		return nil
	}
	return docref.New(c.Packs())
}
