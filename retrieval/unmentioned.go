package retrieval

import (
	"strings"
	"sync"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval/query"
)

// unmentioned returns what a question names that the texts never do: its
// capitalised English or Russian words that neither the glossary nor the
// working translations know ("Arctic", "Бразилия"), and the Chinese
// proper names of zhnames.txt (names the texts lack: 北约, 世界杯) in its
// pieces. It runs only for a question already judged out of scope:
// "not in the text" then names what is missing instead of speaking of
// "this question". At most three, in the question's order.
func (x *Index) unmentioned(pq query.Query) []string {
	var out []string
	add := func(s string) {
		if len(out) < 3 && s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	for i, u := range pq.Unmatched {
		if containsString(pq.Names, u) && !x.knowsWord(pq, i) {
			add(originalWord(pq.Original, u))
		}
	}
	folded := x.foldedText()
	for _, piece := range pq.Pieces {
		if containsString(pq.Mapped, piece) || !corpus.HasHan(piece) {
			continue
		}
		rs := []rune(piece)
		x.zhNames.each(piece, func(pos, runes int) {
			if name := string(rs[pos : pos+runes]); !strings.Contains(folded, name) {
				add(name)
			}
		})
	}
	return out
}

// foldedText is every passage's simplified text, folded, one a line:
// what a Chinese piece is looked up in. Built on first use.
func (x *Index) foldedText() string {
	x.foldOnce.Do(func() {
		var b strings.Builder
		for _, p := range x.passages {
			b.WriteString(corpus.Fold(p.TextHans))
			b.WriteByte('\n')
		}
		x.folded = b.String()
	})
	return x.folded
}

// originalWord finds word (folded, lower case) in the question as it was
// written, to quote it with its capital: "arctic" -> "Arctic".
func originalWord(q, word string) string {
	for _, f := range strings.FieldsFunc(q, func(r rune) bool { return !isWordRune(r) }) {
		if strings.EqualFold(f, word) {
			return f
		}
	}
	return word
}

func isWordRune(r rune) bool {
	return r == '-' || r == '\'' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0 && r < 0x2E80
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// foldState is the lazily built folded corpus text of an Index.
type foldState struct {
	foldOnce sync.Once
	folded   string
}
