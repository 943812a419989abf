package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/corpus"
)

var enrichPassageID = regexp.MustCompile(`<passage id="([^"]+)"`)

// fakeTranslator answers like a model that translates well, except that
// it drops the numbers of 2.7 and marks 2.5 as revised.
func fakeTranslator(c *corpus.Corpus) func(llmtest.Request) string {
	return func(r llmtest.Request) string {
		type entry struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		var out struct {
			Translations []entry `json:"translations"`
		}
		for _, m := range enrichPassageID.FindAllStringSubmatch(r.LastUser(), -1) {
			p, _ := c.Get(m[1])
			text := p.TextEn
			switch p.ID {
			case "2.5":
				text = "Revised: " + text
			case "2.7":
				text = regexp.MustCompile(`[0-9]+`).ReplaceAllString(text, "")
			}
			out.Translations = append(out.Translations, entry{p.ID, text})
		}
		b, _ := json.Marshal(out)
		return string(b)
	}
}

func TestEnrichTranslations(t *testing.T) {
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Get("2.7"); !regexp.MustCompile(`[0-9]`).MatchString(p.TextHans) {
		t.Fatal("2.7 has no number to drop: pick another passage")
	}
	srv := llmtest.NewServer(t, llmtest.WithHandler(fakeTranslator(c)))
	srv.Enqueue(llmtest.RateLimited("0")) // retried
	out := t.TempDir()
	env := map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": "fake"}
	stdout, stderr, code := run(t, env, "enrich", "--what", "translations", "--lang", "en", "--ids", "2.5-2.7", "--out", out)
	if code != exitFail {
		t.Fatalf("exit %d, want 1 (2.7 fails)\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "en translations of 2.7 left unchanged") || !strings.Contains(stderr, "of the Chinese is missing") {
		t.Errorf("the failing passage is not reported:\n%s", stderr)
	}
	if !strings.Contains(stdout, "2 of 3 passages made (0 from the cache, 1 requests), 1 changed, 1 failed") {
		t.Errorf("summary:\n%s", stdout)
	}
	shipped, _ := corpus.ShippedTranslation(corpus.LangEn)
	got, err := os.ReadFile(filepath.Join(out, "translations", "en.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(shipped), `"id":"2.5","text":"`, `"id":"2.5","text":"Revised: `, 1)
	if want == string(shipped) || string(got) != want {
		t.Errorf("the file should differ from the shipped one in the line of 2.5 alone")
	}
	calls := srv.ChatCalls()
	if calls != 2 {
		t.Errorf("%d calls, want 2 (a 429, then the answer)", calls)
	}
	// Run again: 2.5 and 2.6 come from the cache, 2.7 is asked again.
	stdout, _, code = run(t, env, "enrich", "--what", "translations", "--lang", "en", "--ids", "2.5-2.7", "--out", out)
	if code != exitFail || srv.ChatCalls() != calls+1 || !strings.Contains(stdout, "2 from the cache, 1 requests), 0 changed") {
		t.Errorf("re-run: exit %d, %d calls:\n%s", code, srv.ChatCalls()-calls, stdout)
	}
	if last := srv.ChatRequests()[len(srv.ChatRequests())-1].LastUser(); strings.Count(last, "<passage id=") != 1 {
		t.Errorf("re-run asked for more than 2.7:\n%s", last)
	}
}

func TestEnrichMissingQuestions(t *testing.T) {
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	shipped, _ := corpus.ShippedQuestions(corpus.LangRu)
	var kept []string
	for _, line := range strings.SplitAfter(string(shipped), "\n") {
		if !strings.HasPrefix(line, "W3\t") {
			kept = append(kept, line)
		}
	}
	if err := os.MkdirAll(filepath.Join(out, "questions"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "questions", "ru.tsv"), []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewServer(t, llmtest.WithHandler(func(r llmtest.Request) string {
		return `{"questions":[{"id":"W3","questions":["Что говорится о победе?","Как ШОС оценивает итоги войны?","уроки Второй мировой войны"]}]}`
	}))
	env := map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": srv.URL}
	stdout, stderr, code := run(t, env, "enrich", "--what", "questions", "--lang", "ru", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(out, "questions", "ru.tsv"))
	want := strings.Replace(string(shipped), strings.Join(questionLines(string(shipped), "W3"), ""),
		"W3\tЧто говорится о победе?\nW3\tКак ШОС оценивает итоги войны?\nW3\tуроки Второй мировой войны\n", 1)
	if string(got) != want {
		t.Errorf("W3's questions not put back in its place:\n%s", got)
	}
	p, _ := c.Get("W3")
	if req := srv.ChatRequests(); len(req) != 1 || !strings.Contains(req[0].LastUser(), p.TextRu) {
		t.Errorf("one request with W3's Russian translation expected")
	}
}

func questionLines(file, id string) []string {
	var out []string
	for _, line := range strings.SplitAfter(file, "\n") {
		if strings.HasPrefix(line, id+"\t") {
			out = append(out, line)
		}
	}
	return out
}

func TestEnrichFailures(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithDefault(llmtest.Reply(`{"translations":[{"id":"T1","text":"The member`)))
	timeout := llmtest.NewServer(t, llmtest.WithDefault(llmtest.Reply("{}").Delay(2*time.Second)))
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no model", map[string]string{"DATA_DIR": t.TempDir()}, []string{"--out", t.TempDir()}, exitUsage, "OPENAI_BASE_URL"},
		{"unknown ID", map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_API_KEY": "k"}, []string{"--ids", "9.99", "--out", t.TempDir()}, exitUsage, "--ids"},
		{"Chinese translation", map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_API_KEY": "k"}, []string{"--what", "translations", "--lang", "zh-Hans"}, exitUsage, "are made for en, ru"},
		{"bad what", nil, []string{"--what", "poems"}, exitUsage, "--what"},
		{"truncated JSON", map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": srv.URL}, []string{"--what", "translations", "--lang", "en", "--ids", "T1", "--out", t.TempDir()}, exitFail, "cut off"},
		{"garbage", map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": llmtest.NewServer(t, llmtest.WithReply("Sure! Here you go.")).URL},
			[]string{"--what", "translations", "--lang", "ru", "--ids", "T1", "--out", t.TempDir()}, exitFail, "is not JSON"},
		{"timeout", map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": timeout.URL, "LLM_TIMEOUT": "100ms"},
			[]string{"--what", "questions", "--lang", "en", "--ids", "T1", "--out", t.TempDir()}, exitFail, "timed out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.env, append([]string{"enrich"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d; stderr should name %q:\n%s", code, tt.code, tt.want, stderr)
			}
		})
	}
}

// Run from the repository, enrich writes corpus/data by default; a dry
// run says so and asks nothing, with no model configured.
func TestEnrichDryRun(t *testing.T) {
	stdout, stderr, code := run(t, nil, "enrich", "--dry-run", "--what", "translations", "--lang", "ru", "--ids", "5.8")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wd, _ := os.Getwd()
	repo := filepath.Dir(filepath.Dir(wd))
	if !strings.Contains(stdout, filepath.Join(repo, "corpus", "data", "translations", "ru.jsonl")) || !strings.Contains(stdout, `<passage id="5.8" lines="10">`) {
		t.Errorf("dry run:\n%s", stdout)
	}
	if _, err := repoDataDir(t.TempDir()); err == nil {
		t.Error("a temporary folder was taken for the repository")
	}
}

// A new pack gets its translations and question lists from the model:
// --pack writes them into the pack's own directory, under its local IDs,
// and the pack then loads with them.
func TestEnrichPack(t *testing.T) {
	src, err := corpus.Load(corpus.WithPackDir(testPacks))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "qinghu2026")
	for _, name := range []string{"pack.json", "passages.jsonl"} {
		b, err := os.ReadFile(filepath.Join(testPacks, "qinghu2026", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := llmtest.NewServer(t, llmtest.WithHandler(func(r llmtest.Request) string {
		ids := enrichPassageID.FindAllStringSubmatch(r.LastUser(), -1)
		if strings.Contains(r.LastUser(), `{"translations"`) {
			type entry struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			}
			var out struct {
				Translations []entry `json:"translations"`
			}
			lang := corpus.LangEn
			if strings.Contains(r.LastUser(), "Russian") {
				lang = corpus.LangRu
			}
			for _, m := range ids {
				p, _ := src.Get(m[1])
				out.Translations = append(out.Translations, entry{m[1], p.TextIn(lang)})
			}
			b, _ := json.Marshal(out)
			return string(b)
		}
		type entry struct {
			ID        string   `json:"id"`
			Questions []string `json:"questions"`
		}
		var out struct {
			Questions []entry `json:"questions"`
		}
		qs := map[string][]string{
			"zh-Hans": {"这一段说了什么？", "成员国在这方面有什么决定？", "这件事怎么安排？"},
			"en":      {"What does this paragraph say?", "What did the member states decide here?", "How is this arranged?"},
			"ru":      {"О чём этот пункт?", "Что решили государства-члены?", "Как это устроено?"},
		}
		lang := "zh-Hans"
		if strings.Contains(r.LastUser(), "English") {
			lang = "en"
		} else if strings.Contains(r.LastUser(), "Russian") || strings.Contains(r.LastUser(), "Русск") {
			lang = "ru"
		}
		for _, m := range ids {
			out.Questions = append(out.Questions, entry{m[1], qs[lang]})
		}
		b, _ := json.Marshal(out)
		return string(b)
	}))
	env := map[string]string{"DATA_DIR": t.TempDir(), "OPENAI_BASE_URL": srv.URL, "CORPUS_DIR": root}
	stdout, stderr, code := run(t, env, "enrich", "--pack", "qinghu2026")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	en, err := os.ReadFile(filepath.Join(dir, "translations", "en.jsonl"))
	if err != nil || !strings.Contains(string(en), `{"id":"1.1","text":"The member states note`) || strings.Contains(string(en), "qinghu2026:") {
		t.Errorf("en.jsonl should hold local IDs: %v\n%s", err, en)
	}
	c, err := corpus.Load(corpus.WithPackDir(root))
	if err != nil {
		t.Fatalf("the enriched pack does not load: %v", err)
	}
	if p, _ := c.Get("qinghu2026:A2"); p.TextRu == "" {
		t.Error("qinghu2026:A2 has no Russian translation after enrich")
	}
	// Unknown pack: a clear error.
	_, stderr, code = run(t, env, "enrich", "--pack", "nosuch2030", "--dry-run")
	if code != exitUsage || !strings.Contains(stderr, `--pack "nosuch2030" is not loaded`) {
		t.Errorf("unknown pack: exit %d, %s", code, stderr)
	}
}
