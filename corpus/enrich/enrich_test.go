package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/llm/retry"
	"github.com/declbot/declbot/corpus"
)

func load(t *testing.T) *corpus.Corpus {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var passageID = regexp.MustCompile(`<passage id="([^"]+)"`)

// idsIn returns the passage IDs of a request, in order.
func idsIn(r llmtest.Request) []string {
	var out []string
	for _, m := range passageID.FindAllStringSubmatch(r.LastUser(), -1) {
		out = append(out, m[1])
	}
	return out
}

// translator answers a translation request as a good model would: with
// the shipped translation of each passage asked for, into the language
// the system message names; edit may spoil one.
func translator(c *corpus.Corpus, edit func(id, text string) string) func(llmtest.Request) string {
	return func(r llmtest.Request) string {
		l := corpus.LangEn
		if strings.Contains(r.System(), "into Russian") {
			l = corpus.LangRu
		}
		type entry struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		var out struct {
			Translations []entry `json:"translations"`
		}
		for _, id := range idsIn(r) {
			p, _ := c.Get(id)
			text := p.TextIn(l)
			if edit != nil {
				text = edit(id, text)
			}
			out.Translations = append(out.Translations, entry{id, text})
		}
		b, _ := json.Marshal(out)
		return string(b)
	}
}

// questioner answers a question-list request with the shipped questions.
func questioner(c *corpus.Corpus, l corpus.Lang) func(llmtest.Request) string {
	return func(r llmtest.Request) string {
		per := map[string][]string{}
		for _, q := range c.Questions(l) {
			per[q.ID] = append(per[q.ID], q.Text)
		}
		type entry struct {
			ID        string   `json:"id"`
			Questions []string `json:"questions"`
		}
		var out struct {
			Questions []entry `json:"questions"`
		}
		for _, id := range idsIn(r) {
			out.Questions = append(out.Questions, entry{id, per[id]})
		}
		b, _ := json.Marshal(out)
		return "```json\n" + string(b) + "\n```" // fences are forgiven
	}
}

func client(srv *llmtest.Server, timeout time.Duration) *llm.Client {
	noWait := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return llm.New(srv.URL, "k", "fake-model", llm.WithTimeout(timeout),
		llm.WithRetry(retry.Policy{Retries: 2, Base: time.Millisecond, Max: time.Millisecond, Sleep: noWait}))
}

func ids(c *corpus.Corpus, from, to string) []string {
	var out []string
	in := false
	for _, p := range c.Passages() {
		if p.ID == from {
			in = true
		}
		if in {
			out = append(out, p.ID)
		}
		if p.ID == to {
			break
		}
	}
	return out
}

func TestRunValidatesEachPassage(t *testing.T) {
	c := load(t)
	want := ids(c, "2.1", "2.7") // 2 batches of 5 and 2
	for _, tt := range []struct {
		name    string
		queue   []llmtest.Behavior
		timeout time.Duration
		failed  []string // passages without output
		reason  string   // in each failure
		calls   int
	}{
		{name: "good", calls: 2},
		{name: "garbage", queue: []llmtest.Behavior{llmtest.Reply("I am sorry, I cannot translate that.")},
			failed: want[:5], reason: "not JSON", calls: 2},
		{name: "truncated JSON", queue: []llmtest.Behavior{llmtest.Reply(`{"translations":[{"id":"2.1","text":"The member states`)},
			failed: want[:5], reason: "not the JSON asked for", calls: 2},
		{name: "malformed HTTP body", queue: []llmtest.Behavior{llmtest.Malformed("x", 0)},
			failed: want[:5], reason: "malformed", calls: 2},
		{name: "429 then good", queue: []llmtest.Behavior{llmtest.RateLimited("0")}, calls: 3},
		{name: "429 throughout", queue: []llmtest.Behavior{llmtest.RateLimited("0"), llmtest.RateLimited("0"), llmtest.RateLimited("0")},
			failed: want[:5], reason: "429", calls: 4},
		{name: "timeout", queue: []llmtest.Behavior{llmtest.Reply("{}").Delay(time.Second), llmtest.Reply("{}").Delay(time.Second), llmtest.Reply("{}").Delay(time.Second)},
			timeout: 50 * time.Millisecond, failed: want[:5], reason: "timed out", calls: 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.WithHandler(translator(c, nil)))
			srv.Enqueue(tt.queue...)
			timeout := cmpOr(tt.timeout, 5*time.Second)
			var events []Event
			e := New(c, client(srv, timeout), WithCacheDir(t.TempDir()), WithProgress(func(ev Event) { events = append(events, ev) }))
			res, err := e.Run(context.Background(), Job{Kind: Translations, Lang: corpus.LangEn, IDs: want})
			if err != nil {
				t.Fatal(err)
			}
			if srv.ChatCalls() != tt.calls {
				t.Errorf("%d model calls, want %d", srv.ChatCalls(), tt.calls)
			}
			if len(res.Failed) != len(tt.failed) || len(res.Outputs)+len(res.Failed) != len(want) || len(events) != len(want) {
				t.Fatalf("%d outputs, %d failed (%v), %d events; want %d failed", len(res.Outputs), len(res.Failed), res.Failed, len(events), len(tt.failed))
			}
			for _, id := range tt.failed {
				if err := res.Failed[id]; err == nil || !strings.Contains(err.Error(), tt.reason) {
					t.Errorf("%s: failure %v, want it to say %q", id, err, tt.reason)
				}
			}
			for id, out := range res.Outputs {
				p, _ := c.Get(id)
				if out.Text != p.TextEn {
					t.Errorf("%s: output %q", id, out.Text)
				}
			}
		})
	}
}

func cmpOr(a, b time.Duration) time.Duration {
	if a != 0 {
		return a
	}
	return b
}

// An output that fails a check fails its passage alone; the batch's other
// passages are kept.
func TestRunRejectsBadOutputs(t *testing.T) {
	c := load(t)
	spoil := map[string]func(string) string{
		"0.1": func(s string) string { return strings.Replace(s, " 2025", "", 1) },                        // a dropped number
		"1.1": func(s string) string { return s + " 天津" },                                                 // Chinese left
		"1.3": func(s string) string { return s[:len(s)/4] },                                              // cut short
		"1.2": func(s string) string { return strings.ReplaceAll(s, "SCO", "Shanghai Cooperation Org.") }, // name table
	}
	srv := llmtest.NewServer(t, llmtest.WithHandler(translator(c, func(id, text string) string {
		if f, ok := spoil[id]; ok {
			return f(text)
		}
		return text
	})))
	cache := t.TempDir()
	e := New(c, client(srv, 5*time.Second), WithCacheDir(cache), WithBatch(10))
	job := Job{Kind: Translations, Lang: corpus.LangEn, IDs: ids(c, "0.1", "1.5")}
	res, err := e.Run(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	for id := range spoil {
		if res.Failed[id] == nil {
			t.Errorf("%s: a spoilt output was accepted: %q", id, res.Outputs[id].Text)
		}
	}
	if err := res.Failed["0.1"]; err == nil || !strings.Contains(err.Error(), "the number 2025 of the Chinese is missing") {
		t.Errorf("0.1: %v", err)
	}
	for _, id := range []string{"1.4", "1.5"} {
		if _, ok := res.Outputs[id]; !ok {
			t.Errorf("%s: good output not kept (%v)", id, res.Failed[id])
		}
	}
	// Only validated outputs were cached: a re-run asks again for the
	// four, in one request, and for nothing else.
	again, err := e.Run(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if again.Cached != 2 || again.Requests != 1 || len(idsIn(srv.ChatRequests()[1])) != 4 {
		t.Errorf("re-run: %d cached, %d requests for %v", again.Cached, again.Requests, idsIn(srv.ChatRequests()[1]))
	}
}

// A run interrupted after its first batch resumes where it stopped: the
// next run asks only for the passages it lacks.
func TestRunResumes(t *testing.T) {
	c := load(t)
	ctx, cancel := context.WithCancel(context.Background())
	good := translator(c, nil)
	srv := llmtest.NewServer(t, llmtest.WithHandler(func(r llmtest.Request) string {
		if strings.Contains(r.LastUser(), `id="2.4"`) {
			cancel() // the user presses Ctrl-C while the second batch is asked
		}
		return good(r)
	}))
	cache := t.TempDir()
	job := Job{Kind: Translations, Lang: corpus.LangRu, IDs: ids(c, "2.1", "2.9")}
	e := New(c, client(srv, 5*time.Second), WithCacheDir(cache), WithBatch(3))
	res, err := e.Run(ctx, job)
	if !errors.Is(err, context.Canceled) || len(res.Outputs) != 3 {
		t.Fatalf("interrupted run: %v, %d outputs", err, len(res.Outputs))
	}
	before := srv.ChatCalls()
	res, err = e.Run(context.Background(), job)
	if err != nil || len(res.Outputs) != 9 || res.Cached != 3 {
		t.Fatalf("resumed run: %v, %d outputs, %d cached", err, len(res.Outputs), res.Cached)
	}
	if got := srv.ChatCalls() - before; got != 2 {
		t.Errorf("resumed run made %d calls, want 2 (2.4-2.9 in batches of 3)", got)
	}
	// A third run asks nothing; a corrupted entry is asked again.
	var broken string
	filepath.WalkDir(cache, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && broken == "" {
			broken = path
		}
		return nil
	})
	if err := os.WriteFile(broken, []byte(`{"version":1,"kind":"transl`), 0o644); err != nil {
		t.Fatal(err)
	}
	pl, err := e.Plan(job)
	if err != nil || len(pl.Cached) != 8 || len(pl.Batches) != 1 || len(pl.Batches[0]) != 1 || len(pl.First) != 2 {
		t.Fatalf("plan after corrupting an entry: %+v, %v", pl, err)
	}
	// Another model does not reuse this one's outputs.
	other := New(c, client(srv, 5*time.Second), WithCacheDir(cache), WithModelID("http://x/v1", "other"))
	if pl, _ := other.Plan(job); len(pl.Cached) != 0 {
		t.Errorf("another model found %d cached outputs", len(pl.Cached))
	}
}

func TestQuestionLists(t *testing.T) {
	c := load(t)
	srv := llmtest.NewServer(t, llmtest.WithHandler(questioner(c, corpus.LangRu)))
	e := New(c, client(srv, 5*time.Second))
	job := Job{Kind: Questions, Lang: corpus.LangRu, IDs: []string{"3.21", "T1"},
		Translation: func(id string) string { p, _ := c.Get(id); return p.TextRu }}
	res, err := e.Run(context.Background(), job)
	if err != nil || len(res.Outputs) != 2 {
		t.Fatalf("%v, %v", err, res.Failed)
	}
	user := srv.ChatRequests()[0].LastUser()
	p, _ := c.Get("3.21")
	if !strings.Contains(user, p.TextHans) || !strings.Contains(user, "<translation>\n"+p.TextRu) {
		t.Errorf("the request lacks the passage or its translation:\n%s", user)
	}
	// Questions in the wrong language fail.
	srv.Enqueue(llmtest.Reply(`{"questions":[{"id":"3.21","questions":["What bank?","Which bank?","Whose bank?"]}]}`))
	res, _ = e.Run(context.Background(), Job{Kind: Questions, Lang: corpus.LangRu, IDs: []string{"3.21"}})
	if err := res.Failed["3.21"]; err == nil || !strings.Contains(err.Error(), "is not in Russian") {
		t.Errorf("English questions for Russian: %v", err)
	}
	if _, err := e.Run(context.Background(), Job{Kind: Translations, Lang: corpus.LangHans, IDs: []string{"3.21"}}); err == nil {
		t.Error("a translation into Chinese was attempted")
	}
}

// The prompt says what the issue asks for.
func TestPromptRules(t *testing.T) {
	c := load(t)
	pl, err := New(c, nil, WithBatch(2)).Plan(Job{Kind: Translations, Lang: corpus.LangEn, IDs: []string{"0.1", "5.8", "W1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Batches) != 2 {
		t.Fatalf("batches %v", pl.Batches)
	}
	sys, user := pl.First[0].Content, pl.First[1].Content
	for _, want := range []string{"from Chinese into English", "Do not consult", "published", "Keep every number", "names", "JSON"} {
		if !strings.Contains(sys+user, want) {
			t.Errorf("the prompt does not say %q", want)
		}
	}
	if !strings.Contains(user, "上海合作组织 = Shanghai Cooperation Organization") || !strings.Contains(user, `<passage id="5.8" lines="10">`) {
		t.Errorf("names or lines missing from the request:\n%s", user)
	}
}
