package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
)

// writeEnv writes a --config file named name and returns its path.
func writeEnv(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEvalConfigs runs one suite against two fake OpenAI servers that
// answer the opening question differently: a.env's answer has the key
// fact, b.env's cites the right paragraph but leaves the fact out. The
// reports put them side by side and single out that item.
func TestEvalConfigs(t *testing.T) {
	srvA := llmtest.NewServer(t, llmtest.WithReply("会议于2025年9月1日在天津举行[0.1]。"))
	srvB := llmtest.NewServer(t, llmtest.WithReply("会议于2025年9月1日举行[0.1]。"))
	dir := t.TempDir()
	// a.env inherits the environment's key; b.env sets its own empty.
	a := writeEnv(t, dir, "a.env", "# the good one\nOPENAI_BASE_URL="+srvA.URL+"\nOPENAI_MODEL=model-a\n")
	b := writeEnv(t, dir, "b.env", "export OPENAI_BASE_URL="+srvB.URL+"\nOPENAI_MODEL: model-b\nOPENAI_API_KEY=\n")
	env := map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_API_KEY": "env-key-123456789", "OPENAI_MODEL": "env-model"}
	suite := writeSuite(t, `{"citation_validity":1}`, itemOpening, itemOOS)
	out := t.TempDir()
	page, md := filepath.Join(out, "r.html"), filepath.Join(out, "r.md")

	text, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--config", a, "--config", b, "--html", page, "--markdown", md)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, text)
	}
	if srvA.ChatCalls() == 0 || srvB.ChatCalls() == 0 {
		t.Fatalf("model calls: a %d, b %d; want both asked", srvA.ChatCalls(), srvB.ChatCalls())
	}
	for _, r := range srvA.ChatRequests() {
		if r.Model != "model-a" || r.Authorization != "Bearer env-key-123456789" {
			t.Errorf("a.env's request: model %q, auth %q; want its model and the environment's key", r.Model, r.Authorization)
		}
	}
	for _, r := range srvB.ChatRequests() {
		if r.Model != "model-b" || strings.Contains(r.Authorization, "env-key") {
			t.Errorf("b.env's request: model %q, auth %q; want its model and no key", r.Model, r.Authorization)
		}
	}
	for _, want := range []string{"a.env: evaluating the answers of model-a", "b.env: evaluating the answers of model-b", "b.env: model calls: 0 answered from the cache"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	text = squash(text)
	for _, want := range []string{
		"2 configurations: a.env, b.env",
		"a.env b.env",
		"chat model model-a model-b",
		"embeddings offline offline",
		"items failing 1 2", // the model answers the out-of-scope question in both
		"1 items whose outcome differs between the configurations",
		"open [zh-Hans factual]",
		"a.env ok",
		"b.env FAIL: answer: missing facts: 天津",
		"a.env PASS: all 1 thresholds met",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal report lacks %q:\n%s", want, text)
		}
	}
	html := readFile(t, page)
	for _, want := range []string{`id="f-differs"`, `id="i-open" data-lang="zh-Hans" data-kind="factual" data-failed="1" data-differs="1"`, `id="i-oos" data-lang="en" data-kind="out_of_scope" data-failed="1" data-differs="0"`, "model-b"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if m := readFile(t, md); !strings.Contains(m, "| open | zh-Hans | factual |") {
		t.Errorf("markdown lacks the differing item:\n%s", m)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 2 {
		t.Errorf("files beside the reports: %v", ents)
	}

	// The same again as JSON: answered from the cache, one entry per
	// configuration, the differing item with each outcome.
	calls := srvA.ChatCalls() + srvB.ChatCalls()
	js, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--config", a, "--config", b, "--json")
	if code != exitOK {
		t.Fatalf("JSON run: exit %d: %s", code, errOut)
	}
	if n := srvA.ChatCalls() + srvB.ChatCalls(); n != calls {
		t.Errorf("second run made %d model calls, want 0 (each server has its own cache entries)", n-calls)
	}
	var rep struct {
		Suite          string `json:"suite"`
		Configurations []struct {
			Name   string   `json:"name"`
			Report evalJSON `json:"report"`
		} `json:"configurations"`
		Differ []struct {
			ID       string `json:"id"`
			Outcomes []struct {
				Config   string   `json:"config"`
				Status   string   `json:"status"`
				Problems []string `json:"problems"`
			} `json:"outcomes"`
		} `json:"differ"`
		Pass bool `json:"pass"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Suite != "cmdtest" || len(rep.Configurations) != 2 || rep.Configurations[0].Name != "a.env" || rep.Configurations[1].Name != "b.env" || !rep.Pass {
		t.Fatalf("JSON: %s", js)
	}
	if ans := rep.Configurations[1].Report.Answers; ans == nil || len(ans.Items) != 2 || !strings.Contains(ans.Items[0].Answer, "举行") {
		t.Errorf("b.env's report has no answers: %+v", ans)
	}
	if len(rep.Differ) != 1 || rep.Differ[0].ID != "open" || rep.Differ[0].Outcomes[0].Status != "pass" || rep.Differ[0].Outcomes[1].Status != "fail" {
		t.Errorf("differ: %+v", rep.Differ)
	}

	// Without --config the JSON is the single report it always was.
	js, _, _ = run(t, env, "eval", "--suite", suite, "--json")
	var single map[string]any
	if err := json.Unmarshal([]byte(js), &single); err != nil || single["retrieval"] == nil || single["configurations"] != nil {
		t.Errorf("single-configuration JSON changed: %v %.200s", err, js)
	}
}

// TestEvalConfigBadInput: a --config file that is missing, sets a
// variable it may not or a wrong value stops the run before anything is
// asked or written, exit 2, naming the file (and line) and the variable.
func TestEvalConfigBadInput(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("会议在天津举行[0.1]。"))
	dir := t.TempDir()
	good := writeEnv(t, dir, "good.env", "OPENAI_BASE_URL="+srv.URL+"\n")
	other := filepath.Join(t.TempDir(), "good.env")
	os.WriteFile(other, []byte("OPENAI_MODEL=x\n"), 0o644)
	missing := filepath.Join(dir, "none.env")
	dataDir := writeEnv(t, dir, "datadir.env", "OPENAI_MODEL=m\n\n# where\nDATA_DIR=/tmp/elsewhere\n")
	typo := writeEnv(t, dir, "typo.env", "OPENAI_MODLE=qwen-plus\n")
	telegram := writeEnv(t, dir, "tg.env", "export TELEGRAM_BOT_TOKEN=123:abc\n")
	timeout := writeEnv(t, dir, "timeout.env", "LLM_TIMEOUT=soon\n")
	url := writeEnv(t, dir, "url.env", "OPENAI_BASE_URL=localhost:11434\n")
	broken := writeEnv(t, dir, "broken.env", "OPENAI_MODEL='unterminated\n")
	suite := writeSuite(t, `{"hit5":0}`, itemOpening)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"--config", good, "--config", missing}, []string{missing, "no such file"}},
		{"not allowed", []string{"--config", dataDir}, []string{dataDir + ":4: DATA_DIR cannot be set in a configuration file", "OPENAI_BASE_URL"}},
		{"unknown", []string{"--config", typo}, []string{typo + ":1: OPENAI_MODLE cannot be set"}},
		{"export", []string{"--config", telegram}, []string{telegram + ":1: TELEGRAM_BOT_TOKEN cannot be set"}},
		{"bad value", []string{"--config", timeout}, []string{timeout, `LLM_TIMEOUT="soon" is not a duration`}},
		{"bad url", []string{"--config", good, "--config", url}, []string{url, "OPENAI_BASE_URL", "http://"}},
		{"malformed", []string{"--config", broken}, []string{broken}},
		{"same name", []string{"--config", good, "--config", other}, []string{"both named good.env"}},
		{"with compare", []string{"--config", good, "--compare", good}, []string{"--compare", "--config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outDir := t.TempDir()
			args := append([]string{"eval", "--suite", suite, "--answers", "--html", filepath.Join(outDir, "r.html"), "--markdown", filepath.Join(outDir, "r.md")}, tt.args...)
			out, errOut, code := run(t, nil, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d: %s", code, exitUsage, errOut)
			}
			if out != "" {
				t.Errorf("a refused run printed a report: %s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
			if ents, _ := os.ReadDir(outDir); len(ents) != 0 {
				t.Errorf("a refused run left files: %v", ents)
			}
		})
	}
	if n := srv.ChatCalls(); n != 0 {
		t.Errorf("refused runs asked the model %d times", n)
	}
}
