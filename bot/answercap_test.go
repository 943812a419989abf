package bot

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/corpus"
)

// A runaway model (red team: a 10 MB answer with one valid citation
// became about 2,560 Telegram messages) is cut at the cap, at a sentence,
// with a notice; the stream is not read to its end.
func TestRunawayAnswerIsCapped(t *testing.T) {
	c := loadCorpus(t)
	sentence := "并重申和平利用外空的原则。"
	text := "成员国支持防止外空武器化[2.36]。" + strings.Repeat(sentence, (2<<20)/len(sentence))
	srv := llmtest.NewServer(t, llmtest.WithAPIKey(testKey), llmtest.WithDefault(llmtest.Reply(text).Chunk(200)))
	e := llmEngine(t, srv, newFakeRetriever(c, "2.36", "3.5"))
	var shown []string
	a, err := e.AskStream(context.Background(), Question{Text: "宣言对外空武器化持什么立场？"}, func(s string) { shown = append(shown, s) })
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	n := utf8.RuneCountInString(a.Text)
	if a.Mode != ModeLLM || n > DefaultMaxAnswerRunes || n < DefaultMaxAnswerRunes/2 || !strings.HasSuffix(a.Text, "。") {
		t.Errorf("answer: mode %v, %d runes (cap %d), ends %q", a.Mode, n, DefaultMaxAnswerRunes, a.Text[max(0, len(a.Text)-12):])
	}
	if a.Notice != Text(corpus.LangHans, MsgAnswerCut) {
		t.Errorf("notice %q, want the cut notice", a.Notice)
	}
	if got := passageIDs(a.Citations); strings.Join(got, " ") != "2.36" {
		t.Errorf("citations %v", got)
	}
	for _, s := range shown {
		if utf8.RuneCountInString(s) > DefaultMaxAnswerRunes {
			t.Fatalf("a partial text of %d runes was shown", utf8.RuneCountInString(s))
		}
	}
	total := int64(utf8.RuneCountInString(text) / 200)
	if sent := srv.StreamedChunks(); sent >= total {
		t.Errorf("the server streamed all %d chunks: the stream was read past the cap", sent)
	}
	if r := answerRequests(t, srv); len(r) != 1 || r[0].MaxTokens != llm.DefaultMaxTokens {
		t.Errorf("requests: %d, max_tokens %v", len(r), r)
	}
}

func TestCutAnswer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"short.", 10, "short.", false},
		{"One. Two [2.36]. Three and more words", 30, "One. Two [2.36].", true},
		{"合作[2.36]。发展[3.5]。安全[2.1", 18, "合作[2.36]。发展[3.5]。", true},
		{"Paragraph 2.36 says the member states support it", 20, "Paragraph 2.36 says…", true},
		{"abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij…", true},
		{"see [2.36] and [3.5", 18, "see [2.36] and…", true},
	} {
		got, cut := cutAnswer(tc.in, tc.max)
		if got != tc.want || cut != tc.cut {
			t.Errorf("cutAnswer(%q, %d) = %q %v, want %q %v", tc.in, tc.max, got, cut, tc.want, tc.cut)
		}
	}
}

// FuzzAnswerCap: the cap never panics, never yields more than max runes
// (plus "…"), and keeps a prefix of the answer.
func FuzzAnswerCap(f *testing.F) {
	f.Add("成员国支持[2.36]。并且[3.5", 7)
	f.Add("One. Two. Three [2.3", 12)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 1000 || !utf8.ValidString(s) {
			return
		}
		var c answerCap
		c.max = max
		for _, piece := range strings.SplitAfter(s, " ") {
			c.add(piece)
		}
		if c.runes > max+1 || utf8.RuneCountInString(c.b.String()) != c.runes || !strings.HasPrefix(s, c.b.String()) {
			t.Fatalf("cap kept %q of %q (max %d)", c.b.String(), s, max)
		}
		got, cut := cutAnswer(s, max)
		if !cut {
			if got != s {
				t.Fatalf("uncut answer changed: %q", got)
			}
			return
		}
		core := strings.TrimSuffix(got, "…")
		if utf8.RuneCountInString(core) > max || !strings.HasPrefix(strings.TrimSpace(s), core) && !strings.Contains(s, core) {
			t.Fatalf("cutAnswer(%q, %d) = %q", s, max, got)
		}
	})
}

// runaway is a Model that streams a long answer in small pieces until
// its context ends, as a server ignoring max_tokens would.
type runaway struct {
	text  string
	piece int
}

func (r runaway) Stream(ctx context.Context, _ []llm.Message, onDelta func(string)) (string, error) {
	for i := 0; i < len(r.text); i += r.piece {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		onDelta(r.text[i:min(i+r.piece, len(r.text))])
	}
	return r.text, nil
}

// hostileAnswer is about 2 MB with 50,000 markers: valid, invented, and
// stray ones that removing the invented would form.
func hostileAnswer() string {
	return strings.Repeat("外空[2.36]，贸易[9.99]，[2.3[9.99]7]。", 50000/4)
}

// BenchmarkRunawayAnswer: a whole answer to a model that streams 50,000
// markers (about 2 MB) without stopping; the cap stops reading it after
// DefaultMaxAnswerRunes.
func BenchmarkRunawayAnswer(b *testing.B) {
	c, err := corpus.Load()
	if err != nil {
		b.Fatal(err)
	}
	text := hostileAnswer()
	e := NewEngine(c, newFakeRetriever(c, "2.36", "3.5"), WithModel(runaway{text: text, piece: 16}))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := e.AskStream(context.Background(), Question{Text: "宣言对外空武器化持什么立场？"}, func(string) {}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckCitations50k: citation checking alone over the whole
// 50,000-marker answer, uncapped, to show it is linear (compare
// BenchmarkCheckCitationsHostile, 4,000 markers: the same MB/s).
func BenchmarkCheckCitations50k(b *testing.B) {
	c, err := corpus.Load()
	if err != nil {
		b.Fatal(err)
	}
	given := map[string]bool{"2.36": true, "3.5": true}
	text := hostileAnswer()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		checkCitations(c, text, given)
	}
}
