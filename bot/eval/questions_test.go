package eval

import (
	"strings"
	"testing"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

// normalized is a question compared for copying: folded, lower case,
// letters and digits only.
func normalized(s string) []rune {
	var out []rune
	for _, r := range strings.ToLower(corpus.Fold(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		}
	}
	return out
}

// similarity is the Dice coefficient of two texts' character bigrams
// (of their characters, for one-character texts): 1 for the same text.
func similarity(a, b []rune) float64 {
	grams := func(rs []rune) map[string]int {
		m := map[string]int{}
		if len(rs) == 1 {
			m[string(rs)]++
		}
		for i := 1; i < len(rs); i++ {
			m[string(rs[i-1:i+1])]++
		}
		return m
	}
	ga, gb := grams(a), grams(b)
	na, nb, both := 0, 0, 0
	for g, n := range ga {
		na += n
		both += min(n, gb[g])
	}
	for _, n := range gb {
		nb += n
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(both) / float64(na+nb)
}

// The question lists were written from the passages, never from the
// evaluation suites: none of their questions is a near copy of a suite
// question (normalised similarity above 0.8), or the suites would measure
// the lists rather than retrieval.
func TestQuestionListsAreNotSuiteCopies(t *testing.T) {
	if similarity(normalized("What is the SCO's position on Gaza?"), normalized("what is the sco position on gaza")) < 0.8 {
		t.Fatal("similarity does not see a copy")
	}
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	var suiteQs [][]rune
	var names []string
	for _, f := range []string{"golden.jsonl", "heldout.jsonl", "blind.jsonl"} {
		s, err := LoadFile(f, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range s.Items {
			suiteQs = append(suiteQs, normalized(it.Question))
			names = append(names, f+" "+it.ID)
		}
	}
	for _, l := range []corpus.Lang{corpus.LangHans, corpus.LangEn, corpus.LangRu} {
		for _, q := range c.Questions(l) {
			nq := normalized(q.Text)
			for i, sq := range suiteQs {
				if sim := similarity(nq, sq); sim > 0.8 {
					t.Errorf("%s question of %s %q is a near copy (%.2f) of %s", l, q.ID, q.Text, sim, names[i])
				}
			}
		}
	}
}
