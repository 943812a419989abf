// Package prompts holds everything declbot tells a language model, as
// template files in templates/ (embedded into the binary), so there is one
// place to read and review it.
//
// The templates are rendered with text/template from data this package
// prepares: every piece of user text (the question, the conversation
// history) goes inside a delimited block (<question>, <history>), and is
// first neutralised so it cannot close that block or open another one:
// angle brackets become their full-width forms ＜ ＞, and control, bidi and
// invisible tag characters are removed. The system prompt tells the model
// that instructions inside those blocks are data, to be ignored.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

//go:embed templates/*.tmpl
var files embed.FS

// templates are parsed on first use: an offline answer, a citation lookup
// or a search never renders a prompt, and parsing them at package
// initialisation cost every process about a millisecond. A template that
// does not parse fails the package's tests.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Option("missingkey=error").ParseFS(files, "templates/*.tmpl"))
})

// Passage is one numbered passage given to the model.
type Passage struct {
	// ID is the citation ID the model must use, e.g. "2.36".
	ID string
	// Title says where the passage comes from (optional), e.g.
	// "天津宣言 第二部分".
	Title string
	Text  string
}

// Turn is one earlier exchange of the conversation.
type Turn struct{ Question, Answer string }

// AnswerInput is what the answer prompts are rendered from.
type AnswerInput struct {
	Question string
	// Language is the human name of the answer's language, e.g. "English",
	// "Русский", "简体中文", "繁體中文" (see LanguageName). Empty means "the
	// language and script of the question".
	Language string
	// Passages are numbered by their IDs in the prompt; they are the only
	// IDs the model is allowed to cite.
	Passages []Passage
	// History is the earlier turns, oldest first (may be empty).
	History []Turn
	// Corpus describes the loaded documents when there are more than the
	// built-in Tianjin texts (see bot.describePacks); empty otherwise,
	// and the system message then names the Tianjin texts as ever.
	Corpus string
	// Absent are names the question uses that the texts never do
	// (retrieval.Results.Lacking): the model is told so, as the offline
	// answer says it, rather than left to pass a paragraph off as about
	// them.
	Absent []string
}

// RewriteInput is what the query-rewrite prompt is rendered from.
type RewriteInput struct {
	Question string
	History  []Turn
}

// How much history the rewrite prompt carries: a follow-up refers to the
// last turns, and long earlier answers would only dilute the query.
const (
	rewriteTurns       = 4
	rewriteAnswerRunes = 400
)

// System renders the system message of an answer request: the rules.
func System(in AnswerInput) (string, error) {
	ids := make([]string, 0, len(in.Passages))
	for _, p := range in.Passages {
		ids = append(ids, attr(p.ID))
	}
	idList := strings.Join(ids, ", ")
	if idList == "" {
		idList = "(none: no passages were found, so cite nothing)"
	}
	chinese, script := chineseScript(in.Language)
	return render("system.tmpl", map[string]any{
		"IDs":      idList,
		"Language": language(in.Language),
		"Chinese":  chinese,
		"Script":   script,
		"Corpus":   in.Corpus,
	})
}

// Answer renders the user message of an answer request: the passages, the
// history and the question.
func Answer(in AnswerInput) (string, error) {
	type passage struct{ ID, Title, Text string }
	ps := make([]passage, len(in.Passages))
	for i, p := range in.Passages {
		ps[i] = passage{ID: attr(p.ID), Title: attr(p.Title), Text: Neutralize(p.Text)}
	}
	example := "2.36"
	if len(ps) > 0 {
		example = ps[0].ID
	}
	absent := make([]string, len(in.Absent))
	for i, a := range in.Absent {
		absent[i] = Neutralize(a)
	}
	return render("answer.tmpl", map[string]any{
		"Passages":  ps,
		"History":   history(in.History, 0, 0),
		"Question":  Neutralize(in.Question),
		"Language":  language(in.Language),
		"ExampleID": example,
		"Absent":    strings.Join(absent, ", "),
	})
}

// RewriteSystem renders the system message of a query-rewrite request.
func RewriteSystem() (string, error) {
	return render("rewrite_system.tmpl", nil)
}

// Rewrite renders the user message of a query-rewrite request, which asks
// for one standalone Simplified Chinese search query and nothing else. Only
// the last few turns of History are included, with long answers shortened.
func Rewrite(in RewriteInput) (string, error) {
	return render("rewrite.tmpl", map[string]any{
		"History":  history(in.History, rewriteTurns, rewriteAnswerRunes),
		"Question": Neutralize(in.Question),
	})
}

// CleanQuery extracts the search query from a model's reply to the rewrite
// prompt, forgiving the usual decorations: a "Query:" or "查询：" label,
// quotation marks, code fences, and text after the first line. It returns
// "" when nothing usable is left.
func CleanQuery(reply string) string {
	for _, line := range strings.Split(reply, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "```") {
			continue
		}
		for _, label := range []string{"Query:", "query:", "Search query:", "查询：", "查询:", "检索词：", "检索词:", "搜索词：", "搜索词:"} {
			line = strings.TrimSpace(strings.TrimPrefix(line, label))
		}
		line = strings.Trim(line, "\"'`“”‘’「」『』《》 ")
		if line != "" {
			return line
		}
	}
	return ""
}

// LanguageName returns the name to pass as AnswerInput.Language for a BCP
// 47 tag such as corpus.Lang values ("zh-Hans", "zh-Hant", "en", "ru"):
// the language registry's PromptName (corpus.Languages), which names the
// script explicitly for Chinese. Other tags of a registered language are
// read as a user's language code ("zh-TW", "zh-cn", "en-GB"); any other tag
// gives "", which makes the prompt ask for the language of the question.
func LanguageName(tag string) string {
	for _, l := range corpus.Languages() {
		if strings.EqualFold(tag, string(l.Tag)) {
			return l.PromptName
		}
	}
	base := func(t string) string {
		b, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(t, "_", "-")), "-")
		return b
	}
	if l := corpus.UserLang(tag); base(tag) == base(string(l)) {
		info, _ := l.Info()
		return info.PromptName
	}
	return ""
}

func render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render prompt %s: %w", name, err)
	}
	return b.String(), nil
}

func language(name string) string {
	name = attr(name)
	if name == "" {
		return "the language of the question"
	}
	return name
}

// chineseScript reports whether the answer language is Chinese and, if so,
// names its script for the rule about converting quotes.
func chineseScript(lang string) (bool, string) {
	l := strings.ToLower(lang)
	switch {
	case strings.Contains(lang, "繁") || strings.Contains(l, "traditional") || strings.Contains(l, "hant"):
		return true, "Traditional Chinese (繁體)"
	case strings.Contains(lang, "简") || strings.Contains(lang, "中文") || strings.Contains(l, "chinese") || strings.Contains(l, "hans"):
		return true, "Simplified Chinese (简体)"
	}
	return false, ""
}

func history(turns []Turn, last, answerRunes int) []Turn {
	if last > 0 && len(turns) > last {
		turns = turns[len(turns)-last:]
	}
	out := make([]Turn, len(turns))
	for i, t := range turns {
		a := t.Answer
		if answerRunes > 0 {
			if r := []rune(a); len(r) > answerRunes {
				a = string(r[:answerRunes]) + "…"
			}
		}
		out[i] = Turn{Question: Neutralize(t.Question), Answer: Neutralize(a)}
	}
	return out
}

// Neutralize makes text safe to place inside a delimited block of a prompt:
// '<' and '>' become '＜' and '＞' (so no tag can be closed or opened),
// Windows and old Mac line ends become '\n', and control characters (other
// than newline and tab), bidirectional overrides, zero-width characters
// and Unicode tag characters (which can hide instructions from a reader)
// are removed. Surrounding space is trimmed. Everything else, including
// the meaning of the text, is kept.
func Neutralize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteRune('＜')
		case r == '>':
			b.WriteRune('＞')
		case r == '\r':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// attr neutralises text placed in an attribute or a single-line slot: as
// Neutralize, with quotes and line breaks replaced too.
func attr(s string) string {
	s = Neutralize(s)
	s = strings.NewReplacer("\"", "'", "\n", " ", "\t", " ").Replace(s)
	return s
}

func invisible(r rune) bool {
	switch {
	case r == unicode.ReplacementChar:
		return false
	case unicode.IsControl(r):
		return true
	case r >= 0x200B && r <= 0x200F, // zero-width space/joiners, LRM, RLM
		r >= 0x202A && r <= 0x202E,   // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2069,   // word joiner, invisible operators, bidi isolates
		r == 0xFEFF,                  // zero-width no-break space (BOM)
		r >= 0xE0000 && r <= 0xE007F: // tag characters
		return true
	}
	return false
}
