package bot

import (
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

// MessageKey names one of the fixed texts the engine shows users. The
// texts live in bot/i18n, one table per language, with every front end's;
// these are the engine's names for its keys.
type MessageKey = i18n.Key

// The engine's texts (see the i18n keys for their arguments).
const (
	MsgNotAddressed     = i18n.NotAddressed
	MsgRelated          = i18n.Related
	MsgOfflineQuote     = i18n.OfflineQuote
	MsgEmptyQuestion    = i18n.EmptyQuestion
	MsgModelTimeout     = i18n.ModelTimeout
	MsgModelFailed      = i18n.ModelFailed
	MsgModelEmpty       = i18n.ModelEmpty
	MsgModelNoCitations = i18n.ModelNoCitations
	MsgAnswerCut        = i18n.AnswerCut
	MsgTopicSeparator   = i18n.TopicSeparator
	MsgMentionsButNot   = i18n.MentionsButNot
	MsgIDSeparator      = i18n.IDSeparator
	MsgNoFigure         = i18n.NoFigure
	MsgNoDate           = i18n.NoDate
	MsgNoName           = i18n.NoName
	MsgNoPerpetrator    = i18n.NoPerpetrator
)

// Text returns the fixed text key in lang, formatted with args
// (i18n.Text): English for a language without the text, "" for an
// unknown key.
func Text(lang corpus.Lang, key MessageKey, args ...any) string {
	return i18n.Text(lang, key, args...)
}
