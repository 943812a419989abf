package telegram

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func getHealth(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestWebhookMode(t *testing.T) {
	hookLn, healthLn := listen(t), listen(t)
	hookURL := "http://" + hookLn.Addr().String() + "/tg/hook"
	h := start(t, WithWebhook(hookURL, "", "s3cret_token-1"), WithWebhookListener(hookLn), WithHealthListener(healthLn))
	calls := h.srv.CallsTo("setWebhook")
	if len(calls) != 1 || calls[0].Params["url"] != hookURL || calls[0].Params["secret_token"] != "s3cret_token-1" {
		t.Fatalf("setWebhook calls = %+v", calls)
	}
	if len(h.srv.CallsTo("deleteWebhook")) != 0 {
		t.Error("webhook mode deleted the webhook")
	}

	u := tgtest.NewUser(200, "X", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "via webhook?")
	if m := h.botMessages(chat.ID, 1)[0]; !strings.HasPrefix(m.Text, "Answer to: via webhook?") {
		t.Errorf("answer = %q", m.Text)
	}
	h.settle()

	// A request without the secret is refused and does nothing.
	raw, _ := json.Marshal(&models.Update{ID: 999999, Message: &models.Message{ID: 1, Date: 1, Chat: chat, From: &u, Text: "forged"}})
	for _, secret := range []string{"", "wrong", "s3cret_token-"} {
		if code, err := tgtest.PostWebhook(hookURL, secret, raw); err != nil || code != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, %v", secret, code, err)
		}
	}
	// The same update delivered twice is handled once.
	for i := 0; i < 2; i++ {
		if code, err := tgtest.PostWebhook(hookURL, "s3cret_token-1", raw); err != nil || code != http.StatusOK {
			t.Fatalf("genuine delivery: %d, %v", code, err)
		}
	}
	h.settle()
	n := 0
	for _, q := range h.ans.asked() {
		if q.Text == "forged" {
			n++
		}
	}
	if n != 1 || h.bot.Stats().Duplicates != 1 {
		t.Errorf("update handled %d times, duplicates %d", n, h.bot.Stats().Duplicates)
	}
	// Garbage is acknowledged (so Telegram stops resending) and ignored.
	if code, _ := tgtest.PostWebhook(hookURL, "s3cret_token-1", []byte("{not json")); code != http.StatusOK {
		t.Errorf("garbage: status %d", code)
	}

	for _, url := range []string{"http://" + healthLn.Addr().String() + "/healthz", "http://" + hookLn.Addr().String() + "/healthz"} {
		code, body := getHealth(t, url)
		if code != 200 || body["status"] != "ok" || body["answers"].(float64) < 2 {
			t.Errorf("%s: %d %v", url, code, body)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + healthLn.Addr().String() + "/healthz"); err == nil {
		t.Error("health endpoint still up after Run returned")
	}
}

func TestHealthInPollingMode(t *testing.T) {
	ln := listen(t)
	h := start(t, WithHealthListener(ln))
	code, body := getHealth(t, "http://"+ln.Addr().String()+"/healthz")
	if code != 200 || body["status"] != "ok" {
		t.Errorf("healthz = %d %v", code, body)
	}
	_ = h
}

// rawRequest opens a connection to addr, writes req, and returns what the
// server sends until it closes the connection. It fails the test if the
// connection is still open after wait: the server must end it, whatever
// the client does.
func rawRequest(t *testing.T, addr, req string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("connection still open after %s (%v); server sent %q", wait, err, got)
	}
	return string(got)
}

// The webhook server's limits (red team: a slow body stayed open as long
// as the client liked, even without the secret; idle keep-alive
// connections after a 401 were never closed, 1,500 held after 30 s; every
// refused request wrote a WARN line).
func TestWebhookLimits(t *testing.T) {
	hookLn := listen(t)
	addr := hookLn.Addr().String()
	hookURL := "http://" + addr + "/tg/hook"
	const secret = "s3cret_token-1"
	h := start(t, WithWebhook(hookURL, "", secret), WithWebhookListener(hookLn), WithWebhookLimits(WebhookLimits{
		ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 2 * time.Second, WriteTimeout: 5 * time.Second,
		IdleTimeout: 300 * time.Millisecond, MaxHeaderBytes: 4 << 10, MaxConns: 8,
	}))
	// A refused request must end well before the read timeout: its body
	// is not read. Others end at a timeout.
	const refused, wait = 1500 * time.Millisecond, 10 * time.Second
	head := func(secret string, length int) string {
		return "POST /tg/hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: " +
			secret + "\r\nContent-Length: " + strconv.Itoa(length) + "\r\n\r\n"
	}

	t.Run("wrong secret, body never sent: 401 and closed, body not read", func(t *testing.T) {
		got := rawRequest(t, addr, head("wrong", 100000), refused)
		if !strings.HasPrefix(got, "HTTP/1.1 401") {
			t.Errorf("response %q", got)
		}
	})
	t.Run("wrong secret, whole body: 401 and closed, not kept alive", func(t *testing.T) {
		got := rawRequest(t, addr, head("wrong", 2)+"{}", refused)
		if !strings.HasPrefix(got, "HTTP/1.1 401") || !strings.Contains(got, "Connection: close") {
			t.Errorf("response %q", got)
		}
	})
	t.Run("right secret, slow body: cut at the read timeout", func(t *testing.T) {
		got := rawRequest(t, addr, head(secret, 1000)+`{"update_id":`, wait)
		if strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Errorf("a partial body was accepted: %q", got)
		}
	})
	t.Run("idle keep-alive connection closed", func(t *testing.T) {
		body := `{"update_id":424242}`
		got := rawRequest(t, addr, head(secret, len(body))+body, wait)
		if !strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Errorf("genuine request: %q", got)
		}
	})
	t.Run("header too large", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Pad: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(wait))
		got := make([]byte, 12)
		if _, err := io.ReadFull(c, got); err != nil || string(got) != "HTTP/1.1 431" {
			t.Errorf("response %q, %v", got, err)
		}
	})
	t.Run("refusals logged once a minute with a count", func(t *testing.T) {
		for i := 0; i < 30; i++ {
			rawRequest(t, addr, head("wrong", 2)+"{}", refused)
		}
		if n := strings.Count(h.logs.String(), "wrong or missing secret token refused"); n != 1 {
			t.Errorf("%d log lines for 32 refusals, want 1:\n%s", n, h.logs.String())
		}
	})
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRefusalsAreCountedPerMinute(t *testing.T) {
	var r refusals
	t0 := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	if n, ok := r.note(t0); !ok || n != 1 {
		t.Errorf("first refusal: %d %v", n, ok)
	}
	for i := 1; i <= 5; i++ {
		if _, ok := r.note(t0.Add(time.Duration(i) * time.Second)); ok {
			t.Errorf("refusal %d within the minute logged", i)
		}
	}
	if n, ok := r.note(t0.Add(61 * time.Second)); !ok || n != 6 {
		t.Errorf("after the minute: %d %v, want 6 true", n, ok)
	}
}

// At most n connections are accepted at once; the next is accepted when
// one closes.
func TestLimitListener(t *testing.T) {
	l := newLimitListener(listen(t), 2)
	defer l.Close()
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	third := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			third <- c
		}
	}()
	select {
	case <-third:
		t.Fatal("a third connection was accepted while two were open")
	case <-time.After(100 * time.Millisecond):
	}
	held[0].Close()
	select {
	case c := <-third:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("no connection accepted after one closed")
	}
	held[1].Close()
}
