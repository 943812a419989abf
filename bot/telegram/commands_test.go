package telegram

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// fakeSearcher ranks by a fixed list.
type fakeSearcher struct{ ids []string }

func (f fakeSearcher) Search(_ context.Context, q string, k int) (retrieval.Results, error) {
	var res retrieval.Results
	for _, id := range f.ids {
		res.Items = append(res.Items, retrieval.Result{Passage: passage(id)})
	}
	return res, nil
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name, lang, text string
		// check inspects the bot's replies.
		contains []string
		data     []string // callback data of the reply's buttons, if checked
	}{
		{"start en", "en", "/start", []string{"Hello! I answer questions"}, []string{"x:en:0", "x:en:1", "x:en:2"}},
		{"start ru", "ru", "/start", []string{"Здравствуйте!"}, []string{"x:ru:0", "x:ru:1", "x:ru:2"}},
		{"start zh-hant", "zh-hant", "/start", []string{"我回答關於"}, []string{"x:hant:0", "x:hant:1", "x:hant:2"}},
		{"help names the bot", "zh-hans", "/help", []string{"@declbot_test_bot 关键词"}, nil},
		{"cite", "zh-hans", "/cite 2.36", []string{"[2.36] 上海合作组织成员国元首理事会天津宣言 · 第二部分", passage("2.36").TextHans}, []string{"n:2.35:h", "n:2.37:h", "n:2.36:t", "n:2.36:en", "n:2.36:ru"}},
		{"cite en", "en", "/cite 2.36", []string{"[2.36] Tianjin Declaration · Part 2\n" + passage("2.36").TextEn + "\nUnofficial working translation; the Chinese text is authoritative."}, []string{"n:2.35:en", "n:2.37:en", "n:2.36:h", "n:2.36:t", "n:2.36:ru"}},
		{"cite ru statement", "ru", "/cite T3", []string{"[T3] Заявление о многосторонней торговой системе\n" + passage("T3").TextRu, "Неофициальный рабочий перевод"}, []string{"n:T2:ru", "n:T4:ru", "n:T3:h", "n:T3:t", "n:T3:en"}},
		{"cite traditional by script", "en", "/cite 第二部分第36段", []string{passage("2.36").TextHans}, nil},
		{"cite range", "en", "/cite 2.17-2.19", []string{"[2.17] Tianjin Declaration · Part 2\n" + passage("2.17").TextEn, "[2.18]", "[2.19]", passage("2.19").TextEn + "\n\nUnofficial working translation"}, nil},
		{"cite range zh", "zh-hant", "/cite 2.17-2.19", []string{passage("2.17").TextHant, passage("2.19").TextHant}, nil},
		{"cite unknown", "en", "/cite 9.99", []string{"No such paragraph: no paragraph 9.99", "valid IDs: 0.1; 1.1-"}, nil},
		{"cite unknown ru", "ru", "/cite 2.999", []string{"Такого пункта нет:"}, nil},
		{"cite usage", "en", "/cite", []string{"Write a paragraph ID after /cite"}, nil},
		{"ask usage", "ru", "/ask", []string{"Напишите вопрос после /ask"}, nil},
		{"search usage", "en", "/search", []string{"Write some words after /search"}, nil},
		{"search", "en", "/search outer space", []string{"Paragraphs best matching “outer space”:", "[2.36] The member states support", "[T3]"}, []string{"p:2.36:en", "p:T3:en"}},
		{"search zh", "en", "/search 外空", []string{"[2.36] 成员国支持防止外空武器化"}, []string{"p:2.36:h", "p:T3:h"}},
		{"sections", "en", "/sections", []string{"Contents", "Opening (0.1)", "Part 2 (2.1–"}, nil},
		{"new", "en", "/new", []string{"starting fresh"}, nil},
		{"unknown", "en", "/frobnicate", []string{"I don't know that command"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, WithSearcher(fakeSearcher{ids: []string{"2.36", "T3"}}))
			u := tgtest.NewUser(30, "C", tt.lang)
			chat := tgtest.PrivateChat(u)
			h.srv.SendText(chat, u, tt.text)
			h.settle()
			msgs := h.srv.BotMessages(chat.ID)
			if len(msgs) == 0 {
				t.Fatalf("no reply\n%s", h.srv.Transcript())
			}
			var all strings.Builder
			for _, m := range msgs {
				all.WriteString(m.Text + "\n")
			}
			for _, want := range tt.contains {
				if !strings.Contains(all.String(), want) {
					t.Errorf("reply lacks %q:\n%s", want, all.String())
				}
			}
			if tt.data != nil {
				if got := callbackData(msgs[len(msgs)-1]); !slices.Equal(got, tt.data) {
					t.Errorf("buttons = %v, want %v", got, tt.data)
				}
			}
			if len(h.ans.asked()) != 0 {
				t.Errorf("a command reached the engine: %v", h.ans.asked())
			}
		})
	}
}

func TestCiteInTraditionalScript(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(31, "T", "zh-hant")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "/cite 2.36")
	m := h.botMessages(chat.ID, 1)[0]
	if !strings.Contains(m.Text, passage("2.36").TextHant) {
		t.Errorf("a zh-Hant user gets %q", m.Text)
	}
	if got := callbackData(m); !slices.Contains(got, "n:2.36:h") {
		t.Errorf("no button for the simplified script: %v", got)
	}
}

func TestButtons(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(40, "D", "en")
	chat := tgtest.PrivateChat(u)

	// A source button under an answer opens the paragraph as a new message.
	h.srv.SendText(chat, u, "what about space?")
	answer := h.botMessages(chat.ID, 1)[0]
	h.settle()
	q := h.srv.PressButton(chat, u, answer.ID, callbackData(answer)[0])
	para := h.botMessages(chat.ID, 2)[1]
	h.settle()
	if !strings.HasPrefix(para.Text, "[2.36]") || para.ReplyTo != answer.ID {
		t.Fatalf("paragraph message = %+v", para)
	}
	if _, ok := h.srv.CallbackAnswer(q); !ok {
		t.Error("callback query not answered")
	}
	// Next replaces it in place.
	h.srv.PressButton(chat, u, para.ID, "n:2.37:h")
	h.settle()
	got, _ := h.srv.Message(chat.ID, para.ID)
	if !strings.HasPrefix(got.Text, "[2.37]") || got.Edits != 1 {
		t.Errorf("after next: %+v", got)
	}
	// The script toggle too.
	h.srv.PressButton(chat, u, para.ID, "n:2.37:t")
	h.settle()
	got, _ = h.srv.Message(chat.ID, para.ID)
	if !strings.Contains(got.Text, passage("2.37").TextHant) {
		t.Errorf("after toggle: %q", got.Text)
	}
	// A button on a message Telegram no longer shows sends a new one.
	h.srv.PressButton(chat, u, 9999, "n:2.38:h")
	h.settle()
	msgs := h.srv.BotMessages(chat.ID)
	if last := msgs[len(msgs)-1]; !strings.HasPrefix(last.Text, "[2.38]") {
		t.Errorf("inaccessible message: last is %q", last.Text)
	}

	// Sections: the contents, then a section's list.
	h.srv.SendText(chat, u, "/sections")
	h.settle()
	msgs = h.srv.BotMessages(chat.ID)
	toc := msgs[len(msgs)-1]
	data := callbackData(toc)
	if len(data) != len(testCorpus.Sections()) {
		t.Fatalf("contents has %d buttons for %d sections", len(data), len(testCorpus.Sections()))
	}
	h.srv.PressButton(chat, u, toc.ID, data[2]) // section 2
	h.settle()
	msgs = h.srv.BotMessages(chat.ID)
	sec := msgs[len(msgs)-1]
	if !strings.Contains(sec.Text, "[2.44]") || !slices.Contains(callbackData(sec), "p:2.44:en") {
		t.Errorf("section 2 view: %q %v", sec.Text, callbackData(sec))
	}

	// An example question from /start is asked like a typed one.
	h.srv.SendText(chat, u, "/start")
	h.settle()
	msgs = h.srv.BotMessages(chat.ID)
	welcome := msgs[len(msgs)-1]
	h.srv.PressButton(chat, u, welcome.ID, "x:ru:1")
	h.settle()
	qs := h.ans.asked()
	if last := qs[len(qs)-1]; last.Text != examples(corpus.LangRu)[1] {
		t.Errorf("example asked %q", last.Text)
	}
}

// Forged callback data must not read outside the corpus, crash, or send
// anything but a short "no longer valid".
func TestForgedCallbacks(t *testing.T) {
	h := start(t)
	u := tgtest.NewUser(50, "E", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "/cite 2.36")
	m := h.botMessages(chat.ID, 1)[0]
	h.settle()
	for _, data := range []string{
		"", "p", "p:", "p:2.36", "p:2.36:x", "p:9.99:h", "p:2.036:h", "p: 2.36:h", "p:二.36:h", "p:../../etc/passwd:h",
		"n:T99:t", "s:-1:h", "s:999:h", "s:01:h", "s:1e3:h", "x:en:3", "x:de:0", "x:en:-1", "x:en:00",
		"z:2.36:h", "p:2.36:h:extra", "p:2.36:de", "n:2.36:hans", "n:2.36:EN", "s:2:zh", "p:2.36:e", strings.Repeat("p", 65), "p:2.36:h\x00", "\xff\xfe",
		// Votes: without a review log every vote is stale; wrong shapes never parse.
		"f:0199a0b1c2d3e4f5a6b7:u", "f:0199a0b1c2d3e4f5a6b7:x", "f:0199A0B1C2D3E4F5A6B7:d", "f::u", "f:0199a0b1c2d3:d",
	} {
		q := h.srv.PressButton(chat, u, m.ID, data)
		h.settle()
		ans, ok := h.srv.CallbackAnswer(q)
		if !ok || ans.Params["text"] != "This button is no longer valid." {
			t.Errorf("data %q: callback answer %+v", data, ans.Params)
		}
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 1 {
		t.Errorf("forged callbacks produced %d messages", n)
	}
	if got, _ := h.srv.Message(chat.ID, m.ID); got.Edits != 0 {
		t.Error("a forged callback edited a message")
	}
	if h.bot.Stats().Panics != 0 {
		t.Error("a forged callback panicked")
	}
}

func TestParseCallbackRoundTrips(t *testing.T) {
	for _, p := range testCorpus.Passages() {
		for _, view := range corpus.LangTags() {
			for _, a := range []action{actionOpenParagraph, actionShowInPlace} {
				data := passageData(a, p.ID, view)
				cb, ok := parseCallback(testCorpus, data)
				if !ok || cb.passage.ID != p.ID || cb.view != view || cb.action != a || len(data) > maxCallbackData {
					t.Fatalf("%q does not round-trip: %+v %v", data, cb, ok)
				}
			}
		}
	}
	for i := range testCorpus.Sections() {
		for _, view := range corpus.LangTags() {
			data := sectionData(testCorpus, i, view)
			if cb, ok := parseCallback(testCorpus, data); !ok || cb.section != i || cb.view != view {
				t.Fatalf("%q does not round-trip: %+v %v", data, cb, ok)
			}
		}
	}
}

// Every language of the registry has its own view code, and none is
// taken by another (a new language's Code must not be "h" or "t").
func TestViewCodesDistinct(t *testing.T) {
	seen := map[string]corpus.Lang{}
	for _, l := range corpus.LangTags() {
		code := viewCode(l)
		if other, dup := seen[code]; dup {
			t.Errorf("%s and %s share the view code %q", l, other, code)
		}
		seen[code] = l
		if got, ok := parseView(code); !ok || got != l {
			t.Errorf("view code %q of %s parses as %q, %v", code, l, got, ok)
		}
	}
}

// TestCallbackWireFormat pins the callback data of each action: buttons
// already sent in chats carry these bytes, so renaming a constant must not
// change them.
func TestCallbackWireFormat(t *testing.T) {
	tests := []struct {
		data string
		want string
		a    action
	}{
		{passageData(actionOpenParagraph, "2.36", corpus.LangHans), "p:2.36:h", actionOpenParagraph},
		{passageData(actionShowInPlace, "T3", corpus.LangHant), "n:T3:t", actionShowInPlace},
		{passageData(actionOpenParagraph, "2.36", corpus.LangEn), "p:2.36:en", actionOpenParagraph},
		{passageData(actionShowInPlace, "W13", corpus.LangRu), "n:W13:ru", actionShowInPlace},
		{sectionData(testCorpus, 2, corpus.LangHans), "s:2:h", actionOpenSection},
		{sectionData(testCorpus, 3, corpus.LangEn), "s:3:en", actionOpenSection},
		{exampleData(corpus.LangRu, 1), "x:ru:1", actionAskExample},
		{feedbackData("0199a0b1c2d3e4f5a6b7", review.Down), "f:0199a0b1c2d3e4f5a6b7:d", actionFeedback},
	}
	for _, tc := range tests {
		if tc.data != tc.want {
			t.Errorf("callback data %q, want %q", tc.data, tc.want)
		}
		if cb, ok := parseCallback(testCorpus, tc.want); !ok || cb.action != tc.a {
			t.Errorf("%q parsed as %+v, %v; want action %q", tc.want, cb, ok, tc.a)
		}
	}
}

// FuzzParseCallback runs against the built-in pack and the synthetic
// qinghu2026 pack, whose qualified IDs hold a colon: whatever it accepts
// is exactly what the bot writes.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"p:2.36:h", "n:T3:t", "p:2.36:en", "n:W1:ru", "s:2:h", "s:3:ru", "x:en:1", "p:9.99:h", "p:2.36:hans", "",
		"n:qinghu2026:2.1:en", "p:qinghu2026:A2:t", "s:qinghu2026:2.1:h", "s:qinghu2026:2.2:h", "p:qinghu2026:2.1", "f:0199a0b1c2d3e4f5a6b7:u"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cb, ok := parseCallback(packCorpus, data)
		if !ok {
			return
		}
		switch cb.action {
		case actionOpenParagraph, actionShowInPlace:
			if _, in := packCorpus.Get(cb.passage.ID); !in || passageData(cb.action, cb.passage.ID, cb.view) != data {
				t.Fatalf("%q accepted as %+v", data, cb)
			}
		case actionOpenSection:
			if cb.section < 0 || cb.section >= len(packCorpus.Sections()) || sectionData(packCorpus, cb.section, cb.view) != data {
				t.Fatalf("%q accepted as %+v", data, cb)
			}
		case actionAskExample:
			if cb.example < 0 || cb.example > 2 || exampleData(cb.lang, cb.example) != data {
				t.Fatalf("%q: example %d", data, cb.example)
			}
		case actionFeedback:
			if feedbackData(cb.answer, cb.verdict) != data {
				t.Fatalf("%q accepted as %+v", data, cb)
			}
		default:
			t.Fatalf("%q: action %q", data, cb.action)
		}
	})
}

func TestMessageLang(t *testing.T) {
	tests := []struct {
		text, code string
		want       corpus.Lang
	}{
		{"T3", "zh-hans", corpus.LangHans},
		{"2.36 T3", "zh-hant", corpus.LangHant},
		{"SCO", "ru", corpus.LangRu},
		{"", "en", corpus.LangEn},
		{"What about AI?", "zh-hans", corpus.LangEn},
		{"外空", "en", corpus.LangHans},
		{"санкции", "zh-hans", corpus.LangRu},
		{"sanctions", "en", corpus.LangEn},
		// Paragraph IDs are no words: a qualified ID says nothing of the
		// reader's language.
		{"qinghu2026:A1", "ru", corpus.LangRu},
		{"astana2024:2.1-2.3 T3", "zh-hans", corpus.LangHans},
		{"qinghu2026:2.1, qinghu2026:A2", "zh-hant", corpus.LangHant},
		{"what does qinghu2026:2.1 say", "ru", corpus.LangEn},
	}
	for _, tt := range tests {
		if got := messageLang(tt.text, tt.code); got != tt.want {
			t.Errorf("messageLang(%q, %q) = %s, want %s", tt.text, tt.code, got, tt.want)
		}
	}
}
