package retrieval

import (
	"encoding/json"

	"github.com/declbot/declbot/corpus"
)

// Result is one retrieved passage with the evidence behind its rank.
type Result struct {
	Passage corpus.Passage `json:"passage"`
	// Score is the fused reciprocal-rank score; higher is better.
	Score float64 `json:"score"`
	// VectorRank and LexicalRank are 1-based ranks in each component
	// ranking, 0 when the passage was not in that ranking's candidates.
	VectorRank   int     `json:"vector_rank"`
	VectorScore  float32 `json:"vector_score"`
	LexicalRank  int     `json:"lexical_rank"`
	LexicalScore float64 `json:"lexical_score"`
	// Fields name what the passage was found by, strongest first: "text"
	// (the Chinese, lexically), "vector", "translation" (the working
	// translation into the question's language), "questions" (the
	// question lists).
	Fields []string `json:"fields"`
	// AltRanks are the 1-based ranks in the alternative fields' rankings
	// ("translation", "questions") that ranked the passage.
	AltRanks AltRanks `json:"alt_ranks,omitzero"`
}

// AltRanks are a passage's 1-based ranks in the rankings of the
// alternative fields, 0 in a field's that did not rank it. (A value, not
// a map: a map for each of a search's results was a twentieth of the
// search.)
type AltRanks struct {
	Translation int // FieldTranslation
	Questions   int // FieldQuestions
}

// IsZero reports whether no alternative field ranked the passage.
func (a AltRanks) IsZero() bool { return a == AltRanks{} }

// Map returns the ranks by field name, the fields that did not rank the
// passage left out; nil if none did.
func (a AltRanks) Map() map[string]int {
	if a.IsZero() {
		return nil
	}
	m := make(map[string]int, 2)
	if a.Translation > 0 {
		m[FieldTranslation] = a.Translation
	}
	if a.Questions > 0 {
		m[FieldQuestions] = a.Questions
	}
	return m
}

// MarshalJSON writes the ranks as Map does: an object from field name to
// rank.
func (a AltRanks) MarshalJSON() ([]byte, error) { return json.Marshal(a.Map()) }

// Results is the answer to one query.
type Results struct {
	// Query is the text that was searched after query processing (folded,
	// stop phrases removed, English/Russian terms expanded into Chinese).
	Query string `json:"query"`
	// Items are ranked best first.
	Items []Result `json:"results"`
	// Relevance in [0,1] says how well the best passages match the query;
	// InScope is Relevance compared with the threshold calibrated on the
	// golden suite's out-of-scope questions. The answer step says "the
	// declaration does not address this" when InScope is false.
	Relevance float64 `json:"relevance"`
	InScope   bool    `json:"in_scope"`
	// Unmentioned, for a query out of scope, are the names and phrases of
	// the question that occur nowhere in the texts ("Arctic", "北极"), so
	// that the answer can say by name what the texts do not mention.
	Unmentioned []string `json:"unmentioned,omitempty"`
	// Lacking, for a query in scope, are the Chinese proper names it asks
	// about that the texts never use ("宣言是否承认塔利班政府", "上合和北约之
	// 间"): the answer quotes what the texts say and that they do not
	// name these. Not a name the asker describes themselves with ("我是香
	// 港人，…") or that only locates a place the texts name ("克什米尔那边
	// 帕哈尔加姆").
	Lacking []string `json:"lacking,omitempty"`
	// Stand-ins are the question's colloquial Chinese words the glossary
	// replaced by the texts' terms ("上合峰会" for 元首理事会), folded: what
	// they say is in Query's terms, so an answer does not look for their
	// own characters (峰会 is not the topic of "2026年上合峰会在哪里").
	StandIns []string `json:"stand_ins,omitempty"`
}
