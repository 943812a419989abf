package compose

import (
	"strings"
	"unicode"

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

var (
	adviceCues = i18n.AllCues("advice")
	holderCues = i18n.AllCues("holder")
)

// asksForAdvice reports whether a question asks for an opinion, a
// forecast or advice of the answerer's own.
func asksForAdvice(question string) bool {
	q := " " + strings.ToLower(question) + " \x00 " + corpus.Fold(question) + " "
	q = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) && r != '-' && r != '\'' || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, q)
	return containsAny(q, adviceCues) && !containsAny(q, holderCues)
}

// noAdvice is the answer to a question asking for advice or a forecast.
func (cp *Composer) noAdvice(a Answer, in Input) Answer {
	a.Grounded = false
	text := i18n.Text(a.Lang, i18n.NoAdvice)
	var topics []string
	for _, p := range Related(in.Results) {
		a.Related = append(a.Related, p)
		topics = append(topics, p.ID+" "+quoteTopic(a.Lang, topicIn(p, a.Lang)))
	}
	if len(topics) > 0 {
		sep := "\n"
		if a.Lang.IsChinese() {
			sep = ""
		}
		text += sep + i18n.Text(a.Lang, i18n.Related, strings.Join(topics, i18n.Text(a.Lang, i18n.TopicSeparator)))
	}
	a.Text = text
	return a
}
