package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// run executes declbot with args as the binary would, with an empty
// environment unless env is given, and returns stdout, stderr and the exit
// status.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{"DATA_DIR": t.TempDir()}
	}
	a := &app{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return env[k] },
	}
	code := a.main(context.Background(), args)
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/declbot -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestHelp(t *testing.T) {
	out, _, code := run(t, nil, "help")
	if code != exitOK {
		t.Fatalf("help exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name) {
			t.Errorf("help does not list %s", c.name)
		}
	}
	// Every command explains its flags with an example.
	for _, c := range commands() {
		out, _, code := run(t, nil, c.name, "-h")
		if code != exitOK {
			t.Errorf("%s -h: exit %d", c.name, code)
		}
		if !strings.Contains(out, "declbot "+c.name) {
			t.Errorf("%s -h does not show its usage:\n%s", c.name, out)
		}
		if !strings.Contains(out, "Example") {
			t.Errorf("%s -h has no example:\n%s", c.name, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	_, errOut, code := run(t, nil, "frobnicate")
	if code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, _, code := run(t, nil); code != exitUsage {
		t.Errorf("no arguments: exit %d, want %d", code, exitUsage)
	}
}

func TestCite(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"cite_5.7", []string{"cite", "5.7"}},
		{"cite_hant_context", []string{"cite", "--context", "1", "二.36", "--script", "hant"}},
		{"cite_range_t", []string{"cite", "T3-T4", "w1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tt.name, out)
		})
	}
}

func TestCiteJSON(t *testing.T) {
	out, _, code := run(t, nil, "cite", "--json", "--context", "1", "2.36")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != 3 {
		t.Fatalf("%d passages, want 3", len(got))
	}
	for i, want := range []string{"2.35", "2.36", "2.37"} {
		if got[i]["id"] != want {
			t.Errorf("item %d id %v, want %s", i, got[i]["id"], want)
		}
		for _, k := range []string{"doc", "section", "title", "text_hans", "text_hant"} {
			if s, _ := got[i][k].(string); s == "" {
				t.Errorf("item %d: missing %s", i, k)
			}
		}
	}
	if got[0]["context"] != true || got[1]["context"] != nil {
		t.Errorf("context flags wrong: %v %v", got[0]["context"], got[1]["context"])
	}
}

func TestCiteErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cite", "2.45"}, "section 2 has paragraphs 2.1-2.44"},
		{[]string{"cite", "9.1"}, "valid IDs: 0.1; 1.1-1.17"},
		{[]string{"cite"}, "give at least one paragraph ID"},
		{[]string{"cite", "--script", "latin", "2.36"}, "unknown script"},
		{[]string{"cite", "--context", "-1", "2.36"}, "--context"},
		{[]string{"cite", "--bogus", "2.36"}, "flag provided but not defined"},
		{[]string{"cite", "<script>alert(1)</script>"}, "is not a paragraph ID"},
	}
	for _, tt := range tests {
		out, errOut, code := run(t, nil, tt.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, exitUsage)
		}
		if out != "" {
			t.Errorf("%v: wrote to stdout on error: %q", tt.args, out)
		}
		if !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: stderr %q, want it to contain %q", tt.args, errOut, tt.want)
		}
	}
}

func TestCorpusJSON(t *testing.T) {
	out, _, code := run(t, nil, "corpus", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 166 {
		t.Errorf("%d passages, want 166", len(got))
	}
	for _, p := range got {
		for _, k := range []string{"id", "doc", "section", "title", "text_hans", "text_hant"} {
			if p[k] == "" {
				t.Errorf("%s: missing %s", p["id"], k)
			}
		}
	}
}

func TestCorpusTOC(t *testing.T) {
	out, _, code := run(t, nil, "corpus")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	golden(t, "corpus_toc", out)
	if _, errOut, code := run(t, nil, "corpus", "2.36"); code != exitUsage || !strings.Contains(errOut, "declbot cite 2.36") {
		t.Errorf("corpus with an argument: exit %d, %q", code, errOut)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantErr string
	}{
		{map[string]string{"DATA_DIR": "/x"}, ""},
		{map[string]string{"DATA_DIR": "/x", "OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL"},
		{map[string]string{"DATA_DIR": "/x", "OPENAI_BASE_URL": "bob:hunter2secret@llm.example:8000"}, `"…@llm.example:8000" is not a URL`},
		{map[string]string{"DATA_DIR": "/x", "LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"},
		{map[string]string{"DATA_DIR": "/x", "ALLOWED_USER_IDS": "12,abc"}, "ALLOWED_USER_IDS"},
		{map[string]string{"DATA_DIR": "/x", "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"DATA_DIR": "/x", "LLM_MAX_TOKENS": "lots"}, "LLM_MAX_TOKENS"},
		{map[string]string{"DATA_DIR": "/x", "LLM_MAX_TOKENS": "10"}, "from 64 to 32768"},
		{map[string]string{"DATA_DIR": "/x", "LLM_MAX_TOKENS": "2048"}, ""},
		{map[string]string{"DATA_DIR": "/x", "REVIEW_LOG": "maybe"}, "REVIEW_LOG"},
		{map[string]string{"DATA_DIR": "/x", "REVIEW_LOG": "off"}, ""},
		{map[string]string{"DATA_DIR": "/x", "REVIEW_RETENTION": "forever"}, "REVIEW_RETENTION"},
		{map[string]string{"DATA_DIR": "/x", "REVIEW_RETENTION": "5m"}, "from 1h to 3650d"},
		{map[string]string{"DATA_DIR": "/x", "REVIEW_RETENTION": "7d"}, ""},
		{map[string]string{"DATA_DIR": "/x", "ADMIN_USER_IDS": "me"}, "ADMIN_USER_IDS"},
		{map[string]string{"DATA_DIR": "/x", "ADMIN_USER_IDS": "12,-1001234"}, "ADMIN_USER_IDS: -1001234 is not a user ID"},
		{map[string]string{"DATA_DIR": "/x", "ADMIN_USER_IDS": "12, 34"}, ""},
	}
	for _, tt := range tests {
		_, err := loadConfig(func(k string) string { return tt.env[k] })
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%v: error %v, want one naming %s", tt.env, err, tt.wantErr)
		}
	}
	c, err := loadConfig(func(k string) string {
		return map[string]string{"DATA_DIR": "/x", "OPENAI_API_KEY": "k", "ALLOWED_CHAT_IDS": "1, -100200"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.LLMEnabled() || c.OpenAIModel != "gpt-4o-mini" || c.LLMMaxTokens != 1024 || c.EmbeddingAPIKey != "k" || len(c.AllowedChatIDs) != 2 || c.AllowedChatIDs[1] != -100200 {
		t.Errorf("defaults not applied: %+v", c)
	}
}

// -h prints the usage once, to stdout; a bad flag prints the error and a
// pointer to -h on stderr, not the whole usage.
func TestFlagUsageOutput(t *testing.T) {
	out, errOut, code := run(t, nil, "cite", "-h")
	if code != exitOK || errOut != "" || strings.Count(out, "Usage: declbot cite") != 1 {
		t.Errorf("cite -h: exit %d, stdout %d usages, stderr %q", code, strings.Count(out, "Usage: declbot cite"), errOut)
	}
	out, errOut, code = run(t, nil, "cite", "--bogus", "2.36")
	if code != exitUsage || out != "" || strings.Contains(errOut, "Usage:") || !strings.Contains(errOut, "declbot cite -h") {
		t.Errorf("cite --bogus: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestGoOffline(t *testing.T) {
	c, err := loadConfig(func(k string) string {
		return map[string]string{"DATA_DIR": "/x", "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://h", "EMBEDDING_MODEL": "e"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	c.goOffline()
	if c.LLMEnabled() || c.EmbeddingModel != "" {
		t.Errorf("still online after goOffline: %+v", c)
	}
}
