package main

import (
	"io"
	"strings"
)

// secretVars are the settings whose values must never be shown: they grant
// access to the bot or to paid APIs.
var secretVars = []string{"TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "EMBEDDING_API_KEY", "WEBHOOK_SECRET"}

// minSecretLen: shorter values (Ollama's placeholder key "ollama", "x")
// are not secrets, and replacing them everywhere would garble messages.
const minSecretLen = 8

// redactSecrets wraps w (stderr: every log line and error message goes
// there) so that the values of secretVars are replaced by "***". Packages
// redact what they know about (the bot its token, the llm client its
// key); this catches the rest, such as an embeddings server that quotes
// the key in its error. Each Write is redacted on its own; slog and fmt
// write a line or a message at a time, so a secret is never split.
func redactSecrets(w io.Writer, getenv func(string) string) io.Writer {
	var pairs []string
	for _, name := range secretVars {
		v := strings.TrimSpace(getenv(name))
		if len(v) < minSecretLen {
			continue
		}
		pairs = append(pairs, v, "***")
		// A bot token's part after the colon is the secret part.
		if _, tail, ok := strings.Cut(v, ":"); ok && len(tail) >= minSecretLen && name == "TELEGRAM_BOT_TOKEN" {
			pairs = append(pairs, tail, "***")
		}
	}
	if len(pairs) == 0 {
		return w
	}
	return redactWriter{w: w, r: strings.NewReplacer(pairs...)}
}

type redactWriter struct {
	w io.Writer
	r *strings.Replacer
}

func (rw redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
