package bot

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// DefaultMaxAnswerRunes caps the model's answer shown to a user: two or
// three Telegram messages (4,096 UTF-16 units each), far more than a good
// answer needs. A model that runs away (red team: a 10 MB answer became
// some 2,560 messages to one chat) is cut there, at a sentence end, with a
// notice; streaming stops reading the rest.
const DefaultMaxAnswerRunes = 6000

// errAnswerCapped is the cause given to the stream's context when the
// answer reaches the cap: the rest is not read.
var errAnswerCapped = errors.New("the answer reached its length cap")

// WithMaxAnswer sets the longest model answer shown, in runes (default
// DefaultMaxAnswerRunes).
func WithMaxAnswer(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.maxAnswer = n
		}
	}
}

// answerCap collects a streamed answer up to max runes and one more, so
// that cutAnswer sees that it ran over.
type answerCap struct {
	max   int
	runes int
	b     strings.Builder
	// over: the answer had more than max runes; the rest was dropped.
	over bool
}

// add appends what of delta fits and reports whether the cap is passed.
func (c *answerCap) add(delta string) bool {
	if c.over {
		return true
	}
	n := utf8.RuneCountInString(delta)
	if c.runes+n <= c.max {
		c.b.WriteString(delta)
		c.runes += n
		return false
	}
	c.b.WriteString(prefixRunes(delta, c.max+1-c.runes))
	c.runes, c.over = c.max+1, true
	return true
}

// prefixRunes returns the first n runes of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// cutAnswer returns s if it has at most max runes; otherwise its first
// max runes ended at the last sentence end in their second half (else at
// a space, with "…"), without a citation marker left half written. It is
// linear in len(s).
func cutAnswer(s string, max int) (string, bool) {
	p := prefixRunes(s, max)
	if len(p) == len(s) {
		return s, false
	}
	if i := corpus.OpenMarkerStart(p); i >= 0 {
		p = p[:i]
	}
	end := -1
	for i, r := range p {
		if i < len(p)/2 {
			continue
		}
		next := i + utf8.RuneLen(r)
		switch r {
		case '。', '！', '？', '!', '?', '\n':
			end = next
		case '.':
			// Not the dot of "2.36" or "e.g.x": a sentence's dot is
			// followed by a space or the end.
			if next == len(p) || p[next] == ' ' || p[next] == '\n' {
				end = next
			}
		}
	}
	if end > 0 {
		return strings.TrimSpace(p[:end]), true
	}
	if i := strings.LastIndexAny(p, " \n"); i > len(p)/2 {
		p = p[:i]
	}
	return strings.TrimSpace(p) + "…", true
}
