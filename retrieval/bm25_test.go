package retrieval

import (
	"math"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func buildBM25(texts ...string) *bm25 {
	bb := newBM25Builder(defaultK1, defaultB)
	for _, s := range texts {
		bb.add(lexicalTerms(s))
	}
	return bb.build()
}

func queryTerms(s string, biWeight float64) []weightedTerm {
	var q []weightedTerm
	seen := map[uint64]bool{}
	for _, t := range lexicalTerms(s) {
		if seen[t.h] {
			continue
		}
		seen[t.h] = true
		w := 1.0
		if t.bi {
			w = biWeight
		}
		q = append(q, weightedTerm{h: t.h, w: w, bi: t.bi})
	}
	return q
}

// The expected scores below are worked out by hand from the formula in the
// bm25 doc comment, with k1 = 1.2 and b = 0.75.
func TestBM25HandComputed(t *testing.T) {
	// d0 "合作":      terms 合 作 合作          |d| = 3
	// d1 "合作，发展": terms 合 作 合作 发 展 发展 |d| = 6 (no bigram 作发 across the comma)
	// d2 "发展":      terms 发 展 发展          |d| = 3
	// N = 3, avgdl = 12/3 = 4.
	x := buildBM25("合作", "合作，发展", "发展")
	if x.n != 3 || x.avgdl != 4 {
		t.Fatalf("n=%d avgdl=%v, want 3 and 4", x.n, x.avgdl)
	}
	// idf(合) = idf(作) = idf(合作) = ln(1 + (3-2+0.5)/(2+0.5)) = ln 1.6 = 0.4700036
	// d0: norm = 1.2·(0.25 + 0.75·3/4) = 0.975;  per term 0.4700036·2.2/1.975 = 0.5235483
	// d1: norm = 1.2·(0.25 + 0.75·6/4) = 1.65;   per term 0.4700036·2.2/2.65  = 0.3901917
	tests := []struct {
		name  string
		query string
		bi    float64
		want  [3]float64
	}{
		{"three shared terms", "合作", 1, [3]float64{3 * 0.5235483, 3 * 0.3901917, 0}},
		{"bigram weighted double", "合作", 2, [3]float64{4 * 0.5235483, 4 * 0.3901917, 0}},
		// 作发 spans the comma in d1, so only the unigrams 作 and 发 match there.
		{"no bigram across punctuation", "作发", 1, [3]float64{0.5235483, 2 * 0.3901917, 0.5235483}},
		{"traditional query folds", "發展", 1, [3]float64{0, 3 * 0.3901917, 3 * 0.5235483}},
		{"unknown terms score nothing", "安全", 1, [3]float64{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := queryTerms(tt.query, tt.bi)
			acc := make([]float64, x.n)
			x.accumulate(q, acc)
			for d, want := range tt.want {
				if math.Abs(acc[d]-want) > 1e-6 {
					t.Errorf("accumulate doc %d = %.7f, want %.7f", d, acc[d], want)
				}
				if got := x.score(q, int32(d)); math.Abs(got-want) > 1e-6 {
					t.Errorf("score doc %d = %.7f, want %.7f", d, got, want)
				}
			}
		})
	}
}

func TestBM25TermFrequencySaturates(t *testing.T) {
	// d0 "和平和平": 和×2 平×2 和平×2 平和×1, |d| = 7; d1 "安全": |d| = 3.
	// N = 2, avgdl = 5; idf of a term in one passage = ln(1 + 1.5/1.5) = ln 2.
	// d0: norm = 1.2·(0.25 + 0.75·7/5) = 1.56; per term (tf 2) ln2·4.4/3.56 = 0.8566988
	x := buildBM25("和平和平", "安全")
	q := queryTerms("和平", 1)
	x.resolve(q)
	if got, want := x.score(q, 0), 3*0.8566988; math.Abs(got-want) > 1e-6 {
		t.Errorf("score = %.7f, want %.7f", got, want)
	}
	acc := make([]float64, 2)
	x.accumulateResolved(q, acc)
	if acc[0] != x.score(q, 0) || acc[1] != 0 {
		t.Errorf("accumulated %v, want the score of d0 and 0", acc)
	}
	lookup := func(h uint64, doc int32) (bool, float64) {
		q := []weightedTerm{{h: h, w: 1}}
		x.resolve(q)
		return x.lookup(q[0], doc)
	}
	if in, idf := lookup(bigram(mix('和'), mix('平')), 0); !in || math.Abs(idf-math.Ln2) > 1e-12 {
		t.Errorf("lookup 和平 in d0 = %v, idf %v; want true, ln 2", in, idf)
	}
	if in, idf := lookup(mix('战'), 0); in || idf != x.maxIDF() {
		t.Errorf("lookup of a missing term = %v, %v; want false, maxIDF", in, idf)
	}
}

func TestUnits(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"SCO 2025年", "ＳＣＯ　２０２５年", true}, // case and width fold
		{"發展", "发展", true},
		{"和平", "平和", false},
		{"合作，发展", "合作发展", false}, // the comma breaks the bigram
	}
	for _, tt := range tests {
		a, b := lexicalTerms(tt.a), lexicalTerms(tt.b)
		same := len(a) == len(b)
		for i := 0; same && i < len(a); i++ {
			same = a[i] == b[i]
		}
		if same != tt.same {
			t.Errorf("terms(%q) == terms(%q) is %v, want %v", tt.a, tt.b, same, tt.same)
		}
	}
	// "2025年" is two units: the digit run and 年.
	if u := appendUnits(nil, "2025年"); len(u) != 2 || u[1].brk {
		t.Errorf("units of 2025年 = %+v, want 2 joined units", u)
	}
}

func TestTopScores(t *testing.T) {
	acc := []float64{0.5, 0, 2, 0.5, 1, -1, 3}
	got := topScores(nil, acc, 4, nil)
	want := []docScore{{6, 3}, {2, 2}, {4, 1}, {0, 0.5}} // tie 0 vs 3: earlier wins
	if len(got) != len(want) {
		t.Fatalf("topScores = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("topScores = %v, want %v", got, want)
		}
	}
	if got := topScores(nil, acc, 100, nil); len(got) != 5 {
		t.Errorf("topScores(k=100) returned %d, want the 5 positive scores", len(got))
	}
}

// TestBM25ContribExact checks that the contributions computed at build
// are, bit for bit, what accumulate computes term by term, on the real
// corpus's lexical index and a question-list field.
func TestBM25ContribExact(t *testing.T) {
	x := corpusIndex(t)
	for _, idx := range []*bm25{x.lex, x.altFor(corpus.LangHans)[0].lex} {
		if idx.contrib == nil {
			t.Fatal("no contributions kept for a small index")
		}
		slow := *idx
		slow.contrib = nil
		for id := range int32(idx.terms.len()) {
			a, b := make([]float64, idx.n), make([]float64, idx.n)
			idx.accumulateTerm(id, 1, a)
			slow.accumulateTerm(id, 1, b)
			for d := range a {
				if math.Float64bits(a[d]) != math.Float64bits(b[d]) {
					t.Fatalf("term %d, passage %d: %v from contributions, %v computed", id, d, a[d], b[d])
				}
			}
		}
	}
}
