package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/declbot/declbot/bot/compose"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// Offline follow-ups: compose.FollowUpOf recognises a question that
// depends on the conversation; the engine resolves it from the turn before
// with one or two searches (an ordinal names the N-th passage that turn
// cited) and hands the result to the composer.

// turnCitations returns the passages a turn's answer cited, in order of
// first citation: the IDs kept with the turn, or for a turn recorded
// before they were kept, the IDs its citation markers name (ranges
// expanded). IDs that name no passage are skipped.
func turnCitations(c *corpus.Corpus, t Turn) []corpus.Passage {
	ids := t.Cited
	if len(ids) == 0 {
		for _, m := range corpus.FindMarkers(t.Answer) {
			for _, ref := range m.Refs {
				ids = append(ids, ref.IDs()...)
			}
		}
	}
	var out []corpus.Passage
	seen := map[string]bool{}
	for _, id := range ids {
		if p, ok := c.Get(id); ok && !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out
}

// followUpInput resolves a follow-up without a model: an ordinal reference
// to the passage the previous answer cited in that place, anything else
// to a search for the conversation's topic together with what the
// follow-up adds, passages that match the latter first. prev is the
// turn before (its citations number the list an ordinal counts in).
func (e *Engine) followUpInput(ctx context.Context, text string, lang corpus.Lang, fu compose.FollowUp, history []Turn, prev Turn, packs []string) (compose.Input, error) {
	in := compose.Input{Question: text, Lang: lang, FollowUp: true, Own: fu.Own, Frame: history[len(history)-1].Question}
	questions := make([]string, len(history))
	for i, t := range history {
		questions[i] = t.Question
	}
	topic := compose.ConversationTopic(questions)
	combined, err := e.searchPacks(ctx, strings.TrimSpace(topic+" "+fu.Own), e.topK, packs)
	if err != nil && !errors.Is(err, retrieval.ErrEmptyQuery) {
		return in, err
	}
	cited := turnCitations(e.c, prev)
	if p, ok := compose.OrdinalPassage(cited, fu.Ordinal); ok {
		in.Results = retrieval.Results{Query: combined.Query, Items: []retrieval.Result{{Passage: p}}, Relevance: 1, InScope: true}
		if fu.Own != "" {
			in.OwnQuery = e.searchForQuery(ctx, fu.Own)
		}
		return in, nil
	}
	if fu.Own != "" {
		own, err := e.searchPacks(ctx, fu.Own, e.topK, packs)
		switch {
		case err == nil:
			in.OwnQuery = own.Query
			if !combined.InScope && own.InScope {
				// The topic drowned out a question that stands on its own.
				combined = own
			}
		case !errors.Is(err, retrieval.ErrEmptyQuery):
			return in, err
		}
	}
	in.Results = combined
	in.Results.Items = e.compose.PreferOwn(combined.Items, in.OwnQuery, combined.Query, cited, fu.More)
	return in, nil
}

// searchForQuery runs a search for q only to learn the query retrieval
// makes of it ("" when none).
func (e *Engine) searchForQuery(ctx context.Context, q string) string {
	res, err := e.r.Search(ctx, q, 1)
	if err != nil {
		return ""
	}
	return res.Query
}
