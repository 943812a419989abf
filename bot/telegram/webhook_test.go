package telegram

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"

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
