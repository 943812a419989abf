package telegram

import (
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// notInHelp are the commands the help text need not list, and why.
var notInHelp = map[string]string{
	"help":  "the help text is its answer",
	"start": "Telegram sends it when a chat opens; the user never needs to type it",
}

// Operator commands (operatorCommands) are the exception, by design: they
// must be in neither the menu nor the help, because for everyone but the
// admins they do not exist (a non-admin's /stats gets no reply at all),
// and the menu and help are what every user sees. The test holds them to
// that instead.

// TestCommandsHaveHandlersAndHelp ties the command menu the bot registers
// with setMyCommands, the handlers of onCommand and the help text
// together: a command added to one and forgotten in another fails here.
func TestCommandsHaveHandlersAndHelp(t *testing.T) {
	h := start(t)
	var handled []string
	for name := range commandHandlers {
		handled = append(handled, name)
	}
	slices.Sort(handled)

	// What the bot registered with the (fake) Bot API, per language.
	for lang := range commandMenus() {
		var menu []string
		for _, c := range h.srv.Commands(lang) {
			menu = append(menu, c.Command)
			if _, ok := commandHandlers[c.Command]; !ok {
				t.Errorf("menu %q: /%s has no handler in commandHandlers", lang, c.Command)
			}
		}
		for _, name := range handled {
			if !slices.Contains(menu, name) {
				t.Errorf("menu %q: handled command /%s is not in the menu (i18n.Commands)", lang, name)
			}
		}
	}
	for name := range operatorCommands {
		if _, ok := commandHandlers[name]; ok {
			t.Errorf("/%s is both an operator command and a public one", name)
		}
		for lang := range commandMenus() {
			for _, c := range h.srv.Commands(lang) {
				if c.Command == name {
					t.Errorf("menu %q lists the operator command /%s", lang, name)
				}
			}
		}
		for _, l := range corpus.Languages() {
			if strings.Contains(text(l.Tag, i18n.Help), "/"+name) {
				t.Errorf("help (%s) mentions the operator command /%s", l.Tag, name)
			}
		}
		if _, ok := commandAliases[name]; ok {
			t.Errorf("/%s is both an alias and an operator command", name)
		}
	}
	for alias, name := range commandAliases {
		if _, ok := commandHandlers[name]; !ok {
			t.Errorf("alias /%s names /%s, which has no handler", alias, name)
		}
		if _, ok := commandHandlers[alias]; ok {
			t.Errorf("/%s is both an alias and a command", alias)
		}
	}

	// Every handled command is explained in the help of every language.
	for _, l := range corpus.Languages() {
		lang := l.Tag
		help := text(lang, i18n.Help)
		if help == "" {
			t.Errorf("no help text in %s", lang)
			continue
		}
		for _, name := range handled {
			if _, exempt := notInHelp[name]; exempt {
				continue
			}
			if !strings.Contains(help, "/"+name+" ") {
				t.Errorf("help (%s) does not explain /%s", lang, name)
			}
		}
	}

	// And each menu command, typed, reaches a handler rather than the
	// "unknown command" reply, as a made-up command does.
	u := tgtest.NewUser(31, "M", "en")
	chat := tgtest.PrivateChat(u)
	unknown := text(corpus.LangEn, i18n.UnknownCommand)
	var typed []string
	for _, c := range h.srv.Commands("") {
		typed = append(typed, "/"+c.Command)
	}
	const control = "/nosuchcommand"
	for _, cmd := range append(typed, control) {
		before := len(h.srv.BotMessages(chat.ID))
		h.srv.SendText(chat, u, cmd)
		h.settle()
		msgs := h.srv.BotMessages(chat.ID)
		if len(msgs) == before {
			t.Errorf("%s: no reply", cmd)
			continue
		}
		got := msgs[len(msgs)-1].Text
		if want := cmd == control; strings.Contains(got, unknown) != want {
			t.Errorf("%s: reply %q; unknown-command reply wanted: %v", cmd, got, want)
		}
	}
}
