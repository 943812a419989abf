package telegram

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/history"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/metrics"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// The Telegram front end with more than the built-in pack loaded: the
// synthetic qinghu2026 pack of testdata/packs (never a real text), whose
// IDs are qualified ("qinghu2026:2.1") and hold a colon, and plain2027, a
// copy of its passages without translations or question lists.

const packsDir = "../../testdata/packs"

// packCorpus is the built-in pack and qinghu2026.
var packCorpus = func() *corpus.Corpus {
	c, err := corpus.Load(corpus.WithPackDir(packsDir))
	if err != nil {
		panic(err)
	}
	return c
}()

func packPassage(t *testing.T, c *corpus.Corpus, id string) corpus.Passage {
	t.Helper()
	p, ok := c.Get(id)
	if !ok {
		t.Fatalf("no passage %s", id)
	}
	return p
}

// plainPackFS is qinghu2026's pack.json and passages as pack plain2027,
// with no translations/ and no questions/: a pack whose readers of
// English and Russian get the Chinese.
func plainPackFS(t *testing.T) fstest.MapFS {
	t.Helper()
	meta, err := os.ReadFile(filepath.Join(packsDir, "qinghu2026", "pack.json"))
	if err != nil {
		t.Fatal(err)
	}
	passages, err := os.ReadFile(filepath.Join(packsDir, "qinghu2026", "passages.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		"pack.json":      {Data: []byte(strings.Replace(string(meta), `"qinghu2026"`, `"plain2027"`, 1))},
		"passages.jsonl": {Data: passages},
	}
}

// plainCorpus is the built-in pack and plain2027 (no qinghu2026).
func plainCorpus(t *testing.T) *corpus.Corpus {
	t.Helper()
	c, err := corpus.Load(corpus.WithPackFS("plain2027", plainPackFS(t)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startPacks(t *testing.T, c *corpus.Corpus, a Answerer, opts ...Option) *harness {
	t.Helper()
	if a == nil {
		a = &fakeAnswerer{}
	}
	return startCorpus(t, tgtest.NewServer(t), c, a, opts...)
}

// citing is a fakeAnswerer reply that cites ids of c, in the question's
// language.
func citing(c *corpus.Corpus, ids ...string) func(q bot.Question) (bot.Answer, []string, error) {
	return func(q bot.Question) (bot.Answer, []string, error) {
		a := bot.Answer{Text: "Answer to: " + q.Text, Grounded: true, Mode: bot.ModeExtractive, Lang: corpus.DetectLang(q.Text)}
		for _, id := range ids {
			p, ok := c.Get(id)
			if !ok {
				return bot.Answer{}, nil, errors.New("no passage " + id)
			}
			a.Citations = append(a.Citations, p)
			a.Text += " [" + id + "]"
		}
		return a, nil, nil
	}
}

// lastReply sends text from u in chat and returns the bot's last message
// after it.
func (h *harness) lastReply(chat models.Chat, u models.User, text string) tgtest.Message {
	h.t.Helper()
	before := len(h.srv.BotMessages(chat.ID))
	h.srv.SendText(chat, u, text)
	h.settle()
	msgs := h.srv.BotMessages(chat.ID)
	if len(msgs) == before {
		h.t.Fatalf("%q: no reply\n%s", text, h.srv.Transcript())
	}
	return msgs[len(msgs)-1]
}

// Callback data with qualified IDs round-trips, fits in 64 bytes for the
// longest pack ID, and old buttons of the built-in pack read as before.
func TestPackCallbackData(t *testing.T) {
	for _, p := range packCorpus.Passages() {
		for _, view := range corpus.LangTags() {
			for _, a := range []action{actionOpenParagraph, actionShowInPlace} {
				data := passageData(a, p.ID, view)
				cb, ok := parseCallback(packCorpus, data)
				if !ok || cb.passage.ID != p.ID || cb.view != view || cb.action != a || len(data) > maxCallbackData {
					t.Fatalf("%q does not round-trip: %+v %v", data, cb, ok)
				}
			}
		}
	}
	for i := range packCorpus.Sections() {
		for _, view := range corpus.LangTags() {
			data := sectionData(packCorpus, i, view)
			if cb, ok := parseCallback(packCorpus, data); !ok || cb.section != i || cb.view != view {
				t.Fatalf("%q does not round-trip: %+v %v", data, cb, ok)
			}
		}
	}

	qinghuPart2 := slices.IndexFunc(packCorpus.Sections(), func(s corpus.Section) bool { return s.FirstID(packCorpus) == "qinghu2026:2.1" })
	wire := []struct{ data, want string }{
		{passageData(actionShowInPlace, "qinghu2026:2.1", corpus.LangEn), "n:qinghu2026:2.1:en"},
		{passageData(actionOpenParagraph, "qinghu2026:A2", corpus.LangHant), "p:qinghu2026:A2:t"},
		// The built-in pack's sections keep their indexes; another pack's
		// are named by their first paragraph.
		{sectionData(packCorpus, 2, corpus.LangHans), "s:2:h"},
		{sectionData(packCorpus, qinghuPart2, corpus.LangRu), "s:qinghu2026:2.1:ru"},
	}
	for _, w := range wire {
		if w.data != w.want {
			t.Errorf("callback data %q, want %q", w.data, w.want)
		}
	}

	// Buttons already sent, with built-in IDs, open what they always did
	// with other packs loaded.
	for data, want := range map[string]string{"p:2.36:h": "2.36", "n:T3:t": "T3", "n:W13:ru": "W13", "p:0.1:en": "0.1"} {
		if cb, ok := parseCallback(packCorpus, data); !ok || cb.passage.ID != want {
			t.Errorf("old button %q: %+v, %v", data, cb, ok)
		}
	}
	for data, want := range map[string]int{"s:0:h": 0, "s:2:en": 2, "s:7:ru": 7} {
		if cb, ok := parseCallback(packCorpus, data); !ok || cb.section != want {
			t.Errorf("old button %q: %+v, %v", data, cb, ok)
		}
	}
	if cb, ok := parseCallback(packCorpus, "x:ru:1"); !ok || cb.lang != corpus.LangRu || cb.example != 1 {
		t.Errorf("x:ru:1: %+v, %v", cb, ok)
	}
	if cb, ok := parseCallback(packCorpus, "f:0199a0b1c2d3e4f5a6b7:d"); !ok || cb.verdict != review.Down {
		t.Errorf("feedback: %+v, %v", cb, ok)
	}

	for _, data := range []string{
		"p:qinghu2026:9.9:h", "p:qinghu2026:2.1", "p:QINGHU2026:2.1:h", "p:qinghu2026:2.1:h:x", "p:qinghu2026::h",
		"p::qinghu2026:2.1:h", "p:astana2024:2.1:h", "p:tianjin2025:2.36:h", "p:qinghu2026:2-1:h", "p:qinghu2026:二.1:h",
		"p:qinghu2026: 2.1:h", "n:qinghu2026:a1:en",
		// A section is named by its first paragraph only, and another
		// pack's section never by index.
		"s:qinghu2026:2.2:h", "s:" + strconv.Itoa(qinghuPart2) + ":h", "s:qinghu2026:2.1", "s:2.1:h", "s:T1:h",
		"x:en:0:1", "x:en:qinghu2026:0", "f:0199a0b1c2d3e4f5a6b7:u:x", "f:qinghu2026:0199a0b1c2d3e4f5a6b7:u",
	} {
		if cb, ok := parseCallback(packCorpus, data); ok {
			t.Errorf("%q accepted as %+v", data, cb)
		}
	}

	// The longest pack ID (32 characters) and the longest local IDs still
	// leave room.
	long := "abcdefghijklmnopqrstuvwxyz012345"
	c, err := corpus.Load(corpus.WithPackFS("long", fstest.MapFS{
		"pack.json": {Data: []byte(`{"id":"` + long + `","date":"2030-01-01","place":{"zh-Hans":"某地"},"documents":[` +
			`{"key":"declaration","kind":"declaration","prefix":"","title":{"zh-Hans":"宣言"}},` +
			`{"key":"z","kind":"statement","prefix":"Z","title":{"zh-Hans":"声明"}}]}`)},
		"passages.jsonl": {Data: []byte(`{"id":"9.999","doc":"declaration","section":"9","text_hans":"文","text_hant":"文"}` + "\n" +
			`{"id":"Z999","doc":"z","section":"Z","text_hans":"文","text_hant":"文"}` + "\n")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Passages() {
		if p.Pack != long {
			continue
		}
		for _, view := range corpus.LangTags() {
			data := passageData(actionShowInPlace, p.ID, view)
			if cb, ok := parseCallback(c, data); len(data) > maxCallbackData || !ok || cb.passage.ID != p.ID {
				t.Errorf("%q (%d bytes): %+v, %v", data, len(data), cb, ok)
			}
		}
	}
	for i := range c.Sections() {
		if data := sectionData(c, i, corpus.LangRu); len(data) > maxCallbackData {
			t.Errorf("%q is %d bytes", data, len(data))
		}
	}
}

// Commands with the synthetic pack loaded, in every language: /cite of
// qualified IDs and ranges, the contents, /docs.
func TestPackCommands(t *testing.T) {
	q := func(id string) corpus.Passage { return packPassage(t, packCorpus, id) }
	tests := []struct {
		name, lang, text string
		contains         []string
		lacks            []string
		data             []string // callback data of the last reply's buttons, if checked
		labels           []string // their labels, if checked
	}{
		{"cite qualified range en", "en", "/cite qinghu2026:2.1-2.3",
			[]string{"[qinghu2026:2.1] Qinghu Declaration · Part 2\n" + q("qinghu2026:2.1").TextEn + "\n\n[qinghu2026:2.2] Qinghu Declaration · Part 2\n",
				q("qinghu2026:2.3").TextEn + "\n\n" + noteEn},
			[]string{"[qinghu2026:3.1]", "[qinghu2026:1.3]"}, nil, nil},
		{"cite qualified short range ru", "ru", "/cite qinghu2026:1.2-3",
			[]string{"[qinghu2026:1.2] Цинхуская декларация · Раздел 1\n" + q("qinghu2026:1.2").TextRu, "[qinghu2026:1.3]", "Неофициальный рабочий перевод"},
			[]string{"[qinghu2026:1.1]", "[qinghu2026:2.1]"}, nil, nil},
		{"cite one paragraph en", "en", "/cite qinghu2026:2.2",
			[]string{"[qinghu2026:2.2] Qinghu Declaration · Part 2\n" + q("qinghu2026:2.2").TextEn + "\n" + noteEn}, nil,
			[]string{"n:qinghu2026:2.1:en", "n:qinghu2026:2.3:en", "n:qinghu2026:2.2:h", "n:qinghu2026:2.2:t", "n:qinghu2026:2.2:ru"},
			[]string{"◀ 2.1", "2.3 ▶", "中文", "繁體", "Русский"}},
		// A qualified ID is no sign of the reader's language: a Russian
		// user gets Russian.
		{"cite statement ru", "ru", "/cite qinghu2026:A1",
			[]string{"[qinghu2026:A1] " + q("qinghu2026:A1").Document().ShortTitle(corpus.LangRu) + "\n" + q("qinghu2026:A1").TextRu}, nil,
			[]string{"n:qinghu2026:A2:ru", "n:qinghu2026:A1:h", "n:qinghu2026:A1:t", "n:qinghu2026:A1:en"},
			[]string{"A2 ▶", "中文", "繁體", "English"}},
		{"cite last of a document zh", "zh-hans", "/cite qinghu2026:3.1",
			[]string{"[qinghu2026:3.1] 上海合作组织成员国元首理事会青湖宣言（测试用虚构文本） · 第三部分\n" + q("qinghu2026:3.1").TextHans}, []string{"非官方"},
			[]string{"n:qinghu2026:2.3:h", "n:qinghu2026:3.1:t", "n:qinghu2026:3.1:en", "n:qinghu2026:3.1:ru"}, nil},
		{"cite chinese numerals", "zh-hans", "/cite qinghu2026:第二部分第2段",
			[]string{"[qinghu2026:2.2] 上海合作组织成员国元首理事会青湖宣言（测试用虚构文本） · 第二部分\n" + q("qinghu2026:2.2").TextHans}, nil, nil, nil},
		{"cite traditional", "zh-hant", "/cite qinghu2026:2.2",
			[]string{"[qinghu2026:2.2] 上海合作組織成員國元首理事會青湖宣言（測試用虛構文本） · 第二部分\n" + q("qinghu2026:2.2").TextHant}, nil, nil, nil},
		{"cite mixed list", "en", "/cite 2.36, qinghu2026:1.2",
			[]string{"[2.36] Tianjin Declaration · Part 2\n" + q("2.36").TextEn, "[qinghu2026:1.2] Qinghu Declaration · Part 1\n" + q("qinghu2026:1.2").TextEn}, nil, nil, nil},
		{"cite built-in unchanged", "en", "/cite 2.36",
			[]string{"[2.36] Tianjin Declaration · Part 2\n" + q("2.36").TextEn + "\n" + noteEn}, nil,
			[]string{"n:2.35:en", "n:2.37:en", "n:2.36:h", "n:2.36:t", "n:2.36:ru"}, []string{"◀ 2.35", "2.37 ▶", "中文", "繁體", "Русский"}},
		{"cite unknown paragraph", "en", "/cite qinghu2026:9.9",
			[]string{"No such paragraph: no paragraph qinghu2026:9.9", "qinghu2026:1.1-1.3"}, nil, nil, nil},
		{"cite unknown pack", "ru", "/cite astana2024:2.1",
			[]string{"Такого пункта нет:", `no document pack "astana2024" is loaded (loaded: tianjin2025, qinghu2026)`}, nil, nil, nil},
		{"docs en", "en", "/docs",
			[]string{"Documents I answer from:\n\ntianjin2025 (Tianjin, 2025-09-01)\n• Tianjin Declaration: 0.1–5.8, 135 paragraphs\n• Statement on trade: T1–T18, 18 paragraphs\n",
				"Working translations: English, Русский.\n\nqinghu2026 (Qinghu, 2026-06-15)\n• Qinghu Declaration: qinghu2026:0.1–3.1, 8 paragraphs\n• Statement on water: qinghu2026:A1–A2, 2 paragraphs\nWorking translations: English, Русский.",
				"To answer from one set only, send /doc ID, e.g. /doc qinghu2026."}, []string{"📌"}, nil, nil},
		{"docs zh-Hans", "zh-hans", "/docs",
			[]string{"我依据以下文件回答：", "tianjin2025（天津，2025-09-01）\n• 天津宣言：0.1–5.8，共135段", "qinghu2026（青湖，2026-06-15）\n• 青湖宣言：qinghu2026:0.1–3.1，共8段\n• 水资源合作声明：qinghu2026:A1–A2，共2段\n工作译文：English、Русский。", "/doc qinghu2026"}, nil, nil, nil},
		{"docs zh-Hant", "zh-hant", "/docs",
			[]string{"我依據以下文件回答：", "• 水資源合作聲明：qinghu2026:A1–A2，共2段\n工作譯文：English、Русский。"}, nil, nil, nil},
		{"docs ru", "ru", "/docs",
			[]string{"Документы, по которым я отвечаю:", "qinghu2026 (Цинху, 2026-06-15)\n• Цинхуская декларация: qinghu2026:0.1–3.1, пунктов: 8", "Рабочие переводы: English, Русский."}, nil, nil, nil},
		{"contents", "en", "/sections",
			[]string{"tianjin2025 (Tianjin, 2025-09-01)\nTianjin Declaration of the Council of Heads of State of the SCO\n• Opening (0.1)\n• Part 1 (1.1–1.17)",
				"qinghu2026 (Qinghu, 2026-06-15)\nQinghu Declaration (a fictional text for tests)\n• Opening (qinghu2026:0.1)\n• Part 1 (qinghu2026:1.1–1.3)\n• Part 2 (qinghu2026:2.1–2.3)\n• Part 3 (qinghu2026:3.1)\n\nStatement on water cooperation (a fictional text for tests)\n• Statement on water (qinghu2026:A1–A2)"},
			nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startPacks(t, packCorpus, nil)
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
			for _, no := range tt.lacks {
				if strings.Contains(all.String(), no) {
					t.Errorf("reply has %q:\n%s", no, all.String())
				}
			}
			last := msgs[len(msgs)-1]
			if tt.data != nil {
				if got := callbackData(last); !slices.Equal(got, tt.data) {
					t.Errorf("buttons = %v, want %v", got, tt.data)
				}
			}
			if tt.labels != nil {
				var got []string
				for _, b := range buttons(last) {
					got = append(got, b.Text)
				}
				if !slices.Equal(got, tt.labels) {
					t.Errorf("labels = %v, want %v", got, tt.labels)
				}
			}
			if len(h.ans.asked()) != 0 {
				t.Errorf("a command reached the engine: %v", h.ans.asked())
			}
		})
	}
}

// labels returns the labels of m's buttons, row by row.
func labelRows(m tgtest.Message) [][]string {
	if m.Markup == nil {
		return nil
	}
	var out [][]string
	for _, row := range m.Markup.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.Text)
		}
		out = append(out, r)
	}
	return out
}

// Source buttons under an answer name each paragraph's document in the
// reader's language when several packs are loaded; they open qualified
// paragraphs, whose prev/next and language buttons work in place; the
// 👍/👎 row under them still records the vote.
func TestPackSourceButtons(t *testing.T) {
	m := metrics.New()
	rs := openReview(t, m)
	a := &fakeAnswerer{reply: citing(packCorpus, "qinghu2026:2.1", "2.36", "qinghu2026:A1")}
	h := startPacks(t, packCorpus, a, WithReview(rs), WithMetrics(m))

	tests := []struct {
		code, question string
		labels         [][]string
		data           []string
	}{
		{"en", "what about glaciers and water?",
			[][]string{{"📄 2.1 · Qinghu Declaration", "📄 2.36 · Tianjin Declaration"}, {"📄 A1 · Statement on water"}, {"👍", "👎"}},
			[]string{"p:qinghu2026:2.1:en", "p:2.36:en", "p:qinghu2026:A1:en"}},
		{"zh-hans", "冰川和水资源怎么说？",
			[][]string{{"📄 2.1 · 青湖宣言", "📄 2.36 · 天津宣言"}, {"📄 A1 · 水资源合作声明"}, {"👍", "👎"}},
			[]string{"p:qinghu2026:2.1:h", "p:2.36:h", "p:qinghu2026:A1:h"}},
		{"zh-hant", "冰川和水資源怎麼說？",
			[][]string{{"📄 2.1 · 青湖宣言", "📄 2.36 · 天津宣言"}, {"📄 A1 · 水資源合作聲明"}, {"👍", "👎"}},
			[]string{"p:qinghu2026:2.1:t", "p:2.36:t", "p:qinghu2026:A1:t"}},
		{"ru", "что сказано о ледниках?",
			[][]string{{"📄 2.1 · Цинхуская декларация", "📄 2.36 · Тяньцзиньская декларация"}, {"📄 A1 · " + packPassage(t, packCorpus, "qinghu2026:A1").Document().ShortTitle(corpus.LangRu)}, {"👍", "👎"}},
			[]string{"p:qinghu2026:2.1:ru", "p:2.36:ru", "p:qinghu2026:A1:ru"}},
	}
	for i, tt := range tests {
		u := tgtest.NewUser(int64(80+i), "S", tt.code)
		chat := tgtest.PrivateChat(u)
		ans := h.lastReply(chat, u, tt.question)
		if got := labelRows(ans); !slices.EqualFunc(got, tt.labels, slices.Equal) {
			t.Errorf("%s: button rows %q, want %q", tt.code, got, tt.labels)
		}
		if got := callbackData(ans); !slices.Equal(got[:len(got)-2], tt.data) {
			t.Errorf("%s: source data %v, want %v", tt.code, got, tt.data)
		}
	}

	// An English reader opens the qualified source, steps through its
	// document in place and switches it to the Chinese.
	u := tgtest.NewUser(80, "S", "en")
	chat := tgtest.PrivateChat(u)
	answer := h.srv.BotMessages(chat.ID)[0]
	h.srv.PressButton(chat, u, answer.ID, "p:qinghu2026:2.1:en")
	para := h.botMessages(chat.ID, 2)[1]
	h.settle()
	p := packPassage(t, packCorpus, "qinghu2026:2.1")
	if want := "[qinghu2026:2.1] Qinghu Declaration · Part 2\n" + p.TextEn + "\n" + noteEn; para.Text != want || para.ReplyTo != answer.ID {
		t.Fatalf("source view (reply to %d):\n%s\nwant\n%s", para.ReplyTo, para.Text, want)
	}
	if got := labelRows(para); !slices.EqualFunc(got, [][]string{{"◀ 1.3", "2.2 ▶"}, {"中文", "繁體", "Русский"}}, slices.Equal) {
		t.Errorf("paragraph buttons %q", got)
	}
	for _, step := range []struct{ label, want string }{
		{"2.2 ▶", "[qinghu2026:2.2] Qinghu Declaration · Part 2\n" + packPassage(t, packCorpus, "qinghu2026:2.2").TextEn},
		{"2.3 ▶", "[qinghu2026:2.3] Qinghu Declaration · Part 2\n"},
		{"3.1 ▶", "[qinghu2026:3.1] Qinghu Declaration · Part 3\n"},
		{"中文", "[qinghu2026:3.1] 上海合作组织成员国元首理事会青湖宣言（测试用虚构文本） · 第三部分\n" + packPassage(t, packCorpus, "qinghu2026:3.1").TextHans},
		{"◀ 2.3", "[qinghu2026:2.3] 上海合作组织成员国元首理事会青湖宣言（测试用虚构文本） · 第二部分\n"},
	} {
		cur, _ := h.srv.Message(chat.ID, para.ID)
		h.srv.PressButton(chat, u, para.ID, buttonData(t, cur, step.label))
		h.settle()
		got, _ := h.srv.Message(chat.ID, para.ID)
		if !strings.HasPrefix(got.Text, step.want) {
			t.Fatalf("after %q:\n%s\nwant a start of\n%s", step.label, got.Text, step.want)
		}
	}
	// The last paragraph of a document has no ▶: the neighbours are the
	// document's own.
	h.srv.PressButton(chat, u, para.ID, "n:qinghu2026:3.1:en")
	h.settle()
	got, _ := h.srv.Message(chat.ID, para.ID)
	if rows := labelRows(got); !slices.Equal(rows[0], []string{"◀ 2.3"}) {
		t.Errorf("last paragraph's navigation: %q", rows)
	}
	if n := len(h.srv.BotMessages(chat.ID)); n != 2 {
		t.Errorf("stepping sent new messages: %d bot messages", n)
	}

	// The vote under the answer is recorded with the qualified citations.
	up, _ := feedbackRow(t, answer)
	if got := toast(t, h, h.srv.PressButton(chat, u, answer.ID, up)); got != text(corpus.LangEn, i18n.FeedbackUp) {
		t.Errorf("vote toast %q", got)
	}
	h.settle()
	rec := recordOf(t, rs, tests[0].question)
	if !slices.Equal(rec.Cited, []string{"qinghu2026:2.1", "2.36", "qinghu2026:A1"}) {
		t.Errorf("review record cites %v", rec.Cited)
	}
}

// Inline mode looks up qualified IDs; results are titled with the
// document, and the message posted switches language in place.
func TestPackInline(t *testing.T) {
	tests := []struct {
		name     string
		c        *corpus.Corpus
		code, q  string
		id       string // the first result's ID
		title    string // its title
		contains string // in its message
	}{
		{"qualified en", packCorpus, "en", "qinghu2026:2.1", "qinghu2026:2.1", "[qinghu2026:2.1] Qinghu Declaration · Part 2", "<i>" + noteEn + "</i>"},
		{"qualified range ru", packCorpus, "ru", "qinghu2026:A1-A2", "qinghu2026:A1", "[qinghu2026:A1] " + packPassage(t, packCorpus, "qinghu2026:A1").Document().ShortTitle(corpus.LangRu), "Неофициальный"},
		{"qualified zh", packCorpus, "zh-hans", "qinghu2026:二.3", "qinghu2026:2.3", "[qinghu2026:2.3] 青湖宣言 · 第二部分", "上合组织冰川监测网络"},
		{"text zh", packCorpus, "zh-hans", "冰川监测", "qinghu2026:2.3", "[qinghu2026:2.3] 青湖宣言 · 第二部分", "冰川"},
		{"statement zh-hant", packCorpus, "zh-hant", "qinghu2026:A2", "qinghu2026:A2", "[qinghu2026:A2] 水資源合作聲明", ""},
		// With several packs a built-in result names its document too;
		// with the built-in pack alone it reads as it always did.
		{"built-in, packs", packCorpus, "zh-hans", "2.36", "2.36", "[2.36] 天津宣言 · 第二部分", ""},
		{"built-in alone", testCorpus, "zh-hans", "2.36", "2.36", "[2.36] 第二部分", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startPacks(t, tt.c, nil)
			u := tgtest.NewUser(74, "I", tt.code)
			q := h.srv.InlineQuery(u, tt.q)
			h.settle()
			rs, ok := h.srv.InlineAnswer(q)
			if !ok || len(rs) == 0 {
				t.Fatalf("no results: %+v\n%s", rs, h.srv.Transcript())
			}
			r := rs[0]
			if r.ID != tt.id || r.Title != tt.title || !strings.Contains(r.Content.MessageText, tt.contains) {
				t.Fatalf("result %q %q\n%s", r.ID, r.Title, r.Content.MessageText)
			}
			inlineID, ok := h.srv.ChooseInlineResult(u, q, r.ID)
			if !ok {
				t.Fatal("could not choose the result")
			}
			// Another reader switches the posted message to English.
			other := tgtest.NewUser(75, "Reader", "en")
			h.srv.PressInlineMessageButton(other, inlineID, passageData(actionShowInPlace, r.ID, corpus.LangEn))
			h.settle()
			m, _ := h.srv.InlineMessage(inlineID)
			if want := "[" + r.ID + "] "; !strings.HasPrefix(m.Text, want) || !strings.Contains(m.Text, packPassage(t, tt.c, r.ID).TextEn) {
				t.Errorf("inline message after English: %q", m.Text)
			}
		})
	}
}

// The contents list every loaded document; its buttons open the built-in
// pack's sections by index and another pack's by first paragraph; a
// section's list opens its paragraphs.
func TestPackSections(t *testing.T) {
	h := startPacks(t, packCorpus, nil)
	u := tgtest.NewUser(41, "T", "en")
	chat := tgtest.PrivateChat(u)
	toc := h.lastReply(chat, u, "/sections")
	if n := len(buttons(toc)); n != len(packCorpus.Sections()) {
		t.Fatalf("contents has %d buttons for %d sections", n, len(packCorpus.Sections()))
	}
	tests := []struct {
		label, data string
		heading     string
		ids         []string // paragraph button labels
		first       string   // data of the first
	}{
		{"Tianjin Declaration · Part 2 (2.1–2.44)", "s:2:en", "Tianjin Declaration · Part 2 (2.1–2.44)", nil, "p:2.1:en"},
		{"Statement on the multilateral trading system (T1–T18)", "s:6:en", "Statement on the multilateral trading system (T1–T18)", nil, "p:T1:en"},
		{"Qinghu Declaration · Part 2 (qinghu2026:2.1–2.3)", "s:qinghu2026:2.1:en", "Qinghu Declaration · Part 2 (qinghu2026:2.1–2.3)\n\n[qinghu2026:2.1] The member states",
			[]string{"2.1", "2.2", "2.3"}, "p:qinghu2026:2.1:en"},
		{"Statement on water (qinghu2026:A1–A2)", "s:qinghu2026:A1:en", "Statement on water (qinghu2026:A1–A2)\n\n[qinghu2026:A1]",
			[]string{"A1", "A2"}, "p:qinghu2026:A1:en"},
	}
	for _, tt := range tests {
		if got := buttonData(t, toc, tt.label); got != tt.data {
			t.Errorf("%s: data %q, want %q", tt.label, got, tt.data)
		}
		before := len(h.srv.BotMessages(chat.ID))
		h.srv.PressButton(chat, u, toc.ID, tt.data)
		sec := h.botMessages(chat.ID, before+1)[before]
		h.settle()
		if !strings.HasPrefix(sec.Text, tt.heading) {
			t.Errorf("section %s:\n%s", tt.data, sec.Text)
		}
		var labels []string
		for _, b := range buttons(sec) {
			labels = append(labels, b.Text)
		}
		if tt.ids != nil && !slices.Equal(labels, tt.ids) {
			t.Errorf("section %s buttons %v, want %v", tt.data, labels, tt.ids)
		}
		if d := callbackData(sec); len(d) == 0 || d[0] != tt.first {
			t.Errorf("section %s: first button %v", tt.data, d)
		}
	}
	// A paragraph button of the qualified section opens it.
	msgs := h.srv.BotMessages(chat.ID)
	sec := msgs[len(msgs)-1]
	h.srv.PressButton(chat, u, sec.ID, "p:qinghu2026:A2:en")
	para := h.botMessages(chat.ID, len(msgs)+1)[len(msgs)]
	if !strings.HasPrefix(para.Text, "[qinghu2026:A2] Statement on water\n") {
		t.Errorf("paragraph from the section: %q", para.Text)
	}
}

// packSearcher ranks passages of c by a fixed list and records k.
type packSearcher struct {
	c   *corpus.Corpus
	ids []string
	mu  sync.Mutex
	ks  []int
}

func (s *packSearcher) Search(_ context.Context, _ string, k int) (retrieval.Results, error) {
	s.mu.Lock()
	s.ks = append(s.ks, k)
	s.mu.Unlock()
	var res retrieval.Results
	for _, id := range s.ids {
		if len(res.Items) == k {
			break
		}
		p, _ := s.c.Get(id)
		res.Items = append(res.Items, retrieval.Result{Passage: p})
	}
	return res, nil
}

func lastAsked(t *testing.T, a *fakeAnswerer) bot.Question {
	t.Helper()
	qs := a.asked()
	if len(qs) == 0 {
		t.Fatal("nothing asked")
	}
	return qs[len(qs)-1]
}

// /doc pins a chat to one pack, in any language: its questions are asked
// limited to that pack and its /search finds that pack's paragraphs; the
// pin is the chat's, not the user's or another chat's, and it survives a
// restart in the history database.
func TestDocPin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	store, err := history.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	search := &packSearcher{c: packCorpus, ids: []string{"2.36", "qinghu2026:2.3", "T3", "qinghu2026:A1", "3.21", "4.4", "qinghu2026:1.1"}}
	a := &fakeAnswerer{reply: citing(packCorpus, "qinghu2026:2.3")}
	h := startPacks(t, packCorpus, a, WithHistory(store), WithSettings(store), WithSearcher(search))
	u := tgtest.NewUser(90, "P", "en")
	chat := tgtest.PrivateChat(u)
	other := tgtest.NewUser(91, "O", "zh-hans")
	otherChat := tgtest.PrivateChat(other)
	group := tgtest.Group(900, "G")

	steps := []struct {
		chat  models.Chat
		from  models.User
		text  string
		reply string   // the reply, exactly ("" to skip)
		packs []string // for questions: what the engine was asked with
	}{
		{chat, u, "/doc", "This chat uses every loaded set of documents: tianjin2025, qinghu2026.\nTo answer from one only, send /doc ID, e.g. /doc qinghu2026; /docs describes them.", nil},
		{chat, u, "what about glaciers?", "", nil},
		{chat, u, "/doc QINGHU2026", "Done: questions in this chat are now answered from qinghu2026 (Qinghu, 2026-06-15) alone. Send /doc all to use every set again.", nil},
		{chat, u, "what about glaciers?", "", []string{"qinghu2026"}},
		{chat, u, "/doc", "This chat is pinned to qinghu2026 (Qinghu, 2026-06-15): questions are answered from it alone.\nSend /doc all to use every set again, or /doc ID for another; /docs describes them.", nil},
		{otherChat, other, "冰川怎么说？", "", nil},
		{otherChat, other, "/doc ｑｉｎｇｈｕ２０２６", "好的：本聊天的问题今后只依据 qinghu2026（青湖，2026-06-15） 回答。发送 /doc 全部 恢复使用全部文件。", nil},
		{otherChat, other, "/doc 全部", "好的：本聊天的问题重新依据已载入的全部文件回答。", nil},
		{otherChat, other, "冰川怎么说？", "", nil},
		{group, u, "/doc@declbot_test_bot tianjin2025", "Done: questions in this chat are now answered from tianjin2025 (Tianjin, 2025-09-01) alone. Send /doc all to use every set again.", nil},
		{group, other, "/ask 冰川怎么说？", "", []string{"tianjin2025"}},
		{group, u, "/doc nosuch", "No set of documents “nosuch” is loaded. Loaded: tianjin2025, qinghu2026. Send /doc with one of these IDs, or /docs to see what each holds.", nil},
		{group, u, "/doc <b>astana 2024</b>", "No set of documents “astana 2024” is loaded. Loaded: tianjin2025, qinghu2026. Send /doc with one of these IDs, or /docs to see what each holds.", nil},
		{group, other, "/ask 冰川怎么说？", "", []string{"tianjin2025"}},
	}
	for i, st := range steps {
		before := len(a.asked())
		got := h.lastReply(st.chat, st.from, st.text)
		if st.reply != "" && got.Text != st.reply {
			t.Errorf("step %d %q:\n%s\nwant\n%s", i, st.text, got.Text, st.reply)
		}
		isQuestion := !strings.HasPrefix(st.text, "/doc")
		if n := len(a.asked()); isQuestion != (n == before+1) {
			t.Fatalf("step %d %q: %d questions asked", i, st.text, n-before)
		}
		if isQuestion && !slices.Equal(lastAsked(t, a).Packs, st.packs) {
			t.Errorf("step %d %q: asked with packs %v, want %v", i, st.text, lastAsked(t, a).Packs, st.packs)
		}
	}

	// /search in the pinned chat offers the pinned pack's paragraphs,
	// asking the searcher for more than it shows; elsewhere, all packs'.
	res := h.lastReply(chat, u, "/search glaciers water")
	if got := callbackData(res); !slices.Equal(got, []string{"p:qinghu2026:2.3:en", "p:qinghu2026:A1:en", "p:qinghu2026:1.1:en"}) {
		t.Errorf("pinned /search buttons %v\n%s", got, res.Text)
	}
	if ks := search.ks; len(ks) == 0 || ks[len(ks)-1] <= maxSearch {
		t.Errorf("pinned /search asked the searcher for %v", ks)
	}
	res = h.lastReply(otherChat, other, "/search 冰川")
	if got := callbackData(res); !slices.Equal(got, []string{"p:2.36:h", "p:qinghu2026:2.3:h", "p:T3:h", "p:qinghu2026:A1:h", "p:3.21:h"}) {
		t.Errorf("unpinned /search buttons %v", got)
	}
	// IDs typed are shown whatever the pin.
	res = h.lastReply(chat, u, "/search 2.36")
	if got := callbackData(res); !slices.Equal(got, []string{"p:2.36:en"}) {
		t.Errorf("pinned /search of an ID: %v", got)
	}
	// /docs marks the pin.
	docs := h.lastReply(chat, u, "/docs")
	if !strings.Contains(docs.Text, "📌 qinghu2026 (Qinghu, 2026-06-15)\n") || !strings.HasSuffix(docs.Text, "📌 This chat is pinned to qinghu2026. Send /doc all to use every set again.") {
		t.Errorf("/docs in a pinned chat:\n%s", docs.Text)
	}

	// A restart: the pins are read back from the database.
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = history.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a2 := &fakeAnswerer{reply: citing(packCorpus, "qinghu2026:2.3")}
	h2 := startPacks(t, packCorpus, a2, WithHistory(store), WithSettings(store))
	for _, st := range []struct {
		chat  models.Chat
		from  models.User
		text  string
		packs []string
	}{
		{chat, u, "and the network?", []string{"qinghu2026"}},
		{otherChat, other, "冰川呢？", nil},
		{group, other, "/ask 冰川呢？", []string{"tianjin2025"}},
	} {
		h2.lastReply(st.chat, st.from, st.text)
		if got := lastAsked(t, a2).Packs; !slices.Equal(got, st.packs) {
			t.Errorf("after restart, %q: packs %v, want %v", st.text, got, st.packs)
		}
	}
	if got := h2.lastReply(chat, u, "/doc все").Text; got != "Готово: в этом чате я снова отвечаю по всем загруженным наборам документов." {
		t.Errorf("/doc все: %q", got)
	}
	h2.lastReply(chat, u, "and the network?")
	if got := lastAsked(t, a2).Packs; got != nil {
		t.Errorf("after /doc все: packs %v", got)
	}
	if v, err := store.Setting(chatKey(chat), settingPack); v != "" || err != nil {
		t.Errorf("stored pin after unpinning: %q, %v", v, err)
	}
}

// With only the built-in pack loaded there is nothing to choose: /doc
// says so whatever it is given, stores nothing, and questions are asked
// unlimited; /docs lists the built-in documents without the /doc line.
func TestDocSinglePack(t *testing.T) {
	settings := newMemSettings()
	h := startPacks(t, testCorpus, nil, WithSettings(settings))
	for _, code := range []string{"en", "zh-hans", "zh-hant", "ru"} {
		u := tgtest.NewUser(60, "One", code)
		chat := tgtest.PrivateChat(u)
		want := text(userLang(code), i18n.DocSingle, packLabel(testCorpus.Packs()[0], userLang(code)))
		for _, cmd := range []string{"/doc", "/doc qinghu2026", "/doc tianjin2025", "/doc all"} {
			if got := h.lastReply(chat, u, cmd).Text; got != want {
				t.Errorf("%s %q: %q, want %q", code, cmd, got, want)
			}
		}
		if v, _ := settings.Setting(chatKey(chat), settingPack); v != "" {
			t.Errorf("%s: /doc stored %q", code, v)
		}
		docs := h.lastReply(chat, u, "/docs").Text
		if strings.Contains(docs, "/doc") || !strings.Contains(docs, "tianjin2025") || strings.Contains(docs, "qinghu2026") {
			t.Errorf("%s /docs:\n%s", code, docs)
		}
	}
	if got := text(corpus.LangEn, i18n.DocSingle, packLabel(testCorpus.Packs()[0], corpus.LangEn)); got != "Only one set of documents is loaded, tianjin2025 (Tianjin, 2025-09-01): every question is answered from it, so there is nothing to choose." {
		t.Errorf("DocSingle: %q", got)
	}
	u := tgtest.NewUser(61, "Q", "en")
	h.lastReply(tgtest.PrivateChat(u), u, "what about space?")
	if got := lastAsked(t, h.ans).Packs; got != nil {
		t.Errorf("single pack: asked with packs %v", got)
	}
}

// A pack without working translations: English and Russian readers get
// its Chinese with a note saying so, and no button offers a translation it
// does not have. A pin to a pack no longer loaded is reported and not
// applied (and kept, for when the pack is back).
func TestPackWithoutTranslations(t *testing.T) {
	c := plainCorpus(t)
	settings := newMemSettings()
	h := startPacks(t, c, nil, WithSettings(settings))
	p := packPassage(t, c, "plain2027:2.1")
	noteNone := text(corpus.LangEn, i18n.NoTranslation)

	u := tgtest.NewUser(62, "N", "en")
	chat := tgtest.PrivateChat(u)
	m := h.lastReply(chat, u, "/cite plain2027:2.1")
	if want := "[plain2027:2.1] Qinghu Declaration · Part 2\n" + p.TextHans + "\n" + noteNone; m.Text != want {
		t.Errorf("untranslated paragraph:\n%s\nwant\n%s", m.Text, want)
	}
	if got := toggleLabels(m); !slices.Equal(got, []string{"中文", "繁體"}) {
		t.Errorf("toggle row %v", got)
	}
	// 繁體 switches it; from there, no English or Russian.
	h.srv.PressButton(chat, u, m.ID, buttonData(t, m, "繁體"))
	h.settle()
	got, _ := h.srv.Message(chat.ID, m.ID)
	if !strings.Contains(got.Text, p.TextHant) || strings.Contains(got.Text, noteNone) || !slices.Equal(toggleLabels(got), []string{"中文"}) {
		t.Errorf("after 繁體: %q %v", got.Text, toggleLabels(got))
	}
	// A list mixing a translated paragraph and an untranslated one carries
	// both notes, once each.
	m = h.lastReply(chat, u, "/cite 2.36 plain2027:A1 plain2027:A2")
	if !strings.HasSuffix(m.Text, "\n\n"+noteEn+"\n\n"+noteNone) || strings.Count(m.Text, noteNone) != 1 {
		t.Errorf("mixed list:\n%s", m.Text)
	}
	ru := tgtest.NewUser(63, "R", "ru")
	m = h.lastReply(tgtest.PrivateChat(ru), ru, "/cite plain2027:1.1")
	if !strings.Contains(m.Text, packPassage(t, c, "plain2027:1.1").TextHans+"\n"+text(corpus.LangRu, i18n.NoTranslation)) {
		t.Errorf("Russian reader:\n%s", m.Text)
	}
	docs := h.lastReply(chat, u, "/docs").Text
	if !strings.Contains(docs, "plain2027 (Qinghu, 2026-06-15)\n• Qinghu Declaration: plain2027:0.1–3.1, 8 paragraphs\n• Statement on water: plain2027:A1–A2, 2 paragraphs\nNo working translations: every reader gets the Chinese text.") {
		t.Errorf("/docs:\n%s", docs)
	}

	// Pinned to qinghu2026 while it was loaded; now it is not.
	if err := settings.SetSetting(chatKey(chat), settingPack, "qinghu2026"); err != nil {
		t.Fatal(err)
	}
	want := "This chat was pinned to qinghu2026, which is no longer loaded, so it uses every set.\n\nThis chat uses every loaded set of documents: tianjin2025, plain2027.\nTo answer from one only, send /doc ID, e.g. /doc plain2027; /docs describes them."
	if got := h.lastReply(chat, u, "/doc").Text; got != want {
		t.Errorf("stale pin:\n%s\nwant\n%s", got, want)
	}
	h.lastReply(chat, u, "what about glaciers?")
	if got := lastAsked(t, h.ans).Packs; got != nil {
		t.Errorf("stale pin: asked with packs %v", got)
	}
	if v, _ := settings.Setting(chatKey(chat), settingPack); v != "qinghu2026" {
		t.Errorf("the stale pin was dropped: %q", v)
	}
}

// failingSettings fails every call.
type failingSettings struct{}

func (failingSettings) Setting(string, string) (string, error)  { return "", errBoom }
func (failingSettings) SetSetting(string, string, string) error { return errBoom }

// Settings that fail: /doc says it could not, questions go unlimited.
func TestDocSettingsFail(t *testing.T) {
	h := startPacks(t, packCorpus, nil, WithSettings(failingSettings{}))
	u := tgtest.NewUser(64, "F", "en")
	chat := tgtest.PrivateChat(u)
	for _, cmd := range []string{"/doc qinghu2026", "/doc all"} {
		if got := h.lastReply(chat, u, cmd).Text; got != text(corpus.LangEn, i18n.Failed) {
			t.Errorf("%s: %q", cmd, got)
		}
	}
	h.lastReply(chat, u, "what about glaciers?")
	if got := lastAsked(t, h.ans).Packs; got != nil {
		t.Errorf("asked with packs %v", got)
	}
	if got := h.lastReply(chat, u, "/doc").Text; !strings.HasPrefix(got, "This chat uses every loaded set") {
		t.Errorf("/doc: %q", got)
	}
}

// With more parts than a message takes buttons (a dozen packs), the
// contents keep every line but stop the buttons at Telegram's limit and
// say how to list one pack, which "/sections ID" does with all its
// buttons.
func TestPackSectionsMany(t *testing.T) {
	var opts []corpus.Option
	for i := 1; i <= 19; i++ {
		fsys := plainPackFS(t)
		id := "copy" + strconv.Itoa(100 + i)[1:]
		fsys["pack.json"] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys["pack.json"].Data), `"plain2027"`, `"`+id+`"`, 1))}
		opts = append(opts, corpus.WithPackFS(id, fsys))
	}
	c, err := corpus.Load(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Sections()); n <= maxKeyboardButtons {
		t.Fatalf("only %d sections", n)
	}
	h := startPacks(t, c, nil)
	u := tgtest.NewUser(42, "M", "en")
	chat := tgtest.PrivateChat(u)
	h.srv.SendText(chat, u, "/sections")
	h.settle()
	var all strings.Builder
	var data []string
	for _, m := range h.srv.BotMessages(chat.ID) {
		all.WriteString(m.Text + "\n")
		data = append(data, callbackData(m)...)
	}
	if len(data) != maxKeyboardButtons || data[0] != "s:0:en" || data[len(data)-1] != sectionData(c, maxKeyboardButtons-1, corpus.LangEn) {
		t.Errorf("%d buttons: %v … %v", len(data), data[:1], data[len(data)-1:])
	}
	for _, want := range []string{"copy19 (Qinghu, 2026-06-15)", "• Statement on water (copy19:A1–A2)",
		"Buttons for the first 100 parts only. To get one set of documents with all its buttons, send /sections ID, e.g. /sections copy19."} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("contents lack %q", want)
		}
	}

	one := h.lastReply(chat, u, "/sections COPY19")
	want := []string{"s:copy19:0.1:en", "s:copy19:1.1:en", "s:copy19:2.1:en", "s:copy19:3.1:en", "s:copy19:A1:en"}
	if got := callbackData(one); !slices.Equal(got, want) {
		t.Errorf("/sections COPY19 buttons %v, want %v", got, want)
	}
	if strings.Contains(one.Text, "copy18") || strings.Contains(one.Text, "tianjin2025") || strings.Contains(one.Text, "Buttons for the first") {
		t.Errorf("/sections COPY19:\n%s", one.Text)
	}
	h.srv.PressButton(chat, u, one.ID, want[2])
	h.settle()
	msgs := h.srv.BotMessages(chat.ID)
	if got := msgs[len(msgs)-1].Text; !strings.HasPrefix(got, "Qinghu Declaration · Part 2 (copy19:2.1–2.3)\n\n[copy19:2.1]") {
		t.Errorf("section of copy19:\n%s", got)
	}
}

// A section of more paragraphs than a message takes buttons lists them
// all, with buttons for the first 100.
func TestLongSection(t *testing.T) {
	var lines strings.Builder
	for i := 1; i <= 130; i++ {
		n := strconv.Itoa(i)
		lines.WriteString(`{"id":"1.` + n + `","doc":"declaration","section":"1","text_hans":"第` + n + `段。","text_hant":"第` + n + `段。"}` + "\n")
	}
	c, err := corpus.Load(corpus.WithPackFS("long2031", fstest.MapFS{
		"pack.json": {Data: []byte(`{"id":"long2031","date":"2031-01-01","place":{"zh-Hans":"某地"},"documents":[` +
			`{"key":"declaration","kind":"declaration","prefix":"","title":{"zh-Hans":"长宣言"},"short":{"en":"Long Declaration"}}]}`)},
		"passages.jsonl": {Data: []byte(lines.String())},
	}))
	if err != nil {
		t.Fatal(err)
	}
	h := startPacks(t, c, nil)
	u := tgtest.NewUser(43, "L", "en")
	chat := tgtest.PrivateChat(u)
	toc := h.lastReply(chat, u, "/sections long2031")
	h.srv.PressButton(chat, u, toc.ID, "s:long2031:1.1:en")
	h.settle()
	var all strings.Builder
	var data []string
	for _, m := range h.srv.BotMessages(chat.ID)[1:] {
		all.WriteString(m.Text + "\n")
		data = append(data, callbackData(m)...)
	}
	if len(data) != maxKeyboardButtons || data[99] != "p:long2031:1.100:en" || !strings.Contains(all.String(), "[long2031:1.130]") {
		t.Errorf("%d buttons, last %v\n%s", len(data), data[len(data)-1:], all.String())
	}
}

// scopedSearcher is a PackSearcher: /search in a pinned chat asks it for
// the pinned pack's paragraphs instead of filtering a wider ranking.
type scopedSearcher struct {
	packSearcher
	scoped [][]string
}

func (s *scopedSearcher) SearchPacks(ctx context.Context, q string, k int, packs []string) (retrieval.Results, error) {
	s.mu.Lock()
	s.scoped = append(s.scoped, packs)
	s.mu.Unlock()
	res, err := s.Search(ctx, q, s.c.Len())
	res.Items = slices.DeleteFunc(res.Items, func(r retrieval.Result) bool { return !slices.Contains(packs, r.Passage.Pack) })
	res.Items = res.Items[:min(k, len(res.Items))]
	return res, err
}

func TestPinnedSearchScoped(t *testing.T) {
	s := &scopedSearcher{packSearcher: packSearcher{c: packCorpus, ids: []string{"2.36", "qinghu2026:2.3", "T3", "qinghu2026:A1"}}}
	h := startPacks(t, packCorpus, nil, WithSearcher(s))
	u := tgtest.NewUser(65, "S", "en")
	chat := tgtest.PrivateChat(u)
	h.lastReply(chat, u, "/search glaciers")
	h.lastReply(chat, u, "/doc qinghu2026")
	res := h.lastReply(chat, u, "/search glaciers")
	if got := callbackData(res); !slices.Equal(got, []string{"p:qinghu2026:2.3:en", "p:qinghu2026:A1:en"}) {
		t.Errorf("pinned /search: %v", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.scoped) != 1 || !slices.Equal(s.scoped[0], []string{"qinghu2026"}) {
		t.Errorf("SearchPacks calls: %v (an unpinned /search must use Search)", s.scoped)
	}
}
