package retrieval

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// namesInText must hold exactly the names strings.Contains finds in the
// folded text.
func TestNamesInText(t *testing.T) {
	z := loadZhNames()
	// Texts that hold names whole, overlapping, across a passage's end,
	// and traditional forms that fold to one.
	texts := []string{
		"在" + z.names[0] + "和" + z.names[len(z.names)/2] + "举行会议",
		z.names[7] + z.names[8][:len(z.names[8])/2],
		z.names[8][len(z.names[8])/2:] + "。" + z.names[9],
		"上海合作組織天津峰會",
	}
	x := &Index{zhNames: z}
	for _, s := range texts {
		x.passages = append(x.passages, corpus.Passage{TextHans: s})
	}
	got := x.namesInText()
	folded := x.foldedText()
	n := 0
	for _, name := range z.names {
		if want := strings.Contains(folded, name); got[name] != want {
			t.Errorf("%s: namesInText says %v, strings.Contains %v", name, got[name], want)
		}
		if got[name] {
			n++
		}
	}
	if n < 4 {
		t.Errorf("only %d names found in a text made to hold at least 4", n)
	}
}

// TestLacking: a question in scope names what the texts never do, and the
// results say so; a name that describes the asker, locates a place the
// texts name, or is part of a longer word they use is not lacking.
func TestLacking(t *testing.T) {
	x := corpusIndex(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"宣言是否承認塔利班政府為阿富汗合法政府？", []string{"塔利班"}},
		{"上合和北约之间有没有建立什么对话机制？", []string{"北约"}},
		{"这份宣言和金砖国家里约宣言在人工智能问题上有什么不同？", []string{"金砖"}},
		{"克什米尔那边帕哈尔加姆的恐袭是哪天？", nil},
		{"我是香港人，想问上合组织未来10年发展战略涵盖哪几年？", nil},
		{"南北向、东西向那种跨国物流大通道有提到吗", nil},
		{"各国国防部门之间有没有要签个互信的协议", nil},
		{"宣言对阿富汗有什么主张？", nil},
		// The asker's guess at where, after the question.
		{"下一轮杜尚别进程会议有人提议在哪儿开，日内瓦吗？", nil},
		// A language is about wording, not a topic left out.
		{"宣言里出现了一个英文名“Alem.AI”，它是什么性质的机构？", nil},
	}
	for _, tt := range tests {
		res, err := x.Search(context.Background(), tt.q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !res.InScope {
			t.Errorf("%q: out of scope; want it in scope", tt.q)
			continue
		}
		if !slices.Equal(res.Lacking, tt.want) {
			t.Errorf("%q: Lacking %q, want %q", tt.q, res.Lacking, tt.want)
		}
	}
}
