// Package bot is declbot's answering engine: it cleans a question,
// retrieves passages, has the model write the answer from them (prompts)
// and checks its citations, or, with no model or when the model fails,
// has the composer (bot/compose) quote the text. It keeps what a
// conversation needs for follow-ups. The front ends are elsewhere
// (bot/telegram, cmd/declbot's ask and chat), and so are the user-facing
// texts (bot/i18n).
package bot

import "github.com/declbot/declbot/corpus"

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
}
