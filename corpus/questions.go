package corpus

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
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

// loadPackQuestions reads a pack's question lists (questions/<tag>.tsv)
// for its passages, c.passages[first:]. As with translations, the
// built-in pack must have every language and another pack either none or
// all. A missing file, a malformed line, an unknown ID or a passage
// without a question stops the load with the file and line named.
func (c *Corpus) loadPackQuestions(pk *Pack, fsys fs.FS, label func(string) string, first int, builtin bool) error {
	if !builtin && !optionalDir(fsys, "questions") {
		return nil
	}
	for _, l := range questionLangs() {
		file := packFile("questions", string(l)+".tsv")
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return fmt.Errorf("%s: no question list for %s (add the file, or remove questions/): %w", label(file), l, err)
		}
		qs, err := c.parseQuestions(pk.ID, label(file), data, first)
		if err != nil {
			return err
		}
		c.questions[l] = append(c.questions[l], qs...)
	}
	return nil
}

// parseQuestions parses one question list of pack (named name, for
// errors), whose IDs are the pack's local ones, for the passages from
// first on. The questions it returns carry global IDs.
func (c *Corpus) parseQuestions(pack, name string, data []byte, first int) ([]Question, error) {
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
		if i, ok := c.byID[qualify(pack, id)]; !ok || i < first {
			return nil, fmt.Errorf("%s line %d: unknown paragraph ID %q", name, line, id)
		}
		if seen[id+"\t"+q] {
			return nil, fmt.Errorf("%s line %d: %s has this question twice", name, line, id)
		}
		seen[id+"\t"+q] = true
		covered[id] = true
		out = append(out, Question{ID: qualify(pack, id), Text: q})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range c.passages[first:] {
		if !covered[p.Local] {
			return nil, fmt.Errorf("%s: no question for %s (every passage needs some)", name, p.Local)
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
	return builtinFiles.ReadFile("data/questions/" + string(l) + ".tsv")
}
