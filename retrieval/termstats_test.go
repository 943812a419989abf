package retrieval

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// DocFreq counts passages by the index's own terms, and TermStats made
// without an index counts the same.
func TestDocFreq(t *testing.T) {
	c := loadCorpus(t)
	x := corpusIndex(t)
	ts := NewTermStats(c)
	if ts.Len() != c.Len() || x.Len() != c.Len() {
		t.Fatalf("Len: TermStats %d, Index %d, corpus %d", ts.Len(), x.Len(), c.Len())
	}
	count := func(sub string) int {
		n := 0
		for _, p := range c.Passages() {
			if strings.Contains(corpus.Fold(p.TextHans), sub) {
				n++
			}
		}
		return n
	}
	for _, term := range []string{"外空", "阿富汗", "乔蓬", "开发", "2025", "成员", "国", "和平"} {
		want := 0
		if n := len([]rune(term)); n <= 2 || !strings.ContainsFunc(term, func(r rune) bool { return r > 0x2e80 }) {
			want = count(term)
		}
		if got := x.DocFreq(term); got != want {
			t.Errorf("Index.DocFreq(%q) = %d, want %d", term, got, want)
		}
		if got := ts.DocFreq(term); got != x.DocFreq(term) {
			t.Errorf("TermStats.DocFreq(%q) = %d, Index says %d", term, got, x.DocFreq(term))
		}
	}
	// Not one unit or two: no count.
	for _, term := range []string{"阿富汗", "外，空", "", "比特币"} {
		if got := x.DocFreq(term); got != 0 {
			t.Errorf("DocFreq(%q) = %d, want 0 (not a term)", term, got)
		}
	}
}
