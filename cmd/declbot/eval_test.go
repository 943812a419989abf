package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
)

// writeSuite writes a suite file with the given header thresholds and
// items and returns its path.
func writeSuite(t *testing.T, thresholds string, items ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "suite.jsonl")
	text := `{"suite":"cmdtest","version":1,"thresholds":` + thresholds + "}\n" + strings.Join(items, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The opening paragraph quoted verbatim: any retrieval ranks 0.1 first.
const (
	itemOpening = `{"id":"open","lang":"zh-Hans","kind":"factual","question":"上海合作组织成员国领导人于2025年9月1日在中国天津举行元首理事会会议","gold":["0.1"],"facts":["天津"]}`
	itemOOS     = `{"id":"oos","lang":"en","kind":"out_of_scope","question":"Who won the 2022 football World Cup?","out_of_scope":true}`
)

func TestEvalUsageErrors(t *testing.T) {
	bad := writeSuite(t, `{}`, `{"id":"x","lang":"zh-CN","kind":"factual","question":"q","gold":["0.1"]}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"argument", []string{"eval", "golden.jsonl"}, "use --suite FILE"},
		{"bad k", []string{"eval", "-k", "0"}, "-k takes a number from 1 to 50"},
		{"bad flag", []string{"eval", "--nope"}, "flag provided but not defined"},
		{"missing suite", []string{"eval", "--suite", filepath.Join(t.TempDir(), "none.jsonl")}, "open suite"},
		{"invalid suite", []string{"eval", "--suite", bad}, `suite.jsonl:2: item "x": unknown lang "zh-CN"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if out != "" {
				t.Errorf("stdout not empty: %s", out)
			}
		})
	}
	// A configuration error is a usage error too.
	_, errOut, code := run(t, map[string]string{"DATA_DIR": t.TempDir(), "LLM_TIMEOUT": "soon"}, "eval")
	if code != exitUsage || !strings.Contains(errOut, "LLM_TIMEOUT") {
		t.Errorf("bad config: exit %d, %s", code, errOut)
	}
}

func TestEvalThresholdsSetExitStatus(t *testing.T) {
	// hit5 >= 0 always passes; a threshold on Russian questions with no
	// Russian item always fails ("no items to measure").
	pass := writeSuite(t, `{"hit5":0}`, itemOpening, itemOOS)
	out, errOut, code := run(t, nil, "eval", "--suite", pass)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"suite cmdtest v1", "2 items, 1 answerable, 1 out of scope", "hit@5", "PASS  hit5 ", "PASS: all 1 thresholds met"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	fail := writeSuite(t, `{"hit5":0,"hit5_ru":0.85}`, itemOpening, itemOOS)
	out, _, code = run(t, nil, "eval", "--suite", fail)
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(out, "FAIL  hit5_ru") || !strings.Contains(out, "FAIL: 1 of 2 thresholds not met (hit5_ru)") {
		t.Errorf("report does not show the failing threshold:\n%s", out)
	}
}

// evalJSON is the part of the JSON report the tests read.
type evalJSON struct {
	Suite     string `json:"suite"`
	Items     int    `json:"items"`
	Pass      bool   `json:"pass"`
	Retrieval struct {
		K     int `json:"k"`
		Items []struct {
			ID   string   `json:"id"`
			Got  []string `json:"got"`
			Rank int      `json:"rank"`
		} `json:"items"`
	} `json:"retrieval"`
	Answers *struct {
		Modes   map[string]int `json:"modes"`
		Overall struct {
			FactCoverage     float64 `json:"fact_coverage"`
			CitationValidity float64 `json:"citation_validity"`
		} `json:"overall"`
		Items []struct {
			ID     string   `json:"id"`
			Mode   string   `json:"mode"`
			Cited  []string `json:"cited"`
			Answer string   `json:"answer"`
		} `json:"items"`
	} `json:"answers"`
	Thresholds []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"thresholds"`
}

func TestEvalJSONAndMarkdown(t *testing.T) {
	suite := writeSuite(t, `{"hit5":0,"fact_coverage":0}`, itemOpening, itemOOS)
	md := filepath.Join(t.TempDir(), "report.md")
	out, errOut, code := run(t, nil, "eval", "--suite", suite, "--json", "--markdown", md, "-k", "3")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if rep.Suite != "cmdtest" || rep.Items != 2 || !rep.Pass || rep.Retrieval.K != 3 || len(rep.Retrieval.Items) != 2 {
		t.Errorf("report: %+v", rep)
	}
	if it := rep.Retrieval.Items[0]; it.ID != "open" || it.Rank != 1 || len(it.Got) != 3 || it.Got[0] != "0.1" {
		t.Errorf("retrieval of the opening paragraph: %+v", it)
	}
	if rep.Answers != nil {
		t.Error("answers evaluated without --answers")
	}
	// hit5 cannot be measured at k=3, and fact coverage needs --answers.
	for _, th := range rep.Thresholds {
		if th.Status != "SKIP" {
			t.Errorf("%s: %s, want SKIP", th.Name, th.Status)
		}
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# declbot evaluation", "## Retrieval", "| overall | 1 |", "hit@3"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b)
		}
	}
	// A folder that does not exist is wrong input, found before the run.
	if _, errOut, code := run(t, nil, "eval", "--suite", suite, "--markdown", filepath.Join(t.TempDir(), "no", "dir.md")); code != exitUsage || !strings.Contains(errOut, "dir.md") {
		t.Errorf("--markdown in a missing folder: exit %d, want %d; %s", code, exitUsage, errOut)
	}
}

func TestEvalAnswersOffline(t *testing.T) {
	suite := writeSuite(t, `{"citation_validity":1,"fact_coverage":1}`, itemOpening)
	out, errOut, code := run(t, nil, "eval", "--suite", suite, "--answers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Answers == nil || rep.Answers.Modes["extractive"] != 1 || len(rep.Answers.Items) != 1 {
		t.Fatalf("answers: %+v", rep.Answers)
	}
	if it := rep.Answers.Items[0]; len(it.Cited) == 0 || it.Cited[0] != "0.1" || !strings.Contains(it.Answer, "天津") {
		t.Errorf("extractive answer: %+v", it)
	}
}

// TestEvalAnswersLLM evaluates a model's answers through the fake
// OpenAI-compatible server: the answers it writes are the ones scored.
func TestEvalAnswersLLM(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("会议于2025年9月1日在天津举行[0.1]，另见[9.99]。"))
	env := map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": "fake-model"}
	suite := writeSuite(t, `{"citation_validity":1}`, itemOpening)
	out, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if !strings.Contains(errOut, "evaluating the answers of fake-model") {
		t.Errorf("stderr does not say which model is evaluated: %s", errOut)
	}
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if srv.ChatCalls() == 0 || srv.ChatRequests()[0].Model != "fake-model" {
		t.Fatalf("the model was not asked: %d calls", srv.ChatCalls())
	}
	if rep.Answers == nil || rep.Answers.Modes["llm"] != 1 {
		t.Fatalf("answers: %+v", rep.Answers)
	}
	// The invented [9.99] was removed by the engine before scoring.
	it := rep.Answers.Items[0]
	if it.Mode != "llm" || strings.Contains(it.Answer, "9.99") || len(it.Cited) != 1 || rep.Answers.Overall.CitationValidity != 1 {
		t.Errorf("llm answer: %+v", it)
	}
}
