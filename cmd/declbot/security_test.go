package main

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// Distinctive secrets, so that any leak is found by a plain search.
const (
	secretToken     = "918273645:AAH_SECRET_TELEGRAM_tokenValue_0123456789"
	secretChatKey   = "sk-SECRET-chat-key-5f2a9c7e1b"
	secretEmbedKey  = "sk-SECRET-embed-key-8d3b6e0f4a"
	secretHookValue = "SECRET_webhook_value_7c1e"
)

var secrets = []string{secretToken, secretChatKey, secretEmbedKey, secretHookValue}

func checkNoSecrets(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s contains the secret %q", where, sec)
		}
		// The long part of the token alone is as good as the token.
		if _, tail, ok := strings.Cut(sec, ":"); ok && strings.Contains(s, tail) {
			t.Errorf("%s contains the secret part of the token", where)
		}
	}
}

// Tokens and keys never appear in logs (at debug level), errors or
// replies, even when every service that could echo them fails and echoes
// them: the model's and the embeddings server's error messages quote the
// key (some servers do), Telegram requests fail on the network (their URL
// holds the token).
func TestServeNeverRevealsSecrets(t *testing.T) {
	t.Parallel()
	chat := llmtest.NewServer(t, llmtest.WithAPIKey(secretChatKey),
		llmtest.WithDefault(llmtest.Status(400, "Incorrect API key provided: "+secretChatKey)))
	emb := llmtest.NewServer(t, llmtest.WithAPIKey(secretEmbedKey))
	srv := tgtest.NewServer(t, tgtest.WithToken(secretToken))
	env := serveEnv(t, srv)
	env["OPENAI_BASE_URL"], env["OPENAI_API_KEY"] = chat.URL, secretChatKey
	env["EMBEDDING_MODEL"], env["EMBEDDING_BASE_URL"], env["EMBEDDING_API_KEY"] = "fake-embed", emb.URL, secretEmbedKey
	env["WEBHOOK_SECRET"] = secretHookValue // set but unused in polling mode
	env["LOG_LEVEL"] = "debug"
	s := startServe(t, env)

	u := tgtest.NewUser(2500, "S", "en")
	pc := tgtest.PrivateChat(u)
	srv.Wait(serveWait, "the bot to start", func() bool { return len(srv.CallsTo("deleteWebhook")) > 0 })
	// Embeddings fail from now on, quoting the key.
	emb.SetEmbeddingsDefault(llmtest.Status(401, "invalid key "+secretEmbedKey))
	// Telegram: the first answer's send and a poll are cut off.
	srv.FailNext("sendMessage", 1, tgtest.Fault{Drop: true})
	srv.FailNext("getUpdates", 1, tgtest.Fault{Drop: true})
	srv.SendText(pc, u, "What does the declaration say about the weaponisation of outer space?")
	m := lastBotMessage(t, srv, pc.ID, 1)
	srv.SendText(pc, u, "/search 外空")
	lastBotMessage(t, srv, pc.ID, 2)
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	logs := s.stderr.String()
	// The failures really happened and were logged (with the key removed).
	for _, want := range []string{"model failed", "using the lexical ranking only", "request failed; retrying"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q: the failure this test needs did not happen\n%s", want, logs)
		}
	}
	if chat.ChatCalls() == 0 || emb.EmbeddingCalls() < 2 {
		t.Errorf("model calls %d, embedding calls %d", chat.ChatCalls(), emb.EmbeddingCalls())
	}
	if !strings.Contains(m.Text, "[") {
		t.Errorf("no answer with sources: %q", m.Text)
	}
	checkNoSecrets(t, "the logs", logs)
	for _, c := range srv.Calls() {
		for k, v := range c.Params {
			checkNoSecrets(t, c.Method+" "+k, v)
		}
	}

	// Start-up errors too: the embeddings endpoint refusing the key.
	bad := llmtest.NewServer(t)
	bad.SetEmbeddingsDefault(llmtest.Status(401, "Incorrect API key provided: "+secretEmbedKey))
	env["EMBEDDING_BASE_URL"] = bad.URL
	_, errOut, code := run(t, env, "serve")
	if code != exitFail || !strings.Contains(errOut, "EMBEDDING_MODEL") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
	checkNoSecrets(t, "the start-up error", errOut)
}

func TestRedactSecrets(t *testing.T) {
	env := map[string]string{"TELEGRAM_BOT_TOKEN": " " + secretToken + " ", "OPENAI_API_KEY": "ollama", "EMBEDDING_API_KEY": secretEmbedKey}
	var b strings.Builder
	w := redactSecrets(&b, func(k string) string { return env[k] })
	_, tail, _ := strings.Cut(secretToken, ":")
	in := "url /bot" + secretToken + "/getMe; key " + secretEmbedKey + "; tail " + tail + "; model ollama\n"
	if n, err := w.Write([]byte(in)); n != len(in) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := "url /bot***/getMe; key ***; tail ***; model ollama\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if w := redactSecrets(&b, func(string) string { return "" }); w != &b {
		t.Error("with no secrets the writer should be used as is")
	}
}
