package bot

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// realIndex builds the production retrieval index over the embedded
// corpus (offline embedder); it is built once per test binary.
var realIndex = sync.OnceValues(func() (*retrieval.Index, error) {
	c, err := corpus.Load()
	if err != nil {
		return nil, err
	}
	return retrieval.New(context.Background(), c)
})

func offlineEngine(t testing.TB) *Engine {
	t.Helper()
	idx, err := realIndex()
	if err != nil {
		t.Fatalf("retrieval.New: %v", err)
	}
	return NewEngine(loadCorpus(t), idx)
}

// fakeRetriever returns fixed passages and records the queries it was
// asked.
type fakeRetriever struct {
	c         *corpus.Corpus
	ids       []string
	inScope   bool
	relevance float64
	err       error

	mu      sync.Mutex
	queries []string
}

func newFakeRetriever(c *corpus.Corpus, ids ...string) *fakeRetriever {
	return &fakeRetriever{c: c, ids: ids, inScope: true, relevance: 0.8}
}

func (f *fakeRetriever) Search(ctx context.Context, q string, k int) (retrieval.Results, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return retrieval.Results{}, err
	}
	if f.err != nil {
		return retrieval.Results{}, f.err
	}
	res := retrieval.Results{Query: corpus.Fold(q), InScope: f.inScope, Relevance: f.relevance}
	for i, id := range f.ids {
		if i >= k {
			break
		}
		p, ok := f.c.Get(id)
		if !ok {
			panic("fakeRetriever: no passage " + id)
		}
		res.Items = append(res.Items, retrieval.Result{Passage: p, Score: 1 / float64(60+i+1)})
	}
	return res, nil
}

func (f *fakeRetriever) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

var markerIDsRE = regexp.MustCompile(`\[([0-9TW][0-9.]*)\]`)

// checkAnswerInvariants checks what every answer promises: markers name
// exactly the cited passages, in order of first citation, and each cited
// passage exists in the corpus.
func checkAnswerInvariants(t *testing.T, c *corpus.Corpus, a Answer) {
	t.Helper()
	var order []string
	seen := map[string]bool{}
	for _, m := range markerIDsRE.FindAllStringSubmatch(a.Text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			order = append(order, m[1])
		}
	}
	got := passageIDs(a.Citations)
	if strings.Join(order, " ") != strings.Join(got, " ") {
		t.Errorf("markers in text %v, Citations %v: want the same, in order of first citation\ntext: %s", order, got, a.Text)
	}
	for _, p := range a.Citations {
		if _, ok := c.Get(p.ID); !ok {
			t.Errorf("cited %s, which is not in the corpus", p.ID)
		}
	}
	if a.Citations == nil || a.Rejected == nil || a.Related == nil {
		t.Errorf("nil slice in answer (JSON would show null): %+v", a)
	}
	if !a.Grounded && len(a.Citations) > 0 {
		t.Errorf("not grounded but cites %v", got)
	}
}

// quoted returns the answer's text without its first line when that line
// is the offline-mode note, and without markers.
func quoted(a Answer) string {
	text := a.Text
	if !a.Lang.IsChinese() {
		_, text, _ = strings.Cut(text, "\n")
	}
	return markerIDsRE.ReplaceAllString(text, "")
}

func TestExtractiveRealIndex(t *testing.T) {
	c := loadCorpus(t)
	e := offlineEngine(t)
	tests := []struct {
		name     string
		q        string
		lang     corpus.Lang
		wantCite string // a passage that must be cited
		wantText string // a phrase the answer must quote (simplified; compared folded)
		maxRunes int    // the answer's bound: short for a fact, broad for an overview
	}{
		{"simplified", "宣言对外空武器化持什么立场？", corpus.LangHans, "2.36", "防止外空武器化", broadRunes},
		{"traditional", "成員國對外空武器化的立場是什麼？", corpus.LangHant, "2.36", "防止外空武器化", broadRunes},
		{"simplified factual", "帕哈尔加姆恐怖袭击是哪一天发生的？", corpus.LangHans, "2.7", "2025年4月22日", extractRunes},
		{"traditional factual", "上合組織開發銀行的進展如何？", corpus.LangHant, "3.21", "决定成立开发银行", extractRunes},
		{"english", "What does the declaration say about outer space?", corpus.LangEn, "2.36", "防止外空武器化", broadRunes},
		{"russian", "Что декларация говорит о терроризме?", corpus.LangRu, "", "恐怖主义", broadRunes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Ask(context.Background(), Question{Text: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			checkAnswerInvariants(t, c, a)
			if !a.Grounded || a.Mode != ModeExtractive || a.Lang != tt.lang || a.Notice != "" {
				t.Errorf("Grounded=%v Mode=%s Lang=%s Notice=%q, want true extractive %s no notice", a.Grounded, a.Mode, a.Lang, a.Notice, tt.lang)
			}
			if tt.wantCite != "" && !strings.Contains(strings.Join(passageIDs(a.Citations), " ")+" ", tt.wantCite+" ") {
				t.Errorf("cites %v, want %s among them\n%s", passageIDs(a.Citations), tt.wantCite, a.Text)
			}
			body := quoted(a)
			if !strings.Contains(corpus.Fold(body), corpus.Fold(tt.wantText)) {
				t.Errorf("answer does not quote %q:\n%s", tt.wantText, a.Text)
			}
			if n := utf8.RuneCountInString(body); n > tt.maxRunes+20 {
				t.Errorf("answer quotes %d runes, want about %d at most", n, tt.maxRunes)
			}
			switch tt.lang {
			case corpus.LangHant:
				// Quoted in the traditional text, not the simplified one.
				if corpus.DetectScript(body) != corpus.Hant {
					t.Errorf("traditional question answered in simplified:\n%s", a.Text)
				}
			case corpus.LangHans:
				if corpus.DetectScript(body) != corpus.Hans {
					t.Errorf("simplified question answered in traditional:\n%s", a.Text)
				}
			case corpus.LangEn, corpus.LangRu:
				first, _, _ := strings.Cut(a.Text, "\n")
				if first != Text(tt.lang, MsgOfflineQuote) {
					t.Errorf("first line %q, want the offline note %q", first, Text(tt.lang, MsgOfflineQuote))
				}
			}
		})
	}
}

func TestExtractiveOutOfScopeRealIndex(t *testing.T) {
	c := loadCorpus(t)
	e := offlineEngine(t)
	for _, tt := range []struct {
		q    string
		lang corpus.Lang
	}{
		{"比特币现在多少钱一个？", corpus.LangHans},
		{"今年的諾貝爾和平獎頒給了誰？", corpus.LangHant},
		{"What is the price of bitcoin today?", corpus.LangEn},
		{"Какая погода будет завтра в Москве?", corpus.LangRu},
	} {
		t.Run(string(tt.lang), func(t *testing.T) {
			a, err := e.Ask(context.Background(), Question{Text: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			checkAnswerInvariants(t, c, a)
			if a.Grounded || len(a.Citations) != 0 {
				t.Errorf("Grounded=%v, Citations %v: want an ungrounded answer citing nothing", a.Grounded, passageIDs(a.Citations))
			}
			if !strings.HasPrefix(a.Text, Text(tt.lang, MsgNotAddressed)) {
				t.Errorf("text %q does not start with the %s not-addressed message", a.Text, tt.lang)
			}
			if len(a.Related) > relatedTopics {
				t.Errorf("%d related topics, want at most %d", len(a.Related), relatedTopics)
			}
		})
	}
}

func TestExtractiveComposition(t *testing.T) {
	c := loadCorpus(t)
	// 2.17-2.19 are about Gaza and Palestine; 5.8 (signatures) is noise
	// sharing none of the question's terms.
	r := newFakeRetriever(c, "2.18", "2.17", "5.8", "2.19")
	e := NewEngine(c, r)
	a, err := e.Ask(context.Background(), Question{Text: "宣言对加沙局势和巴勒斯坦问题是怎么表态的？"})
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	if got := passageIDs(a.Citations); strings.Join(got, " ") != "2.18 2.17 2.19" {
		t.Errorf("cites %v, want 2.18 2.17 2.19 (retrieval order, no noise)\n%s", got, a.Text)
	}
	// Every sentence ends with its marker and a full stop.
	for _, s := range splitSentences(a.Text) {
		if !regexp.MustCompile(`\[[0-9.TW]+\]。$`).MatchString(s) {
			t.Errorf("sentence %q does not end with [ID]。", s)
		}
	}
	// What is quoted is the corpus's own words.
	for _, s := range splitSentences(a.Text) {
		body := markerIDsRE.ReplaceAllString(s, "")
		body = strings.TrimSuffix(body, "。")
		found := false
		for _, p := range a.Citations {
			if strings.Contains(p.TextHans, body) {
				found = true
			}
		}
		if !found {
			t.Errorf("sentence %q is not quoted from the cited passages", body)
		}
	}
}

// A question whose answer is spread over several paragraphs quotes each
// of them, within the broad bounds; a factual one stays short.
func TestExtractiveBroadAndNarrow(t *testing.T) {
	c := loadCorpus(t)
	// 4.4-4.7 and 3.15 all speak of 人工智能; 5.8 (signatures) is noise.
	r := newFakeRetriever(c, "4.4", "4.5", "4.6", "4.7", "3.15", "5.8")
	e := NewEngine(c, r)
	for _, q := range []string{"宣言中关于人工智能都有哪些内容？", "人工智能"} {
		a, err := e.Ask(context.Background(), Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		checkAnswerInvariants(t, c, a)
		if got := passageIDs(a.Citations); strings.Join(got, " ") != "4.4 4.5 4.6 4.7 3.15" {
			t.Errorf("%s: cites %v, want 4.4 4.5 4.6 4.7 3.15\n%s", q, got, a.Text)
		}
		if n := utf8.RuneCountInString(quoted(a)); n > broadRunes {
			t.Errorf("%s: %d runes quoted, want at most %d", q, n, broadRunes)
		}
		perPassage := map[string]int{}
		for _, m := range markerIDsRE.FindAllStringSubmatch(a.Text, -1) {
			perPassage[m[1]]++
		}
		for id, n := range perPassage {
			if n > broadPerPassage {
				t.Errorf("%s: %d sentences from %s, want at most %d", q, n, id, broadPerPassage)
			}
		}
	}

	// One passage holds the fact; the others share only common words.
	r = newFakeRetriever(c, "2.7", "2.8", "2.6", "2.5")
	a, err := NewEngine(c, r).Ask(context.Background(), Question{Text: "帕哈尔加姆恐怖袭击是哪一天发生的？"})
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	if got := passageIDs(a.Citations); len(got) != 1 || got[0] != "2.7" {
		t.Errorf("factual: cites %v, want only 2.7\n%s", got, a.Text)
	}
}

func TestAsksForOverview(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"宣言中关于人工智能都有哪些内容？", true},
		{"對於化學武器和生物武器，成員國有什麼立場？", true},
		{"What does the declaration say about Afghanistan?", true},
		{"Какие антинаркотические операции поддерживают страны ШОС?", true},
		{"帕哈尔加姆恐怖袭击是哪一天发生的？", false},
		{"When and where was the Tianjin Declaration adopted?", false},
		{"Под каким девизом Киргизия будет председательствовать в ШОС?", false},
	} {
		if got := asksForOverview(tt.q); got != tt.want {
			t.Errorf("asksForOverview(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// The same question gets the same answer every time: sentences that score
// alike are not chosen by map order.
func TestExtractiveDeterministic(t *testing.T) {
	c := loadCorpus(t)
	e := offlineEngine(t)
	for _, q := range []string{"宣言中关于人工智能都有哪些内容？", "What is the SCO's position on Gaza and the Israeli-Palestinian conflict?"} {
		first, err := e.Ask(context.Background(), Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		checkAnswerInvariants(t, c, first)
		for range 20 {
			a, _ := e.Ask(context.Background(), Question{Text: q})
			if a.Text != first.Text {
				t.Fatalf("%s: answers differ:\n%s\n%s", q, first.Text, a.Text)
			}
		}
	}
}

func TestExtractiveBounds(t *testing.T) {
	c := loadCorpus(t)
	// Long passages on one topic: the answer stays within its bounds.
	r := newFakeRetriever(c, "2.6", "2.10", "2.11", "2.13", "2.14")
	e := NewEngine(c, r)
	a, err := e.Ask(context.Background(), Question{Text: "宣言如何打击恐怖主义、分裂主义和极端主义？"})
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	n := len(splitSentences(a.Text))
	if n < 1 || n > extractSentences {
		t.Errorf("%d sentences, want 1..%d", n, extractSentences)
	}
	if runes := utf8.RuneCountInString(quoted(a)); runes > extractRunes {
		t.Errorf("%d runes quoted, want at most %d", runes, extractRunes)
	}
}

func TestExtractiveNoSharedTerms(t *testing.T) {
	c := loadCorpus(t)
	// A question sharing no term with the passages (matched by meaning):
	// the best passage's opening is quoted.
	r := newFakeRetriever(c, "2.36", "3.5")
	a, err := NewEngine(c, r).Ask(context.Background(), Question{Text: "Will space become a battlefield?"})
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	if got := passageIDs(a.Citations); len(got) != 1 || got[0] != "2.36" {
		t.Errorf("cites %v, want [2.36]", got)
	}
}

func TestExtractiveNotAddressedRelated(t *testing.T) {
	c := loadCorpus(t)
	r := newFakeRetriever(c, "4.27", "4.11", "4.10", "4.9")
	r.inScope, r.relevance = false, 0.4
	a, err := NewEngine(c, r).Ask(context.Background(), Question{Text: "上合组织成员国在新闻媒体领域有哪些合作安排？"})
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	if got := passageIDs(a.Related); strings.Join(got, " ") != "4.27 4.11 4.10" {
		t.Errorf("Related %v, want the top three", got)
	}
	if markerIDsRE.MatchString(a.Text) {
		t.Errorf("related topics written as citation markers: %s", a.Text)
	}
	for _, p := range a.Related {
		if !strings.Contains(a.Text, p.ID+" “") {
			t.Errorf("text does not name related %s: %s", p.ID, a.Text)
		}
	}

	// Around the cut-off: just above it topics are named, just below not.
	for _, tt := range []struct {
		relevance float64
		want      int
	}{
		{relatedMinRelevance + 0.01, relatedTopics},
		{relatedMinRelevance - 0.01, 0},
		{0.02, 0},
	} {
		r.relevance = tt.relevance
		a, _ = NewEngine(c, r).Ask(context.Background(), Question{Text: "上合组织成员国在新闻媒体领域有哪些合作安排？"})
		if len(a.Related) != tt.want {
			t.Errorf("relevance %.2f: Related %v, want %d", tt.relevance, passageIDs(a.Related), tt.want)
		}
		if tt.want == 0 && a.Text != Text(corpus.LangHans, MsgNotAddressed) {
			t.Errorf("relevance %.2f: text %q, want the bare message", tt.relevance, a.Text)
		}
	}

	// Clearly unrelated questions, with the real index: no topics named.
	for _, q := range []string{"比特币现在多少钱一个？", "What is the price of bitcoin today?"} {
		a, err := offlineEngine(t).Ask(context.Background(), Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Grounded || len(a.Related) != 0 {
			t.Errorf("%s: Grounded=%v Related %v, want not addressed and no topics\n%s", q, a.Grounded, passageIDs(a.Related), a.Text)
		}
	}
}

func TestTopicOf(t *testing.T) {
	c := loadCorpus(t)
	for _, tt := range []struct {
		id   string
		sc   corpus.Script
		want string
	}{
		{"2.36", corpus.Hans, "防止外空武器化"},
		{"2.36", corpus.Hant, "防止外空武器化"},
		{"2.14", corpus.Hans, "共同努力，防止激进意识形态、宗教不宽容、排外心理…"},
		{"1.10", corpus.Hans, "反对以集团化和对抗性思维解决国际和地区热点问题"},
		{"3.5", corpus.Hans, "会议通过了《上合组织成员国元首理事会关于支持多边…"},
	} {
		p, _ := c.Get(tt.id)
		if got := topicOf(p, tt.sc); got != tt.want {
			t.Errorf("topicOf(%s, %s) = %q, want %q", tt.id, tt.sc, got, tt.want)
		}
	}
}

func TestAskEmptyAndErrors(t *testing.T) {
	c := loadCorpus(t)
	r := newFakeRetriever(c, "2.36")
	e := NewEngine(c, r)
	for _, q := range []string{"", "   ", "\x00\x01"} {
		a, err := e.Ask(context.Background(), Question{Text: q})
		if err != nil {
			t.Fatalf("Ask(%q): %v", q, err)
		}
		if a.Text != Text(corpus.LangHans, MsgEmptyQuestion) || a.Grounded {
			t.Errorf("Ask(%q) = %+v, want the empty-question message", q, a)
		}
	}
	if n := len(r.Queries()); n != 0 {
		t.Errorf("empty questions searched %d times", n)
	}

	// Only punctuation: the real index refuses it; the user is asked for a
	// question, not shown an error.
	a, err := offlineEngine(t).Ask(context.Background(), Question{Text: "？？？!!!"})
	if err != nil || a.Text != Text(corpus.LangHans, MsgEmptyQuestion) {
		t.Errorf("punctuation only: %q, %v", a.Text, err)
	}

	r.err = errors.New("index corrupted")
	if _, err := e.Ask(context.Background(), Question{Text: "外空"}); err == nil || !strings.Contains(err.Error(), "index corrupted") {
		t.Errorf("retrieval failure: err = %v, want it reported", err)
	}
	r.err = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Ask(ctx, Question{Text: "外空"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}

	// A huge question is cut, not refused.
	a, err = offlineEngine(t).Ask(context.Background(), Question{Text: strings.Repeat("外空武器化", 5000)})
	if err != nil || !a.Grounded {
		t.Errorf("huge question: grounded=%v err=%v", a.Grounded, err)
	}
}

// Markup in a question is not part of it: a Chinese question wrapped in
// tags is answered as Chinese, not as English with a note that the quotes
// are Chinese; tags alone are no question.
func TestAskMarkup(t *testing.T) {
	e := offlineEngine(t)
	a, err := e.Ask(context.Background(), Question{Text: `<b>外空</b><script>alert("x")</script>`})
	if err != nil {
		t.Fatal(err)
	}
	if a.Lang != corpus.LangHans || strings.Contains(a.Text, Text(corpus.LangEn, MsgOfflineQuote)) || !a.Grounded {
		t.Errorf("tagged Chinese question: lang %s, grounded %v, text %q", a.Lang, a.Grounded, a.Text)
	}
	if ids := passageIDs(a.Citations); len(ids) == 0 || ids[0] != "2.36" {
		t.Errorf("tagged Chinese question cites %v, want 2.36 first", ids)
	}
	a, err = e.Ask(context.Background(), Question{Text: "<p><br/></p>"})
	if err != nil || a.Text != Text(corpus.LangHans, MsgEmptyQuestion) {
		t.Errorf("tags only: %q, %v", a.Text, err)
	}
	for in, want := range map[string]string{
		"GDP < 5% 和 a>b":      "GDP < 5% 和 a>b",
		"宣言对<i>外空</i>怎么说":     "宣言对 外空 怎么说",
		`<a href="x">阿富汗</a>`: "阿富汗",
	} {
		if got := cleanQuestion(in); got != want {
			t.Errorf("cleanQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}

// Offline, a follow-up that finds nothing on its own is searched together
// with the question before it.
func TestExtractiveFollowUp(t *testing.T) {
	c := loadCorpus(t)
	e := offlineEngine(t)
	q := Question{
		Text:    "那生物武器呢？",
		History: []Turn{{Question: "成员国对化学武器有什么立场？", Answer: "成员国呼吁《禁止化学武器公约》各缔约方全面履行公约[2.37]。"}},
	}
	a, err := e.Ask(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	if !a.Grounded || !strings.Contains(a.Text, "生物武器") {
		t.Errorf("follow-up answer: %+v", a)
	}
}
