package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// The fault matrix through "declbot serve" itself: the real wiring (config,
// index with its cache in DATA_DIR, engine, llm client, history database,
// Telegram bot) against the fake Bot API and the fake OpenAI server. Each
// test checks what the user sees and what is left in DATA_DIR afterwards.
// docs/RELIABILITY.md lists every cell and the test that covers it.

// turnsOf reads a chat's history from a stopped serve's DATA_DIR.
func turnsOf(t *testing.T, dataDir string, chatID int64) []history.Turn {
	t.Helper()
	store, err := history.Open(filepath.Join(dataDir, "history.db"))
	if err != nil {
		t.Fatalf("history after serve stopped: %v", err)
	}
	defer store.Close()
	if r := store.Recovered(); r != "" {
		t.Fatalf("history database left damaged (moved to %s)", r)
	}
	turns, err := store.Turns(strconv.FormatInt(chatID, 10))
	if err != nil {
		t.Fatal(err)
	}
	return turns
}

// checkSources checks an answer message: every marker has a source button
// and every button a marker, and no invented paragraph is shown.
func checkSources(t *testing.T, m tgtest.Message) {
	t.Helper()
	ids := markerIDs(m.Text)
	var want []string
	for _, id := range ids {
		want = append(want, "p:"+id+":h")
	}
	if got := markupData(m); len(ids) == 0 || !slices.Equal(got, want) {
		t.Errorf("buttons %v, want one per marker %v, at least one: %q", got, want, m.Text)
	}
	for _, bad := range []string{"9.99", "T40"} {
		if strings.Contains(m.Text, bad) {
			t.Errorf("invented paragraph %s shown: %q", bad, m.Text)
		}
	}
}

var promptIDRE = regexp.MustCompile(`id="([^"]+)"`)

// citeFirst answers citing the first passage the model was given.
func citeFirst(r llmtest.Request) string {
	m := promptIDRE.FindStringSubmatch(r.LastUser())
	if m == nil {
		return "没有段落。"
	}
	return "宣言对此有明确表述[" + m[1] + "]。"
}

// A model that fails in every way it can: the user always gets an answer
// with sources (the extractive one, with a one-line notice, when the
// model's is unusable), and every turn is in the history.
func TestServeModelFaults(t *testing.T) {
	t.Parallel()
	notice := func(k bot.MessageKey) string { return bot.Text(corpus.LangHans, k) }
	cells := []struct {
		name, q string
		// behave scripts the model's nth (1-based) answer request.
		behave func(n int) llmtest.Behavior
		notice string // "" for the model's own answer
	}{
		{"slow (past LLM_TIMEOUT)", "宣言对外空武器化持什么立场？", func(int) llmtest.Behavior {
			return llmtest.ReplyFunc(citeFirst).Delay(time.Minute)
		}, notice(bot.MsgModelTimeout)},
		{"429 then success", "上合组织开发银行有什么进展？", func(n int) llmtest.Behavior {
			if n == 1 {
				return llmtest.RateLimited("0")
			}
			return llmtest.ReplyFunc(citeFirst)
		}, ""},
		{"429 always", "中吉乌铁路现在进展到哪一步了？", func(int) llmtest.Behavior { return llmtest.RateLimited("0") }, notice(bot.MsgModelFailed)},
		{"500", "吉尔吉斯斯坦担任轮值主席国期间的口号是什么？", func(int) llmtest.Behavior { return llmtest.Status(500, "internal error") }, notice(bot.MsgModelFailed)},
		{"malformed stream", "上合组织农业论坛与博览会是在哪个城市举办的？", func(int) llmtest.Behavior {
			return llmtest.Malformed("宣言对此有明确表述[2.36]。", 1)
		}, notice(bot.MsgModelFailed)},
		{"empty answer", "世贸组织第14届部长级会议将在哪个国家举行？", func(int) llmtest.Behavior { return llmtest.Empty() }, notice(bot.MsgModelEmpty)},
		{"only unknown IDs", "成员国批准的上合组织未来10年发展战略覆盖哪些年份？", func(int) llmtest.Behavior {
			return llmtest.Reply("战略覆盖十年[9.99]，见【T40】。")
		}, notice(bot.MsgModelNoCitations)},
	}
	var mu sync.Mutex
	count := map[string]int{}
	llm := llmtest.NewServer(t, llmtest.WithAPIKey("sk-test"), llmtest.WithBehaviorFunc(func(r llmtest.Request) llmtest.Behavior {
		for _, c := range cells {
			if strings.Contains(r.LastUser(), c.q) {
				mu.Lock()
				count[c.name]++
				n := count[c.name]
				mu.Unlock()
				return c.behave(n)
			}
		}
		return llmtest.Status(400, "unexpected request")
	}))
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["OPENAI_BASE_URL"], env["OPENAI_API_KEY"], env["LLM_TIMEOUT"] = llm.URL, "sk-test", "5s"
	s := startServe(t, env)

	// Model down (nothing listens): its own serve, at the same time.
	srvDown := tgtest.NewServer(t)
	envDown := serveEnv(t, srvDown)
	envDown["OPENAI_BASE_URL"], envDown["LLM_TIMEOUT"] = "http://"+freeAddr(t)+"/v1", "5s"
	sDown := startServe(t, envDown)
	uDown := tgtest.NewUser(2000, "Down", "zh-hans")
	qDown := "帕哈尔加姆恐怖袭击是哪一天发生的？"
	srvDown.SendText(tgtest.PrivateChat(uDown), uDown, qDown)

	for i, c := range cells {
		u := tgtest.NewUser(int64(2001+i), "U", "zh-hans")
		srv.SendText(tgtest.PrivateChat(u), u, c.q)
	}
	shown := map[string]tgtest.Message{}
	for i, c := range cells {
		m := lastBotMessage(t, srv, int64(2001+i), 1)
		shown[c.name] = m
		t.Run(c.name, func(t *testing.T) {
			checkSources(t, m)
			if c.notice == "" && m.Text != "宣言对此有明确表述["+strings.Join(markerIDs(m.Text), "")+"]。" {
				t.Errorf("want the model's answer, got %q", m.Text)
			}
			if c.notice != "" && !strings.HasPrefix(m.Text, c.notice+"\n\n") {
				t.Errorf("want the notice %q first, got %q", c.notice, m.Text)
			}
		})
	}
	mDown := lastBotMessage(t, srvDown, uDown.ID, 1)
	t.Run("down (connection refused)", func(t *testing.T) {
		checkSources(t, mDown)
		if !strings.HasPrefix(mDown.Text, notice(bot.MsgModelFailed)+"\n\n") {
			t.Errorf("want the model-failed notice first, got %q", mDown.Text)
		}
	})
	mu.Lock()
	if count["429 then success"] != 2 || count["500"] != 3 || count["empty answer"] != 1 {
		t.Errorf("model requests per cell: %v; want a retry after a 429, three tries on 500s, none after a complete answer", count)
	}
	mu.Unlock()
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	if code := sDown.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, sDown.stderr.String())
	}
	if strings.Contains(s.stderr.String(), "panic") || strings.Contains(sDown.stderr.String(), "panic") {
		t.Errorf("a panic was logged:\n%s", s.stderr.String())
	}

	// Nothing lost: each chat's history holds its question and the answer
	// shown (without the notice).
	check := func(name, dataDir string, chatID int64, q string, m tgtest.Message) {
		turns := turnsOf(t, dataDir, chatID)
		if len(turns) != 1 || turns[0].Question != q || !strings.HasSuffix(m.Text, turns[0].Answer) || turns[0].Answer == "" {
			t.Errorf("%s: history %+v, want the question and the answer shown (%q)", name, turns, m.Text)
		}
	}
	for i, c := range cells {
		check(c.name, env["DATA_DIR"], int64(2001+i), c.q, shown[c.name])
	}
	check("down", envDown["DATA_DIR"], uDown.ID, qDown, mDown)
}

// SIGTERM (serve's context ending) while an answer streams: the answer
// finishes within the grace period, serve exits 0, the database is
// closed cleanly with the turn written, and the conversation goes on
// after a restart.
func TestServeSIGTERMDuringStream(t *testing.T) {
	t.Parallel()
	reply := "成员国支持防止外空武器化[2.36]，" + strings.Repeat("并重申和平利用外空的原则，", 6) + "这是各方的共识。"
	llm := llmtest.NewServer(t, llmtest.WithDefault(llmtest.Reply(reply).Chunk(3).ChunkDelay(25*time.Millisecond)))
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["OPENAI_BASE_URL"] = llm.URL
	s := startServe(t, env)
	u := tgtest.NewUser(2100, "T", "zh-hans")
	chat := tgtest.PrivateChat(u)
	q := "宣言对外空武器化持什么立场？"
	srv.SendText(chat, u, q)
	srv.Wait(serveWait, "the first draft", func() bool { _, ok := srv.Draft(chat.ID); return ok })
	s.cancel() // what SIGTERM does: main's signal.NotifyContext ends the context
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	msgs := srv.BotMessages(chat.ID)
	if len(msgs) != 1 || msgs[0].Text != reply || !slices.Equal(markupData(msgs[0]), []string{"p:2.36:h"}) {
		t.Fatalf("after SIGTERM mid-stream the user has %+v, want the whole answer with its button", msgs)
	}
	logs := s.stderr.String()
	if !strings.Contains(logs, "finishing answers in progress") || !strings.Contains(logs, "abandoned=0") {
		t.Errorf("shutdown not logged as waiting for the answer:\n%s", logs)
	}
	if turns := turnsOf(t, env["DATA_DIR"], chat.ID); len(turns) != 1 || turns[0].Question != q || turns[0].Answer != reply {
		t.Errorf("history after SIGTERM: %+v", turns)
	}

	// A question asked while the bot is down waits for it.
	q2 := "那么核武器呢？"
	srv.SendText(chat, u, q2)
	s = startServe(t, env)
	m := lastBotMessage(t, srv, chat.ID, 2)
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if m.ReplyTo != 0 || !strings.Contains(m.Text, "[2.36]") {
		t.Errorf("question sent during shutdown: answer %q", m.Text)
	}
	if turns := turnsOf(t, env["DATA_DIR"], chat.ID); len(turns) != 2 || turns[1].Question != q2 {
		t.Errorf("history after restart: %+v", turns)
	}
}

// The embeddings endpoint down at start-up: serve does not start, and
// says which setting to fix (README: "declbot stops with an error naming
// EMBEDDING_MODEL/EMBEDDING_BASE_URL").
func TestServeEmbeddingsDownAtStart(t *testing.T) {
	t.Parallel()
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["EMBEDDING_MODEL"], env["EMBEDDING_BASE_URL"] = "bge-m3", "http://"+freeAddr(t)+"/v1"
	_, errOut, code := run(t, env, "serve")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	for _, want := range []string{"EMBEDDING_MODEL=bge-m3", "EMBEDDING_BASE_URL", "connection refused", "unset EMBEDDING_MODEL"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if len(srv.Calls()) != 0 {
		t.Errorf("serve contacted Telegram before failing: %d calls", len(srv.Calls()))
	}
}

// The embeddings endpoint going down while serve runs: questions are
// still answered, from the lexical ranking, and the fallback is logged.
func TestServeEmbeddingsDownMidRun(t *testing.T) {
	t.Parallel()
	emb := llmtest.NewServer(t)
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["EMBEDDING_MODEL"], env["EMBEDDING_BASE_URL"] = "fake-embed", emb.URL
	s := startServe(t, env)
	u := tgtest.NewUser(2200, "E", "zh-hans")
	chat := tgtest.PrivateChat(u)
	srv.SendText(chat, u, "宣言对外空武器化持什么立场？")
	checkSources(t, lastBotMessage(t, srv, chat.ID, 1))
	before := emb.EmbeddingCalls()
	emb.Close() // down: connection refused from now on
	v := tgtest.NewUser(2201, "F", "zh-hans")
	srv.SendText(tgtest.PrivateChat(v), v, "上合组织开发银行有什么进展？")
	m := lastBotMessage(t, srv, v.ID, 1)
	checkSources(t, m)
	if !strings.Contains(m.Text, "[3.21]") {
		t.Errorf("lexical fallback did not find 3.21: %q", m.Text)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if !strings.Contains(s.stderr.String(), "using the lexical ranking only") {
		t.Errorf("fallback not logged:\n%s", s.stderr.String())
	}
	if before == 0 {
		t.Error("the embeddings endpoint was never used")
	}
	for _, id := range []int64{u.ID, v.ID} {
		if turns := turnsOf(t, env["DATA_DIR"], id); len(turns) != 1 {
			t.Errorf("history of %d: %d turns, want 1", id, len(turns))
		}
	}
}

// A DATA_DIR that cannot be written: serve stops at once with a message
// naming DATA_DIR and the fix. A folder below a regular file fails for
// root too (ENOTDIR); a read-only folder is tried when not root.
func TestServeDataDirUnusable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"below a file": filepath.Join(file, "declbot")}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		dirs["read-only"] = ro
	} else {
		t.Log("running as root: the read-only folder case is skipped (root writes anyway); the below-a-file case fails for root too")
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			srv := tgtest.NewServer(t)
			env := serveEnv(t, srv)
			env["DATA_DIR"] = dir
			_, errOut, code := run(t, env, "serve")
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			for _, want := range []string{"DATA_DIR=" + dir, "set DATA_DIR to a writable folder"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if len(srv.Calls()) != 0 {
				t.Errorf("serve contacted Telegram before failing: %d calls", len(srv.Calls()))
			}
		})
	}
}

// DATA_DIR holding a damaged embedding cache and a damaged history
// database: serve starts, says so once, keeps the damaged database aside
// (it may hold conversations someone wants back), rebuilds both, and the
// next start finds them healthy.
func TestServeCorruptedDataDir(t *testing.T) {
	t.Parallel()
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	dir := env["DATA_DIR"]
	u := tgtest.NewUser(2300, "C", "zh-hans")
	chat := tgtest.PrivateChat(u)
	ask := func(q string, n int) {
		t.Helper()
		s := startServe(t, env)
		srv.SendText(chat, u, q)
		checkSources(t, lastBotMessage(t, srv, chat.ID, n))
		if code := s.stop(); code != exitOK {
			t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
		}
		logs := s.stderr.String()
		if n == 2 {
			if !strings.Contains(logs, "embedding cache rejected") || !strings.Contains(logs, "chat history database was damaged") {
				t.Errorf("damage not reported:\n%s", logs)
			}
		} else if strings.Contains(logs, "rejected") || strings.Contains(logs, "damaged") {
			t.Errorf("start %d found damage:\n%s", n, logs)
		}
	}
	ask("宣言对外空武器化持什么立场？", 1)
	caches, _ := filepath.Glob(filepath.Join(dir, "embeddings-*.bin"))
	if len(caches) != 1 {
		t.Fatalf("embedding caches in DATA_DIR: %v", caches)
	}
	garbage := make([]byte, 64<<10)
	rand.Read(garbage)
	for _, p := range []string{caches[0], filepath.Join(dir, "history.db")} {
		if err := os.WriteFile(p, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ask("上合组织开发银行有什么进展？", 2)
	aside, _ := filepath.Glob(filepath.Join(dir, "history.db.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("damaged database not kept aside: %v", aside)
	}
	if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, garbage) {
		t.Error("the damaged database was altered")
	}
	ask("中吉乌铁路现在进展到哪一步了？", 3)
	if turns := turnsOf(t, dir, chat.ID); len(turns) != 2 || turns[0].Question != "上合组织开发银行有什么进展？" {
		t.Errorf("history after recovery: %+v", turns)
	}
}
