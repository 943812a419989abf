package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/corpus"
)

// benchQuestions mix scripts, languages and an out-of-scope question.
var benchQuestions = []string{
	"宣言对外空武器化持什么立场？",
	"成員國對阿富汗問題有什麼立場？",
	"What does the declaration say about the SCO Development Bank?",
	"Что декларация говорит о терроризме?",
	"比特币现在多少钱一个？",
	"2026年有哪些会议或赛事计划举行，分别在哪里？",
}

// BenchmarkAsk measures an extractive answer end to end in process:
// retrieval over the real (warm) index, sentence choice and composition.
// It reports the median latency as p50-ns besides the mean.
func BenchmarkAsk(b *testing.B) {
	e := offlineEngine(b)
	ctx := context.Background()
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := e.Ask(ctx, Question{Text: benchQuestions[i%len(benchQuestions)]}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkStreamShow measures showing a 1,500-rune model answer as it
// streams in two-rune deltas: the citation checks of every partial text.
func BenchmarkStreamShow(b *testing.B) {
	c := loadCorpus(b)
	given := map[string]bool{"2.36": true}
	sentence := []rune("成员国支持防止外空武器化，强调有必要签署具有强制性法律效力的国际文书[2.36]。")
	var deltas []string
	for n := 0; n < 1500; n += len(sentence) {
		for i := 0; i < len(sentence); i += 2 {
			deltas = append(deltas, string(sentence[i:min(i+2, len(sentence))]))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		s := &streamShower{c: c, given: given, onText: func(string) {}}
		for _, d := range deltas {
			s.add(d)
		}
	}
}

// BenchmarkAskFollowUp measures offline follow-ups, which search twice
// (the follow-up with the conversation's topic, and on its own): an
// elliptical one, an ordinal one, one in English.
func BenchmarkAskFollowUp(b *testing.B) {
	e := offlineEngine(b)
	ctx := context.Background()
	h := []Turn{{Question: "宣言对阿富汗有什么表态？", Answer: "……[2.24]。……[2.25]。……[2.26]。"}}
	qs := []string{"那毒品呢？", "那第二个呢？", "And what about drugs there?"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Ask(ctx, Question{Text: qs[i%len(qs)], History: h}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCheckCitationsHostile: a runaway model's answer, 4,000 markers
// of which a third are invented and a third form stray markers when the
// invented ones go ("[2.3[9.99]7]", 2.37 not given), about 100 KB.
func BenchmarkCheckCitationsHostile(b *testing.B) {
	c, err := corpus.Load()
	if err != nil {
		b.Fatal(err)
	}
	given := map[string]bool{"2.36": true, "3.5": true}
	text := strings.Repeat("外空[2.36]，贸易[9.99]，[2.3[9.99]7]。", 1333)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		checkCitations(c, text, given)
	}
}
