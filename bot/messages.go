package bot

import (
	"fmt"

	"github.com/declbot/declbot/corpus"
)

// MessageKey names one of the fixed texts the bot shows users. Every key
// has a text in each language declbot answers in (zh-Hans, zh-Hant, en,
// ru); the tests enforce it.
type MessageKey int

// The fixed texts. Keys that take arguments say so; the arguments are
// formatted with fmt verbs.
const (
	// MsgNotAddressed: the declaration does not address the question.
	MsgNotAddressed MessageKey = iota
	// MsgRelated introduces the closest topics the corpus does cover; one
	// argument: the list of topics, already joined.
	MsgRelated
	// MsgOfflineQuote is the first line of an offline answer to a question
	// that is not in Chinese.
	MsgOfflineQuote
	// MsgEmptyQuestion asks the user for a question.
	MsgEmptyQuestion
	// MsgModelTimeout, MsgModelFailed, MsgModelEmpty and
	// MsgModelNoCitations are the notices shown above an extractive answer
	// that replaced the model's.
	MsgModelTimeout
	MsgModelFailed
	MsgModelEmpty
	MsgModelNoCitations
	// MsgTopicSeparator joins topics in a MsgRelated list.
	MsgTopicSeparator
	// MsgMentionsButNot: the text mentions a topic but does not give the
	// fact asked for. Three arguments: the topic (quoted), the paragraph
	// IDs (joined with MsgIDSeparator, no brackets: they are not
	// citations), and what is missing (MsgNoFigure, MsgNoDate, MsgNoName
	// or MsgNoPerpetrator).
	MsgMentionsButNot
	// MsgIDSeparator joins paragraph IDs in MsgMentionsButNot.
	MsgIDSeparator
	// MsgNoFigure, MsgNoDate, MsgNoName and MsgNoPerpetrator complete
	// MsgMentionsButNot: what the text does not say.
	MsgNoFigure
	MsgNoDate
	MsgNoName
	MsgNoPerpetrator
)

// messages holds every text by key and language. English is the fallback
// for a language without a text.
var messages = map[MessageKey]map[corpus.Lang]string{
	MsgNotAddressed: {
		corpus.LangHans: "宣言及两份声明没有涉及这一问题。",
		corpus.LangHant: "宣言及兩份聲明沒有涉及這一問題。",
		corpus.LangEn:   "The declaration and the two statements do not address this question.",
		corpus.LangRu:   "Декларация и два заявления не затрагивают этот вопрос.",
	},
	MsgRelated: {
		corpus.LangHans: "相关内容有：%s。",
		corpus.LangHant: "相關內容有：%s。",
		corpus.LangEn:   "The closest topics they do cover: %s.",
		corpus.LangRu:   "Ближайшие темы, которые в них есть: %s.",
	},
	MsgTopicSeparator: {
		corpus.LangHans: "；",
		corpus.LangHant: "；",
		corpus.LangEn:   "; ",
		corpus.LangRu:   "; ",
	},
	MsgMentionsButNot: {
		// The paragraph is named, not cited (it does not support an
		// answer), so it stands outside brackets: "(2.33)" would read as a
		// citation marker.
		corpus.LangHans: "原文第%[2]s段提到了%[1]s，但%[3]s。",
		corpus.LangHant: "原文第%[2]s段提到了%[1]s，但%[3]s。",
		corpus.LangEn:   "Paragraph %[2]s of the text mentions %[1]s but %[3]s.",
		corpus.LangRu:   "В пункте %[2]s текста упоминается %[1]s, но %[3]s.",
	},
	MsgIDSeparator: {
		corpus.LangHans: "、",
		corpus.LangHant: "、",
		corpus.LangEn:   ", ",
		corpus.LangRu:   ", ",
	},
	MsgNoFigure: {
		corpus.LangHans: "没有给出所问的具体数字",
		corpus.LangHant: "沒有給出所問的具體數字",
		corpus.LangEn:   "does not give the figure asked for",
		corpus.LangRu:   "запрошенных цифр в нём нет",
	},
	MsgNoDate: {
		corpus.LangHans: "没有说明具体时间",
		corpus.LangHant: "沒有說明具體時間",
		corpus.LangEn:   "does not say when",
		corpus.LangRu:   "не говорится, когда",
	},
	MsgNoName: {
		corpus.LangHans: "没有提到具体人名",
		corpus.LangHant: "沒有提到具體人名",
		corpus.LangEn:   "does not name the person",
		corpus.LangRu:   "имя не называется",
	},
	MsgNoPerpetrator: {
		corpus.LangHans: "没有说明是谁所为",
		corpus.LangHant: "沒有說明是誰所為",
		corpus.LangEn:   "does not say who was behind it",
		corpus.LangRu:   "не говорится, кто за этим стоит",
	},
	MsgOfflineQuote: {
		corpus.LangHans: "离线模式：直接引用宣言原文。",
		corpus.LangHant: "離線模式：直接引用宣言原文。",
		corpus.LangEn:   "Offline mode: quoting the declaration's Chinese text.",
		corpus.LangRu:   "Автономный режим: цитирую китайский текст декларации.",
	},
	MsgEmptyQuestion: {
		corpus.LangHans: "请提出一个关于天津宣言的问题，例如：宣言对外空问题持什么立场？",
		corpus.LangHant: "請提出一個關於天津宣言的問題，例如：宣言對外空問題持什麼立場？",
		corpus.LangEn:   "Please ask a question about the Tianjin Declaration, for example: what does it say about outer space?",
		corpus.LangRu:   "Задайте вопрос о Тяньцзиньской декларации, например: что в ней сказано о космосе?",
	},
	MsgModelTimeout: {
		corpus.LangHans: "模型未能及时回答，以下直接引用原文。",
		corpus.LangHant: "模型未能及時回答，以下直接引用原文。",
		corpus.LangEn:   "The model did not answer in time; this answer quotes the text directly.",
		corpus.LangRu:   "Модель не ответила вовремя; ответ цитирует текст напрямую.",
	},
	MsgModelFailed: {
		corpus.LangHans: "模型暂时无法使用，以下直接引用原文。",
		corpus.LangHant: "模型暫時無法使用，以下直接引用原文。",
		corpus.LangEn:   "The model is unavailable right now; this answer quotes the text directly.",
		corpus.LangRu:   "Модель сейчас недоступна; ответ цитирует текст напрямую.",
	},
	MsgModelEmpty: {
		corpus.LangHans: "模型返回了空回答，以下直接引用原文。",
		corpus.LangHant: "模型返回了空回答，以下直接引用原文。",
		corpus.LangEn:   "The model returned an empty answer; this answer quotes the text directly.",
		corpus.LangRu:   "Модель вернула пустой ответ; ответ цитирует текст напрямую.",
	},
	MsgModelNoCitations: {
		corpus.LangHans: "模型的回答没有可核实的段落引用，以下直接引用原文。",
		corpus.LangHant: "模型的回答沒有可核實的段落引用，以下直接引用原文。",
		corpus.LangEn:   "The model's answer cited no paragraph that could be verified; this answer quotes the text directly.",
		corpus.LangRu:   "Ответ модели не ссылался на проверяемые пункты; ответ цитирует текст напрямую.",
	},
}

// Text returns the fixed text key in lang, formatted with args. A language
// without its own text gets the English one; an unknown key returns "".
func Text(lang corpus.Lang, key MessageKey, args ...any) string {
	byLang, ok := messages[key]
	if !ok {
		return ""
	}
	s, ok := byLang[lang]
	if !ok {
		s = byLang[corpus.LangEn]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Langs lists the languages every message is written in.
func Langs() []corpus.Lang {
	return []corpus.Lang{corpus.LangHans, corpus.LangHant, corpus.LangEn, corpus.LangRu}
}
