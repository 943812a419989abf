package telegram

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

const noteEn = "Unofficial working translation; the Chinese text is authoritative."

// buttonData returns the callback data of m's button labelled label.
func buttonData(t *testing.T, m tgtest.Message, label string) string {
	t.Helper()
	for _, b := range buttons(m) {
		if b.Text == label {
			return b.CallbackData
		}
	}
	t.Fatalf("message %d has no button %q: %+v", m.ID, label, buttons(m))
	return ""
}

// toggleLabels returns the labels of m's last row: the language toggle.
func toggleLabels(m tgtest.Message) []string {
	if m.Markup == nil || len(m.Markup.InlineKeyboard) == 0 {
		return nil
	}
	var out []string
	for _, b := range m.Markup.InlineKeyboard[len(m.Markup.InlineKeyboard)-1] {
		out = append(out, b.Text)
	}
	return out
}

// hasEntity reports whether m shows text in an entity of the given type.
func hasEntity(m tgtest.Message, typ models.MessageEntityType, text string) bool {
	units := utf16.Encode([]rune(m.Text))
	for _, e := range m.Entities {
		if e.Type == typ && e.Offset+e.Length <= len(units) && string(utf16.Decode(units[e.Offset:e.Offset+e.Length])) == text {
			return true
		}
	}
	return false
}

// An English reader's source button opens the paragraph in the English
// working translation with the note; the toggle switches the same message
// to the Chinese and back, and prev/next keep the language.
func TestSourceOpensInReadersLanguage(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(70, "En", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "what about outer space?")
	answer := h.botMessages(chat.ID, 1)[0]
	h.settle()
	h.srv.PressButton(chat, u, answer.ID, callbackData(answer)[0])
	para := h.botMessages(chat.ID, 2)[1]
	h.settle()
	p := passage("2.36")
	want := "[2.36] Tianjin Declaration · Part 2\n" + p.TextEn + "\n" + noteEn
	if para.Text != want {
		t.Fatalf("English paragraph view:\n%s\nwant\n%s", para.Text, want)
	}
	if !hasEntity(para, models.MessageEntityTypeBlockquote, p.TextEn) || !hasEntity(para, models.MessageEntityTypeItalic, noteEn) {
		t.Errorf("translation not quoted or note not in italics: %+v\n%s", para.Entities, para.Raw)
	}
	if got := toggleLabels(para); !slices.Equal(got, []string{"中文", "繁體", "Русский"}) {
		t.Errorf("toggle row = %v", got)
	}

	// 中文 switches the same message to the simplified original, no note.
	h.srv.PressButton(chat, u, para.ID, buttonData(t, para, "中文"))
	h.settle()
	got, _ := h.srv.Message(chat.ID, para.ID)
	if got.Edits != 1 || !strings.Contains(got.Text, p.TextHans) || strings.Contains(got.Text, p.TextEn) || strings.Contains(got.Text, noteEn) {
		t.Fatalf("after 中文 (%d edits):\n%s", got.Edits, got.Text)
	}
	if !strings.HasPrefix(got.Text, "[2.36] 上海合作组织成员国元首理事会天津宣言 · 第二部分\n") {
		t.Errorf("Chinese heading: %q", got.Text)
	}
	if labels := toggleLabels(got); !slices.Equal(labels, []string{"繁體", "English", "Русский"}) {
		t.Errorf("toggle row in 中文 = %v", labels)
	}
	// Prev/next labels stay in the reader's language, and the view's.
	if data := buttonData(t, got, "2.37 ▶"); data != "n:2.37:h" {
		t.Errorf("next in 中文 = %q", data)
	}

	// And back to English.
	h.srv.PressButton(chat, u, para.ID, buttonData(t, got, "English"))
	h.settle()
	got, _ = h.srv.Message(chat.ID, para.ID)
	if got.Edits != 2 || got.Text != want {
		t.Fatalf("back to English (%d edits):\n%s", got.Edits, got.Text)
	}
	// Next stays in English.
	h.srv.PressButton(chat, u, para.ID, buttonData(t, got, "2.37 ▶"))
	h.settle()
	got, _ = h.srv.Message(chat.ID, para.ID)
	if !strings.HasPrefix(got.Text, "[2.37] Tianjin Declaration · Part 2\n"+passage("2.37").TextEn) {
		t.Errorf("next in English: %q", got.Text)
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 2 {
		t.Errorf("toggling sent new messages: %d bot messages", n)
	}
}

// A traditional-script reader opens sources in 繁體; a Russian reader in
// the Russian translation; buttons sent before the toggle existed still
// open the script they name.
func TestSourceViewByReader(t *testing.T) {
	tests := []struct {
		name, code, question string
		data                 string // the source button's callback data
		contains, lacks      []string
		toggle               []string
	}{
		{"traditional", "zh-hant", "外空怎麼說？", "p:2.36:t",
			[]string{"[2.36] 上海合作組織成員國元首理事會天津宣言 · 第二部分\n" + passage("2.36").TextHant}, []string{"非官方"},
			[]string{"中文", "English", "Русский"}},
		{"russian", "ru", "что сказано о космосе?", "p:2.36:ru",
			[]string{"[2.36] Тяньцзиньская декларация · Раздел 2\n" + passage("2.36").TextRu, "Неофициальный рабочий перевод; аутентичным является текст на китайском языке."}, nil,
			[]string{"中文", "繁體", "English"}},
		// The question's language, not the user's setting, decides.
		{"english question, chinese user", "zh-hans", "what about outer space?", "p:2.36:en",
			[]string{passage("2.36").TextEn, noteEn}, nil, []string{"中文", "繁體", "Русский"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			u := tgtest.NewUser(71, "R", tt.code)
			chat := tgtest.PrivateChat(u)
			h.srv.SendText(chat, u, tt.question)
			answer := h.botMessages(chat.ID, 1)[0]
			h.settle()
			if got := callbackData(answer); !slices.Equal(got, []string{tt.data}) {
				t.Fatalf("source buttons = %v, want %s", got, tt.data)
			}
			h.srv.PressButton(chat, u, answer.ID, tt.data)
			para := h.botMessages(chat.ID, 2)[1]
			h.settle()
			for _, s := range tt.contains {
				if !strings.Contains(para.Text, s) {
					t.Errorf("paragraph view lacks %q:\n%s", s, para.Text)
				}
			}
			for _, s := range tt.lacks {
				if strings.Contains(para.Text, s) {
					t.Errorf("paragraph view has %q:\n%s", s, para.Text)
				}
			}
			if got := toggleLabels(para); !slices.Equal(got, tt.toggle) {
				t.Errorf("toggle row = %v, want %v", got, tt.toggle)
			}
		})
	}

	// An English reader pressing a button sent before translations were
	// shown gets what it always showed: the simplified Chinese.
	h := start(t)
	u := tgtest.NewUser(72, "Old", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "what about outer space?")
	answer := h.botMessages(chat.ID, 1)[0]
	h.settle()
	h.srv.PressButton(chat, u, answer.ID, "p:2.36:h")
	para := h.botMessages(chat.ID, 2)[1]
	h.settle()
	if !strings.Contains(para.Text, passage("2.36").TextHans) || strings.Contains(para.Text, noteEn) {
		t.Errorf("old button p:2.36:h opened:\n%s", para.Text)
	}
	if got := toggleLabels(para); !slices.Equal(got, []string{"繁體", "English", "Русский"}) {
		t.Errorf("toggle row = %v", got)
	}
}

// Forged view codes are refused with the short "no longer valid" toast in
// the reader's language, and leave the message as it was.
func TestForgedViewCodes(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(73, "F", "ru")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "/cite 2.36")
	m := h.botMessages(chat.ID, 1)[0]
	h.settle()
	for _, data := range []string{
		"n:2.36:de", "n:2.36:EN", "n:2.36:Ru", "n:2.36:hans", "n:2.36:hant", "n:2.36:zh", "n:2.36:e", "n:2.36:",
		"n:2.36:en ", "n:2.36:en\n", "n:2.36:en:", "n:2.36:рус", "n:2.36:ｅｎ", "p:2.36:fr", "s:2:de", "s:2:EN",
		"n:2.36:" + strings.Repeat("en", 30),
	} {
		q := h.srv.PressButton(chat, u, m.ID, data)
		h.settle()
		ans, ok := h.srv.CallbackAnswer(q)
		if !ok || ans.Params["text"] != "Эта кнопка больше не действует." {
			t.Errorf("data %q: callback answer %+v", data, ans.Params)
		}
	}
	if got, _ := h.srv.Message(chat.ID, m.ID); got.Edits != 0 || got.Text != m.Text {
		t.Errorf("a forged view code changed the message: %+v", got)
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 1 {
		t.Errorf("forged view codes produced %d messages", n)
	}
}

// Inline results follow the same rule: an English reader shares the
// English translation with its note, and anyone in the chat can switch
// the posted message to the Chinese.
func TestInlineResultInReadersLanguage(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(74, "I", "en")
	q := h.srv.InlineQuery(u, "2.36")
	h.settle()
	rs, _ := h.srv.InlineAnswer(q)
	if len(rs) != 1 {
		t.Fatalf("results %+v", rs)
	}
	r := rs[0]
	if r.Title != "[2.36] Tianjin Declaration · Part 2" || !strings.HasPrefix(r.Description, "The member states support") {
		t.Errorf("result title %q, description %q", r.Title, r.Description)
	}
	if !strings.Contains(r.Content.MessageText, "<i>"+noteEn+"</i>") {
		t.Errorf("result message lacks the note: %q", r.Content.MessageText)
	}
	inlineID, ok := h.srv.ChooseInlineResult(u, q, "2.36")
	if !ok {
		t.Fatal("could not choose the result")
	}
	other := tgtest.NewUser(75, "Reader", "zh-hans")
	h.srv.PressInlineMessageButton(other, inlineID, passageData(actionShowInPlace, "2.36", corpus.LangHans))
	h.settle()
	m, _ := h.srv.InlineMessage(inlineID)
	if !strings.Contains(m.Text, passage("2.36").TextHans) || strings.Contains(m.Text, noteEn) {
		t.Errorf("inline message after 中文: %q", m.Text)
	}
	// A query in Chinese opens in the script it was typed in.
	q = h.srv.InlineQuery(u, "外空軍備競賽")
	h.settle()
	rs, _ = h.srv.InlineAnswer(q)
	if len(rs) == 0 || strings.Contains(rs[0].Content.MessageText, noteEn) || !strings.Contains(rs[0].Content.MessageText, EscapeHTML(passage(rs[0].ID).TextHant)) {
		t.Errorf("traditional Chinese query results: %+v", rs)
	}
}
