package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
)

// The synthetic pack qinghu2026 (testdata/packs, written for the tests and
// never shipped) end to end: loaded with --corpus or CORPUS_DIR, cited
// with qualified IDs, and evaluated with testdata/suites/packs.jsonl,
// whose items name documents and compare them.
const (
	testPacks = "../../testdata/packs"
	packSuite = "../../testdata/suites/packs.jsonl"
)

func TestPacksEndToEndOffline(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "CORPUS_DIR": testPacks}
	out, errOut, code := run(t, env, "eval", "--suite", packSuite, "--answers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	byID := map[string][]string{}
	for _, it := range rep.Answers.Items {
		byID[it.ID] = it.Cited
		if it.Mode != "extractive" {
			t.Errorf("%s: mode %s", it.ID, it.Mode)
		}
	}
	for id, want := range map[string][]string{
		"p-001": {"qinghu2026:1.1"},
		"p-002": {"qinghu2026:1.2"},
		"p-004": {"qinghu2026:3.1"},
		"p-005": {"qinghu2026:A2"},
		"p-007": {"qinghu2026:1.1"},
		"p-008": {"qinghu2026:2.1", "2.6"},
		"p-009": {"2.36"},
	} {
		for _, w := range want {
			if !slices.Contains(byID[id], w) {
				t.Errorf("%s cited %v, want %s", id, byID[id], w)
			}
		}
	}
	for _, id := range byID["p-009"] {
		if strings.Contains(id, ":") {
			t.Errorf("p-009 is pinned to the built-in pack but cited %s", id)
		}
	}
	if rep.Answers.Overall.CitationValidity != 1 {
		t.Errorf("citation validity %v", rep.Answers.Overall.CitationValidity)
	}

	// The same pack through --corpus, and qualified IDs in cite.
	out, errOut, code = run(t, nil, "cite", "--corpus", testPacks, "qinghu2026:2.1-2.2", "T3")
	if code != exitOK || !strings.Contains(out, "[qinghu2026:2.1]") || !strings.Contains(out, "[qinghu2026:2.2]") || !strings.Contains(out, "[T3]") {
		t.Errorf("cite: exit %d, %s\n%s", code, errOut, out)
	}
	// Without the pack its IDs name nothing, and the suite says what to do.
	_, errOut, code = run(t, nil, "cite", "qinghu2026:2.1")
	if code == exitOK || !strings.Contains(errOut, `no document pack "qinghu2026" is loaded`) {
		t.Errorf("cite without the pack: exit %d, %s", code, errOut)
	}
	_, errOut, code = run(t, nil, "eval", "--suite", packSuite)
	if code != exitUsage || !strings.Contains(errOut, "load it with --corpus DIR") {
		t.Errorf("eval without the pack: exit %d, %s", code, errOut)
	}
}

// With a model: the prompt names both documents; the model's qualified
// citations are checked like any other.
func TestPacksEndToEndLLM(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("青湖宣言决定于2027年设立人工智能伦理委员会[qinghu2026:1.1]，另见【qinghu2026:9.9】。"))
	env := map[string]string{"DATA_DIR": t.TempDir(), "CORPUS_DIR": testPacks, "OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": "fake-model"}
	out, errOut, code := run(t, env, "ask", "--json", "和去年相比，人工智能方面有什么新提法？")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ans struct {
		Answer    string   `json:"answer"`
		Rejected  []string `json:"rejected_citations"`
		Citations []struct {
			ID string `json:"id"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) != 1 || ans.Citations[0].ID != "qinghu2026:1.1" || !slices.Equal(ans.Rejected, []string{"qinghu2026:9.9"}) || strings.Contains(ans.Answer, "9.9") {
		t.Errorf("answer %+v", ans)
	}
	var sys string
	for _, r := range srv.ChatRequests() {
		if strings.Contains(r.System(), "Qinghu Declaration") {
			sys = r.System()
		}
	}
	if !strings.Contains(sys, "Tianjin Declaration") || !strings.Contains(sys, "cite as qinghu2026:2.36") {
		t.Errorf("no answer prompt names both documents:\n%s", sys)
	}
}

// The chat REPL lists the documents and pins the session to one pack.
func TestChatPinsAPack(t *testing.T) {
	in := "/docs\n/doc qinghu2026\n人工智能\n/doc nosuch\n/doc all\n/quit\n"
	out, errOut, code := runIn(t, map[string]string{"CORPUS_DIR": testPacks}, in, "chat", "--offline")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"qinghu2026/water         statement   2026-06-15    2 paragraphs  水资源合作声明",
		"Questions go to qinghu2026 only",
		"[qinghu2026:1.1]",
		`No pack "nosuch" is loaded: the loaded packs are tianjin2025, qinghu2026.`,
		"Questions go to every loaded pack.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if i := strings.Index(out, "> 人工智能"); i < 0 || strings.Contains(out[i:strings.Index(out, "> /doc nosuch")], "[4.") {
		t.Errorf("the pinned question cited the built-in texts:\n%s", out)
	}
}

// --pack limits ask and search to one pack, as /doc does in a chat.
func TestPackFlag(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "CORPUS_DIR": testPacks}
	out, errOut, code := run(t, env, "search", "--pack", "qinghu2026", "--json", "人工智能")
	if code != exitOK || !strings.Contains(out, `"qinghu2026:1.1"`) || strings.Contains(out, `"id": "4.`) {
		t.Errorf("search --pack: exit %d, %s\n%s", code, errOut, out)
	}
	out, errOut, code = run(t, env, "ask", "--pack", "TIANJIN2025", "--json", "人工智能")
	if code != exitOK || strings.Contains(out, "qinghu2026:") {
		t.Errorf("ask --pack tianjin2025 cited another pack: exit %d, %s\n%s", code, errOut, out)
	}
	_, errOut, code = run(t, env, "ask", "--pack", "nosuch2030", "人工智能")
	if code != exitUsage || !strings.Contains(errOut, `--pack "nosuch2030" is not loaded (loaded: tianjin2025, qinghu2026)`) {
		t.Errorf("unknown pack: exit %d, %s", code, errOut)
	}
}
