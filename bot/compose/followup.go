package compose

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// Offline follow-ups. With a model, a question that depends on the
// conversation ("那第二个呢？", "And what about drugs there?") is rewritten
// into a standalone query by the model. Offline there is none, so such a
// question is recognised by its anaphora and ellipsis (followUpOf) and
// resolved from the previous turn: an ordinal ("the second one") names the
// N-th passage the previous answer cited; anything else is searched
// together with the previous question's topic, preferring passages that
// match what the follow-up adds.
//
// Recognition is deliberately conservative: only short questions with an
// explicit cue count, so that a fully specified question on a new topic
// that merely arrives after others is answered on its own.

// FollowUp is a question read as depending on the conversation before it.
type FollowUp struct {
	// Own is what the question adds to the conversation: its text with
	// the cues (那, 呢, "what about", "there", "а что насчёт") and any
	// ordinal reference removed; "" when it adds nothing ("那第二个呢？").
	Own string
	// Ordinal is the 1-based position of a list item the question refers
	// to ("the second one": 2), LastOrdinal for "the last one", 0 for none.
	Ordinal int
	// More is true when the question asks what else there is ("还有呢？",
	// "what else?", "что ещё?"): what was already quoted is quoted last.
	More bool
}

// LastOrdinal is FollowUp.Ordinal for "the last one".
const LastOrdinal = -1

// Shortness: a follow-up is a short question. Longer questions carry their
// own context, and a pronoun in them mostly points inside the question
// ("… the development bank, and when will it start?").
const (
	maxFollowUpHan   = 16 // Han characters and other letters of a Chinese question
	maxFollowUpWords = 9  // words of an English or Russian question
)

// Chinese cues, matched in the folded (simplified) question.
var (
	// zhSelfRefs name the declaration or the SCO itself; they are context
	// every question has, not anaphora ("该宣言", "这份宣言"). They are
	// removed before the cues are looked for.
	zhSelfRefs = i18n.Cues(corpus.LangHans, "self_ref")
	// zhAnaphora point back at something said before.
	zhAnaphora = i18n.Cues(corpus.LangHans, "anaphora")
	// zhMore ask what else there is.
	zhMore = i18n.Cues(corpus.LangHans, "more")
	// zhLeads open an elliptical question ("那毒品问题呢？"); with the
	// final 呢 they are weak cues, which count only in a question with no
	// question word of its own.
	zhLeads = i18n.Cues(corpus.LangHans, "lead")
	// zhQuestionWords make a question complete on its own.
	zhQuestionWords = i18n.Cues(corpus.LangHans, "question_word")
	// zhOrdinalRE is an ordinal with a measure word ("第二个", "第3条"): not
	// "第二次世界大战" (次) or "第二部分" (a section of the declaration).
	zhOrdinalRE = regexp.MustCompile(`第([一二三四五六七八九十]|[0-9]{1,2})(?:个|条|起|项|点|段|份|篇|种|件|位|句)`)
	zhLastRE    = regexp.MustCompile(`最后(?:一|那)?(?:个|条|起|项|点|段|份|篇|种|件|位|句)`)
)

// English and Russian cues, matched on lower-cased words (ё as е).
var (
	// wordSelfRefs: "this declaration", "этот документ" name the text itself.
	wordSelfNouns = i18n.AllCues("self_noun")
	enAnaphora    = i18n.CueSet(corpus.LangEn, "anaphora")
	ruAnaphora    = i18n.CueSet(corpus.LangRu, "anaphora")
	// phrase cues, as word sequences: "what about" and "а что насчёт"
	// are ellipsis whatever follows.
	enPhrases = i18n.CueSeqs(corpus.LangEn, "phrase")
	ruPhrases = i18n.CueSeqs(corpus.LangRu, "phrase")
	enMore    = i18n.CueSeqs(corpus.LangEn, "more")
	ruMore    = i18n.CueSeqs(corpus.LangRu, "more")
	// leads open an elliptical question ("And drugs?", "А второй?"); they
	// count only in a question with no question word of its own.
	enLeads     = i18n.CueSet(corpus.LangEn, "lead")
	ruLeads     = i18n.CueSet(corpus.LangRu, "lead")
	enQuestions = i18n.CueSet(corpus.LangEn, "question_word")
	ruQuestions = i18n.CueSet(corpus.LangRu, "question_word")
	// "does it say", "is there": the declaration speaking, or existence,
	// not a pointer back.
	enNotAnaphora = i18n.CueSeqs(corpus.LangEn, "not_anaphora")
	enOrdinals    = i18n.CueNumbers(corpus.LangEn, "ordinal")
	ruOrdinalRE   = regexp.MustCompile("^(" + strings.Join(i18n.Cues(corpus.LangRu, "ordinal"), "|") + ")(" + strings.Join(i18n.Cues(corpus.LangRu, "ordinal_ending"), "|") + ")$")
	ruOrdinalN    = i18n.CueNumbers(corpus.LangRu, "ordinal")
	// ordinalNouns may follow an ordinal ("the second attack", "второй
	// пункт"); any other word makes it part of a name ("the Second World
	// War", "Вторая мировая").
	ordinalNouns = i18n.AllCueSet("ordinal_noun")
)

// FollowUpOf reports whether text, asked after earlier turns, depends on
// them, and what it adds.
func FollowUpOf(text string, lang corpus.Lang) (FollowUp, bool) {
	if lang.IsChinese() {
		return zhFollowUp(text)
	}
	return wordFollowUp(text, lang)
}

func zhFollowUp(text string) (FollowUp, bool) {
	f := corpus.Fold(text)
	for _, s := range zhSelfRefs {
		f = strings.ReplaceAll(f, s, "宣言")
	}
	f = strings.TrimRightFunc(f, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) })
	n := 0
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	if n == 0 || n > maxFollowUpHan {
		return FollowUp{}, false
	}
	var fu FollowUp
	strong := false
	own := f
	if m := zhOrdinalRE.FindStringSubmatch(own); m != nil {
		fu.Ordinal = zhNumeral(m[1])
		own = strings.Replace(own, m[0], " ", 1)
		strong = fu.Ordinal > 0
	} else if m := zhLastRE.FindString(own); m != "" {
		fu.Ordinal = LastOrdinal
		own = strings.Replace(own, m, " ", 1)
		strong = true
	}
	for _, c := range zhMore {
		if strings.Contains(own, c) {
			fu.More, strong = true, true
			own = strings.ReplaceAll(own, c, " ")
		}
	}
	for _, c := range zhAnaphora {
		// 应该 ("should") is no pointer back.
		if strings.Contains(strings.ReplaceAll(own, "应该", ""), c) {
			strong = true
			own = strings.ReplaceAll(own, c, " ")
		}
	}
	if strings.Contains(strings.ReplaceAll(own, "应该", ""), "该") {
		strong = true
		own = strings.Replace(own, "该", " ", 1)
	}
	weak := strings.HasSuffix(own, "呢")
	own = strings.TrimSuffix(own, "呢")
	for _, l := range zhLeads {
		if strings.HasPrefix(own, l) {
			weak = true
			own = strings.TrimPrefix(own, l)
			break
		}
	}
	if !strong && (!weak || containsAny(own, zhQuestionWords)) {
		return FollowUp{}, false
	}
	fu.Own = strings.Join(strings.Fields(own), " ")
	return fu, true
}

// zhNumeral reads 一…十 or digits; 0 when it is neither.
func zhNumeral(s string) int {
	if i := strings.Index("一二三四五六七八九十", s); i >= 0 && utf8.RuneCountInString(s) == 1 {
		return i/len("一") + 1
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// lowerWords splits an English or Russian question into lower-case words
// (ё read as е), keeping letters, digits, apostrophes and hyphens.
func lowerWords(s string) []string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-'
	})
}

// hasSeq reports where the word sequence seq starts in ws, -1 if nowhere.
func hasSeq(ws, seq []string) int {
	for i := 0; i+len(seq) <= len(ws); i++ {
		if slices.Equal(ws[i:i+len(seq)], seq) {
			return i
		}
	}
	return -1
}

func wordFollowUp(text string, lang corpus.Lang) (FollowUp, bool) {
	ws := lowerWords(text)
	if len(ws) == 0 || len(ws) > maxFollowUpWords {
		return FollowUp{}, false
	}
	ru := lang == corpus.LangRu
	anaphora, phrases, more, leads, questions := enAnaphora, enPhrases, enMore, enLeads, enQuestions
	if ru {
		anaphora, phrases, more, leads, questions = ruAnaphora, ruPhrases, ruMore, ruLeads, ruQuestions
	}
	drop := make([]bool, len(ws))
	var fu FollowUp
	strong := false
	dropSeq := func(at, n int) {
		for i := at; i < at+n; i++ {
			drop[i] = true
		}
	}
	// Ordinals: "the second one", "второй пункт", or one at the end.
	for i, w := range ws {
		n := 0
		if ru {
			if m := ruOrdinalRE.FindStringSubmatch(w); m != nil {
				n = ruOrdinalN[m[1]]
			}
		} else {
			n = enOrdinals[w]
		}
		if n == 0 {
			continue
		}
		if i+1 < len(ws) && !ordinalNouns[ws[i+1]] {
			continue
		}
		fu.Ordinal, strong = n, true
		drop[i] = true
		if i+1 < len(ws) {
			drop[i+1] = true
		}
		if i > 0 && ws[i-1] == "the" {
			drop[i-1] = true
		}
		break
	}
	for _, seq := range phrases {
		if at := hasSeq(ws, seq); at >= 0 {
			strong = true
			dropSeq(at, len(seq))
		}
	}
	for _, seq := range more {
		if at := hasSeq(ws, seq); at >= 0 {
			fu.More, strong = true, true
			dropSeq(at, len(seq))
		}
	}
	notAnaphora := make([]bool, len(ws))
	if !ru {
		for _, seq := range enNotAnaphora {
			if at := hasSeq(ws, seq); at >= 0 {
				notAnaphora[at+1] = seq[0] != "it"
				if seq[0] == "it" {
					notAnaphora[at] = true
				}
			}
		}
	}
	for i, w := range ws {
		if !anaphora[w] || notAnaphora[i] {
			continue
		}
		// "this declaration", "этот документ" name the text itself.
		if i+1 < len(ws) && hasAnyPrefixOf(ws[i+1], wordSelfNouns) {
			continue
		}
		strong = true
		drop[i] = true
	}
	weak := leads[ws[0]]
	if weak {
		drop[0] = true
	}
	if !strong {
		if !weak {
			return FollowUp{}, false
		}
		for i, w := range ws {
			if !drop[i] && questions[w] {
				return FollowUp{}, false
			}
		}
	}
	var own []string
	for i, w := range ws {
		if !drop[i] {
			own = append(own, w)
		}
	}
	fu.Own = strings.Join(own, " ")
	return fu, true
}

func hasAnyPrefixOf(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// contextWeight is what a term of the conversation's topic but not of the
// follow-up itself weighs in choosing sentences, relative to a term the
// follow-up adds: "那毒品问题呢？" after a question about Afghanistan is
// answered with the sentences about drugs, those about drugs in
// Afghanistan first.
const contextWeight = 0.5

// ConversationTopic is what a conversation is about, as search text,
// given its questions (oldest first): the last question, or, when that was
// itself a follow-up, what it added to the topic before it ("Afghanistan"
// then "and drugs there?" is about 阿富汗 and drugs).
func ConversationTopic(questions []string) string {
	if len(questions) == 0 {
		return ""
	}
	last := questions[len(questions)-1]
	if len(questions) > 1 {
		if fu, ok := FollowUpOf(last, corpus.DetectLang(last)); ok {
			return strings.TrimSpace(ConversationTopic(questions[:len(questions)-1]) + " " + fu.Own)
		}
	}
	return last
}

// OrdinalPassage returns the passage an ordinal follow-up refers to: the
// n-th the previous answer cited, when it cited several (a list the user
// can count in).
func OrdinalPassage(cited []corpus.Passage, n int) (corpus.Passage, bool) {
	if len(cited) < 2 || n == 0 || n > len(cited) {
		return corpus.Passage{}, false
	}
	if n == LastOrdinal {
		n = len(cited)
	}
	return cited[n-1], true
}

// PreferOwn reorders the results of a follow-up's search, stably: first
// the passages that match both what the follow-up adds and the
// conversation's topic (a term of each), then those matching only the
// follow-up, then the rest. For "what else" questions, passages
// the previous answer already quoted are left out, unless nothing else
// was found.
func (cp *Composer) PreferOwn(items []retrieval.Result, ownQuery, query string, cited []corpus.Passage, more bool) []retrieval.Result {
	own, topic := cp.idfTerms(ownQuery), cp.idfTerms(query)
	for t := range own {
		delete(topic, t)
	}
	out := make([]retrieval.Result, 0, len(items))
	if more {
		quoted := map[string]bool{}
		for _, p := range cited {
			quoted[p.ID] = true
		}
		for _, it := range items {
			if !quoted[it.Passage.ID] {
				out = append(out, it)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, items...)
	}
	tiers := make(map[string]int, len(out))
	for _, it := range out {
		terms := cp.passageTerms(it.Passage)
		t := 0
		if len(own) > 0 && !matchesAny(terms, own) {
			t += 2
		}
		if len(topic) > 0 && !matchesAny(terms, topic) {
			t++
		}
		tiers[it.Passage.ID] = t
	}
	slices.SortStableFunc(out, func(a, b retrieval.Result) int { return tiers[a.Passage.ID] - tiers[b.Passage.ID] })
	return out
}

// idfTerms returns the matching terms of a processed query that carry
// weight, with their idf.
func (cp *Composer) idfTerms(query string) map[string]float64 {
	out := map[string]float64{}
	for t := range termSet(corpus.Fold(query)) {
		if idf := cp.idf(t); idf > 0 {
			out[t] = idf
		}
	}
	return out
}

// matchesAny reports whether terms hold any of want.
func matchesAny(terms map[string]bool, want map[string]float64) bool {
	for t := range want {
		if terms[t] {
			return true
		}
	}
	return false
}
