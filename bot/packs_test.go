package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// packsIndex is the production index over the built-in texts and the
// synthetic test pack qinghu2026 (testdata/packs, never shipped).
var packsIndex = sync.OnceValues(func() (*retrieval.Index, error) {
	c, err := corpus.Load(corpus.WithPackDir("../testdata/packs"))
	if err != nil {
		return nil, err
	}
	return retrieval.New(context.Background(), c)
})

// packsCorpusIndex returns the corpus with the test pack and its index.
func packsCorpusIndex(t *testing.T) (*corpus.Corpus, *retrieval.Index) {
	t.Helper()
	idx, err := packsIndex()
	if err != nil {
		t.Fatal(err)
	}
	c, err := corpus.Load(corpus.WithPackDir("../testdata/packs"))
	if err != nil {
		t.Fatal(err)
	}
	return c, idx
}

func packsEngine(t *testing.T, opts ...Option) *Engine {
	t.Helper()
	c, idx := packsCorpusIndex(t)
	return NewEngine(c, idx, opts...)
}

func citedIDs(a Answer) []string {
	var out []string
	for _, p := range a.Citations {
		out = append(out, p.ID)
	}
	return out
}

func fromPack(ids []string, pack string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, pack+":") != (pack != corpus.BuiltinPack) {
			return false
		}
	}
	return len(ids) > 0
}

// Offline, a question is answered from the pack it names, the pack a chat
// is pinned to, or, for a comparison, from each pack side by side.
func TestAnswersAcrossPacks(t *testing.T) {
	e := packsEngine(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		q     Question
		pack  string   // every citation from this pack ("" to skip)
		must  []string // cited
		texts []string // in the answer text
	}{
		{"names the pack", Question{Text: "青湖宣言对人工智能说了什么？"}, "qinghu2026", []string{"qinghu2026:1.1"}, nil},
		{"names its year", Question{Text: "What does the 2026 declaration say about Afghanistan?"}, "qinghu2026", []string{"qinghu2026:2.2"}, nil},
		{"names the built-in", Question{Text: "天津宣言对人工智能说了什么？"}, corpus.BuiltinPack, nil, nil},
		{"pinned", Question{Text: "人工智能", Packs: []string{"qinghu2026"}}, "qinghu2026", []string{"qinghu2026:1.1"}, nil},
		{"pinned to the built-in", Question{Text: "开发银行", Packs: []string{corpus.BuiltinPack}}, corpus.BuiltinPack, nil, nil},
		{"qualified ID in a statement", Question{Text: "水文数据共享平台"}, "", []string{"qinghu2026:A2"}, nil},
		{"comparison", Question{Text: "和去年相比，人工智能方面有什么新提法？"}, "", []string{"qinghu2026:1.1"}, []string{"天津宣言（2025-09-01）：", "青湖宣言（2026-06-15）："}},
		{"comparison in English", Question{Text: "Compare the Tianjin and Qinghu declarations on terrorism"}, "", []string{"qinghu2026:2.1"}, []string{"Tianjin Declaration (2025-09-01):", "Qinghu Declaration (2026-06-15):"}},
	} {
		a, err := e.Ask(ctx, tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ids := citedIDs(a)
		if tt.pack != "" && !fromPack(ids, tt.pack) {
			t.Errorf("%s: cited %v, want only %s", tt.name, ids, tt.pack)
		}
		for _, id := range tt.must {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: cited %v, want %s among them\n%s", tt.name, ids, id, a.Text)
			}
		}
		for _, s := range tt.texts {
			if !strings.Contains(a.Text, s) {
				t.Errorf("%s: answer lacks %q:\n%s", tt.name, s, a.Text)
			}
		}
		if strings.HasPrefix(tt.name, "comparison") && (!slices.ContainsFunc(ids, func(id string) bool { return !strings.Contains(id, ":") })) {
			t.Errorf("%s: cited %v, want the built-in pack too", tt.name, ids)
		}
	}
}

// Loading another pack leaves answers from the built-in texts as they
// were when the question does not name a document: the built-in pack's
// passages rank as before among themselves.
func TestBuiltInOnlyAnswersUnchanged(t *testing.T) {
	ctx := context.Background()
	alone := offlineEngine(t)
	for _, q := range []string{"宣言对外空武器化持什么立场？", "What did they say about Gaza?", "2026年上合峰会在哪里举办？"} {
		a, err := alone.Ask(ctx, Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		b, err := packsEngine(t).Ask(ctx, Question{Text: q, Packs: []string{corpus.BuiltinPack}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(citedIDs(a), citedIDs(b)) {
			t.Errorf("%q: alone %v, pinned to the built-in with a pack loaded %v", q, citedIDs(a), citedIDs(b))
		}
	}
}

// With a model, the prompt names the documents and dates each passage; a
// qualified citation of a given passage is kept and one not given is
// removed.
func TestLLMAcrossPacks(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey(testKey),
		llmtest.WithReply("青湖宣言决定设立人工智能伦理委员会【qinghu2026:1.1】，天津宣言强调平等发展人工智能的权利[4.4]，另见[qinghu2026:9.9]。"))
	c, idx := packsCorpusIndex(t)
	e := llmEngineWith(t, srv, c, idx)
	a, err := e.Ask(context.Background(), Question{Text: "和去年相比，人工智能方面有什么新提法？"})
	if err != nil {
		t.Fatal(err)
	}
	if got := citedIDs(a); !slices.Equal(got, []string{"qinghu2026:1.1", "4.4"}) || !slices.Equal(a.Rejected, []string{"qinghu2026:9.9"}) {
		t.Errorf("cited %v, rejected %v:\n%s", got, a.Rejected, a.Text)
	}
	reqs := answerRequests(t, srv)
	if len(reqs) != 1 {
		t.Fatalf("%d answer requests", len(reqs))
	}
	sys, user := reqs[0].System(), reqs[0].LastUser()
	for _, want := range []string{"Qinghu Declaration (a fictional text for tests)", "2026-06-15", "cite as qinghu2026:2.36", "say which document each claim comes from"} {
		if !strings.Contains(sys, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys)
		}
	}
	for _, want := range []string{`<passage id="qinghu2026:1.1" source="上海合作组织成员国元首理事会青湖宣言（测试用虚构文本） 第一部分 (2026-06-15)">`, `<passage id="4.4" source="上海合作组织成员国元首理事会天津宣言 第四部分 (2025-09-01)">`} {
		if !strings.Contains(user, want) {
			t.Errorf("prompt lacks %q:\n%s", want, user)
		}
	}
}
