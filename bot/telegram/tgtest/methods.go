package tgtest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// methods are the Bot API methods the server implements, keyed by lower
// case name (Telegram's method names are case-insensitive). They run with
// s.mu held.
var methods = map[string]func(*Server, Call) (any, *apiError){
	"getme":               (*Server).getMe,
	"sendmessage":         (*Server).sendMessage,
	"editmessagetext":     (*Server).editMessageText,
	"sendmessagedraft":    (*Server).sendMessageDraft,
	"sendchataction":      (*Server).sendChatAction,
	"deletemessage":       (*Server).deleteMessage,
	"answercallbackquery": (*Server).answerCallbackQuery,
	"answerinlinequery":   (*Server).answerInlineQuery,
	"setmycommands":       (*Server).setMyCommands,
	"deletemycommands":    (*Server).deleteMyCommands,
	"setwebhook":          (*Server).setWebhook,
	"deletewebhook":       (*Server).deleteWebhook,
	"getwebhookinfo":      (*Server).getWebhookInfo,
}

func (s *Server) getMe(Call) (any, *apiError) {
	me := s.me
	me.CanJoinGroups = true
	me.SupportInlineQueries = true
	return me, nil
}

func (m *Message) model(s *Server) *models.Message {
	out := &models.Message{
		ID:              m.ID,
		MessageThreadID: m.ThreadID,
		// Telegram marks messages in a forum topic (other than General).
		IsTopicMessage: m.ThreadID != 0,
		Date:           m.Date,
		Chat:           s.chats[m.ChatID],
		Text:           m.Text,
		Entities:       m.Entities,
	}
	from := m.From
	out.From = &from
	if m.Markup != nil {
		out.ReplyMarkup = m.Markup
	}
	if m.EditsDate() > 0 {
		out.EditDate = m.EditsDate()
	}
	if m.ReplyTo != 0 {
		if r := s.findMessageLocked(m.ChatID, m.ReplyTo); r != nil {
			rm := *r
			rm.ReplyTo = 0 // Telegram nests one level only
			out.ReplyToMessage = rm.model(s)
		}
	}
	return out
}

// EditsDate is the edit date Telegram reports: non-zero once edited.
func (m *Message) EditsDate() int {
	if m.Edits == 0 {
		return 0
	}
	return m.Date + m.Edits
}

var callbackDataMax = 64

// parseMarkup validates reply_markup as Telegram does for inline
// keyboards.
func parseMarkup(c Call) (*models.InlineKeyboardMarkup, *apiError) {
	raw, ok := c.Params["reply_markup"]
	if !ok || raw == "" {
		return nil, nil
	}
	var generic map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if _, ok := generic["inline_keyboard"]; !ok {
		// Reply keyboards, force_reply, remove_keyboard: accepted, not
		// modelled.
		return nil, nil
	}
	var kb models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, badRequest("can't parse inline keyboard markup: %v", err)
	}
	n := 0
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			n++
			if b.Text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text is empty")
			}
			actions := 0
			if b.CallbackData != "" {
				actions++
				if len(b.CallbackData) > callbackDataMax {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
			if b.URL != "" {
				actions++
			}
			if b.SwitchInlineQuery != "" || b.SwitchInlineQueryCurrentChat != "" || b.SwitchInlineQueryChosenChat != nil {
				actions++
			}
			if b.CopyText.Text != "" || b.WebApp != nil || b.LoginURL != nil || b.Pay || b.CallbackGame != nil {
				actions++
			}
			if actions == 0 {
				// switch_inline_query may legitimately be "" on the wire,
				// but go-telegram/bot omits empty strings, so a button
				// with no action is a bug in the caller.
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
	}
	if n > 100 {
		return nil, badRequest("reply markup is too long")
	}
	return &kb, nil
}

func (s *Server) sendMessage(c Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c)
	if e != nil {
		return nil, e
	}
	text, entities, e := parseText(c.Params["text"], c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := parseMarkup(c)
	if e != nil {
		return nil, e
	}
	replyTo := 0
	if raw := c.Params["reply_parameters"]; raw != "" {
		var rp models.ReplyParameters
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
		if s.findMessageLocked(chatID, rp.MessageID) != nil {
			replyTo = rp.MessageID
		} else if !rp.AllowSendingWithoutReply {
			return nil, badRequest("message to be replied not found")
		}
	}
	// A sent message ends the chat's draft.
	delete(s.drafts, chatID)
	m := s.addMessageLocked(chatID, &Message{
		FromBot: true, From: s.me, Text: text, Raw: c.Params["text"], ParseMode: c.Params["parse_mode"],
		Entities: entities, Markup: markup, ReplyTo: replyTo, ThreadID: int(c.Int("message_thread_id")), Kind: "text",
	})
	return m.model(s), nil
}

func (s *Server) addMessageLocked(chatID int64, m *Message) *Message {
	s.nextMsgID[chatID]++
	m.ChatID = chatID
	m.ID = s.nextMsgID[chatID]
	m.Date = int(time.Now().Unix())
	s.messages[chatID] = append(s.messages[chatID], m)
	return m
}

func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func sameEntities(a, b []models.MessageEntity) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func (s *Server) editMessageText(c Call) (any, *apiError) {
	text, entities, e := parseText(c.Params["text"], c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	markup, e := parseMarkup(c)
	if e != nil {
		return nil, e
	}
	var m *Message
	if id := c.Params["inline_message_id"]; id != "" {
		m = s.inlineMsgs[id]
		if m == nil {
			return nil, badRequest("MESSAGE_ID_INVALID")
		}
	} else {
		chatID, e := s.chatIDLocked(c)
		if e != nil {
			return nil, e
		}
		m = s.findMessageLocked(chatID, int(c.Int("message_id")))
		if m == nil {
			return nil, badRequest("message to edit not found")
		}
		if !m.FromBot {
			return nil, badRequest("message can't be edited")
		}
	}
	if m.Text == text && sameEntities(m.Entities, entities) && sameMarkup(m.Markup, markup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text, m.Raw, m.ParseMode, m.Entities, m.Markup = text, c.Params["text"], c.Params["parse_mode"], entities, markup
	m.Edits++
	if c.Params["inline_message_id"] != "" {
		return true, nil
	}
	return m.model(s), nil
}

func (s *Server) sendMessageDraft(c Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c)
	if e != nil {
		return nil, e
	}
	if s.chats[chatID].Type != models.ChatTypePrivate {
		return nil, badRequest("message drafts can be sent only to private chats")
	}
	draftID, err := strconv.ParseInt(c.Params["draft_id"], 10, 64)
	if err != nil || draftID == 0 {
		return nil, badRequest("draft_id must be a non-zero integer")
	}
	text, _, e := parseText(c.Params["text"], c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	d := s.drafts[chatID]
	if d == nil || d.DraftID != draftID {
		d = &Draft{ChatID: chatID, DraftID: draftID}
		s.drafts[chatID] = d
	}
	d.Text, d.Raw = text, c.Params["text"]
	d.Updates++
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(c Call) (any, *apiError) {
	if _, e := s.chatIDLocked(c); e != nil {
		return nil, e
	}
	if !chatActions[c.Params["action"]] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

func (s *Server) deleteMessage(c Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c)
	if e != nil {
		return nil, e
	}
	id := int(c.Int("message_id"))
	msgs := s.messages[chatID]
	for i, m := range msgs {
		if m.ID == id {
			s.messages[chatID] = append(msgs[:i:i], msgs[i+1:]...)
			return true, nil
		}
	}
	return nil, badRequest("message to delete not found")
}

func (s *Server) answerCallbackQuery(c Call) (any, *apiError) {
	q := s.callbackQueries[c.Params["callback_query_id"]]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(c.Params["text"]) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered, q.answer = true, c
	return true, nil
}

func (s *Server) answerInlineQuery(c Call) (any, *apiError) {
	q := s.inlineQueries[c.Params["inline_query_id"]]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	var results []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(c.Params["results"]), &results); err != nil {
		return nil, badRequest("can't parse inline query results JSON object")
	}
	if len(results) > 50 {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	seen := map[string]bool{}
	for _, r := range results {
		var typ, id string
		_ = json.Unmarshal(r["type"], &typ)
		_ = json.Unmarshal(r["id"], &id)
		if id == "" || len(id) > 64 {
			return nil, badRequest("RESULT_ID_INVALID")
		}
		if seen[id] {
			return nil, badRequest("RESULT_ID_DUPLICATE")
		}
		seen[id] = true
		if typ != "article" {
			continue // other types are accepted, not modelled
		}
		var title string
		_ = json.Unmarshal(r["title"], &title)
		if title == "" {
			return nil, badRequest("RESULT_TITLE_EMPTY")
		}
		var content struct {
			MessageText string `json:"message_text"`
			ParseMode   string `json:"parse_mode"`
		}
		if err := json.Unmarshal(r["input_message_content"], &content); err != nil {
			return nil, badRequest("can't parse input message content")
		}
		if _, _, e := parseText(content.MessageText, content.ParseMode); e != nil {
			return nil, e
		}
		if raw, ok := r["reply_markup"]; ok {
			if _, e := parseMarkup(Call{Params: map[string]string{"reply_markup": string(raw)}}); e != nil {
				return nil, e
			}
		}
	}
	q.answered, q.answer = true, c
	return true, nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(c Call) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(c.Params["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !commandRE.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	lang := c.Params["language_code"]
	if lang != "" && !regexp.MustCompile(`^[a-z]{2}$`).MatchString(lang) {
		return nil, badRequest("invalid language code specified")
	}
	s.commands[lang] = cmds
	return true, nil
}

func (s *Server) deleteMyCommands(c Call) (any, *apiError) {
	delete(s.commands, c.Params["language_code"])
	return true, nil
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(c Call) (any, *apiError) {
	u := c.Params["url"]
	if u == "" {
		s.stopWebhookLocked()
		return true, nil
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := c.Params["secret_token"]
	if secret != "" && !secretRE.MatchString(secret) {
		return nil, badRequest("bad webhook: secret token contains unallowed characters")
	}
	if c.Params["drop_pending_updates"] == "true" {
		s.pending = nil
	}
	s.startWebhookLocked(u, secret)
	return true, nil
}

func (s *Server) deleteWebhook(c Call) (any, *apiError) {
	s.stopWebhookLocked()
	if c.Params["drop_pending_updates"] == "true" {
		s.pending = nil
	}
	return true, nil
}

func (s *Server) getWebhookInfo(Call) (any, *apiError) {
	return models.WebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.pending)}, nil
}
