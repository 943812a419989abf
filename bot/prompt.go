package bot

import (
	"fmt"
	"strings"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/prompts"
)

// answerMessages renders the chat messages asking the model to answer
// question in lang from passages (shown in the question's script); absent
// are names the question uses that the texts never do.
//
// With packs besides the built-in texts loaded (packs has more than one),
// the prompt names the documents, and each passage's source gives its
// document's date, so that the model can tell which text says what.
func answerMessages(question string, lang corpus.Lang, history []Turn, passages []corpus.Passage, packs []corpus.Pack, absent []string) ([]llm.Message, error) {
	sc := lang.Script()
	in := prompts.AnswerInput{
		Question: question,
		Language: prompts.LanguageName(string(lang)),
		Passages: make([]prompts.Passage, 0, len(passages)),
		History:  promptTurns(history),
		Absent:   absent,
	}
	multi := len(packs) > 1
	if multi {
		in.Corpus = describePacks(packs)
	}
	for _, p := range passages {
		src := passageSource(p, sc)
		if d := p.Document(); multi && d != nil && d.Date != "" {
			src += " (" + d.Date + ")"
		}
		in.Passages = append(in.Passages, prompts.Passage{ID: p.ID, Title: src, Text: p.Text(sc)})
	}
	sys, err := prompts.System(in)
	if err != nil {
		return nil, err
	}
	user, err := prompts.Answer(in)
	if err != nil {
		return nil, err
	}
	return []llm.Message{{Role: llm.RoleSystem, Content: sys}, {Role: llm.RoleUser, Content: user}}, nil
}

// rewriteMessages renders the chat messages asking the model for a
// standalone Chinese search query.
func rewriteMessages(question string, _ corpus.Lang, history []Turn) ([]llm.Message, error) {
	sys, err := prompts.RewriteSystem()
	if err != nil {
		return nil, err
	}
	user, err := prompts.Rewrite(prompts.RewriteInput{Question: question, History: promptTurns(history)})
	if err != nil {
		return nil, err
	}
	return []llm.Message{{Role: llm.RoleSystem, Content: sys}, {Role: llm.RoleUser, Content: user}}, nil
}

func promptTurns(h []Turn) []prompts.Turn {
	out := make([]prompts.Turn, 0, len(h))
	for _, t := range h {
		out = append(out, prompts.Turn{Question: t.Question, Answer: t.Answer})
	}
	return out
}

// passageSource names where a passage comes from: the document's title,
// and the section for the declaration ("…天津宣言 第二部分").
func passageSource(p corpus.Passage, sc corpus.Script) string {
	title, section := p.Title(sc), p.SectionName(sc)
	if section == title {
		return title
	}
	return title + " " + section
}

// describePacks lists the loaded documents for the prompt, in English:
// "Tianjin Declaration of … (2025-09-01, Tianjin; cite as 2.36, T3); …".
func describePacks(packs []corpus.Pack) string {
	var parts []string
	for _, p := range packs {
		var docs []string
		for _, d := range p.Documents {
			docs = append(docs, d.Titles.In(corpus.LangEn))
		}
		cite := "cite as " + p.ID + ":2.36"
		if p.BuiltIn() {
			cite = "cite as 2.36, T3, W1"
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s; %s)", strings.Join(docs, "; "), p.Date, p.Place.In(corpus.LangEn), cite))
	}
	return strings.Join(parts, " | ")
}
