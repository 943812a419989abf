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

// grams are a text's character bigrams (its character, for a
// one-character text) with their counts, and how many there are.
type grams struct {
	m map[[2]rune]int
	n int
}

func gramsOf(rs []rune) grams {
	g := grams{m: map[[2]rune]int{}}
	if len(rs) == 1 {
		g.m[[2]rune{rs[0]}]++
		g.n = 1
	}
	for i := 1; i < len(rs); i++ {
		g.m[[2]rune{rs[i-1], rs[i]}]++
		g.n++
	}
	return g
}

// similarity is the Dice coefficient of two texts' character bigrams
// (of their characters, for one-character texts): 1 for the same text.
func similarity(a, b []rune) float64 {
	return gramsOf(a).dice(gramsOf(b))
}

// dice is the Dice coefficient of g and h.
func (g grams) dice(h grams) float64 {
	if g.n+h.n == 0 {
		return 0
	}
	both := 0
	for k, n := range g.m {
		both += min(n, h.m[k])
	}
	return 2 * float64(both) / float64(g.n+h.n)
}

// suiteFiles are the evaluation suites the question lists must not copy:
// every suite in this directory.
var suiteFiles = []string{"golden.jsonl", "heldout.jsonl", "blind.jsonl", "blind2.jsonl", "blind3.jsonl", "blind4.jsonl", "blind5.jsonl", "blind6.jsonl", "blind7.jsonl", "blind8.jsonl", "blind9.jsonl", "blind10.jsonl", "blind11.jsonl", "blind12.jsonl", "blind13.jsonl", "blind14.jsonl", "blind15.jsonl", "blind16.jsonl", "blind17.jsonl", "blind18.jsonl", "blind19.jsonl", "blind20.jsonl", "blind21.jsonl", "blind22.jsonl", "blind23.jsonl", "blind24.jsonl", "blind25.jsonl", "blind26.jsonl", "blind27.jsonl", "blind28.jsonl", "blind29.jsonl", "blind30.jsonl", "blind31.jsonl", "blind32.jsonl", "blind33.jsonl", "blind34.jsonl", "blind35.jsonl", "blind36.jsonl", "blind37.jsonl", "blind38.jsonl", "blind39.jsonl", "blind40.jsonl", "blind41.jsonl", "blind42.jsonl", "blind43.jsonl", "blind44.jsonl", "blind45.jsonl", "blind46.jsonl", "blind47.jsonl", "blind48.jsonl", "blind49.jsonl", "blind50.jsonl", "blind51.jsonl", "blind52.jsonl", "blind53.jsonl", "blind54.jsonl", "blind55.jsonl", "blind56.jsonl", "blind57.jsonl", "blind58.jsonl", "blind59.jsonl", "blind60.jsonl", "blind61.jsonl", "blind62.jsonl", "blind63.jsonl", "blind64.jsonl", "blind65.jsonl", "blind66.jsonl", "blind67.jsonl", "blind68.jsonl", "blind69.jsonl", "blind70.jsonl", "blind71.jsonl", "blind72.jsonl", "blind73.jsonl", "blind74.jsonl", "blind75.jsonl", "blind76.jsonl", "blind77.jsonl", "blind78.jsonl", "blind79.jsonl", "blind80.jsonl", "blind81.jsonl", "blind82.jsonl", "blind83.jsonl", "blind84.jsonl", "blind85.jsonl", "blind86.jsonl", "blind87.jsonl", "blind88.jsonl", "blind89.jsonl"}

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
	// Each suite question's bigrams, indexed by bigram: a list question
	// is compared, by the bigrams it shares, with the suite questions
	// that share any, not with all of them (an all-pairs comparison took
	// 90 s under the race detector).
	type posting struct{ q, n int }
	index := map[[2]rune][]posting{}
	var sizes []int
	var names []string
	for _, f := range suiteFiles {
		s, err := LoadFile(f, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range s.Items {
			g := gramsOf(normalized(it.Question))
			for k, n := range g.m {
				index[k] = append(index[k], posting{len(sizes), n})
			}
			sizes = append(sizes, g.n)
			names = append(names, f+" "+it.ID)
		}
	}
	shared := make([]int, len(sizes))
	var touched []int
	for _, l := range []corpus.Lang{corpus.LangHans, corpus.LangEn, corpus.LangRu} {
		for _, q := range c.Questions(l) {
			g := gramsOf(normalized(q.Text))
			touched = touched[:0]
			for k, n := range g.m {
				for _, p := range index[k] {
					if shared[p.q] == 0 {
						touched = append(touched, p.q)
					}
					shared[p.q] += min(n, p.n)
				}
			}
			for _, i := range touched {
				if sim := 2 * float64(shared[i]) / float64(g.n+sizes[i]); sim > 0.8 {
					t.Errorf("%s question of %s %q is a near copy (%.2f) of %s", l, q.ID, q.Text, sim, names[i])
				}
				shared[i] = 0
			}
		}
	}
}
