package telegram

import (
	"slices"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/corpus"
)

// BenchmarkRecordAnswer measures what recording adds to answering: the
// review record (queued for the batched writer, which commits to a real
// bbolt file meanwhile) and the metrics. Reports p50 and p99 per answer.
func BenchmarkRecordAnswer(b *testing.B) {
	m := metrics.New()
	store, err := review.Open(b.TempDir(), review.WithWriteObserver(func(d time.Duration) { m.StoreWrite("review", d) }),
		review.WithDropCounter(m.ReviewDropped), review.WithWrittenCounter(m.ReviewRecorded))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	bt := &Bot{reviews: store, metrics: m}
	a := bot.Answer{Text: "成员国支持防止外空武器化[2.36]。", Citations: []corpus.Passage{passage("2.36")}, Grounded: true,
		Mode: bot.ModeLLM, Lang: corpus.LangHans, Rejected: []string{"9.99"},
		Trace: bot.Trace{Retrieved: []bot.Scored{{ID: "2.36", Score: 0.03}, {ID: "2.37", Score: 0.02}, {ID: "3.5", Score: 0.01}}, Relevance: 0.8, ModelTime: time.Second}}
	q := question{chat: models.Chat{ID: 42}, text: "宣言对外空武器化持什么立场？"}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		bt.recordAnswer(q, review.NewID(t0), a, 50*time.Millisecond)
		lat = append(lat, time.Since(t0))
		if i%64 == 63 {
			// A real bot answers a few hundred a second at most; pacing
			// keeps the queue from filling, which would measure drops.
			time.Sleep(time.Millisecond)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
