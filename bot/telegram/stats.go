package telegram

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/corpus"
)

// WithAdmins lets the given users use /stats; for everyone else it is
// ignored silently, as if there were no such command. Admins are also
// served when an allowlist does not list them: an operator must not be
// locked out of their own bot.
func WithAdmins(ids []int64) Option {
	return func(b *Bot) {
		for _, id := range ids {
			b.admins[id] = true
		}
	}
}

// Stats periods and limits.
const (
	statsDay  = 24 * time.Hour
	statsWeek = 7 * 24 * time.Hour
	// statsTop bounds the refused questions /stats lists, statsQuestion
	// the runes shown of each: enough to recognise a question, and ten of
	// them keep the message well inside one Telegram message.
	statsTop      = 10
	statsQuestion = 120
)

// operatorCommands are handled for admins only and are in neither the
// menu nor the help: for anyone else they do not exist.
var operatorCommands = map[string]func(b *Bot, ctx context.Context, c commandCall){
	"stats": (*Bot).operatorStats,
}

// operatorStats answers an admin's /stats with the review log's counts for the
// last 24 hours and 7 days and the refused questions asked most often.
// Those are other people's questions, so in a group they are sent to the
// admin privately.
func (b *Bot) operatorStats(ctx context.Context, c commandCall) {
	lang := userLang(c.m.From.LanguageCode)
	chat, thread, replyTo := c.m.Chat, c.thread, c.replyTo
	if !isPrivate(chat) {
		chat, thread, replyTo = models.Chat{ID: c.m.From.ID, Type: models.ChatTypePrivate}, 0, 0
	}
	var d doc
	if b.reviews == nil {
		d.plain(text(lang, i18n.StatsOff))
	} else {
		now := time.Now()
		recs, err := b.reviews.List(now.Add(-statsWeek), time.Time{})
		if err != nil {
			b.log.Warn("telegram: /stats could not read the review log", b.errAttr(err))
			b.reply(ctx, chat, thread, replyTo, text(lang, i18n.Failed))
			return
		}
		d = statsDoc(recs, now, lang)
	}
	if _, err := b.sendAll(ctx, outMsg{chatID: chat.ID, threadID: thread, replyTo: replyTo, body: d}); err != nil {
		if chat.ID == c.m.Chat.ID {
			b.log.Warn("telegram: could not send /stats", "chat", chat.ID, b.errAttr(err))
			return
		}
		// The admin has never opened a private chat with the bot.
		b.log.Info("telegram: could not send /stats privately; telling the admin in the group", b.errAttr(err))
		b.reply(ctx, c.m.Chat, c.thread, c.replyTo, text(lang, i18n.StatsPrivate))
	}
}

// statsDoc formats the statistics of recs (the last 7 days, newest
// first) as of now.
func statsDoc(recs []review.Record, now time.Time, lang corpus.Lang) doc {
	var d doc
	dayStart := now.Add(-statsDay)
	day := recs[:0:0]
	for _, r := range recs {
		if r.At.Before(dayStart) {
			break // newest first: the rest are older
		}
		day = append(day, r)
	}
	for i, p := range []struct {
		key  i18n.Key
		recs []review.Record
	}{{i18n.StatsDay, day}, {i18n.StatsWeek, recs}} {
		if i > 0 {
			d.plain("\n\n")
		}
		s := review.Summarize(p.recs)
		d.bold(text(lang, p.key))
		d.plain("\n" + text(lang, i18n.StatsCounts, s.Questions, s.Model, s.Offline, s.Fallback, s.Refusals, s.Up, s.Down, s.Chats))
		if len(s.Fallbacks) > 0 {
			var parts []string
			for _, why := range slices.Sorted(maps.Keys(s.Fallbacks)) {
				parts = append(parts, fmt.Sprintf("%s %d", why, s.Fallbacks[why]))
			}
			d.plain("\n" + text(lang, i18n.StatsFallbacks, strings.Join(parts, ", ")))
		}
	}
	d.plain("\n\n")
	top := review.TopRefused(recs, statsTop, statsQuestion)
	if len(top) == 0 {
		d.plain(text(lang, i18n.StatsNoRefused))
		return d
	}
	d.bold(text(lang, i18n.StatsTopRefused))
	for i, r := range top {
		d.plain(fmt.Sprintf("\n%d. %d× ", i+1, r.Count))
		d.plain(r.Question)
	}
	return d
}
