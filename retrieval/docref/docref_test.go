package docref

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func testPacks(t *testing.T) []corpus.Pack {
	t.Helper()
	c, err := corpus.Load(corpus.WithPackDir("../../testdata/packs"))
	if err != nil {
		t.Fatal(err)
	}
	// A third, made-up pack with a place written in letters only.
	astana := corpus.Pack{ID: "astana2024", Date: "2024-07-04", Place: corpus.Localized{"zh-Hans": "阿斯塔纳", "en": "Astana", "ru": "Астана"},
		Documents: []corpus.Document{{Key: "astana2024/declaration", Short: corpus.Localized{"en": "Astana Declaration", "ru": "Астанинская декларация"}}}}
	return append(c.Packs(), astana)
}

func TestFind(t *testing.T) {
	f := New(testPacks(t))
	for _, tt := range []struct {
		q       string
		packs   string
		compare bool
	}{
		// Names, places, titles, IDs, in any language and script.
		{"青湖宣言对人工智能说了什么？", "qinghu2026", false},
		{"青湖宣言對人工智能說了什麼？", "qinghu2026", false},
		{"What did the Qinghu declaration say about AI?", "qinghu2026", false},
		{"Что говорится в декларации, принятой в Цинху, об ИИ?", "qinghu2026", false},
		{"What did the Astana Declaration say?", "astana2024", false},
		{"qinghu2026 on glaciers", "qinghu2026", false},
		{"天津宣言怎么说阿富汗？", "tianjin2025", false},
		// Years steer only when they qualify a document.
		{"2024年宣言提到了什么？", "astana2024", false},
		{"What does the 2026 declaration say about water?", "qinghu2026", false},
		{"Что сказано в декларации 2024 года?", "astana2024", false},
		{"2026年上合峰会在哪里举办？", "", false},
		{"宣言谴责了2025年发生的哪几起恐怖袭击？", "", false},
		{"Where will the 2026 summit be held?", "", false},
		// Places written in letters are whole words; a Russian one in any
		// case form, and as an adjective.
		{"Astanaev said what?", "", false},
		{"Где пройдёт следующее заседание по Цинхуской декларации?", "qinghu2026", false},
		{"Что в Астанинской декларации об ИИ?", "astana2024", false},
		{"Что сказано в тяньцзиньской декларации об Афганистане?", "tianjin2025", false},
		{"Цинхуанский вопрос", "", false},
		// Comparisons.
		{"和去年相比，人工智能方面有什么新提法？", "tianjin2025 qinghu2026", true},
		{"What is new on AI compared with last year?", "tianjin2025 qinghu2026", true},
		{"Compare the Astana and Tianjin declarations on Afghanistan", "astana2024 tianjin2025", true},
		{"Чем отличается декларация 2024 года от 2025?", "astana2024", true},
		{"宣言对阿富汗有什么主张？", "", false},
	} {
		r := f.Find(tt.q)
		if got := strings.Join(r.Packs, " "); got != tt.packs || r.Compare != tt.compare {
			t.Errorf("Find(%q) = %q compare=%v, want %q compare=%v", tt.q, got, r.Compare, tt.packs, tt.compare)
		}
	}
}

// The search query loses the names and the comparison words, and keeps
// what is asked.
func TestQuery(t *testing.T) {
	f := New(testPacks(t))
	for q, want := range map[string]string{
		"青湖宣言对人工智能说了什么？":                                           "对人工智能说了什么?",
		"What does the 2026 declaration say about Afghanistan?":    "what does the say about afghanistan?",
		"compare the Tianjin and Qinghu declarations on terrorism": "the and declarations on terrorism",
		"和去年相比，人工智能方面有什么新提法？":                                      "和 ,人工智能方面 提法?",
		"宣言对阿富汗有什么主张？":                                             "",
		"что в цинхуской декларации об ии?":                        "что в об ии?",
	} {
		if got := f.Find(q).Query; got != want {
			t.Errorf("Find(%q).Query = %q, want %q", q, got, want)
		}
	}
}

func TestTargets(t *testing.T) {
	f := New(testPacks(t))
	for _, tt := range []struct {
		r       Ref
		want    string
		compare bool
	}{
		{Ref{}, "", false},
		{Ref{Packs: []string{"qinghu2026"}}, "qinghu2026", false},
		{Ref{Compare: true}, "tianjin2025 qinghu2026", true},
		{Ref{Packs: []string{"tianjin2025"}, Compare: true}, "astana2024 tianjin2025", true},
		{Ref{Packs: []string{"astana2024"}, Compare: true}, "astana2024 tianjin2025", true},
		{Ref{Packs: []string{"astana2024", "qinghu2026"}}, "astana2024 qinghu2026", true},
	} {
		got, compare := f.Targets(tt.r)
		if strings.Join(got, " ") != tt.want || compare != tt.compare {
			t.Errorf("Targets(%+v) = %v %v, want %q %v", tt.r, got, compare, tt.want, tt.compare)
		}
	}
}

// With the built-in texts alone nothing is ever steered.
func TestSinglePackSteersNothing(t *testing.T) {
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := New(c.Packs())
	for _, q := range []string{"天津宣言说了什么？", "Compare with last year", "2025年宣言"} {
		r := f.Find(q)
		if len(r.Packs) > 0 || r.Compare {
			t.Errorf("Find(%q) = %+v with one pack", q, r)
		}
		if got, cmp := f.Targets(r); got != nil || cmp {
			t.Errorf("Targets = %v %v", got, cmp)
		}
	}
}
