package history

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppend1000Users has 1,000 users record turns at once on the
// real disk and reports the latency of Append (p50, p99, max), how many
// turns a commit held on average and how many kilobytes of pages were
// written per turn (bbolt's count of the pages its commits allocated, all
// of which they write). b.N is the number of turns.
//
// soak-paced: between two turns a user pauses 20-400 ms, as in the
// Telegram soak at 1,000 users (TestSoak: 22-198 ms between an answer and
// the next question, plus the fake model's 0-200 ms). closed: no pause,
// each user records its next turn as soon as the last is recorded; its
// latency is bounded below by 1,000 / throughput.
//
//	go test ./bot/history -run '^$' -bench BenchmarkAppend1000Users -benchtime 20000x
func BenchmarkAppend1000Users(b *testing.B) {
	b.Run("soak-paced", func(b *testing.B) { benchAppendUsers(b, 1000, 20*time.Millisecond, 400*time.Millisecond) })
	b.Run("closed", func(b *testing.B) { benchAppendUsers(b, 1000, 0, 0) })
}

func benchAppendUsers(b *testing.B, users int, minPause, maxPause time.Duration) {
	s, err := Open(filepath.Join(b.TempDir(), "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	question := strings.Repeat("上合组织开发银行有什么进展？", 4)
	answer := strings.Repeat("各有关成员国重申成立上合组织开发银行的重要性[3.21]。", 25)
	var next atomic.Int64
	lat := make([][]time.Duration, users)
	var wg sync.WaitGroup
	before := s.db.Stats().TxStats
	b.ResetTimer()
	for u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("chat%d", u)
			rng := rand.New(rand.NewPCG(uint64(u), 12))
			for next.Add(1) <= int64(b.N) {
				if maxPause > 0 {
					time.Sleep(minPause + time.Duration(rng.Int64N(int64(maxPause-minPause))))
				}
				t := time.Now()
				if err := s.Append(key, Turn{Question: question, Answer: answer, Cited: []string{"3.21"}}); err != nil {
					b.Error(err)
					return
				}
				lat[u] = append(lat[u], time.Since(t))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	after := s.db.Stats().TxStats
	delta := after.Sub(&before)
	written := delta.GetPageAlloc()
	all := slices.Concat(lat...)
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
	b.ReportMetric(float64(len(all))/float64(s.commits.Load()), "turns/commit")
	b.ReportMetric(float64(written)/1024/float64(len(all)), "KB/turn")
}
