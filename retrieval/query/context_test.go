package query

import (
	"slices"
	"testing"
)

func TestAskerContext(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q    string
		want []string
	}{
		// Why the asker asks is not what they ask.
		{"When is the UNESCO General Conference in Samarkand? We need to plan hotel capacity.", nil},
		{"我们要订酒店，撒马尔罕的教科文组织大会是哪天？", nil},
		{"Мы бронируем отель. Когда пройдёт конференция ЮНЕСКО в Самарканде?", nil},
		// Asked for, or the whole message: kept.
		{"我要订酒店，天津的酒店多少钱？", []string{"酒店", "多少钱"}},
		{"We need a hotel in Tianjin.", []string{"hotel"}},
		{"What's the weather in Tianjin? We are going there.", []string{"weather"}},
		// A premise holds what is asked about.
		{"我朋友说上合要搞北极航道开发合作计划，宣言里具体是怎么安排的？", []string{"北极航道"}},
		{"My teacher said they agreed a hotel deal. Is that in the declaration?", []string{"hotel"}},
	}
	for _, tt := range tests {
		got := p.Process(tt.q).OffTopic
		if !slices.Equal(got, tt.want) {
			t.Errorf("Process(%q).OffTopic = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// What the asker says of themselves is marked, and only that.
func TestProcessContext(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"我在准备课堂展示，宣言里跟阿富汗有关的内容都有哪些？", []string{"我在", "课堂展示"}},
		{"Our NGO helps mothers and children. What do the SCO states promise in this area?", []string{"ngo", "helps"}}, // mothers and children are mapped: not Unmatched
		// A question alone, or a premise, has none.
		{"宣言里跟阿富汗有关的内容都有哪些？", nil},
		{"我朋友说上合要搞北极航道开发合作计划，宣言里具体是怎么安排的？", nil},
	}
	for _, tt := range tests {
		got := p.Process(tt.q).Context
		if !slices.Equal(got, tt.want) {
			t.Errorf("Process(%q).Context = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// A name guessed in a short question after the question is no name asked
// about; one in the question is.
func TestGuessNames(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"Что, по декларации, заложит основу архитектуры безопасности в Евразии? Неужели НАТО?", nil},
		{"What will be the basis of the Eurasian security architecture? NATO?", nil},
		{"What does the declaration say about NATO?", []string{"nato"}},
		{"NATO? What does the declaration say about it?", []string{"nato"}},
	}
	for _, tt := range tests {
		got := p.Process(tt.q).Names
		if !slices.Equal(got, tt.want) {
			t.Errorf("Process(%q).Names = %q, want %q", tt.q, got, tt.want)
		}
	}
}
