package corpus

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"strings"
)

// Question lists: for every passage, a few questions and colloquial
// rewordings a person might type that the passage answers, in simplified
// Chinese, English and Russian (data/questions/<tag>.tsv, one
// "ID<TAB>question" a line). They were written from the passages (and
// their working translations) alone, never from the evaluation suites
// (a test in bot/eval checks that none is a near copy of a suite
// question); retrieval matches questions against them, so that everyday
// words find the paragraph that uses the formal ones.

//go:embed data/questions/*.tsv
var questionFiles embed.FS

// Question is one entry of a question list.
type Question struct {
	ID   string
	Text string
}

// questionLangs are the languages with question lists: simplified Chinese
// (traditional questions are folded to it) and the word languages.
func questionLangs() []Lang {
	return append([]Lang{LangHans}, translated()...)
}

// loadQuestions reads the embedded question lists. A missing file, a
// malformed line, an unknown ID or a passage without a question stops the
// load with the file and line named.
func (c *Corpus) loadQuestions() error {
	c.questions = map[Lang][]Question{}
	for _, l := range questionLangs() {
		name := "data/questions/" + string(l) + ".tsv"
		data, err := questionFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("corpus: no question list for %s (%s): %w", l, name, err)
		}
		qs, err := c.parseQuestions(name, data)
		if err != nil {
			return err
		}
		c.questions[l] = qs
	}
	return nil
}

// parseQuestions parses one question list (named name, for errors).
func (c *Corpus) parseQuestions(name string, data []byte) ([]Question, error) {
	var out []Question
	seen := map[string]bool{}
	covered := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		id, q, ok := strings.Cut(text, "\t")
		id, q = strings.TrimSpace(id), strings.TrimSpace(q)
		switch {
		case !ok || strings.Contains(q, "\t"):
			return nil, fmt.Errorf("%s line %d: want ID<TAB>question, got %q", name, line, text)
		case q == "":
			return nil, fmt.Errorf("%s line %d: empty question for %s", name, line, id)
		}
		if _, ok := c.byID[id]; !ok {
			return nil, fmt.Errorf("%s line %d: unknown paragraph ID %q", name, line, id)
		}
		if seen[id+"\t"+q] {
			return nil, fmt.Errorf("%s line %d: %s has this question twice", name, line, id)
		}
		seen[id+"\t"+q] = true
		covered[id] = true
		out = append(out, Question{ID: id, Text: q})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range c.passages {
		if !covered[p.ID] {
			return nil, fmt.Errorf("%s: no question for %s (every passage needs some)", name, p.ID)
		}
	}
	return out, nil
}

// Questions returns the question list of language l (simplified Chinese
// for traditional), in file order; nil for a language without one. The
// slice is shared: callers must not modify it.
func (c *Corpus) Questions(l Lang) []Question {
	if l == LangHant {
		l = LangHans
	}
	return c.questions[l]
}

// QuestionLangs returns the languages with a question list (simplified
// Chinese, English, Russian), in registry order.
func QuestionLangs() []Lang { return questionLangs() }

// ShippedQuestions returns the question list of l built into the binary
// (data/questions/<tag>.tsv).
func ShippedQuestions(l Lang) ([]byte, error) {
	return questionFiles.ReadFile("data/questions/" + string(l) + ".tsv")
}
