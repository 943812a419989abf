// Package i18n holds everything declbot says to users and every word list
// it reads questions with, one directory per language of the registry
// (corpus.Languages), named by its tag:
//
//	<tag>/text.tsv  every user-facing text of every front end (Key)
//	<tag>/cues.tsv  the cue lists the answer composer reads (Cues)
//
// The files are embedded and parsed once, on first use. Adding a language
// is a directory here plus the steps in docs/DEVELOPERS.md; the tests fail
// until every key and cue list is there.
package i18n

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/declbot/declbot/corpus"
)

//go:embed */text.tsv */cues.tsv
var files embed.FS

// Key names a user-facing text. Every key has a text in every registered
// language; the tests enforce it.
type Key string

// The texts. Keys that take arguments say so; the arguments are formatted
// with fmt verbs, the same verbs in the same order in every language.
const (
	// NotAddressed: the declaration does not address the question.
	NotAddressed Key = "not_addressed"
	// NotAddressedTexts says it when more than the built-in texts are
	// loaded (document packs), which "the declaration and the two
	// statements" would misname.
	NotAddressedTexts Key = "not_addressed_texts"
	// NotMentioned and NotMentionedTexts say it by name (%s: "“Arctic”"),
	// when the question names what occurs nowhere in the texts.
	NotMentioned      Key = "not_mentioned"
	NotMentionedTexts Key = "not_mentioned_texts"
	// Related introduces the closest topics the corpus does cover; %s:
	// the list of topics, joined with TopicSeparator.
	Related Key = "related"
	// NoAdvice says the texts state positions and give no advice,
	// forecast or opinion of their own (a question asking for one).
	NoAdvice Key = "no_advice"
	// NoSpeech says the texts are joint documents that record no one's
	// words: the answer to "what did Modi say at the summit".
	NoSpeech Key = "no_speech"
	// NoOtherSummit says the texts are one summit's own and do not compare
	// it with other summits or documents, or say what those held.
	NoOtherSummit Key = "no_other_summit"
	// NoReaction says the texts, adopted at the summit, do not record how
	// anyone reacted to them.
	NoReaction Key = "no_reaction"
	// NoReasons says the texts record what the member states agreed, not
	// any one state's reasons for its choices.
	NoReasons Key = "no_reasons"
	// TopicSeparator joins topics in a Related list.
	TopicSeparator Key = "topic_separator"
	// MentionsButNot: the text mentions a topic but does not give the
	// fact asked for. %[1]s the topic (quoted), %[2]s the paragraph IDs
	// (joined with IDSeparator; outside brackets, which would make them
	// citation markers of passages not cited), %[3]s what is missing
	// (NoFigure, NoDate, NoName, NoPerpetrator, NoCity, NoWinner, NoProposer, NoChair, NoStates, NoCurrency, NoLanguage, NoSlogan, NoNames, NoVotes, NoInstance, NoSport or NoYear).
	MentionsButNot Key = "mentions_but_not"
	// MentionsQuote is MentionsButNot for a reader of a working
	// translation: %[1]s is the first paragraph's sentence in their
	// language (quoted), not a stretch of the Chinese text, and %[2]s
	// that paragraph's ID.
	MentionsQuote Key = "mentions_quote"
	// IDSeparator joins paragraph IDs in MentionsButNot.
	IDSeparator Key = "id_separator"
	// NoFigure, NoDate, NoName, NoPerpetrator, NoCity, NoWinner,
	// NoProposer, NoChair, NoStates, NoCurrency, NoLanguage, NoSlogan,
	// NoNames, NoVotes, NoInstance and NoSport complete MentionsButNot.
	NoFigure      Key = "no_figure"
	NoDate        Key = "no_date"
	NoName        Key = "no_name"
	NoPerpetrator Key = "no_perpetrator"
	NoCity        Key = "no_city"
	NoWinner      Key = "no_winner"
	NoProposer    Key = "no_proposer"
	NoChair       Key = "no_chair"
	NoStates      Key = "no_states"
	NoCurrency    Key = "no_currency"
	NoLanguage    Key = "no_language"
	NoSlogan      Key = "no_slogan"
	NoNames       Key = "no_names"
	NoVotes       Key = "no_votes"
	NoInstance    Key = "no_instance"
	NoSport       Key = "no_sport"
	// PartNotGiven follows an answer to a question of several parts one
	// of which asks for a fact the quoted text does not give: %s is what
	// it does not give (NoCity, NoFigure …).
	PartNotGiven Key = "part_not_given"
	// NoYear completes MentionsButNot for a year the question gives and
	// the paragraphs do not: %s the year(s).
	NoYear Key = "no_year"
	// NoMention completes MentionsButNot for names the question asks
	// about that the texts never use (retrieval.Results.Lacking).
	NoMention        Key = "no_mention"
	OfflineQuote     Key = "offline_quote"  // first line of an offline answer to a question not in Chinese
	EmptyQuestion    Key = "empty_question" // asks the user for a question
	ModelTimeout     Key = "model_timeout"  // ModelTimeout … ModelNoCitations: notices above an extractive answer that replaced the model's
	ModelFailed      Key = "model_failed"
	ModelEmpty       Key = "model_empty"
	ModelNoCitations Key = "model_no_citations"
	AnswerCut        Key = "answer_cut" // notice above a model answer cut at the length cap

	// Telegram.
	Welcome           Key = "welcome"
	Help              Key = "help" // {bot} is replaced by the bot's username
	Busy              Key = "busy"
	RateLimited       Key = "rate_limited" // %d seconds
	SlowDown          Key = "slow_down"    // %d seconds; over the limit of updates (messages, commands, button presses)
	TooLong           Key = "too_long"     // %d characters
	NonText           Key = "non_text"
	Failed            Key = "failed"
	NotAllowed        Key = "not_allowed"
	Cleared           Key = "cleared"
	AskUsage          Key = "ask_usage"
	CiteUsage         Key = "cite_usage"
	CiteNotFound      Key = "cite_not_found" // %s: why the lookup failed
	CiteTooMany       Key = "cite_too_many"  // %d paragraphs shown
	SearchUsage       Key = "search_usage"
	SearchNone        Key = "search_none"
	SearchHeader      Key = "search_header" // %s: the query
	SearchUnavailable Key = "search_unavailable"
	Sections          Key = "sections"
	Expired           Key = "expired"
	UnknownCommand    Key = "unknown_command"
	Prev              Key = "prev" // %s: the paragraph ID
	Next              Key = "next" // %s: the paragraph ID
	// Example1 … Example3 are the questions /start offers as buttons.
	Example1 Key = "example_1"
	Example2 Key = "example_2"
	Example3 Key = "example_3"
	// SectionOpening and SectionPart (%s: the part's number) label the
	// declaration's sections in languages other than Chinese, which use
	// the corpus's own headings.
	SectionOpening Key = "section_opening"
	SectionPart    Key = "section_part"
	// DeclarationShort names the declaration in a paragraph's heading.
	DeclarationShort Key = "declaration_short"
	// TranslationNote goes with every working translation shown: it is
	// unofficial and the Chinese text is authoritative.
	TranslationNote Key = "translation_note"
	// NoTranslation goes with a paragraph of a document pack that has no
	// working translation yet (docs/PACKS.md), shown in Chinese instead.
	NoTranslation Key = "no_translation"
	// ViewLabel is a language's name in that language, on the buttons that
	// switch a paragraph between languages (中文 / 繁體 / English / Русский):
	// each language's table names itself.
	ViewLabel Key = "view_label"
	// FeedbackUp and FeedbackDown are the toasts a 👍 or 👎 under an
	// answer gets; CommentPrompt offers, after a 👎, to take a one-line
	// comment as a reply to it; CommentThanks acknowledges the comment.
	FeedbackUp    Key = "feedback_up"
	FeedbackDown  Key = "feedback_down"
	CommentPrompt Key = "comment_prompt"
	CommentThanks Key = "comment_thanks"
	// StatsOff answers an operator's /stats when REVIEW_LOG=off. StatsDay
	// and StatsWeek head the two periods; StatsCounts is a period's counts
	// (%d questions, answers by the model, offline and fallback, refusals,
	// 👍, 👎, distinct chats); StatsFallbacks (%s: "reason count" pairs)
	// breaks the fallbacks down; StatsTopRefused heads the refused
	// questions asked most often, StatsNoRefused says there are none;
	// StatsPrivate answers an operator's /stats in a group when it could
	// not be sent to them privately.
	StatsOff        Key = "stats_off"
	StatsDay        Key = "stats_day"
	StatsWeek       Key = "stats_week"
	StatsCounts     Key = "stats_counts"
	StatsFallbacks  Key = "stats_fallbacks"
	StatsTopRefused Key = "stats_top_refused"
	StatsNoRefused  Key = "stats_no_refused"
	StatsPrivate    Key = "stats_private"
	// PackLabel names a document pack (in the contents, /docs and /doc):
	// %s its ID, %s its place, %s its date (YYYY-MM-DD).
	PackLabel Key = "pack_label"
	// DocsHeader heads /docs, the list of loaded documents. Under each
	// pack (PackLabel) a line per document: DocsDoc (%s its short title,
	// %s its IDs, %d its paragraphs) or, for a document of one paragraph,
	// DocsDocOne (%s, %s); then DocsTranslations (%s the languages,
	// joined with IDSeparator) or DocsNoTranslations. With several packs
	// loaded the list ends with DocsAll (%s a pack ID to show /doc with)
	// or, in a pinned chat, DocsPinned (%s the pack ID, %s DocAll).
	DocsHeader         Key = "docs_header"
	DocsDoc            Key = "docs_doc"
	DocsDocOne         Key = "docs_doc_one"
	DocsTranslations   Key = "docs_translations"
	DocsNoTranslations Key = "docs_no_translations"
	DocsAll            Key = "docs_all"
	DocsPinned         Key = "docs_pinned"
	// /doc: DocSingle (%s the one pack, PackLabel) when only the built-in
	// pack is loaded; DocCurrentAll (%s the pack IDs, %s an example ID)
	// and DocCurrentPinned (%s the pack, PackLabel; %s DocAll) answer /doc
	// alone, DocStale (%s the pack ID) first when the chat is pinned to a
	// pack no longer loaded; DocPinned (%s PackLabel, %s DocAll) and
	// DocUnpinned confirm a change; DocUnknown (%s what was typed, %s the
	// pack IDs) refuses an ID that is not loaded. DocAll is the word that
	// unpins ("/doc all"); /doc takes every language's.
	DocSingle        Key = "doc_single"
	DocCurrentAll    Key = "doc_current_all"
	DocCurrentPinned Key = "doc_current_pinned"
	DocStale         Key = "doc_stale"
	DocPinned        Key = "doc_pinned"
	DocUnpinned      Key = "doc_unpinned"
	DocUnknown       Key = "doc_unknown"
	DocAll           Key = "doc_all"
	// SectionsMore ends the contents when they have more parts than a
	// message takes buttons (a dozen packs): %d the buttons shown, %s a
	// pack ID to show "/sections ID" with.
	SectionsMore Key = "sections_more"
	// DocShortPrefix + a document key (corpus.Document.Key) is a
	// statement's short name, for buttons.
	DocShortPrefix = "doc_short_"
	// CommandPrefix + a command ("ask") is its description in the command
	// menu; Commands lists the commands in menu order.
	CommandPrefix = "command_"
)

// Examples are the example question keys, in button order.
var Examples = [...]Key{Example1, Example2, Example3}

// Commands are the bot's commands in the order the menu shows them.
var Commands = [...]string{"ask", "cite", "search", "sections", "docs", "doc", "new", "help", "start"}

// Keys returns every key the program uses.
func Keys() []Key {
	out := []Key{
		NotAddressed, NotAddressedTexts, NotMentioned, NotMentionedTexts, Related, NoAdvice, NoSpeech, NoOtherSummit, NoReaction, NoReasons, TopicSeparator, MentionsButNot, MentionsQuote, IDSeparator, NoFigure, NoDate, NoName, NoPerpetrator, NoCity, NoWinner, NoProposer, NoChair, NoStates, NoCurrency, NoLanguage, NoSlogan, NoNames, NoVotes, NoInstance, NoSport, NoYear, NoMention, PartNotGiven,
		OfflineQuote, EmptyQuestion, ModelTimeout, ModelFailed, ModelEmpty, ModelNoCitations, AnswerCut,
		Welcome, Help, Busy, RateLimited, SlowDown, TooLong, NonText, Failed, NotAllowed, Cleared, AskUsage, CiteUsage,
		CiteNotFound, CiteTooMany, SearchUsage, SearchNone, SearchHeader, SearchUnavailable, Sections, Expired,
		UnknownCommand, Prev, Next, Example1, Example2, Example3, SectionOpening, SectionPart, DeclarationShort, TranslationNote, NoTranslation,
		ViewLabel,
		DocShortPrefix + "trade", DocShortPrefix + "ww2un80",
		FeedbackUp, FeedbackDown, CommentPrompt, CommentThanks,
		StatsOff, StatsDay, StatsWeek, StatsCounts, StatsFallbacks, StatsTopRefused, StatsNoRefused, StatsPrivate,
		PackLabel, SectionsMore,
		DocsHeader, DocsDoc, DocsDocOne, DocsTranslations, DocsNoTranslations, DocsAll, DocsPinned,
		DocSingle, DocCurrentAll, DocCurrentPinned, DocStale, DocPinned, DocUnpinned, DocUnknown, DocAll,
	}
	for _, c := range Commands {
		out = append(out, Key(CommandPrefix+c))
	}
	return out
}

// tables holds each language's texts, parsed on first use.
var tables = sync.OnceValue(func() map[corpus.Lang]map[Key]string {
	out := map[corpus.Lang]map[Key]string{}
	for _, l := range corpus.Languages() {
		t, err := parseText(l.Tag)
		if err != nil {
			// Embedded data checked by the tests: a broken file is a
			// build that must not ship.
			panic(err)
		}
		out[l.Tag] = t
	}
	return out
})

// Text returns the text key in lang, formatted with args. A language
// without the text (or not registered) gets the Fallback (English) one;
// an unknown key gives "".
func Text(lang corpus.Lang, key Key, args ...any) string {
	t := tables()
	s, ok := t[lang][key]
	if !ok {
		s = t[corpus.Fallback][key]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether lang has a text for key.
func Has(lang corpus.Lang, key Key) bool {
	_, ok := tables()[lang][key]
	return ok
}

func parseText(lang corpus.Lang) (map[Key]string, error) {
	name := string(lang) + "/text.tsv"
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s has no text table: add bot/i18n/%s", lang, name)
	}
	out := map[Key]string{}
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "\t")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("i18n: %s line %d: want key<TAB>text", name, i+1)
		}
		if strings.TrimSpace(v) != v {
			return nil, fmt.Errorf("i18n: %s line %d: space around the text of %s (write \\s for a space that belongs to it)", name, i+1, k)
		}
		if _, dup := out[Key(k)]; dup {
			return nil, fmt.Errorf("i18n: %s line %d: %s given twice", name, i+1, k)
		}
		out[Key(k)] = unescape(v)
	}
	return out, nil
}

var unescaper = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t", `\s`, " ")

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return unescaper.Replace(s)
}
