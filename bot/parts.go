package bot

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/declbot/declbot/bot/compose"
	"github.com/declbot/declbot/retrieval"
)

// A question of several parts ("成员国签了哪两个协定？另外通过了什么纲要？",
// "where was the summit held, and which country hosts the next one?") is
// searched as a whole, where the words of one part can crowd out the
// paragraph that answers another. Each part is then searched on its own,
// and its best paragraph, when the part is in scope and the whole
// question found it too, moves up just below the whole question's best:
// the answer quotes it, and a model is given it early.
const (
	// maxParts bounds the searches one question costs.
	maxParts = 3
	// partMargin: a part is taken to have a topic of its own only when its
	// best paragraph clearly leads its second (the second's score is at
	// most this share of the best's). A part that only asks for a stance
	// or a date ("宣言怎么说？", "and in what year?") matches many
	// paragraphs about as well (0.85-0.93); one with a topic ("另外通过了
	// 什么纲要？") does not (0.54-0.64, 0.79). A Chinese part that names
	// nothing but the texts and a stance is not searched at all
	// (compose.HasOwnTopic). On the twenty-three suites (means), parts
	// raised Chinese key facts 0.919 -> 0.921 and moved citation
	// precision 0.850 -> 0.848 (without the margin 0.920 and 0.838);
	// taking only paragraphs the whole question found gave 0.851.
	partMargin = 0.8
	// partScore is the share of the whole question's best score a part's
	// best paragraph is given: below the lead, above the composer's bar
	// for quoting another paragraph (compose.scoreRatio).
	partScore = 0.9
)

// withParts returns res with the best paragraph of each part of question
// (compose.QuestionParts; for one question, each topic it asks of,
// compose.TopicParts) that is in scope moved up among its items, and the
// IDs of those paragraphs, one for each part searched ("" for a part with
// none; compose.Input.PartBest).
func (e *Engine) withParts(ctx context.Context, res retrieval.Results, question string, packs []string) (retrieval.Results, []string, error) {
	parts := compose.QuestionParts(question)
	topics := false
	if len(parts) < 2 {
		parts, topics = compose.TopicParts(question), true
	}
	if len(parts) < 2 || len(res.Items) == 0 {
		return res, nil, nil
	}
	var ids []string
	items := slices.Clone(res.Items)
	floor := partScore * items[0].Score
	changed := false
	for _, p := range parts[:min(len(parts), maxParts)] {
		// ids is aligned with parts: "" for a part with no paragraph.
		ids = append(ids, "")
		// A topic part has no ask of its own and names its topic.
		if !topics && !compose.HasOwnTopic(p) {
			continue
		}
		pr, err := e.searchPacks(ctx, p, 2, packs)
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			continue
		}
		if err != nil {
			return res, nil, err
		}
		if !pr.InScope || len(pr.Items) == 0 || len(pr.Items) > 1 && pr.Items[1].Score > partMargin*pr.Items[0].Score {
			continue
		}
		best := pr.Items[0]
		ids[len(ids)-1] = best.Passage.ID
		i := slices.IndexFunc(items, func(it retrieval.Result) bool { return it.Passage.ID == best.Passage.ID })
		switch {
		case i == 0:
		case i > 0:
			if items[i].Score < floor {
				items[i].Score, changed = floor, true
			}
		default:
			// A paragraph the whole question did not find at all is a
			// part's stray match ("which country puts in the most?"
			// alone finds a paragraph naming India), and it would answer
			// the part's type for it.
			ids[len(ids)-1] = ""
		}
	}
	if changed {
		slices.SortStableFunc(items, func(a, b retrieval.Result) int { return cmp.Compare(b.Score, a.Score) })
		res.Items = items
	}
	return res, ids, nil
}
