package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/corpus"
)

// runIn is run with stdin.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if env["DATA_DIR"] == "" {
		env["DATA_DIR"] = t.TempDir()
	}
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code := a.main(context.Background(), args)
	return out.String(), errb.String(), code
}

func decodeAsk(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("ask --json printed invalid JSON: %v\n%s", err, out)
	}
	want := []string{"question", "answer", "citations", "grounded", "mode", "rejected_citations", "notice", "lang", "related"}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	if len(m) != len(want) {
		t.Errorf("JSON has %d keys, want %d: %s", len(m), len(want), out)
	}
	for _, k := range []string{"citations", "rejected_citations", "related"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s is %v, want an array (never null)", k, m[k])
		}
	}
	return m
}

func citedIDs(m map[string]any) []string {
	var ids []string
	for _, c := range m["citations"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

func TestAskJSONOffline(t *testing.T) {
	out, errOut, code := run(t, nil, "ask", "--json", "宣言对外空武器化持什么立场？")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := decodeAsk(t, out)
	if m["mode"] != "extractive" || m["grounded"] != true || m["lang"] != "zh-Hans" || m["notice"] != "" {
		t.Errorf("mode %v grounded %v lang %v notice %v", m["mode"], m["grounded"], m["lang"], m["notice"])
	}
	ids := citedIDs(m)
	if len(ids) == 0 || ids[0] != "2.36" {
		t.Errorf("citations %v, want 2.36 first", ids)
	}
	c, _ := corpus.Load()
	p, _ := c.Get("2.36")
	first := m["citations"].([]any)[0].(map[string]any)
	if first["text_hans"] != p.TextHans || first["text_hant"] != p.TextHant {
		t.Errorf("citation texts do not match the corpus: %v", first)
	}
	if !strings.Contains(m["answer"].(string), "[2.36]") {
		t.Errorf("answer has no marker: %v", m["answer"])
	}
}

func TestAskJSONOutOfScope(t *testing.T) {
	out, _, code := run(t, nil, "ask", "--json", "What is the price of bitcoin today?")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	m := decodeAsk(t, out)
	if m["grounded"] != false || len(m["citations"].([]any)) != 0 || m["lang"] != "en" {
		t.Errorf("out of scope: %s", out)
	}
	// Out of scope, and said by name: the texts never name bitcoin,
	// however it is written, nor give a price.
	if m["answer"] != "The declaration and the two statements do not mention “bitcoin”; “price”." {
		t.Errorf("answer %q", m["answer"])
	}
}

func TestAskHuman(t *testing.T) {
	out, _, code := run(t, nil, "ask", "成員國對外空武器化的立場是什麼？")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	c, _ := corpus.Load()
	p, _ := c.Get("2.36")
	// The answer, a blank line, then the cited paragraph in the question's
	// script under its ID.
	answer, rest, _ := strings.Cut(out, "\n\n")
	if !strings.Contains(answer, "[2.36]") || corpus.DetectScript(answer) != corpus.Hant {
		t.Errorf("answer line %q", answer)
	}
	if !strings.Contains(rest, "[2.36] "+p.Title(corpus.Hant)) || !strings.Contains(rest, p.TextHant) {
		t.Errorf("cited paragraph not printed:\n%s", out)
	}
}

func TestAskStdinAndUsage(t *testing.T) {
	out, _, code := runIn(t, nil, "  What does the declaration say about outer space?\n", "ask", "--json", "-")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	m := decodeAsk(t, out)
	if m["question"] != "What does the declaration say about outer space?" || m["lang"] != "en" {
		t.Errorf("question from stdin: %v (%v)", m["question"], m["lang"])
	}
	if !strings.HasPrefix(m["answer"].(string), bot.Text(corpus.LangEn, bot.MsgOfflineQuote)+"\n") {
		t.Errorf("English offline answer lacks the note: %q", m["answer"])
	}

	for _, args := range [][]string{{"ask"}, {"ask", "  "}, {"ask", "--json"}, {"ask", "-"}} {
		_, errOut, code := runIn(t, nil, "  \n", args...)
		if code != exitUsage || !strings.Contains(errOut, "give a question") {
			t.Errorf("%q: exit %d, stderr %q; want usage error", args, code, errOut)
		}
	}
	if _, _, code := run(t, nil, "ask", "--bogus", "x"); code != exitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
}

func llmEnv(t *testing.T, srv *llmtest.Server) map[string]string {
	return map[string]string{
		"DATA_DIR":        t.TempDir(),
		"OPENAI_BASE_URL": srv.URL,
		"OPENAI_API_KEY":  "sk-test",
		"OPENAI_MODEL":    "fake-model",
	}
}

func TestAskWithModel(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("sk-test"), llmtest.WithReply("成员国支持防止外空武器化[2.36]，另见[9.99]。"))
	out, errOut, code := run(t, llmEnv(t, srv), "ask", "--json", "宣言对外空武器化持什么立场？")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := decodeAsk(t, out)
	if m["mode"] != "llm" || m["answer"] != "成员国支持防止外空武器化[2.36]，另见。" {
		t.Errorf("mode %v answer %q", m["mode"], m["answer"])
	}
	if r := m["rejected_citations"].([]any); len(r) != 1 || r[0] != "9.99" {
		t.Errorf("rejected %v, want [9.99]", r)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 || reqs[0].Model != "fake-model" {
		t.Errorf("requests %d, model %q", len(reqs), reqs[0].Model)
	}

	// --offline never calls the model.
	out, _, code = run(t, llmEnv(t, srv), "ask", "--json", "--offline", "宣言对外空武器化持什么立场？")
	if m := decodeAsk(t, out); code != exitOK || m["mode"] != "extractive" || srv.ChatCalls() != 1 {
		t.Errorf("--offline: exit %d mode %v, %d calls", code, m["mode"], srv.ChatCalls())
	}
}

func TestAskModelDown(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithDefault(llmtest.Status(401, "Incorrect API key provided")))
	out, _, code := run(t, llmEnv(t, srv), "ask", "宣言对外空武器化持什么立场？")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "[2.36]") || !strings.Contains(out, "Note: "+bot.Text(corpus.LangHans, bot.MsgModelFailed)) {
		t.Errorf("model down: want the extractive answer and the notice:\n%s", out)
	}
}

// BenchmarkAskCommand measures "declbot ask --json QUESTION" end to end
// except process start: configuration, corpus, index (its embedding cache
// in DATA_DIR warm after the first run, as on a user's machine),
// answer and JSON output. It reports the median as p50-ns.
func BenchmarkAskCommand(b *testing.B) {
	env := map[string]string{"DATA_DIR": b.TempDir()}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return env[k] }}
	ctx := context.Background()
	if code := a.main(ctx, []string{"ask", "--json", "warm the cache"}); code != exitOK {
		b.Fatalf("exit %d", code)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if code := a.main(ctx, []string{"ask", "--json", "宣言对外空武器化持什么立场？"}); code != exitOK {
			b.Fatalf("exit %d", code)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
}
