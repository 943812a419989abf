package retrieval

import (
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
