package compose

import (
	"strings"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

// A question may ask for what no text of this kind holds: the answerer's
// own view, a forecast or advice ("Do you think the WTO will survive?",
// "Стоит ли мне поступать в Университет ШОС?", "你觉得值不值得投资"). Quoting
// the paragraph on the topic would pass the text's position off as that
// opinion; the answer says the texts give none, and names the closest
// topics without citing them. A question that names the texts or the
// member states ("What do the member states think of …", "Do you think
// the declaration supports …") may ask what they say, and is answered as
// usual.

//
// A forecast ("Will the declaration actually improve relations?",
// "能实现吗") is not answered even when it names the texts: they state
// plans and positions, not what will come of them. What the member states
// want to come about they do state ("What kind of country does the SCO
// want Afghanistan to end up as?").

var (
	adviceCues = i18n.AllCues("advice")
	// ownBusinessCues name the asker's own business (asksForAdviceIn).
	ownBusinessCues = i18n.AllCues("own_business")
	holderCues      = i18n.AllCues("holder")
	forecastCues    = i18n.AllCues("forecast")
	goalCues        = i18n.AllCues("goal")
)

// asksForAdvice reports whether a question asks for an opinion, a
// forecast or advice of the answerer's own.
func asksForAdvice(question string) bool { return asksForAdviceIn(question, cueText(question)) }

// asksForAdviceIn is asksForAdvice of a question and its cue text q.
//
// The asker's own business ("my company", 我们公司) asks advice ("what
// does this mean for my company?") unless the question asks a fact of a
// kind: then it is the context of a question the texts answer
// ("我们公司想跟俄罗斯客户用本币结算，那份路线图是哪天定的？").
func asksForAdviceIn(question, q string) bool {
	if containsAny(q, forecastCues) && !containsAny(q, goalCues) {
		return true
	}
	if containsAny(q, holderCues) {
		return false
	}
	return containsAny(q, adviceCues) || containsAny(q, ownBusinessCues) && expectedTypeIn(question, q) == typeNone
}

// declined is the answer to a question asking for what no text of this
// kind holds (advice or a forecast: NoAdvice; someone's words: NoSpeech):
// the message why, then the closest topics, not cited.
func (cp *Composer) declined(a Answer, in Input, why i18n.Key) Answer {
	a.Grounded = false
	a.Related = append(a.Related, Related(in.Results)...)
	a.Text = i18n.Text(a.Lang, why) + relatedLine(a.Lang, a.Related)
	return a
}

// The texts are joint documents: they record what the member states
// agreed, not what any leader or guest said at the summit ("莫迪在峰会上
// 讲了什么", "What did Putin say in his speech?"). A question that names
// a person (speaker cues) and asks what they said (said cues) is told so,
// with the closest topics, unless it names the texts as where it was
// said ("What did Xi and Putin say in the declaration about AI?").
var (
	speakerCues = i18n.AllCues("speaker")
	saidCues    = i18n.AllCues("said")
)

// asksWhatWasSaid reports whether a question asks what a named person
// said.
func asksWhatWasSaid(question string) bool { return asksWhatWasSaidIn(cueText(question)) }

// asksWhatWasSaidIn is asksWhatWasSaid of a question's cue text q.
func asksWhatWasSaidIn(q string) bool {
	return containsAny(q, speakerCues) && containsAny(q, saidCues) && !containsAny(q, holderCues)
}

// A state named as speaking at the summit ("蒙古国在会上发言说了什么",
// "What did India say in its speech at the summit?") is asked about as a
// leader by name is: the joint texts record no one's speech. Speech cues
// are narrower than said cues ("say", 表示), which also ask what the texts
// say a state did; the state is read from the question's folded words and
// the Chinese its English or Russian words were searched as.
var speechCues = i18n.AllCues("speech")

// asksStateSpeech reports whether a question (q its cue text, asked its
// folded words and search terms) asks what a named state said at the
// summit.
func asksStateSpeech(q string, asked func() string) bool {
	return containsAny(q, speechCues) && !containsAny(q, holderCues) && namesCountry(asked())
}

// The texts record positions agreed, not votes: no vote, on the texts or
// anything they mention, nor how any state voted ("How did India vote on
// the paragraph about Iran?", "宣言表决时谁投了反对票"). Voting rights and a
// voice in international bodies, which the texts do speak of, are not a
// vote (vote_not cues).
var (
	voteCues    = i18n.AllCues("vote")
	voteNotCues = i18n.AllCues("vote_not")
)

// asksAboutVote reports whether a question's cue text q asks about a vote.
func asksAboutVote(q string) bool {
	return containsAny(q, voteCues) && !containsAny(q, voteNotCues)
}

// The texts are one summit's documents. They do not compare it with
// earlier summits or with other organisations' declarations, nor say what
// those held ("How does it differ from last year's Astana Declaration?",
// "上届峰会宣言说了什么", "Чем она отличается от декларации 2024 года?").
// Quoting the paragraph on the topic would pass one side of the
// comparison off as the whole answer. A question asks about another
// summit when it compares (compare cues) with an earlier occasion
// (earlier cues) or a year the texts searched are not of, or when it names
// an earlier summit or its documents (earlier_summit cues: "last year's
// summit"; not "last year" alone, nor "the past", which the texts speak
// of). Other organisations' declarations
// (BRICS, the G20) are refused by name before this (retrieval's
// unmentioned names); texts of several packs compared side by side are
// Input.Sides.
var (
	compareCues       = i18n.AllCues("compare")
	earlierCues       = i18n.AllCues("earlier")
	earlierSummitCues = i18n.AllCues("earlier_summit")
)

// asksAboutOtherSummit reports whether a question asks about another
// summit than the texts' own or compares theirs with one; otherYears are
// the years it gives that the texts searched are not of.
func asksAboutOtherSummit(question string, otherYears []string) bool {
	return asksAboutOtherSummitIn(cueText(question), otherYears)
}

// asksAboutOtherSummitIn is asksAboutOtherSummit of a question's cue text
// q.
func asksAboutOtherSummitIn(q string, otherYears []string) bool {
	if containsAny(q, compareCues) && (containsAny(q, earlierCues) || len(otherYears) > 0) {
		return true
	}
	return containsAny(q, earlierSummitCues)
}

// The texts were adopted at the summit: how governments, markets or the
// press reacted to them came after, and they cannot record it ("How did
// the US react to the Tianjin declaration?", "Как рынки отреагировали на
// декларацию?", "Как Индия отнеслась к пункту про Иран?", "各国对天津宣言有
// 什么反应"). A reaction is asked for only
// with the texts, the summit or their condemnation as what was reacted to
// ("How did Washington respond to the SCO condemning the strikes"):
// "宣言如何回应气候变化" asks what the declaration says.
var (
	reactionEnRe = lazyRegexp(`\b(?:react(?:ed|ion|ions|s)?|respond(?:ed|s)?|response)\s+(?:to|on)\s+(?:the\s+|this\s+)?(?:[a-z'-]+\s+){0,2}?(?:declaration|summit|statement|condemnation|condemning|criticism|support|backing|paragraph)s?\b`)
	reactionRuRe = lazyRegexp(`(?:(?:отреагирова|реакци|откликнул|отклик)[\p{L}]*\s+(?:[\p{L}-]+\s+){0,3}?на|(?:отнесл(?:ась|ись|ось|ся)|отнесся))\s+(?:к\s+)?(?:[\p{L}-]+\s+){0,2}?(?:декларац|саммит|заявлени|осуждени|критик|поддержк|пункт)`)
	reactionZhRe = lazyRegexp(`对(?:这份|这次|本次|此次|这个)?\p{Han}{0,8}?(?:宣言|峰会|声明|谴责)\p{Han}{0,14}?(?:反应|回应|反响)`)
)

// reactionStems are in every question a reaction regexp can match.
var reactionStems = []string{"react", "respon", "реакц", "реаги", "отклик", "отнесл", "отнесся", "反应", "反應", "回应", "回應", "反响", "反響"}

// asksReaction reports whether a question asks how someone reacted to the
// texts or their summit.
func asksReaction(question string) bool {
	lower := strings.ToLower(question)
	if !containsAny(lower, reactionStems) {
		return false // most questions: no regexp to run
	}
	return reactionEnRe().MatchString(lower) || reactionRuRe().MatchString(strings.ReplaceAll(lower, "ё", "е")) ||
		reactionZhRe().MatchString(corpus.Fold(question))
}

// The texts record what the member states agreed together; why one state
// is absent from a paragraph, or did not join in, they do not say ("Why
// did India not endorse the Belt and Road?", "Почему Индия не
// поддержала «Пояс и путь»?"). A question asks so when it asks why, says
// not, and names a state (in its words or the Chinese they were read as).
var (
	whyCues      = i18n.AllCues("why")
	negationCues = i18n.AllCues("negation")
)

// asksWhyNot reports whether a question (q its cue text, asked its folded
// words and search terms, folded only for a question that asks why not)
// asks why a named state did not do something.
func asksWhyNot(q string, asked func() string) bool {
	return containsAny(q, whyCues) && containsAny(q, negationCues) && namesCountry(asked())
}
