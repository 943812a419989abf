package retrieval

import (
	"context"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// TestDocNamerFind: a statement is named by a keyword next to the word for
// statement, in one clause; questions about statements as such, and a
// keyword the question asks about, name none. The name is taken out of
// what is searched, and the declaration joins when the question names it.
func TestDocNamerFind(t *testing.T) {
	n := newDocNamer(loadCorpus(t).Packs())
	tests := []struct {
		q    string
		docs string // keys, space-separated; "" for none
		rest string // a word the rest keeps; the name's words must be gone
		gone string
	}{
		{"根据二战胜利80周年声明，联合国是哪一年成立的？", "ww2un80", "联合国", "二战"},
		{"貿易聲明怎麼看電子商務？", "trade", "电子商务", "贸易"},
		{"宣言和二战声明对联合国改革分别是怎么表述的？", "ww2un80 declaration", "改革", "二战"},
		{"Whose accession to the WTO does the trade statement support?", "trade", "accession", "trade statement"},
		{"According to the statement on the 80th anniversary of the victory, who started the war?", "ww2un80", "started", "anniversary"},
		{"What do the declaration and the WWII statement say about the UN?", "ww2un80 declaration", "UN", "WWII"},
		{"В каком году, согласно заявлению к 80-летию Победы, была создана ООН?", "ww2un80", "создана", "Победы"},
		{"Что говорится в юбилейном заявлении о реформе ООН?", "ww2un80", "реформе", "юбилейном"},
		{"Что в заявлении о торговле сказано о продовольствии?", "trade", "продовольствии", "торговле"},
		// Statements as such, or a keyword past a verb or a comma.
		{"这次会议发表了哪些声明？", "", "", ""},
		{"Which statements on trade were adopted?", "", "", ""},
		{"Какие заявления приняли на саммите?", "", "", ""},
		{"Which countries does the statement want to see join the WTO?", "", "", ""},
		{"кого ещё надо позвать в ВТО, судя по заявлению?", "", "", ""},
		{"What does the declaration say about trade?", "", "", ""},
		// Whether a statement was made is the declaration's record.
		{"Did the summit adopt a statement on the multilateral trading system?", "", "", ""},
		{"峰会发表了二战胜利80周年声明吗？", "", "", ""},
		{"Приняли ли заявление о торговле?", "", "", ""},
	}
	for _, tt := range tests {
		refs, rest := n.find(tt.q)
		var keys []string
		for _, r := range refs {
			keys = append(keys, r.key)
		}
		if got := strings.Join(keys, " "); got != tt.docs {
			t.Errorf("%q: names %q, want %q", tt.q, got, tt.docs)
			continue
		}
		if tt.docs == "" {
			if rest != tt.q {
				t.Errorf("%q: rest %q, want the question as asked", tt.q, rest)
			}
			continue
		}
		if !strings.Contains(rest, tt.rest) || strings.Contains(rest, tt.gone) {
			t.Errorf("%q: rest %q, want it to keep %q and lose %q", tt.q, rest, tt.rest, tt.gone)
		}
	}
}

// A question naming a statement is answered from it, not from the
// paragraph of the declaration that names the statement (1.5) or the
// statement's opening line (W1), which share the name's words. One that
// names the declaration and no statement is answered first from the
// declaration, though a statement's paragraph on the same theme matches it
// better; asked without the declaration, the statement's paragraph leads.
func TestSearchWithinNamedDocument(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, want string }{
		{"根据二战胜利80周年声明，联合国是哪一年成立的？", "W8"},
		{"В каком году, согласно заявлению к 80-летию Победы, была создана ООН?", "W8"},
		{"Whose accession to the WTO does the trade statement support?", "T17"},
		// Asked whether it was adopted, the declaration's line says so.
		{"Did the summit adopt a statement on the multilateral trading system?", "3.5"},
		{"峰会发表了二战胜利80周年声明吗？", "1.5"},
		{"What principles does the declaration name as the basis for stable international relations?", "1.8"},
		{"Как в декларации охарактеризована роль ООН?", "1.4"},
		{"宣言說2025年是哪兩個重要週年？", "1.3"},
		{"How does the declaration describe the UN?", "1.6"},
		{"How do they describe the UN?", "W8"},
		{"Как охарактеризована роль ООН?", "W11"},
		{"What principles does the WWII statement name as the basis for stable international relations?", "W8"},
	} {
		res, err := x.Search(context.Background(), tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) == 0 || res.Items[0].Passage.ID != tt.want || !res.InScope {
			t.Errorf("%q: top %v (in scope %v), want %s", tt.q, ids(res.Items), res.InScope, tt.want)
		}
	}
}

func TestNamesDeclarationOnly(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"宣言怎么评价联合国？", true},
		{"宣言和声明怎么评价联合国？", false},
		{"According to the Declaration, what is the UN?", true},
		{"What do the declaration and the trade statement say?", false},
		{"Что говорится в декларации?", true},
		{"Что говорится в декларации и заявлении о торговле?", false},
		{"What does the text say about the UN?", false},
	} {
		if got := namesDeclarationOnly(tt.q); got != tt.want {
			t.Errorf("namesDeclarationOnly(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func ids(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Passage.ID)
	}
	return out
}

// FuzzDocNamer: any question, in any script, is read without a panic; a
// question that names no statement is searched as asked, and one that
// names some loses words, never gains them.
func FuzzDocNamer(f *testing.F) {
	for _, q := range []string{
		"根据二战胜利80周年声明，联合国是哪一年成立的？",
		"the trade statement on the WTO, statement, statement on",
		"В заявлении к 80-летию Победы, заявлении о торговле",
		"statement", "声明", "贸易声明声明", "заявлению о",
	} {
		f.Add(q)
	}
	n := newDocNamer(loadCorpus(f).Packs())
	f.Fuzz(func(t *testing.T, q string) {
		refs, rest := n.find(q)
		if len(refs) == 0 {
			if rest != q {
				t.Fatalf("%q names nothing but is searched as %q", q, rest)
			}
			return
		}
		if !corpus.HasHan(q) && len(rest) > len(q) {
			t.Fatalf("%q names %v and grew to %q", q, refs, rest)
		}
	})
}

// A question that gives a year is answered first by a close paragraph
// that gives it: 4.8 (the 2024-2025 capital) matches the question's words
// as well as 4.9 (2025-2026) does. Even at k = 1 the paragraph with the
// year is found.
func TestSearchPrefersTheAskedYear(t *testing.T) {
	x, err := New(context.Background(), loadCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    string
		k    int
		want string
	}{
		{"Which city is the tourism and cultural capital for 2025-2026?", 3, "4.9"},
		{"Which city is the tourism and cultural capital for 2025-2026?", 1, "4.9"},
		{"2024-2025年的旅游和文化之都是哪个城市？", 3, "4.8"},
	} {
		res, err := x.Search(context.Background(), tt.q, tt.k)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != tt.k || res.Items[0].Passage.ID != tt.want {
			t.Errorf("%q, k=%d: %v, want %d led by %s", tt.q, tt.k, ids(res.Items), tt.k, tt.want)
		}
	}
}

func TestPreferYears(t *testing.T) {
	c := loadCorpus(t)
	item := func(id string, score float64) Result {
		p, ok := c.Get(id)
		if !ok {
			t.Fatalf("no passage %s", id)
		}
		return Result{Passage: p, Score: score}
	}
	for _, tt := range []struct {
		name  string
		items []Result
		want  string
	}{
		// 4.9 gives 2026 and scores over yearRatio of the best: first.
		{"close", []Result{item("4.8", 1), item("4.15", 0.9), item("4.9", 0.7)}, "4.9 4.8 4.15"},
		// Under yearRatio it shares the year and little else.
		{"far", []Result{item("4.8", 1), item("4.15", 0.9), item("4.9", 0.5)}, "4.8 4.15 4.9"},
		// The best gives it already.
		{"best", []Result{item("4.9", 1), item("5.7", 0.9)}, "4.9 5.7"},
	} {
		docs := []int32{0, 1, 2}[:len(tt.items)]
		was := map[string]int32{}
		for i, it := range tt.items {
			was[it.Passage.ID] = int32(i)
		}
		x := &Index{}
		x.preferYears(tt.items, docs, []string{"2026"})
		if got := strings.Join(ids(tt.items), " "); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
		for i, it := range tt.items {
			if docs[i] != was[it.Passage.ID] {
				t.Errorf("%s: docs %v not reordered with the items", tt.name, docs)
				break
			}
		}
	}
}
