package prompts

import "strings"

// The enrichment prompts ("declbot enrich"): a model translates passages
// from the Chinese, or writes the questions each passage answers. It is
// told to translate from the Chinese alone without consulting published
// translations, to keep every number, to use the names table's renderings
// and to answer in JSON; package corpus checks what comes back.

// EnrichPassage is one passage given to the model to translate or to write
// questions for.
type EnrichPassage struct {
	ID string
	// Text is the simplified Chinese text.
	Text string
	// Translation is the working translation into the target language,
	// given with questions for English and Russian (optional).
	Translation string
	// Names are the rows of the names table the passage holds, with their
	// renderings in the target language.
	Names []EnrichName
}

// EnrichName is a proper name of the names table and how the target
// language renders it.
type EnrichName struct{ Zh, Rendering string }

// EnrichInput is what the enrichment prompts are rendered from.
type EnrichInput struct {
	// Language names the target language to the model (LanguageName).
	Language string
	// Chinese is true when the target language is Chinese (questions in
	// simplified Chinese).
	Chinese bool
	// Min and Max bound the number of questions per passage.
	Min, Max int
	// Passages are the passages of one request.
	Passages []EnrichPassage
}

type enrichPassage struct {
	ID, Text, Translation string
	Lines                 int
	Names                 []EnrichName
}

func (in EnrichInput) data() map[string]any {
	ps := make([]enrichPassage, len(in.Passages))
	for i, p := range in.Passages {
		names := make([]EnrichName, len(p.Names))
		for j, n := range p.Names {
			names[j] = EnrichName{Zh: attr(n.Zh), Rendering: attr(n.Rendering)}
		}
		text := Neutralize(p.Text)
		ps[i] = enrichPassage{ID: attr(p.ID), Text: text, Translation: Neutralize(p.Translation),
			Lines: strings.Count(text, "\n") + 1, Names: names}
	}
	example := "2.36"
	if len(ps) > 0 {
		example = ps[0].ID
	}
	return map[string]any{
		"Language": attr(in.Language), "Chinese": in.Chinese, "Min": in.Min, "Max": in.Max,
		"Passages": ps, "ExampleID": example,
	}
}

// TranslateSystem renders the system message of a translation request.
func TranslateSystem(in EnrichInput) (string, error) {
	return render("enrich_translate_system.tmpl", in.data())
}

// Translate renders the user message of a translation request: the
// passages, each with the names it holds, and the JSON form of the answer:
// {"translations":[{"id","text"}]}.
func Translate(in EnrichInput) (string, error) {
	return render("enrich_translate.tmpl", in.data())
}

// QuestionsSystem renders the system message of a question-list request.
func QuestionsSystem(in EnrichInput) (string, error) {
	return render("enrich_questions_system.tmpl", in.data())
}

// Questions renders the user message of a question-list request: the
// passages (with their translation, when given) and the JSON form of the
// answer: {"questions":[{"id","questions":[…]}]}.
func Questions(in EnrichInput) (string, error) {
	return render("enrich_questions.tmpl", in.data())
}
