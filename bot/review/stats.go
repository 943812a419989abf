package review

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Summary counts the answers of a period, for /stats.
type Summary struct {
	Questions int
	// Model, Offline and Fallback count answers by how they were made
	// (ModeOf); Fallbacks counts the fallbacks by reason (bot.Fallback*).
	Model, Offline, Fallback int
	Fallbacks                map[string]int
	Refusals                 int
	Up, Down                 int
	// Chats counts distinct chats: their salted hashes, never their IDs.
	Chats int
}

// Summarize counts recs: votes are those on the answers in recs, each
// user's latest verdict once.
func Summarize(recs []Record) Summary {
	s := Summary{Fallbacks: map[string]int{}}
	chats := map[string]bool{}
	for _, r := range recs {
		s.Questions++
		switch r.Mode {
		case ModeModel:
			s.Model++
		case ModeFallback:
			s.Fallback++
			s.Fallbacks[cmp.Or(r.Fallback, "unknown")]++
		default:
			s.Offline++
		}
		if r.Refused {
			s.Refusals++
		}
		s.Up += r.Up()
		s.Down += r.Down()
		chats[r.Chat] = true
	}
	s.Chats = len(chats)
	return s
}

// Refused is one question the bot said the texts do not address, with
// how often it was asked in that form (Normalize).
type Refused struct {
	Question string // as last asked, cut to the length TopRefused was given
	Count    int
}

// TopRefused returns the n refused questions asked most often among recs
// (newest first, as List returns them), counting questions that differ
// only in case, script, width, spacing or final punctuation as one; ties
// go to the most recently asked. Each question is cut to maxRunes.
func TopRefused(recs []Record, n, maxRunes int) []Refused {
	type entry struct {
		Refused
		newest int // index in recs of the latest asking (recs are newest first)
	}
	by := map[string]*entry{}
	for i, r := range recs {
		if !r.Refused {
			continue
		}
		k := Normalize(r.Question)
		if k == "" {
			continue
		}
		e := by[k]
		if e == nil {
			e = &entry{Refused: Refused{Question: cut(oneLine(r.Question), maxRunes)}, newest: i}
			by[k] = e
		}
		e.Count++
	}
	list := make([]*entry, 0, len(by))
	for _, e := range by {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b *entry) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.newest, b.newest)
	})
	out := make([]Refused, 0, min(n, len(list)))
	for _, e := range list[:min(n, len(list))] {
		out = append(out, e.Refused)
	}
	return out
}

// Normalize is the form questions are grouped by: folded (traditional to
// simplified, full-width to half-width, quotes unified), lower case,
// spaces collapsed, without trailing punctuation.
func Normalize(q string) string {
	q = strings.ToLower(corpus.Fold(oneLine(q)))
	q = strings.Join(strings.Fields(q), " ")
	return strings.TrimRightFunc(q, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// cut shortens s to n runes, marking the cut with "…".
func cut(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
