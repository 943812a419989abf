package query

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkProcess measures one question end to end:
// go test -run '^$' -bench BenchmarkProcess -benchmem ./retrieval/query
func BenchmarkProcess(b *testing.B) {
	p, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, q string }{
		{"en", "What does the Tianjin Declaration say about unilateral sanctions and the SCO Development Bank?"},
		{"ru", "Что говорится в декларации о санкциях и банке развития ШОС?"},
		{"zh-Hans", "天津宣言关于上合组织开发银行和单边强制措施说了什么？"},
		{"zh-Hant", "天津宣言關於上合組織開發銀行和單邊強制措施說了什麼？"},
		// Hostile: a message-sized run of distinct capitalised words the
		// glossary does not know, each a candidate name.
		{"names", manyNames(700)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Process(bc.q)
			}
		})
	}
}

// BenchmarkNew measures loading and stemming the embedded glossary.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// manyNames returns n distinct capitalised made-up words ("Xq0 Xq1 …").
func manyNames(n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("Xq%d", i)
	}
	return strings.Join(words, " ")
}
