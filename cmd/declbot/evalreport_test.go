package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
)

func TestEvalHTML(t *testing.T) {
	suite := writeSuite(t, `{"hit5":0}`, itemOpening, itemOOS)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	out, errOut, code := run(t, nil, "eval", "--suite", suite, "--answers", "--html", page)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "PASS: all 1 thresholds met") {
		t.Errorf("the terminal report is still printed: %s", out)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", `id="i-open"`, `id="i-oos"`, `data-lang="zh-Hans"`, "Who won the 2022 football World Cup?", `href="#p-0.1"`, `id="p-0.1"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left beside the report: %v", ents)
	}
}

// saveBase runs the suite with --json and returns the report as a map to
// edit and the path it was saved to.
func saveBase(t *testing.T, suite string, args ...string) (map[string]any, string) {
	t.Helper()
	out, errOut, code := run(t, nil, append([]string{"eval", "--suite", suite, "--json"}, args...)...)
	if code != exitOK {
		t.Fatalf("base run: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "base.json")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return m, path
}

func writeJSONFile(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "edited.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalCompare(t *testing.T) {
	suite := writeSuite(t, `{"hit5":0}`, itemOpening, itemOOS)
	base, path := saveBase(t, suite, "--answers")

	// The same run again: nothing changed.
	out, errOut, code := run(t, nil, "eval", "--suite", suite, "--answers", "--compare", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	out = squash(out)
	for _, want := range []string{"Compared with " + path + " (tolerance 0.020)", "mrr 1.000 1.000 +0.000 same", "Items that got worse: 0", "no metric fell by more than 0.020"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}

	// A base that was better on MRR (by 0.5, past the tolerance) and on
	// hit@1 (by 0.01, within it), and worse on the out-of-scope item,
	// which it judged in scope.
	rr := base["retrieval"].(map[string]any)
	rr["overall"].(map[string]any)["mrr"] = 1.5
	rr["overall"].(map[string]any)["hit_at_1"] = 1.01
	for _, it := range rr["items"].([]any) {
		if it := it.(map[string]any); it["id"] == "oos" {
			if it["in_scope"] == true {
				t.Fatal("this run judges the out-of-scope item in scope; the test needs a run that detects it")
			}
			it["in_scope"] = true
		}
	}
	edited := writeJSONFile(t, base)
	html := filepath.Join(t.TempDir(), "cmp.html")
	out, _, code = run(t, nil, "eval", "--suite", suite, "--answers", "--compare", edited, "--html", html)
	if code != exitFail {
		t.Errorf("a metric fell by 0.5: exit %d, want %d", code, exitFail)
	}
	out = squash(out)
	for _, want := range []string{"mrr 1.500 1.000 -0.500 regressed", "hit1 1.010 1.000 -0.010 worse", "REGRESSED against " + edited + ": mrr fell by more than 0.020", "Items that got better: 1", "oos [en out_of_scope]", "retrieval: now judged out of scope"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), `id="compare"`) || !strings.Contains(string(b), "regressed") {
		t.Errorf("the HTML report has no comparison (%v)", err)
	}
	// With a tolerance wide enough the same run passes.
	if _, errOut, code := run(t, nil, "eval", "--suite", suite, "--answers", "--compare", edited, "--tolerance", "0.6"); code != exitOK {
		t.Errorf("--tolerance 0.6: exit %d: %s", code, errOut)
	}
	// JSON carries the comparison.
	out, _, _ = run(t, nil, "eval", "--suite", suite, "--answers", "--compare", edited, "--json")
	var rep struct {
		Comparison struct {
			Regressed []string `json:"regressed"`
			Better    []struct {
				ID string `json:"id"`
			} `json:"better"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Comparison.Regressed) != 1 || len(rep.Comparison.Better) != 1 {
		t.Errorf("JSON comparison: %+v (%v)", rep.Comparison, err)
	}
}

func TestEvalCompareRefused(t *testing.T) {
	suite := writeSuite(t, `{"hit5":0}`, itemOpening, itemOOS)
	_, path := saveBase(t, suite)
	other := strings.Replace(readFile(t, suite), `"cmdtest"`, `"other"`, 1)
	otherSuite := filepath.Join(t.TempDir(), "other.jsonl")
	os.WriteFile(otherSuite, []byte(other), 0o644)
	fewer := writeSuite(t, `{"hit5":0}`, itemOpening)
	missing := filepath.Join(t.TempDir(), "none.json")
	malformed := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(malformed, []byte(`{"suite":"cmdtest",`), 0o644)
	notReport := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(notReport, []byte(`{"hello":"world"}`), 0o644)

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"another suite", []string{"--suite", otherSuite, "--compare", path}, []string{path, `the base run is of suite "cmdtest" v1, this run of suite "other" v1`}},
		{"items changed", []string{"--suite", fewer, "--compare", path}, []string{path, "1 items only in the base run (oos)"}},
		{"another k", []string{"--suite", suite, "--compare", path, "-k", "3"}, []string{"the base run used -k 5, this run -k 3"}},
		{"missing base", []string{"--suite", suite, "--compare", missing}, []string{missing, "no such file"}},
		{"malformed base", []string{"--suite", suite, "--compare", malformed}, []string{malformed, "not a report written by declbot eval --json"}},
		{"not a report", []string{"--suite", suite, "--compare", notReport}, []string{notReport, `no "suite"`}},
		{"bad tolerance", []string{"--suite", suite, "--compare", path, "--tolerance", "5"}, []string{"--tolerance takes a rate from 0 to 1"}},
		{"html in a missing folder", []string{"--suite", suite, "--html", filepath.Join(t.TempDir(), "no", "r.html")}, []string{"r.html", "does not exist"}},
		{"html is a folder", []string{"--suite", suite, "--html", t.TempDir()}, []string{"is a folder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, append([]string{"eval"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", code, exitUsage, errOut)
			}
			if out != "" {
				t.Errorf("a refused run printed a report: %s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// squash collapses runs of spaces, so tests need not know column widths.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func TestEvalCheck(t *testing.T) {
	good := writeSuite(t, `{"hit5":0.9}`, itemOpening, itemOOS)
	out, errOut, code := run(t, nil, "eval", "--check", good)
	if code != exitOK || !strings.Contains(out, good+`: valid suite "cmdtest" v1: 2 items (1 answerable, 1 out of scope), 1 thresholds`) {
		t.Errorf("valid suite: exit %d\n%s%s", code, out, errOut)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	lines := []string{
		`{"suite":"mine","version":1,"thresholds":{"hit5":"0.9"}}`,
	}
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	_, errOut, code = run(t, nil, "eval", "--check", bad)
	if code != exitUsage || !strings.Contains(errOut, bad+`:1: header: threshold "hit5" is "0.9", not a number`) {
		t.Errorf("threshold as a string: exit %d: %s", code, errOut)
	}

	lines = []string{
		`{"suite":"mine","version":1,"thresholds":{"hit5":0.9,"hit6":0.5}}`,
	}
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	if _, errOut, _ = run(t, nil, "eval", "--check", bad); !strings.Contains(errOut, bad+`:1: header: unknown threshold "hit6"`) {
		t.Errorf("unknown threshold: %s", errOut)
	}

	lines = []string{
		`{"suite":"mine","version":1,"thresholds":{}}`,
		itemOpening,
		``,
		itemOpening,
		`{"id":"nolang","kind":"factual","question":"q","gold":["0.1"]}`,
		`{"id":"badlang","lang":"fr","kind":"factual","question":"q","gold":["0.1"]}`,
		`{"id":"nokind","lang":"en","question":"q","gold":["0.1"]}`,
		`{"id":"noq","lang":"en","kind":"factual","gold":["0.1"]}`,
		`{"id":"badgold","lang":"en","kind":"factual","question":"q","gold":["2.99"]}`,
		`{"lang":"en","kind":"factual","question":"q","gold":["0.1"]}`,
		`{"id":"typo","lang":"en","kind":"factual","question":"q","golds":["0.1"]}`,
		`not json`,
	}
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	out, errOut, code = run(t, nil, "eval", "--check", bad)
	if code != exitUsage || out != "" {
		t.Errorf("invalid suite: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{
		`:4: duplicate id "open" (first used on line 2)`,
		`:5: item "nolang": missing "lang": use zh-Hans, zh-Hant, en or ru`,
		`:6: item "badlang": unknown lang "fr"`,
		`:7: item "nokind": missing "kind"`,
		`:8: item "noq": missing or empty "question"`,
		`:9: item "badgold": gold ID "2.99" is not in the corpus`,
		`:10: item "": missing "id"`,
		`:11: not a suite item: json: unknown field "golds"`,
		`:12: not a suite item`,
	} {
		if !strings.Contains(errOut, bad+want) {
			t.Errorf("--check does not report %q:\n%s", want, errOut)
		}
	}
	if _, errOut, code := run(t, nil, "eval", "--check", filepath.Join(dir, "none.jsonl")); code != exitUsage || !strings.Contains(errOut, "none.jsonl") {
		t.Errorf("missing file: exit %d: %s", code, errOut)
	}
}

// TestEvalModelCache: a second run of the same configuration makes no
// model call; --no-cache asks again; an error is never cached, and the
// item it hit fails with the model's error while the run goes on.
func TestEvalModelCache(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("会议于2025年9月1日在天津举行[0.1]。"))
	dataDir := t.TempDir()
	env := map[string]string{"DATA_DIR": dataDir, "OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": "fake-model"}
	item2 := strings.Replace(itemOpening, `"id":"open"`, `"id":"open2"`, 1)
	item2 = strings.Replace(item2, "在中国天津举行", "在天津举行", 1)
	suite := writeSuite(t, `{"citation_validity":1}`, itemOpening, item2, itemOOS)

	first, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--json", "--concurrency", "3")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	calls := srv.ChatCalls()
	if calls == 0 || !strings.Contains(errOut, fmt.Sprintf("0 answered from the cache, %d asked", calls)) {
		t.Fatalf("first run: %d calls; %s", calls, errOut)
	}
	second, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := srv.ChatCalls() - calls; n != 0 {
		t.Errorf("second run made %d model calls, want 0", n)
	}
	if !strings.Contains(errOut, fmt.Sprintf("%d answered from the cache, 0 asked", calls)) {
		t.Errorf("second run: %s", errOut)
	}
	if answersOf(t, first) != answersOf(t, second) {
		t.Errorf("cached answers differ:\n%s\n%s", answersOf(t, first), answersOf(t, second))
	}
	if _, _, code := run(t, env, "eval", "--suite", suite, "--answers", "--no-cache"); code != exitOK || srv.ChatCalls() != 2*calls {
		t.Errorf("--no-cache: exit %d, %d calls, want %d", code, srv.ChatCalls(), 2*calls)
	}

	// Another model, failing: nothing cached for it, each item fails with
	// the model's error, the run finishes.
	env["OPENAI_MODEL"] = "other-model"
	srv.SetDefault(llmtest.Status(400, "model not available"))
	out, errOut, code := run(t, env, "eval", "--suite", suite, "--answers", "--json")
	if code != exitOK && code != exitFail {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Answers == nil || len(rep.Answers.Items) != 3 {
		t.Fatalf("the run did not go on past the failing model: %+v", rep.Answers)
	}
	if !strings.Contains(out, "model failed:") || !strings.Contains(out, "model not available") {
		t.Errorf("items do not record the model's error:\n%s", out)
	}
	before := srv.ChatCalls()
	srv.SetDefault(llmtest.Reply("会议在天津举行[0.1]。"))
	if _, errOut, _ := run(t, env, "eval", "--suite", suite, "--answers"); srv.ChatCalls() == before || !strings.Contains(errOut, "0 answered from the cache") {
		t.Errorf("an error was cached: %d calls after it; %s", srv.ChatCalls()-before, errOut)
	}
}

func answersOf(t *testing.T, out string) string {
	t.Helper()
	var rep evalJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Answers == nil {
		t.Fatalf("not a report with answers: %v", err)
	}
	var b strings.Builder
	for _, it := range rep.Answers.Items {
		fmt.Fprintf(&b, "%s %s %s\n", it.ID, it.Mode, it.Answer)
	}
	return b.String()
}
