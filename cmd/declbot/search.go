package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

func searchCommand() command {
	return command{
		name:    "search",
		summary: "rank paragraphs for a query (retrieval only, no model needed)",
		usage: `Usage: declbot search [-k N] [--json] QUERY

Ranks the paragraphs for QUERY, in simplified or traditional Chinese, English
or Russian, and prints the best K with their ID, fused score and text (in the
query's script). Flags come before the query; everything after it is the
query. The embedder is the offline one unless EMBEDDING_MODEL is set;
passage embeddings are cached in DATA_DIR.

With --json: an object with query, searched (the processed query text),
relevance, in_scope and results, each result with rank, id, score,
vector_rank, vector_score, lexical_rank, lexical_score, fields (what
matched, strongest first: text, vector, translation, questions),
alt_ranks, text_hans, text_hant, text_en and text_ru.

Examples:
  declbot search 上合组织开发银行
  declbot search -k 3 "What does the declaration say about outer space?"
  declbot search --json санкции`,
		run: runSearch,
	}
}

func runSearch(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, searchCommand())
	k := fs.Int("k", 5, "print the best `N` paragraphs (1-50)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	pack := fs.String("pack", "", "search one document pack only (`ID`, e.g. tianjin2025; see --corpus)")
	rest, code, ok := parseFlags(a, fs, args, false)
	if !ok {
		return code
	}
	q := strings.TrimSpace(strings.Join(rest, " "))
	if q == "" {
		fmt.Fprintln(a.stderr, `declbot search: give a query after the flags, e.g. declbot search 开发银行 or declbot search -k 3 "outer space"`)
		return exitUsage
	}
	if *k < 1 || *k > 50 {
		fmt.Fprintln(a.stderr, "declbot search: -k takes a number from 1 to 50")
		return exitUsage
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot search: %v\n", err)
		return exitUsage
	}
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot search: %v\n", err)
		return exitUsage
	}
	packs, err := packFlag(c, *pack)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot search: %v\n", err)
		return exitUsage
	}
	idx, err := newIndex(ctx, a, cfg, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot search: %v\n", err)
		return exitFail
	}
	res, err := idx.SearchPacks(ctx, q, *k, packs)
	if errors.Is(err, retrieval.ErrEmptyQuery) {
		fmt.Fprintf(a.stderr, "declbot search: %q has no words to search for: %v\n", q, err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot search: %v\n", err)
		return exitFail
	}
	if *asJSON {
		return writeJSON(a, searchJSON(q, res))
	}
	printResults(a.stdout, res, corpus.DetectLang(q).Script())
	return exitOK
}

func printResults(w io.Writer, res retrieval.Results, sc corpus.Script) {
	if len(res.Items) == 0 {
		fmt.Fprintln(w, "No paragraph matches this query.")
		return
	}
	if !res.InScope {
		fmt.Fprintf(w, "Note: the declaration may not address this (relevance %.2f).\n\n", res.Relevance)
	}
	for i, r := range res.Items {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%d. [%s] score %.4f (%s, %s)\n", i+1, r.Passage.ID, r.Score,
			component("vector", r.VectorRank, float64(r.VectorScore)),
			component("lexical", r.LexicalRank, r.LexicalScore))
		fmt.Fprintln(w, r.Passage.Text(sc))
	}
}

func component(name string, rank int, score float64) string {
	if rank == 0 {
		return name + " –"
	}
	return fmt.Sprintf("%s #%d %.3f", name, rank, score)
}

type searchOutput struct {
	Query     string         `json:"query"`
	Searched  string         `json:"searched"`
	Relevance float64        `json:"relevance"`
	InScope   bool           `json:"in_scope"`
	Results   []searchResult `json:"results"`
}

type searchResult struct {
	Rank         int     `json:"rank"`
	ID           string  `json:"id"`
	Score        float64 `json:"score"`
	VectorRank   int     `json:"vector_rank"`
	VectorScore  float32 `json:"vector_score"`
	LexicalRank  int     `json:"lexical_rank"`
	LexicalScore float64 `json:"lexical_score"`
	// Fields say what matched, strongest first: text, vector,
	// translation, questions (retrieval.Result.Fields).
	Fields   []string       `json:"fields"`
	AltRanks map[string]int `json:"alt_ranks,omitempty"`
	TextHans string         `json:"text_hans"`
	TextHant string         `json:"text_hant"`
	TextEn   string         `json:"text_en"`
	TextRu   string         `json:"text_ru"`
}

func searchJSON(q string, res retrieval.Results) searchOutput {
	out := searchOutput{Query: q, Searched: res.Query, Relevance: res.Relevance, InScope: res.InScope, Results: []searchResult{}}
	for i, r := range res.Items {
		out.Results = append(out.Results, searchResult{
			Rank: i + 1, ID: r.Passage.ID, Score: r.Score,
			VectorRank: r.VectorRank, VectorScore: r.VectorScore,
			LexicalRank: r.LexicalRank, LexicalScore: r.LexicalScore,
			Fields: append([]string{}, r.Fields...), AltRanks: r.AltRanks.Map(),
			TextHans: r.Passage.TextHans, TextHant: r.Passage.TextHant,
			TextEn: r.Passage.TextEn, TextRu: r.Passage.TextRu,
		})
	}
	return out
}
