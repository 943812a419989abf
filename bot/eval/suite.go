// Package eval measures declbot on a golden suite of questions written from
// the text: how well retrieval ranks the paragraphs that answer each
// question, whether it tells answerable questions from ones the declaration
// does not address, and (with an Answerer) whether answers contain the key
// facts, cite the right paragraphs, never cite what does not exist, refuse
// what they should and keep the question's script.
//
// The default suite, golden.jsonl, is embedded in the binary. Its first
// line is a header whose "thresholds" object names the numbers a build must
// reach; "declbot eval" and the package's tests fail below them.
package eval

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/declbot/declbot/corpus"
)

//go:embed golden.jsonl
var goldenJSONL []byte

// DefaultSuiteName is how reports name the embedded suite.
const DefaultSuiteName = "embedded golden.jsonl"

// Kind is what an item tests.
type Kind string

// The kinds of items in a suite.
const (
	// KindFactual asks for one fact stated in one paragraph.
	KindFactual Kind = "factual"
	// KindList asks for an enumeration the text gives.
	KindList Kind = "list"
	// KindMulti needs several paragraphs.
	KindMulti Kind = "multi"
	// KindParaphrase shares few characters with the paragraph that answers it.
	KindParaphrase Kind = "paraphrase"
	// KindOutOfScope asks what the declaration does not address.
	KindOutOfScope Kind = "out_of_scope"
	// KindInjection tries to make the bot break its rules.
	KindInjection Kind = "injection"
)

// Kinds lists the kinds in the order reports show them.
var Kinds = []Kind{KindFactual, KindList, KindMulti, KindParaphrase, KindOutOfScope, KindInjection}

// Langs lists the languages in the order reports show them: the
// language registry's (corpus.Languages).
func Langs() []corpus.Lang { return corpus.LangTags() }

// Item is one question with what a correct system does with it.
type Item struct {
	ID       string      `json:"id"`
	Lang     corpus.Lang `json:"lang"`
	Kind     Kind        `json:"kind"`
	Question string      `json:"question"`
	// Gold are the canonical IDs of the paragraphs that answer the
	// question; empty for out-of-scope items.
	Gold []string `json:"gold"`
	// Facts are simplified-Chinese substrings of the gold paragraphs that
	// a complete answer contains.
	Facts      []string `json:"facts"`
	OutOfScope bool     `json:"out_of_scope"`
	// Docs limits the question to these document packs (pack IDs, as a
	// Telegram chat pinned with /doc): bot.Question.Packs. Empty: every
	// loaded pack, the question steering itself.
	Docs []string `json:"docs,omitempty"`
	// Draft marks an item written by "declbot review export" from a
	// reviewed answer: its gold list is still to be filled in, so it
	// cannot be scored. Cited are the IDs that answer cited, as a hint.
	Draft bool     `json:"draft,omitempty"`
	Cited []string `json:"cited,omitempty"`
	// Line is the item's 1-based line in the suite file.
	Line int `json:"-"`
}

// Drafts returns the draft items (Item.Draft).
func (s *Suite) Drafts() []Item {
	var out []Item
	for _, it := range s.Items {
		if it.Draft {
			out = append(out, it)
		}
	}
	return out
}

// WithoutDrafts drops the draft items, which have no gold to score.
func (s *Suite) WithoutDrafts() {
	s.Items = slices.DeleteFunc(s.Items, func(it Item) bool { return it.Draft })
}

// Header is the suite file's first line.
type Header struct {
	Suite   string `json:"suite"`
	Version int    `json:"version"`
	// Thresholds maps threshold names (see ThresholdNames) to targets.
	Thresholds map[string]float64 `json:"thresholds"`
}

// Suite is a loaded, validated golden suite.
type Suite struct {
	// Source names where the suite was read from, for reports.
	Source string
	Header Header
	Items  []Item

	corpus *corpus.Corpus
}

// Corpus returns the corpus the suite was validated against.
func (s *Suite) Corpus() *corpus.Corpus { return s.corpus }

// InScope returns the number of answerable items and of out-of-scope ones.
func (s *Suite) InScope() (answerable, outOfScope int) {
	for _, it := range s.Items {
		if it.OutOfScope {
			outOfScope++
		} else {
			answerable++
		}
	}
	return answerable, outOfScope
}

// Default loads the suite embedded in the binary.
func Default(c *corpus.Corpus) (*Suite, error) {
	return Load(bytes.NewReader(goldenJSONL), DefaultSuiteName, c)
}

// LoadFile loads a suite from a JSONL file.
func LoadFile(path string, c *corpus.Corpus) (*Suite, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open suite: %w", err)
	}
	defer f.Close()
	return Load(f, path, c)
}

// maxProblems caps how many problems one load reports: enough to fix a
// batch of items at once, not a wall of text for a file in the wrong format.
const maxProblems = 20

// Load reads a suite: a header line, then one JSON item per line (blank
// lines are allowed). It checks every item against c and reports all
// problems it finds (up to 20), each naming the line and the fix.
func Load(r io.Reader, name string, c *corpus.Corpus) (*Suite, error) {
	s := &Suite{Source: name, corpus: c}
	var problems []error
	add := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	header := false
	ids := map[string]int{}
	for sc.Scan() && len(problems) < maxProblems {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if !header {
			header = true
			if err := s.parseHeader(text); err != nil {
				add(line, "%v", err)
				// Without a header the items cannot be trusted to be in
				// this format either.
				break
			}
			continue
		}
		it, err := decodeItem(text)
		if err != nil {
			add(line, "%v", err)
			continue
		}
		it.Line = line
		if prev, dup := ids[it.ID]; dup && it.ID != "" {
			add(line, "duplicate id %q (first used on line %d): give each item its own id", it.ID, prev)
		}
		ids[it.ID] = line
		for _, msg := range checkItem(&it, c) {
			add(line, "item %q: %s", it.ID, msg)
		}
		s.Items = append(s.Items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read suite %s: %w", name, err)
	}
	if !header && len(problems) == 0 {
		add(1, `empty suite: the first line must be a header such as {"suite":"golden","version":1,"thresholds":{}}`)
	}
	if header && len(problems) == 0 && len(s.Items) == 0 {
		add(line, "the suite has a header but no items: add one JSON item per line after it")
	}
	if len(problems) > 0 {
		if len(problems) >= maxProblems {
			problems = append(problems, fmt.Errorf("%s: stopped after %d problems", name, maxProblems))
		}
		return nil, fmt.Errorf("invalid suite %s:\n%w", name, errors.Join(problems...))
	}
	return s, nil
}

func (s *Suite) parseHeader(text []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(text, &probe); err != nil {
		return fmt.Errorf("the first line must be the suite header, a JSON object: %v", err)
	}
	if _, ok := probe["suite"]; !ok {
		return fmt.Errorf(`the first line must be the suite header {"suite":"NAME","version":1,"thresholds":{...}}; it has no "suite" field`)
	}
	// Thresholds are read as raw values first, so that a value that is
	// not a number is named rather than reported as a type error.
	var h struct {
		Suite      string                     `json:"suite"`
		Version    int                        `json:"version"`
		Thresholds map[string]json.RawMessage `json:"thresholds"`
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("header: %v (allowed fields: suite, version, thresholds)", err)
	}
	if strings.TrimSpace(h.Suite) == "" {
		return fmt.Errorf(`header: "suite" is empty: name the suite, e.g. "suite":"golden"`)
	}
	s.Header = Header{Suite: h.Suite, Version: h.Version, Thresholds: map[string]float64{}}
	if s.Header.Version != 1 {
		return fmt.Errorf("header: version %d is not supported: this build reads version 1", s.Header.Version)
	}
	var bad []string
	for name, raw := range h.Thresholds {
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			bad = append(bad, fmt.Sprintf("threshold %q is %s, not a number: write a rate such as 0.9, without quotes", name, raw))
			continue
		}
		s.Header.Thresholds[name] = v
	}
	for name, v := range s.Header.Thresholds {
		if _, ok := thresholdByName(name); !ok {
			bad = append(bad, fmt.Sprintf("unknown threshold %q (known: %s)", name, strings.Join(ThresholdNames(), ", ")))
			continue
		}
		// Every metric is a rate.
		if v < 0 || v > 1 {
			bad = append(bad, fmt.Sprintf("threshold %q is %v: give a rate between 0 and 1", name, v))
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("header: %s", strings.Join(bad, "; "))
	}
	return nil
}

func decodeItem(text []byte) (Item, error) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return it, fmt.Errorf("not a suite item: %v (fields: id, lang, kind, question, gold, facts, out_of_scope, draft, cited)", err)
	}
	return it, nil
}

// checkItem returns what is wrong with an item, as fixes.
func checkItem(it *Item, c *corpus.Corpus) []string {
	var out []string
	if strings.TrimSpace(it.ID) == "" {
		out = append(out, `missing "id": give each item a unique id such as "hans-001"`)
	}
	for _, d := range it.Docs {
		if _, ok := c.Pack(d); !ok {
			var loaded []string
			for _, p := range c.Packs() {
				loaded = append(loaded, p.ID)
			}
			out = append(out, fmt.Sprintf("docs names pack %q, which is not loaded (loaded: %s): load it with --corpus DIR or CORPUS_DIR", d, strings.Join(loaded, ", ")))
		}
	}
	langs := Langs()
	switch {
	case it.Lang == "":
		out = append(out, fmt.Sprintf(`missing "lang": use %s`, orList(langs)))
	case !slices.Contains(langs, it.Lang):
		out = append(out, fmt.Sprintf(`unknown lang %q: use %s`, it.Lang, orList(langs)))
	}
	const kinds = "factual, list, multi, paraphrase, out_of_scope or injection"
	switch {
	case it.Kind == "":
		out = append(out, `missing "kind": use `+kinds)
	case !slices.Contains(Kinds, it.Kind):
		out = append(out, fmt.Sprintf(`unknown kind %q: use %s`, it.Kind, kinds))
	}
	if strings.TrimSpace(it.Question) == "" {
		out = append(out, `missing or empty "question"`)
	}
	if it.Kind == KindOutOfScope && !it.OutOfScope {
		out = append(out, `kind is out_of_scope but "out_of_scope" is false: set it to true`)
	}
	if it.OutOfScope {
		if len(it.Gold) > 0 {
			out = append(out, `an out-of-scope item has no gold paragraphs: empty "gold" or set "out_of_scope" to false`)
		}
		return out
	}
	if len(it.Gold) == 0 && !it.Draft {
		out = append(out, `an answerable item needs at least one gold paragraph ID in "gold" (or set "out_of_scope" to true)`)
	}
	var golds []corpus.Passage
	seen := map[string]bool{}
	for _, id := range it.Gold {
		if seen[id] {
			out = append(out, fmt.Sprintf("gold ID %s is listed twice", id))
			continue
		}
		seen[id] = true
		if p, ok := c.Get(id); ok {
			golds = append(golds, p)
			continue
		}
		// Say what the author probably meant: "二.36" and "t3" are
		// references, not canonical IDs.
		if ps, err := c.Lookup(id); err == nil && len(ps) == 1 {
			out = append(out, fmt.Sprintf("gold ID %q is not canonical: write %q", id, ps[0].ID))
		} else {
			out = append(out, fmt.Sprintf("gold ID %q is not in the corpus (valid IDs: %s)", id, c.ValidRanges()))
		}
	}
	// A fact that no gold paragraph contains can never be found in an
	// answer quoted from them: it is a typo or a wrong gold ID.
	var text strings.Builder
	for _, p := range golds {
		text.WriteString(corpus.Fold(p.TextHans))
		text.WriteByte('\n')
	}
	folded := text.String()
	for _, f := range it.Facts {
		switch {
		case strings.TrimSpace(f) == "":
			out = append(out, "empty fact: remove it")
		case len(golds) == len(it.Gold) && !strings.Contains(folded, corpus.Fold(f)):
			out = append(out, fmt.Sprintf("fact %q is not in the text of gold %s: copy it from the paragraph's simplified text", f, strings.Join(it.Gold, ", ")))
		}
	}
	return out
}

// orList joins languages as "a, b or c".
func orList(langs []corpus.Lang) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
