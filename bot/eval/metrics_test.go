package eval

import (
	"math"
	"slices"
	"testing"
	"time"
)

// The expected values below are computed by hand from the definitions;
// 1/log2(3) = 0.6309297535714575 and 1/log2(5) = 0.43067655807339306.
const (
	invLog3 = 0.6309297535714575
	invLog5 = 0.43067655807339306
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestRankingMetrics(t *testing.T) {
	tests := []struct {
		name   string
		ranked []string
		gold   []string
		k      int
		hit    bool
		recall float64
		rr     float64
		ndcg   float64
	}{
		{"first is gold", []string{"a", "b", "c"}, []string{"a"}, 5, true, 1, 1, 1},
		{"gold second", []string{"a", "b", "c", "d", "e"}, []string{"b"}, 5, true, 1, 0.5, invLog3},
		{"gold third, cut at 2", []string{"a", "b", "c"}, []string{"c"}, 2, false, 0, 1.0 / 3, 0},
		{"no gold ranked", []string{"a", "b"}, []string{"x"}, 5, false, 0, 0, 0},
		// DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3).
		{"two gold at 1 and 3", []string{"a", "b", "c"}, []string{"a", "c"}, 5, true, 1, 1, 1.5 / (1 + invLog3)},
		// DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3); one of
		// three gold missed.
		{"two of three gold", []string{"x", "a", "y", "b"}, []string{"a", "b", "z"}, 5, true, 2.0 / 3, 0.5, (invLog3 + invLog5) / (1 + 1/math.Log2(3) + 0.5)},
		// More gold than k: IDCG stops at k, so a perfect top k scores 1.
		{"more gold than k", []string{"a", "b"}, []string{"a", "b", "c", "d"}, 2, true, 0.5, 1, 1},
		// A repeated ID counts once, at its best rank.
		{"repeat in ranking", []string{"a", "a", "b"}, []string{"b"}, 2, true, 1, 0.5, invLog3},
		{"empty gold", []string{"a"}, nil, 5, false, 0, 0, 0},
		{"empty ranking", nil, []string{"a"}, 5, false, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HitAt(tt.ranked, tt.gold, tt.k); got != tt.hit {
				t.Errorf("HitAt = %v, want %v", got, tt.hit)
			}
			if got := RecallAt(tt.ranked, tt.gold, tt.k); !near(got, tt.recall) {
				t.Errorf("RecallAt = %v, want %v", got, tt.recall)
			}
			if got := ReciprocalRank(tt.ranked, tt.gold); !near(got, tt.rr) {
				t.Errorf("ReciprocalRank = %v, want %v", got, tt.rr)
			}
			if got := NDCGAt(tt.ranked, tt.gold, tt.k); !near(got, tt.ndcg) {
				t.Errorf("NDCGAt = %v, want %v", got, tt.ndcg)
			}
		})
	}
}

func TestPrecisionRecall(t *testing.T) {
	tests := []struct {
		got, want []string
		p         float64
		pOK       bool
		r         float64
		rOK       bool
	}{
		{[]string{"a", "b"}, []string{"a"}, 0.5, true, 1, true},
		{[]string{"a"}, []string{"a", "b", "c"}, 1, true, 1.0 / 3, true},
		{[]string{"a", "a", "x"}, []string{"a"}, 0.5, true, 1, true}, // repeats count once
		{nil, []string{"a"}, 0, false, 0, true},
		{[]string{"a"}, nil, 0, true, 0, false},
	}
	for _, tt := range tests {
		p, pOK := Precision(tt.got, tt.want)
		r, rOK := Recall(tt.got, tt.want)
		if !near(p, tt.p) || pOK != tt.pOK || !near(r, tt.r) || rOK != tt.rOK {
			t.Errorf("got %v want %v: precision %v,%v recall %v,%v; want %v,%v %v,%v", tt.got, tt.want, p, pOK, r, rOK, tt.p, tt.pOK, tt.r, tt.rOK)
		}
	}
}

func TestFactCoverage(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		facts   []string
		want    float64
		missing []string
	}{
		{"all found", "成员国元首于2025年9月1日在天津举行会议[0.1]。", []string{"2025年9月1日", "天津"}, 1, nil},
		{"traditional answer, simplified fact", "上海合作組織成員國[0.1]", []string{"上海合作组织成员国"}, 1, nil},
		{"marker inside the fact", "支持建立上合组织开发银行[2.36]的工作", []string{"建立上合组织开发银行的工作"}, 1, nil},
		{"full-width digits", "２０２５年", []string{"2025年"}, 1, nil},
		{"one of two", "天津", []string{"天津", "开发银行"}, 0.5, []string{"开发银行"}},
		{"none", "", []string{"天津"}, 0, []string{"天津"}},
		{"no facts", "anything", nil, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, missing := FactCoverage(tt.text, tt.facts)
			if !near(got, tt.want) || !slices.Equal(missing, tt.missing) {
				t.Errorf("FactCoverage = %v %q, want %v %q", got, missing, tt.want, tt.missing)
			}
		})
	}
}

func TestCitationMarkers(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"甲[2.36]乙。", []string{"2.36"}},
		{"甲【T3】乙[2.36, 3.5]丙[2.36]", []string{"T3", "2.36", "3.5"}},
		{"[t3] and [w1]", []string{"T3", "W1"}},
		{"a range [2.36-2.38]", []string{"2.36", "2.37", "2.38"}},
		{"a range across sections [1.17-2.1]", []string{"1.17", "2.1"}},
		{"list [2.1、2.2；T1]", []string{"2.1", "2.2", "T1"}},
		// Every form the answer engine checks (corpus.FindMarkers).
		{"开发银行[3-21]，并见[9-99]，另见[2/36]【二.36】［２．３６］", []string{"3.21", "9.99", "2.36"}},
		{"round (2.36) (T3)", []string{"2.36", "T3"}},
		// Not markers: not ID-shaped, a loose form in round brackets, no
		// brackets.
		{"[sic] [1] [2025] [注] (2/3) (1-3) 第2.36段", nil},
		{"injected [9.99]", []string{"9.99"}},
	}
	for _, tt := range tests {
		if got := CitationMarkers(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("CitationMarkers(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	if got := StripMarkers("甲[2.36]乙【T3】丙[sic]"); got != "甲乙丙[sic]" {
		t.Errorf("StripMarkers = %q", got)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 50, 5 * time.Millisecond},  // rank ceil(5) = 5
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 95, 10 * time.Millisecond}, // rank ceil(9.5) = 10
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Millisecond},  // rank 9
		{ms(3, 1, 2), 50, 2 * time.Millisecond},                        // rank ceil(1.5) = 2
		{ms(7), 95, 7 * time.Millisecond},
		{nil, 50, 0},
	}
	for _, tt := range tests {
		if got := Percentile(tt.ds, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.ds, tt.p, got, tt.want)
		}
	}
}

func TestFirstClaimCitations(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"no markers here.", nil},
		{"成员国重申立场[2.20]。另一句[3.21]。", []string{"2.20"}},
		{"两段都说[2.20][2.21]。另一句[3.21]。", []string{"2.20", "2.21"}},
		{"Unofficial working translation; the Chinese text is authoritative.\nThe states agreed [3.21]. Then [3.19].", []string{"3.21"}},
		{"The states agreed [3.21, 3.19]; more [2.1].", []string{"3.21", "3.19", "2.1"}},
		{"First claim [5.7]\nsecond [T1].", []string{"5.7"}},
	} {
		if got := FirstClaimCitations(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("FirstClaimCitations(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
