package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/corpus"
)

// maxStdinQuestion bounds a question read from stdin; the engine cuts
// questions far shorter than this anyway.
const maxStdinQuestion = 1 << 20

func askCommand() command {
	return command{
		name:    "ask",
		summary: "answer a question, citing the paragraphs (offline by default)",
		usage: `Usage: declbot ask [--json] [--offline] QUESTION
       declbot ask [--json] [--offline] - < question.txt

Answers QUESTION (simplified or traditional Chinese, English or Russian) from
the declaration and the two statements, with the paragraph ID after every
claim, then prints each cited paragraph. Flags come before the question;
"-" reads the question from standard input.

With nothing configured the answer is extractive: the best-matching
sentences of the text, quoted with their citations (questions in English or
Russian get the Chinese quotes). With OPENAI_BASE_URL or OPENAI_API_KEY set,
OPENAI_MODEL writes the answer; its citations are checked, and if it fails
or cites nothing valid the extractive answer is shown with a note.

With --json: an object with question, answer, citations (id, doc, section,
section_name, title, text_hans, text_hant), grounded (false when the texts
do not address the question), mode ("extractive" or "llm"),
rejected_citations, notice, lang and related (closest paragraphs to a
question the texts do not address; not cited as support).

Examples:
  declbot ask "宣言对外空武器化持什么立场？"
  declbot ask "What does the declaration say about Afghanistan?"
  declbot ask --json 上合组织开发银行 | jq .citations[].id`,
		run: runAsk,
	}
}

func runAsk(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, askCommand())
	asJSON := fs.Bool("json", false, "print a JSON object")
	offline := fs.Bool("offline", false, "answer from the text only: no chat model and no embeddings API, even if configured")
	pack := fs.String("pack", "", "answer from one document pack only (`ID`, e.g. tianjin2025; see --corpus)")
	rest, code, ok := parseFlags(a, fs, args, false)
	if !ok {
		return code
	}
	q := strings.TrimSpace(strings.Join(rest, " "))
	if len(rest) == 1 && rest[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinQuestion))
		if err != nil {
			fmt.Fprintf(a.stderr, "declbot ask: read the question from stdin: %v\n", err)
			return exitFail
		}
		q = strings.TrimSpace(string(b))
	}
	if q == "" {
		fmt.Fprintln(a.stderr, `declbot ask: give a question after the flags, e.g. declbot ask "宣言对外空武器化持什么立场？" (or "-" to read it from stdin)`)
		return exitUsage
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot ask: %v\n", err)
		return exitUsage
	}
	if *offline {
		cfg.goOffline()
	}
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot ask: %v\n", err)
		return exitUsage
	}
	packs, err := packFlag(c, *pack)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot ask: %v\n", err)
		return exitUsage
	}
	idx, err := newIndex(ctx, a, cfg, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot ask: %v\n", err)
		return exitFail
	}
	ans, err := newEngine(a, cfg, c, idx).Ask(ctx, bot.Question{Text: q, Packs: packs})
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot ask: %v\n", err)
		return exitFail
	}
	if *asJSON {
		return writeJSON(a, askJSON(q, ans))
	}
	printAnswer(a.stdout, ans)
	return exitOK
}

// askOutput is the --json shape; its arrays are never null.
type askOutput struct {
	Question  string           `json:"question"`
	Answer    string           `json:"answer"`
	Citations []corpus.Passage `json:"citations"`
	Grounded  bool             `json:"grounded"`
	Mode      bot.Mode         `json:"mode"`
	Rejected  []string         `json:"rejected_citations"`
	Notice    string           `json:"notice"`
	Lang      corpus.Lang      `json:"lang"`
	Related   []corpus.Passage `json:"related"`
}

func askJSON(q string, ans bot.Answer) askOutput {
	out := askOutput{
		Question:  q,
		Answer:    ans.Text,
		Citations: append([]corpus.Passage{}, ans.Citations...),
		Grounded:  ans.Grounded,
		Mode:      ans.Mode,
		Rejected:  append([]string{}, ans.Rejected...),
		Notice:    ans.Notice,
		Lang:      ans.Lang,
		Related:   append([]corpus.Passage{}, ans.Related...),
	}
	return out
}

// printAnswer writes an answer for people: the text, the cited
// paragraphs, then what they should know about how it was made.
func printAnswer(w io.Writer, ans bot.Answer) {
	fmt.Fprintln(w, ans.Text)
	for _, p := range ans.Citations {
		fmt.Fprintln(w)
		printPassage(w, p, ans.Lang, false)
	}
	printAnswerNotes(w, ans, "declbot cite")
}

// printAnswerNotes writes the notice, removed citations and related
// paragraphs, each on its own line after a blank one, if there are any.
// cite is how the user reads a paragraph ("declbot cite" or "/cite").
func printAnswerNotes(w io.Writer, ans bot.Answer, cite string) {
	var notes []string
	if ans.Notice != "" {
		notes = append(notes, "Note: "+ans.Notice)
	}
	if len(ans.Rejected) > 0 {
		notes = append(notes, "Removed citations the text does not support: "+strings.Join(ans.Rejected, ", "))
	}
	if len(ans.Related) > 0 && !ans.Grounded {
		ids := make([]string, len(ans.Related))
		for i, p := range ans.Related {
			ids[i] = p.ID
		}
		notes = append(notes, fmt.Sprintf("Closest paragraphs: %s (%s %s to read one)", strings.Join(ids, ", "), cite, ids[0]))
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
}
