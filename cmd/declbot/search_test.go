package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		first   string // ID expected first
		results int
		script  string // a string the text output must contain
	}{
		{"simplified", []string{"search", "-k", "3", "上合组织开发银行"}, "3.21", 3, "决定成立开发银行"},
		{"traditional shows traditional text", []string{"search", "-k", "2", "上合組織開發銀行"}, "3.21", 2, "決定成立開發銀行"},
		{"several words form one query", []string{"search", "外空", "武器化"}, "2.36", 5, "防止外空武器化"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			if !strings.HasPrefix(out, "1. ["+tt.first+"] score ") {
				t.Errorf("output does not start with %s:\n%s", tt.first, out)
			}
			if n := strings.Count(out, "] score "); n != tt.results {
				t.Errorf("%d results, want %d:\n%s", n, tt.results, out)
			}
			if !strings.Contains(out, tt.script) {
				t.Errorf("output lacks %q:\n%s", tt.script, out)
			}
		})
	}
}

func TestSearchJSON(t *testing.T) {
	out, errOut, code := run(t, nil, "search", "--json", "-k", "2", "What does the declaration say about outer space?")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var got struct {
		Query     string   `json:"query"`
		Searched  string   `json:"searched"`
		Relevance *float64 `json:"relevance"`
		InScope   *bool    `json:"in_scope"`
		Results   []struct {
			Rank        int     `json:"rank"`
			ID          string  `json:"id"`
			Score       float64 `json:"score"`
			VectorRank  *int    `json:"vector_rank"`
			LexicalRank *int    `json:"lexical_rank"`
			TextHans    string  `json:"text_hans"`
			TextHant    string  `json:"text_hant"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Query != "What does the declaration say about outer space?" || !strings.Contains(got.Searched, "外空") {
		t.Errorf("query %q searched %q", got.Query, got.Searched)
	}
	if got.Relevance == nil || got.InScope == nil || !*got.InScope {
		t.Errorf("relevance/in_scope missing or out of scope: %s", out)
	}
	if len(got.Results) != 2 {
		t.Fatalf("%d results, want 2", len(got.Results))
	}
	r := got.Results[0]
	if r.ID != "2.36" || r.Rank != 1 || r.Score <= 0 || r.VectorRank == nil || r.LexicalRank == nil ||
		!strings.Contains(r.TextHans, "外空") || !strings.Contains(r.TextHant, "外空") {
		t.Errorf("first result: %+v", r)
	}
	if got.Results[1].Score > r.Score {
		t.Error("results not ranked by score")
	}
}

func TestSearchUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no query", []string{"search"}, "give a query"},
		{"blank query", []string{"search", "  "}, "give a query"},
		{"only flags", []string{"search", "--json"}, "give a query"},
		{"punctuation only", []string{"search", "？！"}, "no words to search for"},
		{"k out of range", []string{"search", "-k", "0", "外空"}, "-k takes a number"},
		{"bad flag", []string{"search", "--nope", "外空"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("stdout %q, stderr %q; want only an error with %q", out, errOut, tt.want)
			}
		})
	}
}

// A configured embeddings endpoint that does not work stops the command
// with an error that names the setting and the fix.
func TestSearchEmbeddingEndpointFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"message":"model \"nomic-embed-text\" not found, try pulling it first","type":"api_error"}}`))
	}))
	defer srv.Close()
	env := map[string]string{
		"DATA_DIR":           t.TempDir(),
		"EMBEDDING_MODEL":    "nomic-embed-text",
		"EMBEDDING_BASE_URL": srv.URL + "/v1",
	}
	out, errOut, code := run(t, env, "search", "外空")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	for _, want := range []string{"EMBEDDING_MODEL", "nomic-embed-text", "not found", "unset EMBEDDING_MODEL"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
}
