package query

import (
	"slices"
	"testing"
)

// What the asker says of themselves beside a question, and a name they
// guess after it, are not what they ask: their off-topic words and names
// go, their other words are marked as context; a premise, a request for
// the word itself and a message made of nothing else keep them.
func TestAskerWords(t *testing.T) {
	p := newProcessor(t)
	offTopic := func(q Query) []string { return q.OffTopic }
	context := func(q Query) []string { return q.Context }
	names := func(q Query) []string { return q.Names }
	tests := []struct {
		field string
		get   func(Query) []string
		q     string
		want  []string
	}{
		// Why the asker asks is not what they ask.
		{"OffTopic", offTopic, "When is the UNESCO General Conference in Samarkand? We need to plan hotel capacity.", nil},
		{"OffTopic", offTopic, "我们要订酒店，撒马尔罕的教科文组织大会是哪天？", nil},
		{"OffTopic", offTopic, "Мы бронируем отель. Когда пройдёт конференция ЮНЕСКО в Самарканде?", nil},
		// Asked for, or the whole message: kept.
		{"OffTopic", offTopic, "我要订酒店，天津的酒店多少钱？", []string{"酒店", "多少钱"}},
		{"OffTopic", offTopic, "We need a hotel in Tianjin.", []string{"hotel"}},
		{"OffTopic", offTopic, "What's the weather in Tianjin? We are going there.", []string{"weather"}},
		// A premise holds what is asked about.
		{"OffTopic", offTopic, "我朋友说上合要搞北极航道开发合作计划，宣言里具体是怎么安排的？", []string{"北极航道"}},
		{"OffTopic", offTopic, "My teacher said they agreed a hotel deal. Is that in the declaration?", []string{"hotel"}},

		{"Context", context, "我在准备课堂展示，宣言里跟阿富汗有关的内容都有哪些？", []string{"我在", "课堂展示"}},
		// Mothers and children are mapped, so not Unmatched.
		{"Context", context, "Our NGO helps mothers and children. What do the SCO states promise in this area?", []string{"ngo", "helps"}},
		{"Context", context, "宣言里跟阿富汗有关的内容都有哪些？", nil},
		{"Context", context, "我朋友说上合要搞北极航道开发合作计划，宣言里具体是怎么安排的？", nil},

		{"Names", names, "Что, по декларации, заложит основу архитектуры безопасности в Евразии? Неужели НАТО?", nil},
		{"Names", names, "What will be the basis of the Eurasian security architecture? NATO?", nil},
		{"Names", names, "What does the declaration say about NATO?", []string{"nato"}},
		{"Names", names, "NATO? What does the declaration say about it?", []string{"nato"}},
	}
	for _, tt := range tests {
		if got := tt.get(p.Process(tt.q)); !slices.Equal(got, tt.want) {
			t.Errorf("Process(%q).%s = %q, want %q", tt.q, tt.field, got, tt.want)
		}
	}
}
