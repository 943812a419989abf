package bot

import (
	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/prompts"
)

// answerMessages renders the chat messages asking the model to answer
// question in lang from passages (shown in the question's script).
func answerMessages(question string, lang corpus.Lang, history []Turn, passages []corpus.Passage) ([]llm.Message, error) {
	sc := lang.Script()
	in := prompts.AnswerInput{
		Question: question,
		Language: prompts.LanguageName(string(lang)),
		Passages: make([]prompts.Passage, 0, len(passages)),
		History:  promptTurns(history),
	}
	for _, p := range passages {
		in.Passages = append(in.Passages, prompts.Passage{ID: p.ID, Title: passageSource(p, sc), Text: p.Text(sc)})
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
