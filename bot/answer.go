// Package bot is declbot's answering engine: it cleans a question,
// retrieves passages, has the model write the answer from them (prompts)
// and checks its citations, or, with no model or when the model fails,
// has the composer (bot/compose) quote the text. It keeps what a
// conversation needs for follow-ups. The front ends are elsewhere
// (bot/telegram, cmd/declbot's ask and chat), and so are the user-facing
// texts (bot/i18n).
package bot

import (
	"time"

	"github.com/declbot/declbot/corpus"
)

// Mode says who wrote an answer.
type Mode string

const (
	// ModeExtractive answers are composed from the corpus's sentences, with
	// no model: the default when nothing is configured, and the fallback
	// when the model fails.
	ModeExtractive Mode = "extractive"
	// ModeLLM answers were written by an OpenAI-compatible model.
	ModeLLM Mode = "llm"
)

// Turn is one earlier exchange in a conversation, used to understand
// follow-up questions.
type Turn struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
	// Cited are the IDs the answer cited, in order of first citation
	// (Answer.Citations). An ordinal follow-up ("the second one") counts
	// in them. Empty for turns recorded before they were kept: the
	// answer's markers are read instead.
	Cited []string `json:"cited,omitempty"`
}

// CitedIDs are the IDs of a.Citations, in order: what a conversation
// keeps of an answer's citations (Turn.Cited).
func (a Answer) CitedIDs() []string {
	ids := make([]string, len(a.Citations))
	for i, p := range a.Citations {
		ids[i] = p.ID
	}
	return ids
}

// Question is what a user asked, with the conversation so far (oldest
// first).
type Question struct {
	Text    string
	History []Turn
	// Packs limits the question to these document packs (pack IDs such as
	// "astana2024"): a Telegram chat's /doc pin, a suite item's docs.
	// Empty means every loaded pack, the question steering itself to the
	// documents it names (a year, a place, a title).
	Packs []string
}

// Answer is what the user is shown.
type Answer struct {
	// Text is the answer with citation markers such as [2.36]; every marker
	// in it names a passage in Citations.
	Text string
	// Citations are the passages the text cites, in order of first
	// citation.
	Citations []corpus.Passage
	// Grounded is false when the declaration does not address the question
	// (the answer then says so and cites nothing as support).
	Grounded bool
	Mode     Mode
	// Rejected lists citation IDs the model produced that were removed: not
	// in the corpus, or not among the passages it was given.
	Rejected []string
	// Notice is a one-line remark for the user, in their language, such as
	// "The model did not answer in time; this answer quotes the text
	// directly." Empty when there is nothing to say.
	Notice string
	// Lang is the language the answer is written in.
	Lang corpus.Lang
	// Related names passages close to an out-of-scope question's topic,
	// offered as "the declaration does cover…"; they are not cited as
	// support.
	Related []corpus.Passage
	// Trace says how the answer was made, for review and metrics; it is
	// never shown to the user.
	Trace Trace
}

// Trace is how an answer was made: what retrieval found, whether the
// model wrote it or the offline answer stood in, and the time the model
// took.
type Trace struct {
	// Retrieved are the passages retrieval ranked for the question (those
	// given to the model), best first, with their fused scores.
	Retrieved []Scored
	// Relevance is retrieval's score in [0,1] for how well the passages
	// match the question (retrieval.Results.Relevance).
	Relevance float64
	// Fallback is why a model's answer was replaced by the offline one
	// (FallbackTimeout, FallbackFailed, FallbackEmpty,
	// FallbackNoCitations), or "".
	Fallback string
	// ModelTime is the time spent waiting for the model (query rewrite
	// and answer, retries included); 0 offline.
	ModelTime time.Duration
}

// Scored is a retrieved passage's ID and score.
type Scored struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// Reasons for a fallback (Trace.Fallback), as metrics and the review log
// name them.
const (
	FallbackTimeout     = "timeout"
	FallbackFailed      = "failed"
	FallbackEmpty       = "empty"
	FallbackNoCitations = "no_citations"
)
