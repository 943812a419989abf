package telegram

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/llm/retry"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/retrieval"
)

// The soak test's shape. SOAK_QUESTIONS and SOAK_USERS scale it (see
// TestSoak); the rest is fixed so runs compare.
const (
	soakDefaultQuestions = 3000
	// soakRaceQuestions is the default under the race detector, which
	// makes every question about ten times as costly: 3,000 took 50-100 s
	// on the 2-core CI machine, 2,000 keep `go test -race ./...` within
	// its budget and still compare two whole thousands.
	soakRaceQuestions = 2000
	soakDefaultUsers  = 300
	// soakCheckpoint: every this many questions the users pause until the
	// bot is idle, and goroutines and the live heap are measured.
	soakCheckpoint = 1000
	// A fifth of the users sit in groups of ten; the rest ask in private.
	soakGroupShare = 0.2
	soakGroupSize  = 10
	// soakFollowUps is the share of questions that follow up the
	// previous answer ("and the second point?").
	soakFollowUps = 0.3
	// The model takes 0-200 ms per request, and 5% of requests fail.
	soakMaxLatency  = 200 * time.Millisecond
	soakFailureRate = 0.05
	// soakThink is a user's mean pause between an answer and the next
	// question (uniform over 0.2-1.8 times it). It is short, so the users
	// keep the bot busy (throughput is then set by the CPU); SOAK_THINK
	// lengthens it to measure below saturation.
	soakThink = 110 * time.Millisecond
	// soakAnswerWait is how long a user waits for one answer before
	// counting it lost.
	soakAnswerWait = 30 * time.Second
	// Slack for goroutines that come and go without being a leak: idle
	// keep-alive connections (three goroutines each) and timers.
	soakGoroutineSlack = 30
	// soakHeapGrowth bounds the live heap's growth between the first and
	// the last checkpoint; the bot's retained state (a history per chat,
	// a rate limiter per user, the last update IDs) is in place by the
	// first one, so real growth is near zero and this is generous.
	soakHeapGrowth = 16 << 20
	// soakTaps is the share of answers their user votes on (👍 or 👎);
	// soakRetaps the share of those voted on a second time (the same
	// verdict or the other), which must still count once; soakComments
	// the share of answers left at 👎 that get a comment.
	soakTaps     = 0.15
	soakRetaps   = 0.25
	soakComments = 0.5
)

// TestSoak is a bounded soak: thousands of questions from hundreds of
// simulated users, through the fake Bot API server, the real Bot, the
// real engine over the real retrieval index and a chat history in bbolt,
// and a fake model (llmtest, over HTTP) that takes a random 0-200 ms per
// request and fails 5% of requests (500s, streams that stall until the
// idle timeout cuts them, malformed streams, empty answers). Questions
// are the golden suite's, all four languages, each user asking in their
// own language, with follow-ups; groups address the bot by mention,
// /ask, /ask@bot and replies to its answers.
//
// Some users vote on the answer they got (👍 or 👎, now and then a
// second time) and some of those who leave a 👎 reply to the comment
// prompt with a comment, while the others keep asking.
//
// It asserts that every question gets exactly one final answer that users
// can see, matching what the engine answered (an answer whose model call
// failed is the extractive one with a notice), that nothing is handled
// twice, and that goroutines and the live heap do not grow between the
// first and the last thousand questions (users pause at every thousand
// until the bot is idle, so the states compare), and that after shutdown
// goroutines return to where they started; that every answer is in the
// review log, every tap is answered (answerCallbackQuery) exactly once,
// and every answer voted on has exactly its user's latest verdict and
// comment, and no other answer any vote; comments are not taken for
// questions. It reports latency excluding
// the model's time, peak RSS and peak goroutines.
//
// Scale it with SOAK_QUESTIONS (default 3000, 2000 under -race) and
// SOAK_USERS (default 300); SOAK_THINK (a Go duration, default 110ms) is
// the users' mean pause between an answer and their next question: short,
// the users keep the bot saturated; long enough, the latencies are those
// of a bot below capacity. SOAK_SEED changes the random draws;
// SOAK_DEADLINE replaces the hard deadline (by default 60 s plus about
// 20 ms a question, 50 ms under -race). For example:
//
//	SOAK_QUESTIONS=20000 SOAK_USERS=1000 go test -run TestSoak -v ./bot/telegram
//	SOAK_QUESTIONS=20000 SOAK_USERS=1000 SOAK_THINK=10s go test -run TestSoak -v -timeout 30m ./bot/telegram
//
// Latency excluding the model is measured per question: end to end (the
// question handed to the fake Bot API server to the bot recording the
// turn, which it does as soon as Telegram accepted the answer's last
// part) minus the time spent inside the model client's calls (every
// attempt, retry and backoff of the rewrite and the answer, but not the
// engine's own work on each streamed piece). It is split into receiving,
// engine and delivering; docs/BENCHMARKS.md ("Soak") has the figures.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test")
	}
	defQuestions := soakDefaultQuestions
	if raceEnabled {
		defQuestions = soakRaceQuestions
	}
	nq := soakEnvInt(t, "SOAK_QUESTIONS", defQuestions)
	nu := soakEnvInt(t, "SOAK_USERS", soakDefaultUsers)
	seed := uint64(soakEnvInt(t, "SOAK_SEED", 1))
	think := soakEnvDuration(t, "SOAK_THINK", soakThink)
	perQuestion := 20 * time.Millisecond
	if raceEnabled {
		perQuestion = 50 * time.Millisecond
	}
	deadline := soakEnvDuration(t, "SOAK_DEADLINE", 60*time.Second+time.Duration(nq)*(perQuestion+2*think/time.Duration(nu)))
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	golden := loadSoakGolden(t)
	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()
	began := time.Now()

	// The model: llmtest over loopback, a behaviour drawn per request.
	fm := &soakModel{rng: rand.New(rand.NewPCG(seed, 0x50a4)), golden: golden}
	model := llmtest.NewServer(t, llmtest.WithoutRecording(), llmtest.WithBehaviorFunc(fm.behavior))
	logs := &soakLog{}
	logger := slog.New(logs)
	// Production settings but the timeouts, scaled to the fake's
	// latency: a stall is cut after 0.5 s without data, an attempt after
	// 3 s, the model's part of an answer after 6 s.
	client := llm.New(model.URL, "sk-soak", "soak-model", llm.WithLogger(logger),
		llm.WithIdleTimeout(500*time.Millisecond), llm.WithTimeout(3*time.Second), llm.WithRetry(retry.Policy{Retries: llm.DefaultRetries, Base: 50 * time.Millisecond, Max: 400 * time.Millisecond}))
	idx, err := retrieval.New(ctx, testCorpus, retrieval.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	engine := bot.NewEngine(testCorpus, idx, bot.WithModel(timedModel{client}), bot.WithTimeout(6*time.Second), bot.WithLogger(logger))
	store, err := history.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reviews, err := review.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer reviews.Close()

	reg := newSoakRegistry()
	ans := &soakAnswerer{e: engine, reg: reg}
	hist := &soakHistory{s: store, a: ans, writes: make([]time.Duration, 0, nq)}
	srv := tgtest.NewServer(t, tgtest.WithoutCallLog())
	var apiCalls sync.Map   // method -> *atomic.Int64
	var tapAnswers sync.Map // callback query ID -> *atomic.Int64: answerCallbackQuery calls
	srv.SetHook(func(c tgtest.Call) *tgtest.Fault {
		n, _ := apiCalls.LoadOrStore(c.Method, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		if c.Method == "answerCallbackQuery" {
			n, _ := tapAnswers.LoadOrStore(c.Params["callback_query_id"], new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		}
		return nil
	})
	peaks := samplePeaks(20 * time.Millisecond)
	// As `declbot serve` builds it, with the production streaming pace;
	// the per-user question rate limit and the global send pacing are off
	// because the simulated users ask far faster than people do and the
	// fake server has no global quota (TestLoad200Users runs with it).
	h := startWith(t, srv, ans, WithSearcher(idx), WithHistory(hist), WithLogger(logger),
		WithEditInterval(DefaultEditInterval), WithDraftInterval(DefaultDraftInterval),
		WithRateLimit(0, 1), WithSendRate(0), WithShutdownGrace(10*time.Second), WithReview(reviews))
	me := h.bot.Me().Username

	users := newSoakUsers(nu, seed, golden)
	fb := newSoakFeedback()
	res := &soakResults{fb: fb, e2e: make([]time.Duration, 0, nq), model: make([]time.Duration, 0, nq),
		why: map[string]int{}, engine: make([]time.Duration, 0, nq), receive: make([]time.Duration, 0, nq), deliver: make([]time.Duration, 0, nq)}
	gate := newSoakGate(nq, min(soakCheckpoint, nq))
	var wg sync.WaitGroup
	var alive atomic.Int64 // user goroutines, left out of the counts
	for _, u := range users {
		wg.Add(1)
		alive.Add(1)
		go func() {
			defer wg.Done()
			defer alive.Add(-1)
			u.run(ctx, gate, srv, reg, me, golden, think, res)
		}()
	}

	// Checkpoints: at every thousand answered questions (and at the end)
	// the users wait, the bot drains, and the process is measured.
	var cps []soakCheckpointStats
	for c := min(soakCheckpoint, nq); ; c = min(c+soakCheckpoint, nq) {
		if !gate.waitDone(ctx, c) {
			break
		}
		h.settle()
		cps = append(cps, measureSoak(c, &alive))
		if c == nq {
			break
		}
		gate.release(min(c+soakCheckpoint, nq))
	}
	timedOut := ctx.Err() != nil
	gate.stop()
	wg.Wait()
	elapsed := time.Since(began)
	peaks.end()
	stats := h.bot.Stats()

	// Shutdown: the bot, the fakes, the database; then the goroutines
	// must go back to where they were.
	if err := h.stop(); err != nil {
		t.Errorf("Run returned %v", err)
	}
	srv.Close()
	model.Close()
	if err := store.Close(); err != nil {
		t.Errorf("close the history: %v", err)
	}
	fbRep := fb.verify(t, reviews, &tapAnswers, nq)
	if err := reviews.Close(); err != nil {
		t.Errorf("close the review log: %v", err)
	}
	after := waitGoroutines(baseGoroutines+soakGoroutineSlack/3, 5*time.Second)
	rssNow, rssPeak := procRSS()

	// Every question answered once, as the engine answered it.
	answered, lost := int(res.answered.Load()), int(res.lost.Load())
	if timedOut {
		t.Errorf("hard deadline %v reached with %d of %d questions answered", deadline, answered, nq)
	}
	if answered != nq || lost != 0 || res.wrong.Load() != 0 {
		t.Errorf("%d of %d questions answered, %d lost, %d answers not shown as the engine gave them", answered, nq, lost, res.wrong.Load())
	}
	for _, p := range res.problems() {
		t.Error(p)
	}
	if stats.Questions != int64(nq) || stats.Answers != int64(nq) || stats.Failures != 0 || stats.Duplicates != 0 || stats.Panics != 0 || stats.Abandoned != 0 {
		t.Errorf("bot stats %+v, want %d questions and answers and nothing else", stats, nq)
	}
	if n := ans.unmatched.Load(); n != 0 {
		t.Errorf("%d questions reached the engine without a user waiting for them (asked twice?)", n)
	}
	if n := logs.errors.Load(); n != 0 {
		t.Errorf("%d errors logged, first: %s", n, logs.first())
	}
	fallbacks := res.fallbacks.Load()
	if fm.failedAnswers.Load() > 10 && fallbacks == 0 {
		t.Errorf("%d answer streams failed, yet no answer fell back to the text", fm.failedAnswers.Load())
	}

	// No growth between the first and the last checkpoint.
	if len(cps) >= 2 {
		first, last := cps[0], cps[len(cps)-1]
		if d := last.goroutines - first.goroutines; d > soakGoroutineSlack {
			t.Errorf("goroutines grew from %d after %d questions to %d after %d", first.goroutines, first.questions, last.goroutines, last.questions)
		}
		if last.heap > first.heap+soakHeapGrowth {
			t.Errorf("live heap grew from %.1f MiB after %d questions to %.1f MiB after %d (bound +%d MiB)",
				mib(first.heap), first.questions, mib(last.heap), last.questions, soakHeapGrowth>>20)
		}
	}
	if after > baseGoroutines+soakGoroutineSlack/3 {
		t.Errorf("%d goroutines after shutdown, %d before the soak\n%s", after, baseGoroutines, goroutineDump())
	}

	// The report.
	calls := map[string]int64{}
	apiCalls.Range(func(k, v any) bool { calls[k.(string)] = v.(*atomic.Int64).Load(); return true })
	rep := soakReport{
		Questions: nq, Users: nu, Seed: seed, Race: raceEnabled, Seconds: round2(elapsed.Seconds()),
		Answered: answered, Lost: lost, Wrong: int(res.wrong.Load()), Fallbacks: int(fallbacks), FallbackWhy: res.why,
		ThinkMS: float64(think) / float64(time.Millisecond), PerSecond: round2(float64(answered) / elapsed.Seconds()),
		FollowUps: int(res.followUps.Load()), GroupQuestions: int(res.group.Load()), LongAnswers: int(res.long.Load()),
		ModelRequests: fm.requests.Load(), ModelFailures: fm.failures(), ModelRetries: logs.retries.Load(),
		E2E: percentiles(res.e2e), Model: percentiles(res.model), Overhead: percentiles(res.overhead()),
		HistoryWrite: percentiles(hist.writes), EngineOverhead: percentiles(res.engine), Receive: percentiles(res.receive), Deliver: percentiles(res.deliver),
		PeakRSSMiB: round2(mib(rssPeak)), EndRSSMiB: round2(mib(rssNow)), PeakHeapMiB: round2(mib(peaks.heap)), PeakGoroutines: peaks.goroutines,
		BaseGoroutines: baseGoroutines, GoroutinesAfterShutdown: after, BotAPICalls: calls, Feedback: fbRep,
	}
	for _, c := range cps {
		rep.Checkpoints = append(rep.Checkpoints, soakCheckpointJSON{Questions: c.questions, Goroutines: c.goroutines, HeapMiB: round2(mib(c.heap)), RSSMiB: round2(mib(c.rss))})
	}
	t.Logf("soak: %d questions from %d users (%d in groups, %d follow-ups; mean pause %v) in %v, %.1f a second, race detector %v",
		nq, nu, rep.GroupQuestions, rep.FollowUps, think, elapsed.Round(10*time.Millisecond), rep.PerSecond, raceEnabled)
	t.Logf("answered %d, lost %d, wrong %d; extractive fallbacks %d %v; model requests %d, injected failures %v, retries %d",
		answered, lost, rep.Wrong, fallbacks, rep.FallbackWhy, rep.ModelRequests, rep.ModelFailures, rep.ModelRetries)
	t.Logf("feedback: %d answers voted on with %d taps (%d 👍, %d 👎 final), %d comments; every tap answered once and recorded once",
		fbRep.Answers, fbRep.Taps, fbRep.Up, fbRep.Down, fbRep.Comments)
	t.Logf("latency excluding the model (ms): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f", rep.Overhead.P50, rep.Overhead.P95, rep.Overhead.P99, rep.Overhead.Max)
	t.Logf("  of which (p50/p99 ms): receiving %.1f/%.1f, engine %.1f/%.1f, delivering %.1f/%.1f",
		rep.Receive.P50, rep.Receive.P99, rep.EngineOverhead.P50, rep.EngineOverhead.P99, rep.Deliver.P50, rep.Deliver.P99)
	t.Logf("  history write after delivery (ms): p50 %.1f  p99 %.1f  max %.1f", rep.HistoryWrite.P50, rep.HistoryWrite.P99, rep.HistoryWrite.Max)
	t.Logf("end to end (ms): p50 %.1f  p95 %.1f  p99 %.1f; model time per question (ms): p50 %.1f  p99 %.1f",
		rep.E2E.P50, rep.E2E.P95, rep.E2E.P99, rep.Model.P50, rep.Model.P99)
	t.Logf("peak RSS %.1f MiB (VmHWM), peak heap in use %.1f MiB, peak goroutines %d; goroutines %d before, %d after shutdown",
		rep.PeakRSSMiB, rep.PeakHeapMiB, rep.PeakGoroutines, baseGoroutines, after)
	for _, c := range cps {
		t.Logf("checkpoint after %5d questions: %4d goroutines, live heap %6.1f MiB, RSS %6.1f MiB", c.questions, c.goroutines, mib(c.heap), mib(c.rss))
	}
	line, _ := json.Marshal(rep)
	t.Logf("SOAK %s", line)
}

// soakEnvInt reads a positive integer from the environment.
func soakEnvInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return n
}

// soakEnvDuration reads a positive Go duration from the environment.
func soakEnvDuration(t *testing.T, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 90s", name, s)
	}
	return d
}

// soakItem is one golden-suite question.
type soakItem struct {
	ID         string   `json:"id"`
	Lang       string   `json:"lang"`
	Question   string   `json:"question"`
	Gold       []string `json:"gold"`
	OutOfScope bool     `json:"out_of_scope"`
}

type soakGolden struct {
	byLang map[string][]soakItem
	byText map[string]soakItem
}

func loadSoakGolden(t *testing.T) *soakGolden {
	data, err := os.ReadFile(filepath.Join("..", "eval", "golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	g := &soakGolden{byLang: map[string][]soakItem{}, byText: map[string]soakItem{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var it soakItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("golden.jsonl: %v", err)
		}
		if it.Question == "" {
			continue // the header
		}
		it.Question = strings.TrimSpace(it.Question)
		g.byLang[it.Lang] = append(g.byLang[it.Lang], it)
		g.byText[it.Question] = it
	}
	if len(g.byLang) != 4 {
		t.Fatalf("golden suite has languages %v, want four", slices.Sorted(mapKeys(g.byLang)))
	}
	return g
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// soakFollowUpTexts are follow-ups as people type them, per golden
// language; answering them needs the chat's history.
var soakFollowUpTexts = map[string][]string{
	"en":      {"Can you say more about that?", "What about the second point?", "Which paragraph says that exactly?", "And how does that relate to the SCO's other goals?", "Could you summarise that in one sentence?"},
	"ru":      {"А можно подробнее?", "А что насчёт второго пункта?", "В каком пункте это сказано?", "Как это связано с другими целями ШОС?", "Можно короче, одним предложением?"},
	"zh-Hans": {"能详细说说吗？", "那第二点呢？", "具体是哪一段说的？", "这和上合组织的其他目标有什么关系？", "能用一句话总结一下吗？"},
	"zh-Hant": {"能詳細說說嗎？", "那第二點呢？", "具體是哪一段說的？", "這和上合組織的其他目標有什麼關係？", "能用一句話總結一下嗎？"},
}

// --- The model ---

// soakModel chooses what the fake model does with each request: a random
// latency, and for 5% of requests a failure.
type soakModel struct {
	golden *soakGolden

	mu  sync.Mutex
	rng *rand.Rand

	requests      atomic.Int64
	failed        [4]atomic.Int64 // by kind: 500, stall, malformed, empty
	failedAnswers atomic.Int64    // failures of answer streams (not rewrites)
}

var soakFailureKinds = [4]string{"500", "stall", "malformed", "empty"}

func (m *soakModel) failures() map[string]int64 {
	out := map[string]int64{}
	for i, k := range soakFailureKinds {
		out[k] = m.failed[i].Load()
	}
	return out
}

func (m *soakModel) behavior(req llmtest.Request) llmtest.Behavior {
	m.requests.Add(1)
	m.mu.Lock()
	latency := time.Duration(m.rng.Int64N(int64(soakMaxLatency) + 1))
	fail := m.rng.Float64() < soakFailureRate
	kind, after := m.rng.IntN(4), m.rng.IntN(4)
	long := m.rng.Float64() < 0.01
	m.mu.Unlock()

	var text string
	if req.Stream {
		text = m.answer(req, long)
	} else {
		text = m.rewrite(req)
	}
	const chunk = 8
	first := latency / 4
	interval := (latency - first) / time.Duration(max(utf8.RuneCountInString(text)/chunk, 1))
	if fail {
		m.failed[kind].Add(1)
		if req.Stream {
			m.failedAnswers.Add(1)
		}
		switch kind {
		case 0:
			return llmtest.Status(500, "The server had an error while processing your request.").Delay(latency)
		case 1:
			return llmtest.Stall(text, after).Chunk(chunk).Delay(first).ChunkDelay(interval)
		case 2:
			return llmtest.Malformed(text, after+1).Chunk(chunk).Delay(first).ChunkDelay(interval)
		default:
			return llmtest.Empty().Delay(latency)
		}
	}
	if !req.Stream {
		return llmtest.Reply(text).Delay(latency)
	}
	return llmtest.Reply(text).Chunk(chunk).Delay(first).ChunkDelay(interval)
}

var (
	soakPassageRE  = regexp.MustCompile(`(?s)<passage id="([^"]+)"[^>]*>\n(.*?)\n</passage>`)
	soakQuestionRE = regexp.MustCompile(`(?s)<question>\n(.*?)\n</question>`)
	soakLanguageRE = regexp.MustCompile(`Answer the question in (.+?) from the passages`)
	soakTurnRE     = regexp.MustCompile(`(?m)^User: (.*)$`)
)

// topic finds the golden item a request is about: its question, or for a
// follow-up the latest golden question in the history.
func (m *soakModel) topic(prompt string) (soakItem, bool) {
	if q := soakQuestionRE.FindStringSubmatch(prompt); q != nil {
		if it, ok := m.golden.byText[strings.TrimSpace(q[1])]; ok {
			return it, true
		}
	}
	turns := soakTurnRE.FindAllStringSubmatch(prompt, -1)
	for i := len(turns) - 1; i >= 0; i-- {
		if it, ok := m.golden.byText[strings.TrimSpace(turns[i][1])]; ok {
			return it, true
		}
	}
	return soakItem{}, false
}

// rewrite answers the query-rewrite request the way a good model would:
// with Chinese words of the paragraph the question is about. Off-topic
// questions get the question back, which the engine does not use.
func (m *soakModel) rewrite(req llmtest.Request) string {
	prompt := req.LastUser()
	it, ok := m.topic(prompt)
	if ok && !it.OutOfScope && len(it.Gold) > 0 {
		if p, found := testCorpus.Get(it.Gold[0]); found {
			return firstRunes(p.TextHans, 30)
		}
	}
	if q := soakQuestionRE.FindStringSubmatch(prompt); q != nil {
		return q[1]
	}
	return "?"
}

// answer writes an answer in the requested language citing the first
// passages it was given, or says the texts do not address an off-topic
// question. Now and then (long) it quotes every passage in full, past
// Telegram's 4096-character limit.
func (m *soakModel) answer(req llmtest.Request, long bool) string {
	prompt := req.LastUser()
	lang := "en"
	if l := soakLanguageRE.FindStringSubmatch(prompt); l != nil {
		switch {
		case strings.Contains(l[1], "Simplified"):
			lang = "zh-Hans"
		case strings.Contains(l[1], "Traditional"):
			lang = "zh-Hant"
		case strings.Contains(l[1], "Russian"):
			lang = "ru"
		}
	}
	ps := soakPassageRE.FindAllStringSubmatch(prompt, -1)
	it, ok := m.topic(prompt)
	if len(ps) == 0 || (ok && it.OutOfScope) {
		return map[string]string{
			"en": "The texts do not address this question.", "ru": "В этих текстах этот вопрос не затрагивается.",
			"zh-Hans": "宣言和两份声明均未涉及这个问题。", "zh-Hant": "宣言和兩份聲明均未涉及這個問題。",
		}[lang]
	}
	tpl := map[string][3]string{
		"en":      {"According to the declaration:\n\n", "- Paragraph %s: “%s…” [%s]\n", "\nIn short, the member states' position is set out in the **paragraphs cited above**."},
		"ru":      {"Согласно декларации:\n\n", "- Пункт %s: «%s…» [%s]\n", "\nКоротко: позиция государств-членов изложена в **приведённых пунктах**."},
		"zh-Hans": {"根据宣言：\n\n", "- 第%s段：“%s……”[%s]\n", "\n总之，成员国的立场见**上述各段**。"},
		"zh-Hant": {"根據宣言：\n\n", "- 第%s段：「%s……」[%s]\n", "\n總之，成員國的立場見**上述各段**。"},
	}[lang]
	intro, item, outro := tpl[0], tpl[1], tpl[2]
	var b strings.Builder
	b.WriteString(intro)
	n := 1 + len(prompt)%3
	if long {
		n = len(ps)
	}
	for round := 0; round == 0 || (long && utf8.RuneCountInString(b.String()) < 5000); round++ {
		for _, p := range ps[:min(n, len(ps))] {
			quote := firstRunes(p[2], 40)
			if long {
				quote = p[2]
			}
			fmt.Fprintf(&b, item, p[1], quote, p[1])
		}
	}
	b.WriteString(outro)
	return b.String()
}

func firstRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	return string(r[:min(n, len(r))])
}

// timedModel measures the model's own time for each question: the whole
// of every call (attempts, retries and the waits between them), minus
// the time spent in the engine's onDelta (citation checks and streaming
// to Telegram while the answer is written), which is the bot's.
type timedModel struct{ c *llm.Client }

type modelClockKey struct{}

func clockOf(ctx context.Context) *atomic.Int64 {
	c, _ := ctx.Value(modelClockKey{}).(*atomic.Int64)
	return c
}

func (m timedModel) Stream(ctx context.Context, msgs []llm.Message, onDelta func(string)) (string, error) {
	start := time.Now()
	var inBot time.Duration
	cb := onDelta
	if onDelta != nil {
		cb = func(d string) {
			s := time.Now()
			onDelta(d)
			inBot += time.Since(s)
		}
	}
	out, err := m.c.Stream(ctx, msgs, cb)
	if c := clockOf(ctx); c != nil {
		c.Add(int64(time.Since(start) - inBot))
	}
	return out, err
}

func (m timedModel) Complete(ctx context.Context, msgs []llm.Message) (string, error) {
	start := time.Now()
	out, err := m.c.Complete(ctx, msgs)
	if c := clockOf(ctx); c != nil {
		c.Add(int64(time.Since(start)))
	}
	return out, err
}

// --- Following each question through the bot ---

// soakAsk is one question on its way: sent by a user, matched to the
// engine call that answers it, and delivered when the bot records the
// turn in the history, which it does right after Telegram accepted the
// last part of the answer.
type soakAsk struct {
	t0       time.Time
	model    atomic.Int64 // ns inside the model
	matched  atomic.Bool
	askStart time.Time
	askEnd   time.Time
	ans      bot.Answer
	err      error
	at       time.Time // delivered
	done     chan struct{}
}

// soakRegistry holds the questions in flight by conversation and text;
// users never have two questions with the same text in flight in one
// chat, so the key is unique.
type soakRegistry struct {
	mu sync.Mutex
	m  map[string]*soakAsk
}

func newSoakRegistry() *soakRegistry { return &soakRegistry{m: map[string]*soakAsk{}} }

func soakKey(chatID int64, text string) string { return strconv.FormatInt(chatID, 10) + "\x00" + text }

// add registers a question, or returns nil if the same text is already in
// flight in the chat.
func (r *soakRegistry) add(chatID int64, text string) *soakAsk {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := soakKey(chatID, text)
	if r.m[k] != nil {
		return nil
	}
	p := &soakAsk{done: make(chan struct{})}
	r.m[k] = p
	return p
}

func (r *soakRegistry) get(convKey, text string) *soakAsk {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[convKey+"\x00"+text]
}

func (r *soakRegistry) remove(chatID int64, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, soakKey(chatID, text))
}

// soakAnswerer is the engine as the bot sees it, noting which question
// each call answers. The bot reads the chat's history (soakHistory.Turns)
// and asks the engine from the same goroutine, which is how a call is
// matched to its conversation.
type soakAnswerer struct {
	e         *bot.Engine
	reg       *soakRegistry
	convOf    sync.Map // goroutine -> conversation key, from Turns
	askOf     sync.Map // goroutine -> *soakAsk, until Append
	unmatched atomic.Int64
}

func (a *soakAnswerer) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	return a.AskStream(ctx, q, nil)
}

func (a *soakAnswerer) AskStream(ctx context.Context, q bot.Question, onText func(string)) (bot.Answer, error) {
	g := goid()
	conv, _ := a.convOf.LoadAndDelete(g)
	key, _ := conv.(string)
	p := a.reg.get(key, q.Text)
	if p == nil || !p.matched.CompareAndSwap(false, true) {
		a.unmatched.Add(1)
		return a.e.AskStream(ctx, q, onText)
	}
	ctx = context.WithValue(ctx, modelClockKey{}, &p.model)
	p.askStart = time.Now()
	ans, err := a.e.AskStream(ctx, q, onText)
	p.askEnd = time.Now()
	p.ans, p.err = ans, err
	if err != nil {
		close(p.done)
		return ans, err
	}
	a.askOf.Store(g, p)
	return ans, nil
}

// soakHistory is the real bbolt history, watched; it times the writes.
type soakHistory struct {
	s *history.Store
	a *soakAnswerer

	mu     sync.Mutex
	writes []time.Duration
}

func (h *soakHistory) Turns(key string) ([]history.Turn, error) {
	h.a.convOf.Store(goid(), key)
	return h.s.Turns(key)
}

func (h *soakHistory) Append(key string, t history.Turn) error {
	if p, ok := h.a.askOf.LoadAndDelete(goid()); ok {
		p := p.(*soakAsk)
		p.at = time.Now()
		close(p.done)
	}
	start := time.Now()
	err := h.s.Append(key, t)
	d := time.Since(start)
	h.mu.Lock()
	h.writes = append(h.writes, d)
	h.mu.Unlock()
	return err
}

func (h *soakHistory) Clear(key string) error { return h.s.Clear(key) }

// goid is the current goroutine's ID, read from its stack header
// ("goroutine 123 [running]:"); only the test uses it, to match the
// history read to the engine call that follows it.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("goid: cannot read " + string(buf[:]))
	}
	return n
}

// --- The users ---

// soakGate hands out question numbers and holds users back at each
// checkpoint until the test has measured.
type soakGate struct {
	mu       sync.Mutex
	cond     *sync.Cond
	next     int
	total    int
	released int // numbers below may be asked
	done     int
	stopped  bool
}

func newSoakGate(total, released int) *soakGate {
	g := &soakGate{total: total, released: released}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// take returns the next question number, waiting while it is past a
// checkpoint; false when there are no more.
func (g *soakGate) take() (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next >= g.total || g.stopped {
		return 0, false
	}
	i := g.next
	g.next++
	for i >= g.released && !g.stopped {
		g.cond.Wait()
	}
	return i, !g.stopped
}

func (g *soakGate) complete() {
	g.mu.Lock()
	g.done++
	g.mu.Unlock()
	g.cond.Broadcast()
}

func (g *soakGate) release(n int) {
	g.mu.Lock()
	g.released = n
	g.mu.Unlock()
	g.cond.Broadcast()
}

func (g *soakGate) stop() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.cond.Broadcast()
}

// waitDone waits until n questions are finished (answered or lost).
func (g *soakGate) waitDone(ctx context.Context, n int) bool {
	stop := context.AfterFunc(ctx, func() { g.cond.Broadcast() })
	defer stop()
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.done < n && ctx.Err() == nil {
		g.cond.Wait()
	}
	return g.done >= n
}

type soakUser struct {
	idx   int
	user  models.User
	chat  models.Chat
	group bool
	lang  string // golden language
	rng   *rand.Rand

	last      string // the last golden question asked
	lastReply int    // the bot's last answer to this user (its first part)
	keep      []int  // messages of the last exchange, forgotten after the next
}

func newSoakUsers(n int, seed uint64, g *soakGolden) []*soakUser {
	langs := []string{"zh-Hans", "zh-Hant", "en", "ru"}
	codes := map[string]string{"zh-Hans": "zh-hans", "zh-Hant": "zh-hant", "en": "en", "ru": "ru"}
	inGroups := int(float64(n) * soakGroupShare)
	var out []*soakUser
	for i := 0; i < n; i++ {
		lang := langs[i%len(langs)]
		u := &soakUser{idx: i, lang: lang, rng: rand.New(rand.NewPCG(seed, uint64(i)+1)),
			user: tgtest.NewUser(int64(500000+i), fmt.Sprint("soak", i), codes[lang])}
		u.chat = tgtest.PrivateChat(u.user)
		if i >= n-inGroups {
			u.group = true
			u.chat = tgtest.Group(int64(7000+(i-(n-inGroups))/soakGroupSize), "soak group")
		}
		out = append(out, u)
	}
	return out
}

// run asks questions until the gate has none left: think, pick a question
// (a follow-up now and then), send it the way a Telegram client would,
// wait for the answer, check what the chat shows, and forget the exchange
// before last so the fake server's memory stays flat.
func (u *soakUser) run(ctx context.Context, gate *soakGate, srv *tgtest.Server, reg *soakRegistry, me string, g *soakGolden, think time.Duration, res *soakResults) {
	for {
		if _, ok := gate.take(); !ok {
			return
		}
		pause := think/5 + time.Duration(u.rng.Int64N(int64(think*8/5)+1))
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			gate.complete()
			return
		}
		followUp := u.last != "" && u.rng.Float64() < soakFollowUps
		var text string
		var p *soakAsk
		for try := 0; p == nil; try++ {
			if followUp && try < 5 {
				fs := soakFollowUpTexts[u.lang]
				text = fs[u.rng.IntN(len(fs))]
			} else {
				items := g.byLang[u.lang]
				text, followUp = items[u.rng.IntN(len(items))].Question, false
			}
			p = reg.add(u.chat.ID, text)
		}
		if followUp {
			res.followUps.Add(1)
		} else {
			u.last = text
		}
		if u.group {
			res.group.Add(1)
		}

		p.t0 = time.Now()
		var sent tgtest.Message
		switch r := u.rng.Float64(); {
		case !u.group && r < 0.05:
			sent = srv.SendText(u.chat, u.user, "/ask "+text)
		case !u.group:
			sent = srv.SendText(u.chat, u.user, text)
		case followUp && u.lastReply != 0 && r < 0.6:
			sent = srv.ReplyTo(u.chat, u.user, u.lastReply, text)
		case r < 0.5:
			sent = srv.SendText(u.chat, u.user, "@"+me+" "+text)
		case r < 0.7:
			sent = srv.SendText(u.chat, u.user, text+" @"+me)
		case r < 0.85:
			sent = srv.SendText(u.chat, u.user, "/ask "+text)
		default:
			sent = srv.SendText(u.chat, u.user, "/ask@"+me+" "+text)
		}

		timer := time.NewTimer(soakAnswerWait)
		delivered := false
		select {
		case <-p.done:
			delivered = true
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		reg.remove(u.chat.ID, text)
		switch {
		case !delivered:
			res.lost.Add(1)
			res.problem("user %d (chat %d): no answer to %q within %v; the chat's last bot message: %q", u.idx, u.chat.ID, text, soakAnswerWait, lastBotText(srv, u.chat.ID))
		case p.err != nil:
			res.lost.Add(1)
			res.problem("user %d (chat %d): the engine gave no answer to %q: %v", u.idx, u.chat.ID, text, p.err)
		default:
			if msgID, answerID := u.check(srv, p, sent, text, res); answerID != "" {
				u.feedback(ctx, srv, msgID, answerID, res)
			}
		}
		gate.complete()
	}
}

// check compares what the chat shows with the answer the engine gave:
// the parts of answerDoc as Telegram displays them, the source buttons
// under the last, and (in groups) one message replying to the question,
// so no stale streamed message is left behind.
func (u *soakUser) check(srv *tgtest.Server, p *soakAsk, sent tgtest.Message, text string, res *soakResults) (msgID int, answerID string) {
	a := p.ans
	chunks := answerDoc(a).split(MaxMessageLen)
	if len(chunks) == 0 {
		var d doc
		d.plain(bot.Text(a.Lang, bot.MsgNotAddressed))
		chunks = []doc{d}
	}
	var wantButtons []string
	if kb := sourceKeyboard(testCorpus, a, sourceView(a, text, u.user.LanguageCode)); kb != nil {
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				wantButtons = append(wantButtons, b.CallbackData)
			}
		}
	}
	var got []tgtest.Message
	msgs := srv.BotMessages(u.chat.ID)
	for _, m := range msgs {
		if (!u.group && m.ID > sent.ID) || (u.group && m.ReplyTo == sent.ID) {
			got = append(got, m)
		}
	}
	if u.group && len(got) == 1 {
		// Later parts do not reply to the question: find them by text.
		for _, c := range chunks[1:] {
			for _, m := range msgs {
				if m.ID > got[len(got)-1].ID && m.Text == strings.TrimSpace(c.text()) {
					got = append(got, m)
					break
				}
			}
		}
	}
	bad := len(got) != len(chunks)
	for i := 0; !bad && i < len(got); i++ {
		bad = got[i].Text != strings.TrimSpace(chunks[i].text())
	}
	if !bad {
		// The sources, then 👍 and 👎 with the answer's review ID.
		data := callbackData(got[len(got)-1])
		if n := len(data); n >= 2 {
			if f := strings.Split(data[n-1], ":"); len(f) == 3 && review.ValidID(f[1]) {
				answerID = f[1]
			}
		}
		want := append(slices.Clone(wantButtons), feedbackData(answerID, review.Up), feedbackData(answerID, review.Down))
		bad = answerID == "" || !slices.Equal(data, want)
		msgID = got[len(got)-1].ID
	}
	if bad {
		res.wrong.Add(1)
		var shown []string
		for _, m := range got {
			shown = append(shown, fmt.Sprintf("#%d %q %v", m.ID, firstRunes(m.Text, 80), callbackData(m)))
		}
		res.problem("user %d (chat %d): asked %q; the engine answered %q (%d parts, buttons %v) but the chat shows %v",
			u.idx, u.chat.ID, text, firstRunes(answerDoc(a).text(), 80), len(chunks), wantButtons, shown)
	} else {
		res.answered.Add(1)
	}
	if a.Mode == bot.ModeExtractive {
		res.fallbacks.Add(1)
		why := "other"
		for _, k := range []struct {
			key  bot.MessageKey
			name string
		}{{bot.MsgModelTimeout, "timeout"}, {bot.MsgModelFailed, "failed"}, {bot.MsgModelEmpty, "empty"}, {bot.MsgModelNoCitations, "no_citations"}} {
			if a.Notice == bot.Text(a.Lang, k.key) {
				why = k.name
			}
		}
		if a.Notice == "" {
			why = "none"
			res.problem("user %d: %q answered from the text without a notice saying why", u.idx, text)
		}
		res.mu.Lock()
		res.why[why]++
		res.mu.Unlock()
	}
	if len(chunks) > 1 {
		res.long.Add(1)
	}
	res.add(p)

	srv.Forget(u.chat.ID, u.keep...)
	u.keep = append(u.keep[:0], sent.ID)
	for _, m := range got {
		u.keep = append(u.keep, m.ID)
	}
	if len(got) > 0 {
		u.lastReply = got[0].ID
	}
	if bad {
		return 0, ""
	}
	return msgID, answerID
}

// feedback votes, now and then, on the answer msgID the user just got:
// 👍 or 👎, sometimes a second time, each tap waited for until it is
// answered; after a 👎 it waits for the comment prompt and, if the vote
// stays 👎, sometimes replies with a comment and waits for the thanks.
// What the review log must end up with is noted in res.fb.
func (u *soakUser) feedback(ctx context.Context, srv *tgtest.Server, msgID int, answerID string, res *soakResults) {
	if u.rng.Float64() >= soakTaps {
		return
	}
	verdicts := []string{review.Up, review.Down}
	taps := []string{verdicts[u.rng.IntN(2)]}
	if u.rng.Float64() < soakRetaps {
		taps = append(taps, verdicts[u.rng.IntN(2)])
	}
	lang := userLang(u.user.LanguageCode)
	for _, v := range taps {
		q := srv.PressButton(u.chat, u.user, msgID, feedbackData(answerID, v))
		res.fb.tapped(q)
		var ans tgtest.Call
		if !soakPoll(ctx, func() bool { var ok bool; ans, ok = srv.CallbackAnswer(q); return ok }) {
			res.problem("user %d (chat %d): tap %s on answer %s not answered within %v", u.idx, u.chat.ID, v, answerID, soakAnswerWait)
			return
		}
		want := i18n.Text(lang, i18n.FeedbackUp)
		if v == review.Down {
			want = i18n.Text(lang, i18n.FeedbackDown)
		}
		if got := ans.Params["text"]; got != want {
			res.problem("user %d: tap %s answered %q, want %q", u.idx, v, got, want)
		}
	}
	final, comment := taps[len(taps)-1], ""
	if slices.Contains(taps, review.Down) {
		promptText := i18n.Text(lang, i18n.CommentPrompt)
		var prompt tgtest.Message
		found := soakPoll(ctx, func() bool {
			for _, m := range srv.BotMessages(u.chat.ID) {
				if m.ReplyTo == msgID && m.Text == promptText {
					prompt = m
					return true
				}
			}
			return false
		})
		if !found {
			res.problem("user %d (chat %d): no comment prompt after 👎 on answer %s", u.idx, u.chat.ID, answerID)
		} else {
			u.keep = append(u.keep, prompt.ID)
			if final == review.Down && u.rng.Float64() < soakComments {
				comment = fmt.Sprintf("soak comment %d on %s", u.idx, answerID)
				c := srv.ReplyTo(u.chat, u.user, prompt.ID, comment)
				u.keep = append(u.keep, c.ID)
				thanks := i18n.Text(lang, i18n.CommentThanks)
				if !soakPoll(ctx, func() bool {
					for _, m := range srv.BotMessages(u.chat.ID) {
						if m.Text == thanks && ((!u.group && m.ID > c.ID) || m.ReplyTo == c.ID) {
							u.keep = append(u.keep, m.ID)
							return true
						}
					}
					return false
				}) {
					res.problem("user %d (chat %d): comment on answer %s not acknowledged", u.idx, u.chat.ID, answerID)
				}
			}
		}
	}
	res.fb.expect(answerID, final, comment)
}

// soakPoll waits until cond holds, up to soakAnswerWait.
func soakPoll(ctx context.Context, cond func() bool) bool {
	for end := time.Now().Add(soakAnswerWait); ; time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
		if ctx.Err() != nil || time.Now().After(end) {
			return false
		}
	}
}

// soakFeedback is what the users' taps must leave in the review log.
type soakFeedback struct {
	mu   sync.Mutex
	want map[string]soakVote // by answer ID
	taps []string            // callback query IDs
}

type soakVote struct {
	verdict, comment string
}

type soakFeedbackReport struct {
	Answers  int `json:"answers_voted"`
	Taps     int `json:"taps"`
	Up       int `json:"final_up"`
	Down     int `json:"final_down"`
	Comments int `json:"comments"`
}

func newSoakFeedback() *soakFeedback { return &soakFeedback{want: map[string]soakVote{}} }

func (f *soakFeedback) tapped(queryID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taps = append(f.taps, queryID)
}

func (f *soakFeedback) expect(answerID, verdict, comment string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.want[answerID] = soakVote{verdict, comment}
}

// verify checks the review log against the taps: every answer recorded,
// every tap answered exactly once, each answer voted on holding one vote
// (the latest) and its comment, and no vote or comment anywhere else.
func (f *soakFeedback) verify(t *testing.T, s *review.Store, answers *sync.Map, nq int) soakFeedbackReport {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	rep := soakFeedbackReport{Answers: len(f.want), Taps: len(f.taps)}
	unanswered, twice := 0, 0
	for _, q := range f.taps {
		n, ok := answers.Load(q)
		switch {
		case !ok:
			unanswered++
		case n.(*atomic.Int64).Load() != 1:
			twice++
		}
	}
	if unanswered+twice > 0 {
		t.Errorf("of %d taps, %d were never answered and %d answered more than once", len(f.taps), unanswered, twice)
	}
	recs, err := s.List(time.Time{}, time.Time{})
	if err != nil {
		t.Errorf("review log: %v", err)
		return rep
	}
	if len(recs) != nq {
		t.Errorf("review log has %d records, want one per question (%d)", len(recs), nq)
	}
	seen, bad := 0, 0
	for _, r := range recs {
		w, voted := f.want[r.ID]
		if voted {
			seen++
		}
		var comments []string
		for _, c := range r.Comments {
			comments = append(comments, c.Text)
		}
		ok := len(r.Votes) == 0 && len(comments) == 0
		if voted {
			verdict := ""
			for _, v := range r.Votes {
				verdict = v.Verdict
			}
			ok = len(r.Votes) == 1 && verdict == w.verdict &&
				((w.comment == "" && len(comments) == 0) || slices.Equal(comments, []string{w.comment}))
			if w.verdict == review.Up {
				rep.Up++
			} else {
				rep.Down++
			}
			if w.comment != "" {
				rep.Comments++
			}
		}
		if !ok {
			if bad++; bad <= 5 {
				t.Errorf("answer %s (%q): votes %+v, comments %q; want %+v", r.ID, firstRunes(r.Question, 40), r.Votes, comments, w)
			}
		}
	}
	if bad > 5 {
		t.Errorf("… and %d more answers whose votes or comments are wrong", bad-5)
	}
	if seen != len(f.want) {
		t.Errorf("%d answers voted on, %d of them in the review log", len(f.want), seen)
	}
	return rep
}

// soakResults collects what the users saw.
type soakResults struct {
	mu                 sync.Mutex
	e2e, model, engine []time.Duration
	receive, deliver   []time.Duration
	problemList        []string
	nProblems          int
	why                map[string]int // extractive fallbacks by notice
	fb                 *soakFeedback

	answered, lost, wrong atomic.Int64
	fallbacks, followUps  atomic.Int64
	group, long           atomic.Int64
}

// add records one answer's times: end to end (question sent to the last
// part accepted by Telegram), the model's, the engine's own (its call
// minus the model), receiving (question sent to the engine called:
// polling, dispatch, limits, history read) and delivering (engine done to
// the last part accepted: formatting, sendMessage or editMessageText).
func (r *soakResults) add(p *soakAsk) {
	e2e := p.at.Sub(p.t0)
	model := time.Duration(p.model.Load())
	ask := p.askEnd.Sub(p.askStart)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.e2e = append(r.e2e, e2e)
	r.model = append(r.model, model)
	r.engine = append(r.engine, ask-model)
	r.receive = append(r.receive, p.askStart.Sub(p.t0))
	r.deliver = append(r.deliver, p.at.Sub(p.askEnd))
}

func (r *soakResults) overhead() []time.Duration {
	out := make([]time.Duration, len(r.e2e))
	for i := range r.e2e {
		out[i] = r.e2e[i] - r.model[i]
	}
	return out
}

func (r *soakResults) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nProblems++
	if len(r.problemList) < 20 {
		r.problemList = append(r.problemList, fmt.Sprintf(format, args...))
	}
}

func (r *soakResults) problems() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.problemList)
	if r.nProblems > len(out) {
		out = append(out, fmt.Sprintf("… and %d more problems", r.nProblems-len(out)))
	}
	return out
}

// --- Measuring ---

type soakCheckpointStats struct {
	questions, goroutines int
	heap, rss             uint64
}

// measureSoak measures the idle process: live heap after two collections,
// goroutines other than the simulated users' (the least seen over 200 ms,
// so goroutines of the last answers that are still returning are not
// counted), RSS.
func measureSoak(questions int, users *atomic.Int64) soakCheckpointStats {
	g := math.MaxInt
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		g = min(g, runtime.NumGoroutine()-int(users.Load()))
	}
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, _ := procRSS()
	return soakCheckpointStats{questions: questions, goroutines: g, heap: ms.HeapAlloc, rss: rss}
}

// procRSS reads the resident set size now (VmRSS) and its peak (VmHWM)
// from /proc/self/status, in bytes; zeros where there is no /proc.
func procRSS() (now, peak uint64) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if name == "VmRSS" {
			now = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return now, peak
}

// waitGoroutines waits up to timeout for the goroutine count to fall to
// target (connections and timers end asynchronously) and returns it.
func waitGoroutines(target int, timeout time.Duration) int {
	end := time.Now().Add(timeout)
	n := runtime.NumGoroutine()
	for n > target && time.Now().Before(end) {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func goroutineDump() string {
	buf := make([]byte, 64<<10)
	return string(buf[:runtime.Stack(buf, true)])
}

type soakPercentiles struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func percentiles(ds []time.Duration) soakPercentiles {
	if len(ds) == 0 {
		return soakPercentiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := max(int(math.Ceil(q*float64(len(s))))-1, 0)
		return round2(float64(s[i]) / float64(time.Millisecond))
	}
	return soakPercentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: at(1)}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

type soakCheckpointJSON struct {
	Questions  int     `json:"questions"`
	Goroutines int     `json:"goroutines"`
	HeapMiB    float64 `json:"live_heap_mib"`
	RSSMiB     float64 `json:"rss_mib"`
}

// soakReport is the machine-readable summary (the "SOAK {…}" log line).
type soakReport struct {
	Questions               int                  `json:"questions"`
	Users                   int                  `json:"users"`
	Seed                    uint64               `json:"seed"`
	Race                    bool                 `json:"race"`
	Seconds                 float64              `json:"seconds"`
	Answered                int                  `json:"answered"`
	Lost                    int                  `json:"lost"`
	Wrong                   int                  `json:"wrong"`
	Fallbacks               int                  `json:"extractive_fallbacks"`
	FallbackWhy             map[string]int       `json:"fallbacks_by_notice"`
	ThinkMS                 float64              `json:"think_mean_ms"`
	PerSecond               float64              `json:"questions_per_second"`
	FollowUps               int                  `json:"follow_ups"`
	GroupQuestions          int                  `json:"group_questions"`
	LongAnswers             int                  `json:"split_answers"`
	ModelRequests           int64                `json:"model_requests"`
	ModelFailures           map[string]int64     `json:"model_failures_injected"`
	ModelRetries            int64                `json:"model_retries"`
	Overhead                soakPercentiles      `json:"latency_excluding_model"`
	EngineOverhead          soakPercentiles      `json:"engine_excluding_model"`
	Receive                 soakPercentiles      `json:"receive"`
	HistoryWrite            soakPercentiles      `json:"history_write"`
	Deliver                 soakPercentiles      `json:"deliver"`
	E2E                     soakPercentiles      `json:"end_to_end"`
	Model                   soakPercentiles      `json:"model_time"`
	PeakRSSMiB              float64              `json:"peak_rss_mib"`
	EndRSSMiB               float64              `json:"end_rss_mib"`
	PeakHeapMiB             float64              `json:"peak_heap_inuse_mib"`
	PeakGoroutines          int                  `json:"peak_goroutines"`
	BaseGoroutines          int                  `json:"goroutines_before"`
	GoroutinesAfterShutdown int                  `json:"goroutines_after_shutdown"`
	Checkpoints             []soakCheckpointJSON `json:"checkpoints"`
	BotAPICalls             map[string]int64     `json:"bot_api_calls"`
	Feedback                soakFeedbackReport   `json:"feedback"`
}

// soakLog counts what the bot, the engine and the model client log:
// retries, warnings, and errors (the first kept for the failure message).
type soakLog struct {
	retries, warnings, errors atomic.Int64
	mu                        sync.Mutex
	firstErr                  string
}

func (l *soakLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *soakLog) Handle(_ context.Context, r slog.Record) error {
	switch {
	case r.Message == "llm: attempt failed, retrying":
		l.retries.Add(1)
	case r.Level >= slog.LevelError:
		if l.errors.Add(1) == 1 {
			var b strings.Builder
			b.WriteString(r.Message)
			r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
			l.mu.Lock()
			l.firstErr = b.String()
			l.mu.Unlock()
		}
	case r.Level >= slog.LevelWarn:
		l.warnings.Add(1)
	}
	return nil
}

func (l *soakLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *soakLog) WithGroup(string) slog.Handler      { return l }

func (l *soakLog) first() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.firstErr
}

func lastBotText(srv *tgtest.Server, chatID int64) string {
	ms := srv.BotMessages(chatID)
	if len(ms) == 0 {
		return ""
	}
	return firstRunes(ms[len(ms)-1].Text, 100)
}
