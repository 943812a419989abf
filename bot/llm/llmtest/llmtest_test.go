package llmtest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
	chromem "github.com/philippgille/chromem-go"
	openai "github.com/sashabaranov/go-openai"
)

func client(srv *llmtest.Server, key string) *openai.Client {
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = srv.URL
	return openai.NewClientWithConfig(cfg)
}

func TestEmbeddingsThroughGoOpenAI(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("k"), llmtest.WithDimensions(32))
	c := client(srv, "k")
	inputs := []string{"上合组织开发银行", "上合组织开发银行", "阿富汗局势"}
	resp, err := c.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
		Input: inputs, Model: openai.SmallEmbedding3})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 3 {
		t.Fatalf("%d embeddings, want 3", len(resp.Data))
	}
	for i, e := range resp.Data {
		if e.Index != i || len(e.Embedding) != 32 {
			t.Errorf("embedding %d: index %d, %d dims", i, e.Index, len(e.Embedding))
		}
		var n float64
		for _, x := range e.Embedding {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("embedding %d has norm² %v, want 1", i, n)
		}
	}
	same, _ := resp.Data[0].DotProduct(&resp.Data[1])
	other, _ := resp.Data[0].DotProduct(&resp.Data[2])
	if math.Abs(float64(same)-1) > 1e-5 || other > 0.9 {
		t.Errorf("similarity same=%v other=%v: want deterministic vectors that tell texts apart", same, other)
	}
	reqs := srv.EmbeddingRequests()
	if srv.EmbeddingCalls() != 1 || len(reqs) != 1 || strings.Join(reqs[0].Inputs, "|") != strings.Join(inputs, "|") ||
		reqs[0].Model != string(openai.SmallEmbedding3) {
		t.Errorf("recorded %d calls %+v", srv.EmbeddingCalls(), reqs)
	}
}

// chromem-go sends one string per request and reads data[0].embedding.
func TestEmbeddingsThroughChromem(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("k"))
	f := chromem.NewEmbeddingFuncOpenAICompat(srv.URL, "k", "fake-embed", nil)
	v, err := f(context.Background(), "天津宣言")
	if err != nil {
		t.Fatal(err)
	}
	want := llmtest.HashEmbedding("天津宣言", 64)
	for i := range want {
		if v[i] != want[i] {
			t.Fatalf("vector differs at %d", i)
		}
	}
	srv.EnqueueEmbeddings(llmtest.Status(500, "down"))
	if _, err := f(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("error %v, want a 500", err)
	}
	if srv.EmbeddingCalls() != 2 {
		t.Errorf("%d calls, want 2", srv.EmbeddingCalls())
	}
}

func TestEmbeddingsErrors(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("k"))
	ctx := context.Background()
	req := openai.EmbeddingRequestStrings{Input: []string{"a"}, Model: "fake-embed"}

	_, err := client(srv, "wrong").CreateEmbeddings(ctx, req)
	assertStatus(t, err, 401)

	srv.EnqueueEmbeddings(llmtest.RateLimited("2"), llmtest.Status(503, "busy"))
	_, err = client(srv, "k").CreateEmbeddings(ctx, req)
	assertStatus(t, err, 429)
	_, err = client(srv, "k").CreateEmbeddings(ctx, req)
	assertStatus(t, err, 503)
	if _, err = client(srv, "k").CreateEmbeddings(ctx, req); err != nil {
		t.Errorf("after the queue: %v", err)
	}
	_, err = client(srv, "k").CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{""}, Model: "m"})
	assertStatus(t, err, 400)

	srv.SetEmbeddingsDefault(llmtest.Drop("", 0))
	if _, err = client(srv, "k").CreateEmbeddings(ctx, req); err == nil {
		t.Error("dropped connection gave no error")
	}
}

func assertStatus(t *testing.T, err error, code int) {
	t.Helper()
	var ae *openai.APIError
	if !errors.As(err, &ae) || ae.HTTPStatusCode != code || ae.Message == "" {
		t.Errorf("error %v, want an OpenAI API error with status %d and a message", err, code)
	}
}

// The stream is checked byte for byte against OpenAI's format, not only
// through a client that might be lenient.
func TestStreamWireFormat(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithReply("你好，世界"))
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	resp, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("content type %q", ct)
	}
	var content strings.Builder
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 4 || lines[len(lines)-2] != "data: [DONE]" || lines[len(lines)-1] != "" {
		t.Fatalf("stream does not end with data: [DONE] and a blank line: %q", lines)
	}
	finish := ""
	for i, l := range lines[:len(lines)-2] {
		if i%2 == 1 {
			if l != "" {
				t.Fatalf("line %d = %q, want the blank line ending an event", i, l)
			}
			continue
		}
		data, ok := strings.CutPrefix(l, "data: ")
		if !ok {
			t.Fatalf("line %d = %q, want data: …", i, l)
		}
		var chunk openai.ChatCompletionStreamResponse
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		if chunk.Object != "chat.completion.chunk" || chunk.Model != "m" || len(chunk.Choices) != 1 {
			t.Errorf("chunk %s", data)
		}
		content.WriteString(chunk.Choices[0].Delta.Content)
		finish = string(chunk.Choices[0].FinishReason)
	}
	if content.String() != "你好，世界" || finish != "stop" {
		t.Errorf("content %q finish %q", content.String(), finish)
	}
}

func TestChatRecordsAndScripts(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.Enqueue(llmtest.Reply("first"), llmtest.ReplyFunc(func(r llmtest.Request) string { return "saw " + r.LastUser() }))
	c := client(srv, "")
	ask := func(q string) string {
		resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "system", Content: "s"}, {Role: "user", Content: q}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Choices[0].Message.Content
	}
	got := []string{ask("a"), ask("b"), ask("c")}
	want := []string{"first", "saw b", llmtest.DefaultReply}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reply %d = %q, want %q", i, got[i], want[i])
		}
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 3 || reqs[2].System() != "s" || reqs[2].LastUser() != "c" || reqs[0].Stream {
		t.Errorf("recorded %+v", reqs)
	}
}

// A behaviour function decides each request once the queue is empty;
// without recording, calls are still counted.
func TestBehaviorFuncWithoutRecording(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.WithoutRecording(), llmtest.WithBehaviorFunc(func(r llmtest.Request) llmtest.Behavior {
		if r.LastUser() == "fail" {
			return llmtest.Status(500, "down")
		}
		return llmtest.Reply("echo " + r.LastUser())
	}))
	srv.Enqueue(llmtest.Reply("queued"))
	c := client(srv, "")
	ask := func(q string) (string, error) {
		resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: q}}})
		if err != nil {
			return "", err
		}
		return resp.Choices[0].Message.Content, nil
	}
	if got, err := ask("a"); got != "queued" || err != nil {
		t.Errorf("first reply %q, %v; want the queued one", got, err)
	}
	if got, err := ask("b"); got != "echo b" || err != nil {
		t.Errorf("second reply %q, %v", got, err)
	}
	var ae *openai.APIError
	if _, err := ask("fail"); !errors.As(err, &ae) || ae.HTTPStatusCode != 500 {
		t.Errorf("chosen failure: %v", err)
	}
	if n, reqs := srv.ChatCalls(), srv.Requests(); n != 3 || len(reqs) != 0 {
		t.Errorf("%d calls counted, %d recorded; want 3 and none", n, len(reqs))
	}
}

func TestModelsAndUnknownPaths(t *testing.T) {
	srv := llmtest.NewServer(t)
	list, err := client(srv, "").ListModels(context.Background())
	if err != nil || len(list.Models) == 0 {
		t.Fatalf("models %v, %v", list, err)
	}
	resp, err := http.Get(srv.URL + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), `"error"`) {
		t.Errorf("unknown path: %d %s", resp.StatusCode, b)
	}
}

func TestBadRequestsGetOpenAIErrors(t *testing.T) {
	srv := llmtest.NewServer(t)
	for _, body := range []string{`{`, `{"model":"m","messages":[]}`, `{"messages":[{"role":"user","content":"x"}]}`,
		`{"model":"m","messages":[{"role":"robot","content":"x"}]}`} {
		resp, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Message, Type string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 400 || e.Error.Message == "" || e.Error.Type != "invalid_request_error" {
			t.Errorf("%s: status %d error %+v", body, resp.StatusCode, e)
		}
	}
}
