package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func ids(ps []corpus.Passage) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// Offline follow-ups, with the real index, through Ask: each conversation
// is asked turn by turn, the earlier answers as the user saw them in
// History; check looks at the last answer and the one before it.
func TestOfflineFollowUps(t *testing.T) {
	c := loadCorpus(t)
	e := offlineEngine(t)
	drugs := []string{"2.29", "2.30", "2.31", "2.2"}
	tests := []struct {
		name  string
		turns []string
		check func(t *testing.T, prev, a Answer)
	}{
		{"zh-Hans ordinal", []string{"宣言对阿富汗有什么表态？", "那第二个呢？"}, func(t *testing.T, prev, a Answer) {
			if len(prev.Citations) < 2 || !slices.Equal(ids(a.Citations), []string{prev.Citations[1].ID}) {
				t.Errorf("cites %v, want the second of %v", ids(a.Citations), ids(prev.Citations))
			}
		}},
		{"zh-Hans ordinal with a question", []string{"宣言谴责了哪几起恐怖袭击？", "第二起是哪天？"}, func(t *testing.T, prev, a Answer) {
			if len(prev.Citations) < 2 || !slices.Equal(ids(a.Citations), []string{prev.Citations[1].ID}) || !strings.Contains(a.Text, "3月11日") {
				t.Errorf("cites %v, want the second of %v, with its date: %s", ids(a.Citations), ids(prev.Citations), a.Text)
			}
		}},
		{"zh-Hans topic", []string{"宣言对阿富汗有什么表态？", "那毒品呢？"}, func(t *testing.T, prev, a Answer) {
			if got := ids(a.Citations); len(got) < 2 || got[0] != "2.24" || !slices.ContainsFunc(got[1:], func(id string) bool { return slices.Contains(drugs, id) }) {
				t.Errorf("cites %v, want 2.24 (Afghanistan free of drugs) first, then the drug paragraphs", got)
			}
		}},
		{"zh-Hans what else", []string{"宣言对阿富汗有什么表态？", "那毒品呢？", "还有呢？"}, func(t *testing.T, prev, a Answer) {
			for _, p := range a.Citations {
				if slices.Contains(ids(prev.Citations), p.ID) {
					t.Errorf("quotes %s again (cited %v before, now %v)", p.ID, ids(prev.Citations), ids(a.Citations))
				}
			}
			if !a.Grounded || len(a.Citations) == 0 {
				t.Errorf("no answer: %+v", a)
			}
		}},
		{"zh-Hant topic", []string{"宣言對阿富汗有什麼表態？", "那毒品問題呢？"}, func(t *testing.T, prev, a Answer) {
			if got := ids(a.Citations); len(got) < 2 || got[0] != "2.24" || !strings.Contains(a.Text, "遠離恐怖主義") {
				t.Errorf("cites %v, want 2.24 first, in traditional script: %s", got, a.Text)
			}
		}},
		{"zh-Hant ordinal", []string{"宣言譴責了哪幾起恐怖襲擊？", "那最後一個呢？"}, func(t *testing.T, prev, a Answer) {
			n := len(prev.Citations)
			if n < 2 || !slices.Equal(ids(a.Citations), []string{prev.Citations[n-1].ID}) || a.Lang != corpus.LangHant {
				t.Errorf("cites %v (%s), want the last of %v", ids(a.Citations), a.Lang, ids(prev.Citations))
			}
		}},
		{"en topic", []string{"What is the declaration's position on Afghanistan?", "And what about drugs there?"}, func(t *testing.T, prev, a Answer) {
			if got := ids(a.Citations); len(got) < 2 || got[0] != "2.24" || a.Lang != corpus.LangEn {
				t.Errorf("cites %v (%s), want 2.24 first", got, a.Lang)
			}
		}},
		{"en ordinal", []string{"Which terrorist attacks did the member states condemn?", "When did the second one happen?"}, func(t *testing.T, prev, a Answer) {
			if len(prev.Citations) < 2 || !slices.Equal(ids(a.Citations), []string{prev.Citations[1].ID}) {
				t.Errorf("cites %v, want the second of %v", ids(a.Citations), ids(prev.Citations))
			}
		}},
		{"ru topic", []string{"Какова позиция по Афганистану?", "А что насчёт наркотиков?"}, func(t *testing.T, prev, a Answer) {
			if got := ids(a.Citations); len(got) < 2 || got[0] != "2.24" || a.Lang != corpus.LangRu {
				t.Errorf("cites %v (%s), want 2.24 first", got, a.Lang)
			}
		}},
		{"ru ordinal", []string{"Какова позиция по Афганистану?", "А второй пункт?"}, func(t *testing.T, prev, a Answer) {
			if len(prev.Citations) < 2 || !slices.Equal(ids(a.Citations), []string{prev.Citations[1].ID}) {
				t.Errorf("cites %v, want the second of %v", ids(a.Citations), ids(prev.Citations))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h []Turn
			var prev, a Answer
			for _, q := range tt.turns {
				prev = a
				var err error
				if a, err = e.Ask(context.Background(), Question{Text: q, History: h}); err != nil {
					t.Fatal(err)
				}
				checkAnswerInvariants(t, c, a)
				h = append(h, Turn{Question: q, Answer: a.Text, Cited: a.CitedIDs()})
			}
			tt.check(t, prev, a)
		})
	}
}

// A question that is not a follow-up is answered on its own, whatever was
// asked before it; so is an ordinal when the answer before listed nothing.
func TestOfflineStandaloneAfterHistory(t *testing.T) {
	e := offlineEngine(t)
	ctx := context.Background()
	history := []Turn{{Question: "宣言对阿富汗有什么表态？", Answer: "成员国重申，致力于帮助阿富汗成为独立、中立、和平，远离恐怖主义、战争和毒品的国家[2.24]。成员国重申……[2.25]。"}}
	for _, q := range []string{
		"宣言如何评价上合组织开发银行？",
		"第二次世界大战胜利多少周年？",
		"比特币现在多少钱？",
		"What does the declaration say about artificial intelligence?",
		"Что сказано о Второй мировой войне?",
	} {
		t.Run(q, func(t *testing.T) {
			alone, err := e.Ask(ctx, Question{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			after, err := e.Ask(ctx, Question{Text: q, History: history})
			if err != nil {
				t.Fatal(err)
			}
			if after.Text != alone.Text || !slices.Equal(ids(after.Citations), ids(alone.Citations)) {
				t.Errorf("answered differently after history:\nalone: %s %v\nafter: %s %v", alone.Text, ids(alone.Citations), after.Text, ids(after.Citations))
			}
		})
	}
	// One citation is no list: "the second one" is searched with the topic.
	a, err := e.Ask(ctx, Question{Text: "那第二个呢？", History: []Turn{{Question: "宣言对阿富汗有什么表态？", Answer: "……[2.24]。"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Grounded || !strings.Contains(a.Text, "阿富汗") {
		t.Errorf("ordinal without a list: %s %v", a.Text, ids(a.Citations))
	}
}

// An ordinal counts in the citations kept with the turn; a turn stored
// before they were kept is read by its markers, in any shape the marker
// grammar accepts.
func TestOrdinalCountsInStoredCitations(t *testing.T) {
	e := offlineEngine(t)
	ctx := context.Background()
	q := "宣言谴责了哪几起恐怖袭击？"
	for _, tt := range []struct {
		name string
		turn Turn
		want string
	}{
		{"stored IDs", Turn{Question: q, Answer: "贾法尔快车[2.8]，帕哈尔加姆[2.7]。", Cited: []string{"2.7", "2.8"}}, "2.8"},
		{"stored IDs win over the text", Turn{Question: q, Answer: "帕哈尔加姆[2.7]，贾法尔快车[2.8]。", Cited: []string{"2.8", "2.7"}}, "2.7"},
		{"old turn: markers in other shapes", Turn{Question: q, Answer: "帕哈尔加姆【2-7】，贾法尔快车［二.8］。"}, "2.8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Ask(ctx, Question{Text: "第二个是哪天？", History: []Turn{tt.turn}})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(a.Citations); len(got) == 0 || got[0] != tt.want {
				t.Errorf("cited %v, want %s first: %s", got, tt.want, a.Text)
			}
		})
	}
}
