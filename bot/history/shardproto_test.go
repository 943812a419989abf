package history

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkShardProto is a measured, not-merged prototype (see the commit
// message): BenchmarkAppend1000Users with the conversations hashed over
// SHARDS independent stores (each its own bbolt file, writer goroutine and
// group commit), to see whether splitting the store raises closed-loop
// throughput; SHARDS=1 is the store as it is. MODE=noop and MODE=nobatch
// (protoAppend) and MODE=nosync measure the floors: the store doing
// nothing, and bbolt without fdatasync. QUARTERS=1 logs p50/p99 per
// quarter of the run and when the slowest 1% of turns were acknowledged;
// warm-p50/warm-p99 leave out each user's first two turns.
//
//	go test -c -o /tmp/h.test ./bot/history
//	cd /tmp && SHARDS=2 ./h.test -test.run '^$' -test.bench BenchmarkShardProto -test.benchtime 20000x
func BenchmarkShardProto(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SHARDS"))
	if n < 1 {
		n = 1
	}
	b.Run("soak-paced", func(b *testing.B) { benchShard(b, n, 1000, 20*time.Millisecond, 400*time.Millisecond) })
	b.Run("closed", func(b *testing.B) { benchShard(b, n, 1000, 0, 0) })
}

func benchShard(b *testing.B, n, users int, minPause, maxPause time.Duration) {
	dir := b.TempDir()
	ss := make([]*Store, n)
	for i := range ss {
		s, err := Open(filepath.Join(dir, fmt.Sprintf("history%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if os.Getenv("MODE") == "nosync" {
			s.db.NoSync = true
		}
		ss[i] = s
	}
	pick := func(key string) *Store {
		h := fnv.New32a()
		h.Write([]byte(key))
		return ss[h.Sum32()%uint32(n)]
	}
	question := strings.Repeat("上合组织开发银行有什么进展？", 4)
	answer := strings.Repeat("各有关成员国重申成立上合组织开发银行的重要性[3.21]。", 25)
	var next atomic.Int64
	lat := make([][]time.Duration, users)
	starts := make([][]time.Time, users)
	t0 := time.Now()
	var wg sync.WaitGroup
	before := make([]bolt.TxStats, n)
	for i, s := range ss {
		before[i] = s.db.Stats().TxStats
	}
	b.ResetTimer()
	for u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("chat%d", u)
			s := pick(key)
			rng := rand.New(rand.NewPCG(uint64(u), 12))
			for next.Add(1) <= int64(b.N) {
				if maxPause > 0 {
					time.Sleep(minPause + time.Duration(rng.Int64N(int64(maxPause-minPause))))
				}
				t := time.Now()
				if err := protoAppend(s, key, Turn{Question: question, Answer: answer, Cited: []string{"3.21"}}); err != nil {
					b.Error(err)
					return
				}
				lat[u] = append(lat[u], time.Since(t))
				starts[u] = append(starts[u], t)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	var written int64
	var commits int64
	for i, s := range ss {
		after := s.db.Stats().TxStats
		d := after.Sub(&before[i])
		written += d.GetPageAlloc()
		commits += s.commits.Load()
	}
	if os.Getenv("QUARTERS") != "" {
		// Where the slowest 1% come from: turns acknowledged by one
		// commit end within a few hundred microseconds of each other.
		type lt struct {
			d   time.Duration
			end time.Time
		}
		var ls []lt
		for u := range lat {
			for i, d := range lat[u] {
				ls = append(ls, lt{d, starts[u][i].Add(d)})
			}
		}
		slices.SortFunc(ls, func(a, b lt) int { return int(b.d - a.d) })
		top := ls[:len(ls)/100+1]
		slowest, cut := ls[0].d, ls[len(ls)/100].d
		slices.SortFunc(top, func(a, b lt) int { return a.end.Compare(b.end) })
		groups := 1
		at := []time.Duration{top[0].end.Sub(t0)}
		for i := 1; i < len(top); i++ {
			if top[i].end.Sub(top[i-1].end) > 2*time.Millisecond {
				groups++
				at = append(at, top[i].end.Sub(t0))
			}
		}
		b.Logf("slowest 1%% (%d turns, %v-%v) ended in %d bursts (gaps over 2 ms), at %v of a %v run",
			len(top), cut, slowest, groups, at, time.Since(t0))

		el := time.Since(t0)
		q := make([][]time.Duration, 4)
		for u := range lat {
			for i, d := range lat[u] {
				k := int(4 * starts[u][i].Sub(t0) / el)
				q[min(k, 3)] = append(q[min(k, 3)], d)
			}
		}
		for k := range q {
			slices.Sort(q[k])
			if len(q[k]) > 0 {
				b.Logf("quarter %d: n=%d p50 %v p99 %v max %v", k, len(q[k]), q[k][len(q[k])/2], q[k][len(q[k])*99/100], q[k][len(q[k])-1])
			}
		}
	}
	// Without each user's first two turns: 1,000 users starting at the
	// same instant on an empty file (the file growing and remapped, the
	// heap growing, 1,000 encodings at once) make the slowest 1% of a
	// 20,000-turn run, all in its first ~200 ms (QUARTERS=1).
	var warm []time.Duration
	for u := range lat {
		if len(lat[u]) > 2 {
			warm = append(warm, lat[u][2:]...)
		}
	}
	slices.Sort(warm)
	if len(warm) > 0 {
		b.ReportMetric(float64(warm[len(warm)*99/100].Microseconds())/1000, "warm-p99-ms")
		b.ReportMetric(float64(warm[len(warm)/2].Microseconds())/1000, "warm-p50-ms")
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
	b.ReportMetric(float64(len(all))/float64(commits), "turns/commit")
	b.ReportMetric(float64(written)/1024/float64(len(all)), "KB/turn")
}

// protoAppend is Append, or with MODE=noop Append's work on the caller's
// goroutine followed by an empty write through the writer (a commit that
// writes nothing but its meta page), or with MODE=nobatch that work alone:
// the floor of the closed loop if the store cost nothing.
func protoAppend(s *Store, key string, t Turn) error {
	mode := os.Getenv("MODE")
	if mode != "noop" && mode != "nobatch" {
		return s.Append(key, t)
	}
	t.At = s.now()
	t.Question = truncate(t.Question, s.maxText)
	t.Answer = truncate(t.Answer, s.maxText)
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	rec := encodeTurn(key, t.At.UnixNano(), data)
	if mode == "nobatch" {
		_ = rec
		return nil
	}
	return s.batch(func(tx *bolt.Tx) error { return nil })
}
