package tgtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// NewUser returns a human user with a language code ("en", "ru",
// "zh-hans", "zh-hant", or "").
func NewUser(id int64, firstName, languageCode string) models.User {
	return models.User{ID: id, FirstName: firstName, LanguageCode: languageCode, Username: fmt.Sprintf("user%d", id)}
}

// PrivateChat is the private chat between the bot and u.
func PrivateChat(u models.User) models.Chat {
	return models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName, Username: u.Username}
}

// Group returns a supergroup; Telegram's group IDs are negative.
func Group(id int64, title string) models.Chat {
	if id > 0 {
		id = -id
	}
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title}
}

var (
	commandEntityRE = regexp.MustCompile(`(?:^|\s)(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)`)
	mentionEntityRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(@[A-Za-z0-9_]{5,32})`)
)

// textEntities finds the entities Telegram's clients mark in a user's
// text: bot commands and @mentions.
func textEntities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	for _, m := range commandEntityRE.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, models.MessageEntity{Type: models.MessageEntityTypeBotCommand,
			Offset: utf16Len(text[:m[2]]), Length: utf16Len(text[m[2]:m[3]])})
	}
	for _, m := range mentionEntityRE.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, models.MessageEntity{Type: models.MessageEntityTypeMention,
			Offset: utf16Len(text[:m[2]]), Length: utf16Len(text[m[2]:m[3]])})
	}
	return out
}

// Enqueue adds a raw update (its update_id is assigned) and returns its
// ID. The chats it mentions become known to the server.
func (s *Server) Enqueue(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked(&u)
}

func (s *Server) enqueueLocked(u *models.Update) int64 {
	s.nextUpdateID++
	u.ID = s.nextUpdateID
	if u.Message != nil {
		s.chats[u.Message.Chat.ID] = u.Message.Chat
	}
	raw, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("tgtest: marshal update: %v", err))
	}
	// models.CallbackQuery always marshals "message"; Telegram omits it
	// for buttons under inline-mode messages.
	if u.CallbackQuery != nil && u.CallbackQuery.Message.Message == nil && u.CallbackQuery.Message.InaccessibleMessage == nil {
		var m map[string]map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			delete(m["callback_query"], "message")
			raw, _ = json.Marshal(m)
		}
	}
	s.pending = append(s.pending, pendingUpdate{id: u.ID, raw: raw})
	s.notifyLocked()
	return u.ID
}

// userMessageLocked stores a message from a user and queues the update.
func (s *Server) userMessageLocked(chat models.Chat, from models.User, m *Message, fill func(*models.Message)) Message {
	s.chats[chat.ID] = chat
	m.From = from
	s.addMessageLocked(chat.ID, m)
	mm := m.model(s)
	if m.Kind == "text" {
		mm.Entities = textEntities(m.Text)
		m.Entities = mm.Entities
	}
	if fill != nil {
		fill(mm)
	}
	s.enqueueLocked(&models.Update{Message: mm})
	return *m
}

// SendText makes from send text in chat, as a Telegram client would (with
// bot_command and mention entities), and returns the message.
func (s *Server) SendText(chat models.Chat, from models.User, text string) Message {
	return s.ReplyTo(chat, from, 0, text)
}

// ReplyTo makes from answer message replyTo (0: no reply) with text.
func (s *Server) ReplyTo(chat models.Chat, from models.User, replyTo int, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chat, from, &Message{Text: text, Raw: text, ReplyTo: replyTo, Kind: "text"}, nil)
}

// SendTopicText makes from send text in topic thread of a forum
// group (a chat with IsForum set).
func (s *Server) SendTopicText(chat models.Chat, thread int, from models.User, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chat, from, &Message{Text: text, Raw: text, ThreadID: thread, Kind: "text"}, nil)
}

// SendSticker makes from send a sticker.
func (s *Server) SendSticker(chat models.Chat, from models.User) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chat, from, &Message{Kind: "sticker"}, func(m *models.Message) {
		m.Sticker = &models.Sticker{FileID: "sticker-file", FileUniqueID: "sticker-unique", Type: "regular", Width: 512, Height: 512, Emoji: "👍"}
	})
}

// SendPhoto makes from send a photo with an optional caption.
func (s *Server) SendPhoto(chat models.Chat, from models.User, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chat, from, &Message{Kind: "photo"}, func(m *models.Message) {
		m.Photo = []models.PhotoSize{{FileID: "photo-file", FileUniqueID: "photo-unique", Width: 90, Height: 90}}
		m.Caption = caption
	})
}

// SendVoice makes from send a voice message.
func (s *Server) SendVoice(chat models.Chat, from models.User) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(chat, from, &Message{Kind: "voice"}, func(m *models.Message) {
		m.Voice = &models.Voice{FileID: "voice-file", FileUniqueID: "voice-unique", Duration: 3}
	})
}

func (s *Server) newQueryIDLocked(from models.User, into map[string]*queryState) string {
	s.nextQueryID++
	id := strconv.FormatInt(from.ID, 10) + "-" + strconv.Itoa(s.nextQueryID)
	into[id] = &queryState{from: from}
	return id
}

// PressButton makes from press the inline button with callback data on
// message messageID of chat, and returns the callback query ID. data need
// not come from a real button: tests forge callbacks with it.
func (s *Server) PressButton(chat models.Chat, from models.User, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newQueryIDLocked(from, s.callbackQueries)
	f := from
	q := &models.CallbackQuery{ID: id, From: f, ChatInstance: strconv.FormatInt(chat.ID, 10), Data: data}
	if m := s.findMessageLocked(chat.ID, messageID); m != nil {
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: m.model(s)}
	} else {
		// Old or deleted messages arrive as InaccessibleMessage (date 0).
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: chat, MessageID: messageID}}
	}
	s.chats[chat.ID] = chat
	s.enqueueLocked(&models.Update{CallbackQuery: q})
	return id
}

// PressInlineMessageButton presses a button under a message sent through
// inline mode.
func (s *Server) PressInlineMessageButton(from models.User, inlineMessageID, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newQueryIDLocked(from, s.callbackQueries)
	s.enqueueLocked(&models.Update{CallbackQuery: &models.CallbackQuery{ID: id, From: from, InlineMessageID: inlineMessageID, ChatInstance: "inline", Data: data}})
	return id
}

// InlineQuery makes from type "@bot query" and returns the query ID.
func (s *Server) InlineQuery(from models.User, query string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newQueryIDLocked(from, s.inlineQueries)
	f := from
	s.enqueueLocked(&models.Update{InlineQuery: &models.InlineQuery{ID: id, From: &f, Query: query, ChatType: "sender"}})
	return id
}

// ChooseInlineResult makes from pick a result the bot offered for an
// inline query: the result's message is posted (as an inline message) and
// its inline_message_id returned.
func (s *Server) ChooseInlineResult(from models.User, queryID, resultID string) (string, bool) {
	results, ok := s.InlineAnswer(queryID)
	if !ok {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range results {
		if r.ID != resultID {
			continue
		}
		text, entities, e := parseText(r.Content.MessageText, r.Content.ParseMode)
		if e != nil {
			return "", false
		}
		s.nextInlineID++
		id := "inline-" + strconv.Itoa(s.nextInlineID)
		s.inlineMsgs[id] = &Message{FromBot: true, From: s.me, Text: text, Raw: r.Content.MessageText,
			ParseMode: r.Content.ParseMode, Entities: entities, Markup: r.ReplyMarkup, Kind: "text"}
		s.notifyLocked()
		return id, true
	}
	return "", false
}
