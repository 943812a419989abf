package telegram

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

// textKey names one of the bot's fixed texts. Notices about answers come
// from the engine (bot.Text); these are the Telegram-specific ones.
type textKey int

const (
	txtWelcome textKey = iota
	txtHelp
	txtBusy
	txtRateLimited // %d seconds
	txtTooLong     // %d characters
	txtNonText
	txtFailed
	txtNotAllowed
	txtCleared
	txtAskUsage
	txtCiteUsage
	txtCiteNotFound // %s: the lookup error
	txtCiteTooMany  // %d shown
	txtSearchUsage
	txtSearchNone
	txtSearchHeader // %s: the query
	txtSearchUnavailable
	txtSections
	txtExpired
	txtUnknownCommand
	txtPrev
	txtNext
)

var texts = map[textKey]map[corpus.Lang]string{
	txtWelcome: {
		corpus.LangHans: "你好！我回答关于《上海合作组织成员国元首理事会天津宣言》（2025年9月1日）及同时发表的两份声明的问题，每个论断都注明出处段落，如 [2.36]。\n\n直接提问即可，或点下面的示例问题。",
		corpus.LangHant: "你好！我回答關於《上海合作組織成員國元首理事會天津宣言》（2025年9月1日）及同時發表的兩份聲明的問題，每個論斷都注明出處段落，如 [2.36]。\n\n直接提問即可，或點下面的示例問題。",
		corpus.LangEn:   "Hello! I answer questions about the Tianjin Declaration of the SCO Council of Heads of State (1 September 2025) and the two statements issued with it, citing the paragraph behind every claim, like [2.36].\n\nJust ask, or tap an example below.",
		corpus.LangRu:   "Здравствуйте! Я отвечаю на вопросы о Тяньцзиньской декларации Совета глав государств ШОС (1 сентября 2025 г.) и двух принятых вместе с ней заявлениях, указывая пункт для каждого утверждения, например [2.36].\n\nПросто задайте вопрос или нажмите на пример ниже.",
	},
	txtHelp: {
		corpus.LangHans: "直接发送问题即可（中文、英文或俄文）。在群组中请 @我、回复我的消息，或使用 /ask。\n\n/ask 问题 — 提问\n/cite 2.36 — 查看段落（也可用 第二部分第36段、T3、2.17-2.19）\n/search 关键词 — 搜索段落\n/sections — 目录\n/new — 开始新话题（清除上下文）\n\n在任何聊天中输入 @{bot} 关键词 可以引用段落。",
		corpus.LangHant: "直接發送問題即可（中文、英文或俄文）。在群組中請 @我、回覆我的訊息，或使用 /ask。\n\n/ask 問題 — 提問\n/cite 2.36 — 查看段落（也可用 第二部分第36段、T3、2.17-2.19）\n/search 關鍵詞 — 搜尋段落\n/sections — 目錄\n/new — 開始新話題（清除上下文）\n\n在任何聊天中輸入 @{bot} 關鍵詞 可以引用段落。",
		corpus.LangEn:   "Send a question (in Chinese, English or Russian). In groups, mention me, reply to my message, or use /ask.\n\n/ask QUESTION — ask\n/cite 2.36 — show a paragraph (also 第二部分第36段, T3, 2.17-2.19)\n/search WORDS — find paragraphs\n/sections — table of contents\n/new — start over (forget the context)\n\nType @{bot} WORDS in any chat to quote a paragraph.",
		corpus.LangRu:   "Отправьте вопрос (на китайском, английском или русском). В группах упомяните меня, ответьте на моё сообщение или используйте /ask.\n\n/ask ВОПРОС — спросить\n/cite 2.36 — показать пункт (также 第二部分第36段, T3, 2.17-2.19)\n/search СЛОВА — найти пункты\n/sections — оглавление\n/new — начать заново (забыть контекст)\n\nНаберите @{bot} СЛОВА в любом чате, чтобы процитировать пункт.",
	},
	txtBusy: {
		corpus.LangHans: "我还在回答你的上一个问题，请稍候。",
		corpus.LangHant: "我還在回答你的上一個問題，請稍候。",
		corpus.LangEn:   "I'm still answering your previous question — one moment, please.",
		corpus.LangRu:   "Я ещё отвечаю на ваш предыдущий вопрос — минутку, пожалуйста.",
	},
	txtRateLimited: {
		corpus.LangHans: "提问有点快了，请 %d 秒后再试。",
		corpus.LangHant: "提問有點快了，請 %d 秒後再試。",
		corpus.LangEn:   "You're asking a little fast — please try again in %d s.",
		corpus.LangRu:   "Слишком много вопросов подряд — попробуйте снова через %d с.",
	},
	txtTooLong: {
		corpus.LangHans: "问题太长了（上限 %d 字）。请缩短后再问，或分成几个问题。",
		corpus.LangHant: "問題太長了（上限 %d 字）。請縮短後再問，或分成幾個問題。",
		corpus.LangEn:   "That question is too long (the limit is %d characters). Please shorten it or split it into several questions.",
		corpus.LangRu:   "Вопрос слишком длинный (не более %d символов). Сократите его или разбейте на несколько вопросов.",
	},
	txtNonText: {
		corpus.LangHans: "我只能读文字。请用文字提问，例如：宣言对人工智能说了什么？",
		corpus.LangHant: "我只能讀文字。請用文字提問，例如：宣言對人工智慧說了什麼？",
		corpus.LangEn:   "I can only read text. Please type your question, e.g. What does the declaration say about AI?",
		corpus.LangRu:   "Я понимаю только текст. Напишите вопрос, например: Что декларация говорит об ИИ?",
	},
	txtFailed: {
		corpus.LangHans: "抱歉，暂时无法回答。请稍后再试。",
		corpus.LangHant: "抱歉，暫時無法回答。請稍後再試。",
		corpus.LangEn:   "Sorry, I couldn't answer just now. Please try again in a minute.",
		corpus.LangRu:   "Извините, сейчас не удалось ответить. Попробуйте через минуту.",
	},
	txtNotAllowed: {
		corpus.LangHans: "抱歉，这个机器人只对特定用户开放。",
		corpus.LangHant: "抱歉，這個機器人只對特定用戶開放。",
		corpus.LangEn:   "Sorry, this bot is available to specific users only.",
		corpus.LangRu:   "Извините, этот бот доступен только определённым пользователям.",
	},
	txtCleared: {
		corpus.LangHans: "好的，重新开始。之前的对话不会再影响回答。",
		corpus.LangHant: "好的，重新開始。之前的對話不會再影響回答。",
		corpus.LangEn:   "Done — starting fresh. Earlier questions won't affect my answers.",
		corpus.LangRu:   "Готово — начинаем заново. Прежние вопросы больше не учитываются.",
	},
	txtAskUsage: {
		corpus.LangHans: "请在 /ask 后面写上问题，例如：/ask 宣言对外空问题持什么立场？",
		corpus.LangHant: "請在 /ask 後面寫上問題，例如：/ask 宣言對外空問題持什麼立場？",
		corpus.LangEn:   "Write your question after /ask, e.g. /ask What does the declaration say about outer space?",
		corpus.LangRu:   "Напишите вопрос после /ask, например: /ask Что сказано о космосе?",
	},
	txtCiteUsage: {
		corpus.LangHans: "请在 /cite 后面写段落编号，例如：/cite 2.36、/cite 第二部分第36段、/cite T3 或 /cite 2.17-2.19。",
		corpus.LangHant: "請在 /cite 後面寫段落編號，例如：/cite 2.36、/cite 第二部分第36段、/cite T3 或 /cite 2.17-2.19。",
		corpus.LangEn:   "Write a paragraph ID after /cite, e.g. /cite 2.36, /cite T3 or /cite 2.17-2.19.",
		corpus.LangRu:   "Укажите номер пункта после /cite, например: /cite 2.36, /cite T3 или /cite 2.17-2.19.",
	},
	txtCiteNotFound: {
		corpus.LangHans: "找不到这个段落：%s",
		corpus.LangHant: "找不到這個段落：%s",
		corpus.LangEn:   "No such paragraph: %s",
		corpus.LangRu:   "Такого пункта нет: %s",
	},
	txtCiteTooMany: {
		corpus.LangHans: "只显示前 %d 段；请缩小范围。",
		corpus.LangHant: "只顯示前 %d 段；請縮小範圍。",
		corpus.LangEn:   "Showing the first %d paragraphs only; ask for a narrower range.",
		corpus.LangRu:   "Показаны только первые %d пунктов; сузьте диапазон.",
	},
	txtSearchUsage: {
		corpus.LangHans: "请在 /search 后面写关键词，例如：/search 人工智能",
		corpus.LangHant: "請在 /search 後面寫關鍵詞，例如：/search 人工智慧",
		corpus.LangEn:   "Write some words after /search, e.g. /search artificial intelligence",
		corpus.LangRu:   "Напишите слова после /search, например: /search искусственный интеллект",
	},
	txtSearchNone: {
		corpus.LangHans: "没有找到相关段落。试试别的说法，或用 /sections 浏览目录。",
		corpus.LangHant: "沒有找到相關段落。試試別的說法，或用 /sections 瀏覽目錄。",
		corpus.LangEn:   "No matching paragraphs. Try other words, or browse with /sections.",
		corpus.LangRu:   "Подходящих пунктов нет. Попробуйте другие слова или откройте /sections.",
	},
	txtSearchHeader: {
		corpus.LangHans: "与“%s”最相关的段落：",
		corpus.LangHant: "與「%s」最相關的段落：",
		corpus.LangEn:   "Paragraphs best matching “%s”:",
		corpus.LangRu:   "Пункты, лучше всего подходящие к «%s»:",
	},
	txtSearchUnavailable: {
		corpus.LangHans: "搜索暂时不可用，请稍后再试。",
		corpus.LangHant: "搜尋暫時不可用，請稍後再試。",
		corpus.LangEn:   "Search is unavailable right now; please try again later.",
		corpus.LangRu:   "Поиск сейчас недоступен; попробуйте позже.",
	},
	txtSections: {
		corpus.LangHans: "目录（点按钮查看各部分）：",
		corpus.LangHant: "目錄（點按鈕查看各部分）：",
		corpus.LangEn:   "Contents (tap a button to open a part):",
		corpus.LangRu:   "Оглавление (нажмите кнопку, чтобы открыть раздел):",
	},
	txtExpired: {
		corpus.LangHans: "这个按钮已失效。",
		corpus.LangHant: "這個按鈕已失效。",
		corpus.LangEn:   "This button is no longer valid.",
		corpus.LangRu:   "Эта кнопка больше не действует.",
	},
	txtUnknownCommand: {
		corpus.LangHans: "不认识这个命令。发送 /help 查看用法。",
		corpus.LangHant: "不認識這個命令。發送 /help 查看用法。",
		corpus.LangEn:   "I don't know that command. Send /help to see what I can do.",
		corpus.LangRu:   "Такой команды нет. Отправьте /help, чтобы увидеть список.",
	},
	txtPrev: {
		corpus.LangHans: "◀ %s", corpus.LangHant: "◀ %s", corpus.LangEn: "◀ %s", corpus.LangRu: "◀ %s",
	},
	txtNext: {
		corpus.LangHans: "%s ▶", corpus.LangHant: "%s ▶", corpus.LangEn: "%s ▶", corpus.LangRu: "%s ▶",
	},
}

// examples are the three questions /start offers as buttons.
var examples = map[corpus.Lang][3]string{
	corpus.LangHans: {"宣言对外空武器化持什么立场？", "上合组织开发银行进展如何？", "宣言如何评价多边贸易体制？"},
	corpus.LangHant: {"宣言對外空武器化持什麼立場？", "上合組織開發銀行進展如何？", "宣言如何評價多邊貿易體制？"},
	corpus.LangEn:   {"What does the declaration say about weapons in outer space?", "What progress on an SCO Development Bank?", "What do the leaders say about the multilateral trading system?"},
	corpus.LangRu:   {"Что декларация говорит об оружии в космосе?", "Как продвигается создание Банка развития ШОС?", "Что лидеры говорят о многосторонней торговой системе?"},
}

// commandDescriptions are registered with setMyCommands: English as the
// default, plus Chinese and Russian (language codes are two letters, so
// Chinese is one list, in simplified script).
var commandDescriptions = map[string][][2]string{
	"": {
		{"ask", "Ask about the Tianjin Declaration"},
		{"cite", "Show a paragraph: /cite 2.36"},
		{"search", "Find paragraphs by words"},
		{"sections", "Table of contents"},
		{"new", "Start over (forget the context)"},
		{"help", "How to use this bot"},
		{"start", "Welcome and examples"},
	},
	"zh": {
		{"ask", "就天津宣言提问"},
		{"cite", "查看段落：/cite 2.36"},
		{"search", "按关键词搜索段落"},
		{"sections", "目录"},
		{"new", "开始新话题（清除上下文）"},
		{"help", "使用说明"},
		{"start", "欢迎和示例"},
	},
	"ru": {
		{"ask", "Вопрос о Тяньцзиньской декларации"},
		{"cite", "Показать пункт: /cite 2.36"},
		{"search", "Найти пункты по словам"},
		{"sections", "Оглавление"},
		{"new", "Начать заново (забыть контекст)"},
		{"help", "Как пользоваться ботом"},
		{"start", "Приветствие и примеры"},
	},
}

// text returns a fixed text in lang (English if lang has none).
func text(lang corpus.Lang, key textKey, args ...any) string {
	byLang := texts[key]
	s, ok := byLang[lang]
	if !ok {
		s = byLang[corpus.LangEn]
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// userLang maps a Telegram language_code to the language of the bot's
// texts (corpus.UserLang: the registry's UserCodes).
func userLang(code string) corpus.Lang { return corpus.UserLang(code) }

// messageLang picks the language to answer text in: the language of the
// text itself when it says enough to tell, else the user's language
// setting. Chinese or Cyrillic letters decide at once; Latin letters only
// from two words on, because "/cite T3" or "/search SCO" from a Chinese
// user is no sign that they read English.
func messageLang(s, code string) corpus.Lang {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Cyrillic, r) }) >= 0 {
		return corpus.DetectLang(s)
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) >= 2 {
		return corpus.DetectLang(s)
	}
	return userLang(code)
}
