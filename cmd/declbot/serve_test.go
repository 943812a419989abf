package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serving is "declbot serve" running in the background.
type serving struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

func startServe(t *testing.T, env map[string]string, args ...string) *serving {
	t.Helper()
	s := &serving{t: t, done: make(chan int, 1), stderr: &syncBuffer{}}
	a := &app{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: s.stderr, getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- a.main(ctx, append([]string{"serve"}, args...)) }()
	t.Cleanup(func() { s.stop() })
	return s
}

// stop interrupts serve as SIGINT would and returns its exit status.
func (s *serving) stop() int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(30 * time.Second):
		s.t.Fatalf("serve did not exit after interrupt\n%s", s.stderr.String())
		return -1
	}
}

func serveEnv(t *testing.T, srv *tgtest.Server) map[string]string {
	return map[string]string{
		"DATA_DIR":           t.TempDir(),
		"TELEGRAM_BOT_TOKEN": srv.Token(),
		"TELEGRAM_API_URL":   srv.URL(),
	}
}

const serveWait = 20 * time.Second

func lastBotMessage(t *testing.T, srv *tgtest.Server, chatID int64, n int) tgtest.Message {
	t.Helper()
	srv.Wait(serveWait, "the bot's reply", func() bool { return len(srv.BotMessages(chatID)) >= n })
	msgs := srv.BotMessages(chatID)
	return msgs[n-1]
}

// markupData returns the callback data of a message's source buttons
// (voteData the 👍 / 👎 under answers).
func markupData(m tgtest.Message) []string {
	return buttonData(m, func(d string) bool { return !strings.HasPrefix(d, "f:") })
}

func voteData(m tgtest.Message) []string {
	return buttonData(m, func(d string) bool { return strings.HasPrefix(d, "f:") })
}

func buttonData(m tgtest.Message, keep func(string) bool) []string {
	var out []string
	if m.Markup != nil {
		for _, row := range m.Markup.InlineKeyboard {
			for _, b := range row {
				if keep(b.CallbackData) {
					out = append(out, b.CallbackData)
				}
			}
		}
	}
	return out
}

func TestServeTokenErrors(t *testing.T) {
	tests := []struct {
		name, token string
		want        string
	}{
		{"missing", "", "talk to @BotFather"},
		{"malformed", "12345-not-a-token-secretvalue", "does not look like a bot token"},
		{"quoted", `"123456789:AAHfakeTokenForTestsOnly_abcdefghijk"`, "no quotes or spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, map[string]string{"DATA_DIR": t.TempDir(), "TELEGRAM_BOT_TOKEN": tt.token}, "serve")
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr:\n%s", code, errOut)
			}
			if tt.token != "" && strings.Contains(errOut, strings.Trim(tt.token, `"`)) {
				t.Error("the token was printed")
			}
		})
	}
}

func TestServeRejectedToken(t *testing.T) {
	srv := tgtest.NewServer(t, tgtest.WithToken("987654321:AAHtheServerExpectsThisOtherToken_xy"))
	env := serveEnv(t, srv)
	env["TELEGRAM_BOT_TOKEN"] = tgtest.DefaultToken
	_, errOut, code := run(t, env, "serve")
	if code != exitUsage || !strings.Contains(errOut, "Telegram rejected TELEGRAM_BOT_TOKEN") || !strings.Contains(errOut, "@BotFather") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if strings.Contains(errOut, tgtest.DefaultToken) {
		t.Error("the token was printed")
	}
}

func TestServeBadWebhookSecret(t *testing.T) {
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["WEBHOOK_URL"], env["WEBHOOK_SECRET"] = "https://example.org/hook", "has spaces and ü"
	if _, errOut, code := run(t, env, "serve"); code != exitUsage || !strings.Contains(errOut, "WEBHOOK_SECRET") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

// The real serve code with the real engine, offline: what a user sees.
func TestServeOffline(t *testing.T) {
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	s := startServe(t, env)
	u := tgtest.NewUser(1001, "Ann", "zh-hans")
	chat := tgtest.PrivateChat(u)

	srv.SendText(chat, u, "/start")
	welcome := lastBotMessage(t, srv, chat.ID, 1)
	if !strings.Contains(welcome.Text, "天津宣言") || len(markupData(welcome)) != 3 {
		t.Errorf("welcome = %q %v", welcome.Text, markupData(welcome))
	}

	srv.SendText(chat, u, "宣言对外空武器化持什么立场？")
	answer := lastBotMessage(t, srv, chat.ID, 2)
	if !strings.Contains(answer.Text, "[2.36]") || answer.ParseMode != "HTML" {
		t.Fatalf("answer = %q", answer.Text)
	}
	// Every marker in the text has a button, and every button a marker.
	ids := markerIDs(answer.Text)
	var want []string
	for _, id := range ids {
		want = append(want, "p:"+id+":h")
	}
	if got := markupData(answer); !slices.Equal(got, want) {
		t.Errorf("buttons %v, want %v for the markers in %q", got, want, answer.Text)
	}

	// The source button shows the paragraph.
	srv.PressButton(chat, u, answer.ID, "p:2.36:h")
	para := lastBotMessage(t, srv, chat.ID, 3)
	c, _ := corpus.Load()
	p, _ := c.Get("2.36")
	if !strings.Contains(para.Text, p.TextHans) {
		t.Errorf("paragraph = %q", para.Text)
	}

	// Search uses the real index.
	srv.SendText(chat, u, "/search 外空")
	found := lastBotMessage(t, srv, chat.ID, 4)
	if !slices.Contains(markupData(found), "p:2.36:h") {
		t.Errorf("search for 外空: %q %v", found.Text, markupData(found))
	}

	// Inline mode with the real index.
	q := srv.InlineQuery(u, "外空武器化")
	srv.Wait(serveWait, "the inline answer", func() bool { _, ok := srv.InlineAnswer(q); return ok })
	rs, _ := srv.InlineAnswer(q)
	if len(rs) == 0 || rs[0].ID != "2.36" {
		t.Errorf("inline results %+v", rs)
	}

	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	if _, err := os.Stat(filepath.Join(env["DATA_DIR"], "history.db")); err != nil {
		t.Errorf("no history database: %v", err)
	}
	if strings.Contains(s.stderr.String(), srv.Token()) {
		t.Error("the token appears in the logs")
	}
}

// With --corpus, serve knows the synthetic pack: /docs lists it, /cite
// takes its qualified IDs, and a chat's /doc pin is kept in DATA_DIR
// across a restart.
func TestServeDocPin(t *testing.T) {
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	s := startServe(t, env, "--offline", "--corpus", filepath.Join("..", "..", "testdata", "packs"))
	u := tgtest.NewUser(1003, "Pin", "en")
	chat := tgtest.PrivateChat(u)
	n := 0
	say := func(text string) tgtest.Message {
		t.Helper()
		srv.SendText(chat, u, text)
		n++
		return lastBotMessage(t, srv, chat.ID, n)
	}
	if m := say("/docs"); !strings.Contains(m.Text, "qinghu2026 (Qinghu, 2026-06-15)\n• Qinghu Declaration: qinghu2026:0.1–3.1, 8 paragraphs") {
		t.Errorf("/docs:\n%s", m.Text)
	}
	if m := say("/cite qinghu2026:2.1-2.2"); !strings.HasPrefix(m.Text, "[qinghu2026:2.1] Qinghu Declaration · Part 2\n") || !strings.Contains(m.Text, "[qinghu2026:2.2]") {
		t.Errorf("/cite:\n%s", m.Text)
	}
	if m := say("/doc qinghu2026"); !strings.HasPrefix(m.Text, "Done: questions in this chat are now answered from qinghu2026") {
		t.Errorf("/doc qinghu2026: %q", m.Text)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}

	s = startServe(t, env, "--offline", "--corpus", filepath.Join("..", "..", "testdata", "packs"))
	if m := say("/doc"); !strings.HasPrefix(m.Text, "This chat is pinned to qinghu2026 (Qinghu, 2026-06-15)") {
		t.Errorf("/doc after a restart: %q", m.Text)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
}

// With a model (the fake OpenAI server): streamed drafts, verified
// citations, and follow-up history that survives a restart.
func TestServeWithModel(t *testing.T) {
	llm := llmtest.NewServer(t, llmtest.WithAPIKey("sk-test"),
		llmtest.WithDefault(llmtest.Reply("成员国支持防止外空武器化[2.36]，另见[9.99]。<b>注意</b> & 谨慎。").Chunk(3).ChunkDelay(15*time.Millisecond)))
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["OPENAI_BASE_URL"], env["OPENAI_API_KEY"], env["OPENAI_MODEL"] = llm.URL, "sk-test", "fake-model"
	s := startServe(t, env)
	u := tgtest.NewUser(1002, "Bo", "en")
	chat := tgtest.PrivateChat(u)

	srv.SendText(chat, u, "宣言对外空武器化持什么立场？")
	answer := lastBotMessage(t, srv, chat.ID, 1)
	if answer.Text != "成员国支持防止外空武器化[2.36]，另见。<b>注意</b> & 谨慎。" {
		t.Errorf("answer = %q", answer.Text)
	}
	if got := markupData(answer); !slices.Equal(got, []string{"p:2.36:h"}) {
		t.Errorf("buttons = %v (9.99 must not get one)", got)
	}
	if len(srv.CallsTo("sendMessageDraft")) == 0 {
		t.Error("no drafts while the model streamed")
	}

	// Restart: the follow-up still carries the first question.
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	s = startServe(t, env)
	srv.SendText(chat, u, "那么核武器呢？")
	lastBotMessage(t, srv, chat.ID, 2)
	reqs := llm.ChatRequests()
	last := reqs[len(reqs)-1]
	var all strings.Builder
	for _, m := range last.Messages {
		all.WriteString(m.Content)
	}
	if !strings.Contains(all.String(), "宣言对外空武器化持什么立场？") {
		t.Errorf("the follow-up after a restart lost the history; prompt:\n%s", all.String())
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServeWebhookAndHealth(t *testing.T) {
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	hook, health := freeAddr(t), freeAddr(t)
	env["WEBHOOK_URL"] = "http://" + hook + "/telegram"
	env["WEBHOOK_LISTEN"] = hook
	env["WEBHOOK_SECRET"] = "a_secret-123"
	env["HEALTH_LISTEN"] = health
	s := startServe(t, env)
	srv.Wait(serveWait, "setWebhook", func() bool { return len(srv.CallsTo("setWebhook")) == 1 })
	u := tgtest.NewUser(1003, "Cy", "ru")
	g := tgtest.Group(1004, "группа")
	q := srv.SendText(g, u, "/ask@declbot_test_bot Что сказано о космосе?")
	answer := lastBotMessage(t, srv, g.ID, 1)
	if answer.ReplyTo != q.ID || len(markerIDs(answer.Text)) == 0 {
		t.Errorf("group answer = %+v", answer)
	}
	resp, err := http.Get("http://" + health + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["status"] != "ok" {
		t.Errorf("healthz %d %v", resp.StatusCode, body)
	}
	raw, _ := json.Marshal(&models.Update{ID: 5, Message: &models.Message{ID: 9, Date: 1, Chat: g, From: &u, Text: "/ask forged"}})
	if code, _ := tgtest.PostWebhook(env["WEBHOOK_URL"], "wrong", raw); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
}
