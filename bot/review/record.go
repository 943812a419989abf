// Package review keeps, for each answer the Telegram bot gives, what was
// asked and how it was answered, and what users said about it (feedback
// votes and comments), so that an operator can review what went wrong
// (declbot review) and turn it into evaluation items.
//
// It is private by construction: no Telegram user or chat ID is stored.
// A chat is kept as a salted hash (ChatKey), the salt a random file in
// DATA_DIR, so distinct chats can be counted but not identified; a vote
// is kept under a hash of the answer and the voter, which counts each
// user's vote once per answer and links no two answers of one user.
// Records older than the retention period are pruned.
package review

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/retrieval"
)

// Modes of an answer as the review log names them.
const (
	ModeModel    = "model"    // the model wrote it
	ModeOffline  = "offline"  // composed from the text, no model configured
	ModeFallback = "fallback" // the model failed; the offline answer stood in
)

// Verdicts of a vote.
const (
	Up   = "up"
	Down = "down"
)

// Record is one answer as the review log keeps it.
type Record struct {
	// ID is the answer's ID (NewID): it starts with the time, so records
	// are kept in time order.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// Chat is the salted hash of the chat (ChatKey), never its ID.
	Chat      string       `json:"chat"`
	Question  string       `json:"question"`
	Lang      string       `json:"lang"`
	Mode      string       `json:"mode"`
	Fallback  string       `json:"fallback,omitempty"` // why the model's answer was replaced (bot.Fallback*)
	Retrieved []bot.Scored `json:"retrieved"`
	Cited     []string     `json:"cited"`
	Rejected  []string     `json:"rejected,omitempty"`
	Relevance float64      `json:"relevance"`
	Refused   bool         `json:"refused"`
	// LatencyMS is the time from the question's arrival to the answer
	// being ready; ModelMS the part of it spent waiting for the model.
	LatencyMS float64 `json:"latency_ms"`
	ModelMS   float64 `json:"model_ms,omitempty"`
	// Votes are the users' verdicts, by a hash of answer and voter.
	Votes    map[string]Vote `json:"votes,omitempty"`
	Comments []Comment       `json:"comments,omitempty"`
}

// Vote is one user's verdict on an answer.
type Vote struct {
	Verdict string    `json:"v"`
	At      time.Time `json:"t"`
}

// Comment is what a user wrote after voting an answer down.
type Comment struct {
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
	Voter string    `json:"voter"` // the vote's hash (Record.Votes): one comment per user and answer
}

// FromAnswer makes the record of an answer to question, ready in latency.
func FromAnswer(id, question string, a bot.Answer, latency time.Duration) Record {
	r := Record{ID: id, Question: question, Lang: string(a.Lang), Mode: ModeOf(a), Fallback: a.Trace.Fallback,
		Retrieved: a.Trace.Retrieved, Cited: a.CitedIDs(), Rejected: a.Rejected, Relevance: a.Trace.Relevance,
		Refused: !a.Grounded, LatencyMS: ms(latency), ModelMS: ms(a.Trace.ModelTime)}
	if r.Retrieved == nil {
		r.Retrieved = []bot.Scored{}
	}
	return r
}

// ModeOf names how an answer was made: model, offline or fallback.
func ModeOf(a bot.Answer) string {
	switch {
	case a.Trace.Fallback != "":
		return ModeFallback
	case a.Mode == bot.ModeLLM:
		return ModeModel
	}
	return ModeOffline
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Up and Down count the record's votes.
func (r Record) Up() int   { return r.count(Up) }
func (r Record) Down() int { return r.count(Down) }

func (r Record) count(v string) int {
	n := 0
	for _, x := range r.Votes {
		if x.Verdict == v {
			n++
		}
	}
	return n
}

// Kinds of records that need a look (Record.Kinds, Filter.Kinds).
const (
	KindDown         = "down"          // voted down
	KindRefused      = "refused"       // said the texts do not address the question
	KindModelFailure = "model_failure" // the model failed; the offline answer stood in
	KindRejected     = "rejected"      // the model cited paragraphs it was not given
	KindLowRelevance = "low_relevance" // answered though retrieval found the passages a poor match
)

// AllKinds lists the kinds in the order review shows them.
var AllKinds = []string{KindDown, KindRefused, KindModelFailure, KindRejected, KindLowRelevance}

// LowRelevance is the relevance below which an answer that was given
// anyway is worth a look: retrieval's own in-scope threshold.
const LowRelevance = retrieval.DefaultRelevanceThreshold

// Kinds says why the record needs a look; none if it does not.
func (r Record) Kinds() []string {
	var out []string
	if r.Down() > 0 {
		out = append(out, KindDown)
	}
	if r.Refused {
		out = append(out, KindRefused)
	}
	if r.Mode == ModeFallback {
		out = append(out, KindModelFailure)
	}
	if len(r.Rejected) > 0 {
		out = append(out, KindRejected)
	}
	if !r.Refused && r.Relevance < LowRelevance {
		out = append(out, KindLowRelevance)
	}
	return out
}

// idTimeDigits is the width of the time part of an ID: hexadecimal
// milliseconds, enough until the year 10889.
const idTimeDigits = 12

// NewID returns a new answer ID: the time in milliseconds, then 32
// random bits, 20 characters that sort in time order and fit callback
// data.
func NewID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%0*x%s", idTimeDigits, now.UnixMilli(), hex.EncodeToString(b[:]))
}

// ValidID reports whether s has the shape of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != idTimeDigits+8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// idKey is the database key of the first ID at or after t.
func idKey(t time.Time) []byte {
	return []byte(fmt.Sprintf("%0*x", idTimeDigits, max(t.UnixMilli(), 0)))
}
