package tgtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func newClient(t *testing.T, s *Server) *tg.Bot {
	t.Helper()
	b, err := tg.New(s.Token(), tg.WithServerURL(s.URL()), tg.WithSkipGetMe(),
		tg.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseHTML(t *testing.T) {
	tests := []struct {
		in, text, err string
		entities      int
	}{
		{in: "plain", text: "plain"},
		{in: "<b>bold</b> and <i>it</i>", text: "bold and it", entities: 2},
		{in: "a &lt;b&gt; &amp; &quot;q&quot; &#36; &#x4e2d;", text: `a <b> & "q" $ 中`},
		{in: "AT&T & co", text: "AT&T & co"}, // a bare & is text
		{in: "1 > 0", text: "1 > 0"},
		{in: "<b>x</>", text: "x", entities: 1},
		{in: `<a href="https://e.org/?a=1&amp;b=2">l</a>`, text: "l", entities: 1},
		{in: `<span class="tg-spoiler">s</span>`, text: "s", entities: 1},
		{in: "<blockquote expandable>q</blockquote>", text: "q", entities: 1},
		{in: `<pre><code class="language-go">x</code></pre>`, text: "x", entities: 2},
		{in: "<B>upper</B>", text: "upper", entities: 1},
		{in: "<foo>x</foo>", err: `Unsupported start tag "foo" at byte offset 0`},
		{in: "<b>open", err: `Can't find end tag corresponding to start tag "b"`},
		{in: "<b><i>x</b></i>", err: `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{in: "x</b>", err: "Unexpected end tag at byte offset 1"},
		{in: "1 < 2", err: `Unsupported start tag "" at byte offset 2`},
		{in: "a <b", err: "Unclosed start tag at byte offset 2"},
		{in: `<span class="x">s</span>`, err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
	}
	for _, tt := range tests {
		text, ents, err := ParseHTML(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseHTML(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || text != tt.text || len(ents) != tt.entities {
			t.Errorf("ParseHTML(%q) = %q, %d entities, %v; want %q, %d", tt.in, text, len(ents), err, tt.text, tt.entities)
		}
	}
	// Offsets are in UTF-16 units: 😀 is two.
	_, ents, _ := ParseHTML("😀<b>x</b>")
	if len(ents) != 1 || ents[0].Offset != 2 || ents[0].Length != 1 {
		t.Errorf("entity after emoji = %+v, want offset 2 length 1", ents)
	}
}

func TestSendMessageThroughLibrary(t *testing.T) {
	s := NewServer(t)
	b := newClient(t, s)
	u := NewUser(42, "Ann", "en")
	chat := PrivateChat(u)
	q := s.SendText(chat, u, "hello")
	ctx := context.Background()

	m, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: chat.ID, Text: "<b>Hi</b> &amp; welcome", ParseMode: models.ParseModeHTML,
		ReplyParameters: &models.ReplyParameters{MessageID: q.ID},
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
			{Text: "2.36", CallbackData: "p:2.36:s"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Hi & welcome" || m.ID != 2 || len(m.Entities) != 1 {
		t.Errorf("sent message = %+v", m)
	}
	if c := s.CallsTo("sendMessage"); len(c) != 1 || c[0].ContentType != "multipart/form-data" || c[0].Params["parse_mode"] != "HTML" {
		t.Errorf("recorded call = %+v", c)
	}
	got := s.BotMessages(chat.ID)
	if len(got) != 1 || got[0].ReplyTo != q.ID || got[0].Markup == nil || got[0].Markup.InlineKeyboard[0][0].CallbackData != "p:2.36:s" {
		t.Errorf("chat shows %+v", got)
	}

	// Errors as Telegram reports them.
	errTests := []struct {
		name   string
		params *tg.SendMessageParams
		want   string
	}{
		{"bad html", &tg.SendMessageParams{ChatID: chat.ID, Text: "<b>x", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"too long", &tg.SendMessageParams{ChatID: chat.ID, Text: strings.Repeat("я", 4097)}, "message is too long"},
		{"empty", &tg.SendMessageParams{ChatID: chat.ID, Text: "<b> </b>", ParseMode: models.ParseModeHTML}, "message text is empty"},
		{"unknown chat", &tg.SendMessageParams{ChatID: 999, Text: "x"}, "chat not found"},
		{"data too long", &tg.SendMessageParams{ChatID: chat.ID, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: strings.Repeat("d", 65)}}}}}, "BUTTON_DATA_INVALID"},
		{"reply to nothing", &tg.SendMessageParams{ChatID: chat.ID, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 77}}, "message to be replied not found"},
	}
	for _, tt := range errTests {
		_, err := b.SendMessage(ctx, tt.params)
		if !errors.Is(err, tg.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want bad request %q", tt.name, err, tt.want)
		}
	}
	// 4096 UTF-16 units is fine; an emoji counts two.
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat.ID, Text: strings.Repeat("😀", 2048)}); err != nil {
		t.Errorf("4096 units rejected: %v", err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat.ID, Text: strings.Repeat("😀", 2048) + "x"}); err == nil {
		t.Error("4097 units accepted")
	}
}

func TestForgetWithoutCallLog(t *testing.T) {
	s := NewServer(t, WithoutCallLog())
	b := newClient(t, s)
	u := NewUser(42, "Ann", "en")
	chat := PrivateChat(u)
	q := s.SendText(chat, u, "hello")
	m, err := b.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: chat.ID, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls recorded without a call log", n)
	}
	s.Forget(chat.ID, q.ID, 99)
	if got := s.Messages(chat.ID); len(got) != 1 || got[0].ID != m.ID {
		t.Errorf("after forgetting the question the chat shows %+v", got)
	}
	s.Forget(chat.ID, m.ID)
	if got := s.Messages(chat.ID); len(got) != 0 {
		t.Errorf("after forgetting everything the chat shows %+v", got)
	}
}

func TestEditAndDraft(t *testing.T) {
	s := NewServer(t)
	b := newClient(t, s)
	u := NewUser(7, "Bo", "ru")
	chat := PrivateChat(u)
	s.SendText(chat, u, "q")
	ctx := context.Background()
	m, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat.ID, Text: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: chat.ID, MessageID: m.ID, Text: "second"}); err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: chat.ID, MessageID: m.ID, Text: "second"})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("same edit: err = %v", err)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: chat.ID, MessageID: 1, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message can't be edited") {
		t.Errorf("editing the user's message: err = %v", err)
	}
	if got, _ := s.Message(chat.ID, m.ID); got.Text != "second" || got.Edits != 1 {
		t.Errorf("edited message = %+v", got)
	}

	if _, err := b.SendMessageDraft(ctx, &tg.SendMessageDraftParams{ChatID: chat.ID, DraftID: "0", Text: "x"}); err == nil {
		t.Error("draft id 0 accepted")
	}
	for _, text := range []string{"Стр", "Строка"} {
		if _, err := b.SendMessageDraft(ctx, &tg.SendMessageDraftParams{ChatID: chat.ID, DraftID: "5", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if d, ok := s.Draft(chat.ID); !ok || d.Text != "Строка" || d.Updates != 2 {
		t.Errorf("draft = %+v, %v", d, ok)
	}
	g := Group(100, "g")
	s.SendText(g, u, "hi")
	if _, err := b.SendMessageDraft(ctx, &tg.SendMessageDraftParams{ChatID: g.ID, DraftID: "5", Text: "x"}); err == nil {
		t.Error("draft in a group accepted")
	}
}

func TestFaults(t *testing.T) {
	s := NewServer(t)
	b := newClient(t, s)
	u := NewUser(1, "A", "")
	s.SendText(PrivateChat(u), u, "x")
	s.TooManyRequests("sendMessage", 2, 7)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"})
		var tooMany *tg.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
			t.Fatalf("call %d: err = %v, want 429 retry_after 7", i, err)
		}
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"}); err != nil {
		t.Fatalf("third call: %v", err)
	}
	s.FailNext("*", 1, Fault{Drop: true})
	if _, err := b.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: u.ID, Action: models.ChatActionTyping}); err == nil {
		t.Error("dropped connection reported no error")
	}
	s.SetHook(func(c Call) *Fault {
		if c.Params["text"] == "boom" {
			return &Fault{Code: 500}
		}
		return nil
	})
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "boom"}); err == nil {
		t.Error("hook fault not applied")
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "fine"}); err != nil {
		t.Error(err)
	}

	// A wrong token is refused.
	other, _ := tg.New("1:wrong", tg.WithServerURL(s.URL()), tg.WithSkipGetMe())
	if _, err := other.GetMe(ctx); !errors.Is(err, tg.ErrorUnauthorized) {
		t.Errorf("wrong token: err = %v", err)
	}
}

// getUpdates speaks JSON and urlencoded too, with Telegram's offset rules.
func TestGetUpdatesOffsets(t *testing.T) {
	s := NewServer(t)
	u := NewUser(5, "C", "en")
	first := s.SendText(PrivateChat(u), u, "/start")
	s.SendText(PrivateChat(u), u, "two")
	call := func(ctype, body string) []models.Update {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL()+"/bot"+s.Token()+"/getUpdates", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			OK     bool            `json:"ok"`
			Result []models.Update `json:"result"`
		}
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &r); err != nil || !r.OK {
			t.Fatalf("getUpdates: %s", b)
		}
		return r.Result
	}
	ups := call("application/json", `{"offset":0}`)
	if len(ups) != 2 || ups[0].Message.Text != "/start" || ups[0].Message.ID != first.ID {
		t.Fatalf("updates = %+v", ups)
	}
	if e := ups[0].Message.Entities; len(e) != 1 || e[0].Type != models.MessageEntityTypeBotCommand || e[0].Length != 6 {
		t.Errorf("command entity = %+v", e)
	}
	ups2 := call("application/x-www-form-urlencoded", url.Values{"offset": {itoa(ups[0].ID + 1)}}.Encode())
	if len(ups2) != 1 || ups2[0].ID != ups[1].ID {
		t.Fatalf("after confirming the first: %+v", ups2)
	}
	if p := s.Pending(); len(p) != 1 {
		t.Errorf("pending = %v", p)
	}

	// A long poll returns as soon as an update arrives.
	done := make(chan []models.Update)
	go func() { done <- call("application/json", `{"offset":`+itoa(ups[1].ID+1)+`,"timeout":10}`) }()
	s.Wait(5*time.Second, "the poll to start", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.poller != nil
	})
	s.SendText(PrivateChat(u), u, "three")
	select {
	case got := <-done:
		if len(got) != 1 || got[0].Message.Text != "three" {
			t.Errorf("long poll got %+v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestWebhookDelivery(t *testing.T) {
	s := NewServer(t)
	var got atomic.Int32
	var badSecret atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			badSecret.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var u models.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.Message == nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		// Fail the first delivery to check redelivery.
		if got.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}))
	defer hook.Close()
	b := newClient(t, s)
	if _, err := b.SetWebhook(context.Background(), &tg.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	u := NewUser(9, "D", "")
	id := s.SendText(PrivateChat(u), u, "via webhook")
	s.Wait(5*time.Second, "delivery", func() bool { return len(s.Pending()) == 0 })
	deliveries, failures := s.WebhookDeliveries()
	_ = id
	if failures != 1 || got.Load() != 2 || badSecret.Load() != 0 {
		t.Errorf("deliveries=%v failures=%d posts=%d badSecret=%d", deliveries, failures, got.Load(), badSecret.Load())
	}
	// getUpdates is refused while a webhook is set.
	req, _ := http.NewRequest("POST", s.URL()+"/bot"+s.Token()+"/getUpdates", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("getUpdates with webhook: status %d", resp.StatusCode)
	}
}

func TestCallbacksAndInline(t *testing.T) {
	s := NewServer(t)
	b := newClient(t, s)
	u := NewUser(3, "E", "zh-hant")
	chat := PrivateChat(u)
	s.SendText(chat, u, "x")
	m, _ := b.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: chat.ID, Text: "m"})
	qid := s.PressButton(chat, u, m.ID, "p:2.36:t")
	ctx := context.Background()
	if _, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: qid}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: qid}); err == nil {
		t.Error("second answer accepted")
	}
	iq := s.InlineQuery(u, "2.36")
	_, err := b.AnswerInlineQuery(ctx, &tg.AnswerInlineQueryParams{InlineQueryID: iq, Results: []models.InlineQueryResult{
		&models.InlineQueryResultArticle{ID: "2.36", Title: "[2.36]", InputMessageContent: &models.InputTextMessageContent{MessageText: "<b>x</b>", ParseMode: models.ParseModeHTML},
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "▶", CallbackData: "n:2.37:t"}}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := s.InlineAnswer(iq)
	if !ok || len(rs) != 1 || rs[0].Content.MessageText != "<b>x</b>" {
		t.Fatalf("inline answer = %+v", rs)
	}
	inlineID, ok := s.ChooseInlineResult(u, iq, "2.36")
	if !ok {
		t.Fatal("choose failed")
	}
	// Telegram answers true for inline messages, which go-telegram/bot
	// v1.19.0 fails to decode into a Message: the edit is made all the same.
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{InlineMessageID: inlineID, Text: "y"}); err == nil || !strings.Contains(err.Error(), "error decode response result") {
		t.Fatalf("inline edit: err = %v", err)
	}
	if im, _ := s.InlineMessage(inlineID); im.Text != "y" {
		t.Errorf("inline message = %+v", im)
	}
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Name", Description: "x"}}}); err == nil {
		t.Error("invalid command accepted")
	}
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{LanguageCode: "ru", Commands: []models.BotCommand{{Command: "help", Description: "помощь"}}}); err != nil {
		t.Fatal(err)
	}
	if c := s.Commands("ru"); len(c) != 1 || c[0].Description != "помощь" {
		t.Errorf("commands = %+v", c)
	}
}
