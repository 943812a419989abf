package telegram

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// peakSampler records the process's peak heap and goroutine count while a
// load runs.
type peakSampler struct {
	stop       chan struct{}
	done       chan struct{}
	heap, sys  uint64
	goroutines int
}

func samplePeaks(every time.Duration) *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var ms runtime.MemStats
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			p.heap = max(p.heap, ms.HeapInuse)
			p.sys = max(p.sys, ms.Sys)
			p.goroutines = max(p.goroutines, runtime.NumGoroutine())
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakSampler) end() { close(p.stop); <-p.done }

// TestLoad200Users: 200 users ask at once (150 in private chats, 50 in
// five groups) and the model takes 2 s per answer, streaming as it goes.
// Every question must be answered exactly once, with the default flood
// control pacing (25 messages a second) in force. Peak memory and
// goroutines are logged; docs/BENCHMARKS.md records them.
func TestLoad200Users(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const users, modelTime = 200, 2 * time.Second
	srv := tgtest.NewServer(t)
	fa := &fakeAnswerer{stepDelay: modelTime / 4}
	fa.reply = func(q bot.Question) (bot.Answer, []string, error) {
		a, _, _ := defaultReply(q)
		words := strings.Fields(a.Text)
		var steps []string
		for i := 1; i <= 4; i++ {
			steps = append(steps, strings.Join(words[:len(words)*i/5], " "))
		}
		return a, steps, nil
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	peaks := samplePeaks(10 * time.Millisecond)
	h := startWith(t, srv, fa, WithSendRate(DefaultSendRate), WithEditInterval(DefaultEditInterval), WithDraftInterval(DefaultDraftInterval))

	type asker struct {
		chat models.Chat
		user models.User
		text string
	}
	var askers []asker
	for i := 0; i < users; i++ {
		u := tgtest.NewUser(int64(10000+i), fmt.Sprint("user", i), []string{"en", "ru", "zh-hans", "zh-hant"}[i%4])
		text := fmt.Sprintf("question number %d?", i)
		chat := tgtest.PrivateChat(u)
		if i >= 150 {
			chat = tgtest.Group(int64(900+i%5), "group")
			text = "@declbot_test_bot " + text
		}
		askers = append(askers, asker{chat, u, text})
	}
	began := time.Now()
	var wg sync.WaitGroup
	for _, a := range askers {
		wg.Add(1)
		go func() { defer wg.Done(); srv.SendText(a.chat, a.user, a.text) }()
	}
	wg.Wait()
	srv.Wait(60*time.Second, "200 answers", func() bool { return h.bot.Stats().Answers == users })
	elapsed := time.Since(began)
	h.settle()
	peaks.end()

	// Each question reached the engine once and got exactly one answer.
	seen := map[string]int{}
	for _, q := range fa.asked() {
		seen[q.Text]++
	}
	for i := 0; i < users; i++ {
		if n := seen[fmt.Sprintf("question number %d?", i)]; n != 1 {
			t.Errorf("question %d asked %d times", i, n)
		}
	}
	answers := 0
	for _, a := range askers {
		for _, m := range srv.BotMessages(a.chat.ID) {
			if strings.HasPrefix(m.Text, "Answer to: "+strings.TrimPrefix(a.text, "@declbot_test_bot ")) {
				answers++
				if len(buttons(m)) != 1 {
					t.Errorf("answer without its source button: %q", m.Text)
				}
			}
		}
	}
	s := h.bot.Stats()
	if answers != users || s.Duplicates != 0 || s.Failures != 0 || s.Panics != 0 {
		t.Errorf("%d answers seen, stats %+v", answers, s)
	}
	if n := len(srv.Pending()); n != 0 {
		t.Errorf("%d updates never confirmed", n)
	}
	t.Logf("200 users, model 2 s: all answered in %v; peak heap in use %.1f MiB (%.1f MiB above the start), peak Sys %.1f MiB, peak goroutines %d; Bot API calls %d (drafts %d, edits %d)",
		elapsed.Round(10*time.Millisecond), mib(peaks.heap), mib(peaks.heap-min(peaks.heap, base.HeapInuse)), mib(peaks.sys), peaks.goroutines,
		len(srv.Calls()), len(srv.CallsTo("sendMessageDraft")), len(srv.CallsTo("editMessageText")))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
