package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/corpus"
)

// chatTurns is how many earlier exchanges a chat keeps for follow-ups
// (the engine reads the last few of them).
const chatTurns = 6

// maxChatLine bounds one input line; longer lines are an error the user
// is told about, not a crash.
const maxChatLine = 1 << 20

func chatCommand() command {
	return command{
		name:    "chat",
		summary: "ask questions interactively in the terminal",
		usage: `Usage: declbot chat [--offline]

An interactive session: type a question and press Enter. Follow-up questions
("and the second one?") are understood in the context of the last few
exchanges. Answers are made as by "declbot ask" (offline unless a model is
configured). Standard input may also be a file or a pipe, one question per
line.

Commands:
  /cite ID...  print paragraphs, e.g. /cite 2.36 T3 or /cite 2.17-2.19
  /new         forget the conversation and start a new one
  /help        show this list
  /quit        leave (so does Ctrl-D)

Example:
  declbot chat
  printf '宣言谴责了哪几起恐怖袭击？\n第一起发生在哪天？\n' | declbot chat`,
		run: runChat,
	}
}

const chatHelp = `Type a question and press Enter. Commands:
  /cite ID...  print paragraphs, e.g. /cite 2.36 T3
  /docs        list the loaded documents
  /doc ID      ask only about one document pack (/doc all: every pack)
  /new         forget the conversation
  /help        this list
  /quit        leave (or Ctrl-D)`

func runChat(ctx context.Context, a *app, args []string) int {
	fs := newFlagSet(a, chatCommand())
	offline := fs.Bool("offline", false, "answer from the text only: no chat model and no embeddings API, even if configured")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "declbot chat: unexpected argument %q; to ask one question use declbot ask %q\n", rest[0], strings.Join(rest, " "))
		return exitUsage
	}
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot chat: %v\n", err)
		return exitUsage
	}
	if *offline {
		cfg.goOffline()
	}
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot chat: %v\n", err)
		return exitUsage
	}
	idx, err := newIndex(ctx, a, cfg, c)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot chat: %v\n", err)
		return exitFail
	}
	s := &chatSession{
		a:           a,
		c:           c,
		engine:      newEngine(a, cfg, c, idx),
		interactive: isTerminal(a.stdin),
		lang:        corpus.LangHans,
	}
	mode := "offline: answers quote the text"
	if s.engine.Mode() == bot.ModeLLM {
		mode = "model " + cfg.OpenAIModel
	}
	fmt.Fprintf(a.stderr, "declbot chat (%s). Ask about the Tianjin Declaration; /help lists commands, /quit leaves.\n", mode)
	return s.run(ctx)
}

// chatSession is one conversation.
type chatSession struct {
	a      *app
	c      *corpus.Corpus
	engine *bot.Engine
	// interactive is true when a person types at a terminal: the prompt
	// is shown. Otherwise each question is echoed after "> " so that a
	// transcript reads the same.
	interactive bool
	history     []bot.Turn
	// lang is the language of the last question, for the script /cite
	// prints in.
	lang corpus.Lang
	// pack is the pack /doc limits questions to; "" for every pack.
	pack string
}

func (s *chatSession) run(ctx context.Context) int {
	lines := readLines(ctx, s.a.stdin)
	for {
		if s.interactive {
			fmt.Fprint(s.a.stdout, "> ")
		}
		var (
			l  lineOrErr
			ok bool
		)
		select {
		case <-ctx.Done():
			fmt.Fprintln(s.a.stdout)
			return exitOK
		case l, ok = <-lines:
		}
		if !ok {
			if s.interactive {
				fmt.Fprintln(s.a.stdout)
			}
			return exitOK
		}
		if l.err != nil {
			fmt.Fprintf(s.a.stderr, "declbot chat: %v\n", l.err)
			return exitFail
		}
		line := strings.TrimSpace(l.line)
		if line == "" {
			continue
		}
		if !s.interactive {
			fmt.Fprintln(s.a.stdout, "> "+line)
		}
		if strings.HasPrefix(line, "/") {
			if quit := s.command(line); quit {
				return exitOK
			}
			continue
		}
		if err := s.ask(ctx, line); err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(s.a.stdout)
				return exitOK
			}
			fmt.Fprintf(s.a.stderr, "declbot chat: %v\n", err)
			return exitFail
		}
	}
}

// command runs a /command and reports whether the session ends.
func (s *chatSession) command(line string) (quit bool) {
	name, args, _ := strings.Cut(line, " ")
	args = strings.TrimSpace(args)
	w := s.a.stdout
	switch strings.ToLower(name) {
	case "/quit", "/exit", "/q":
		return true
	case "/help", "/start", "/?":
		fmt.Fprintln(w, chatHelp)
	case "/new", "/reset":
		s.history = nil
		fmt.Fprintln(w, "New conversation: earlier questions are forgotten.")
	case "/docs":
		for _, d := range documentList(s.c) {
			fmt.Fprintf(w, "%-24s %-11s %s  %3d paragraphs  %s\n", d.ID, d.Kind, orDash(d.Date), d.Passages, d.Short.In(s.lang))
		}
	case "/doc":
		s.pinPack(w, args)
	case "/cite":
		if args == "" {
			fmt.Fprintf(w, "Give paragraph IDs, e.g. /cite 2.36 T3 (valid IDs: %s)\n", s.c.ValidRanges())
			break
		}
		ps, err := s.c.LookupAll(args)
		if err != nil {
			fmt.Fprintln(w, err)
			break
		}
		for i, p := range ps {
			if i > 0 {
				fmt.Fprintln(w)
			}
			printPassage(w, p, s.lang, false)
		}
	default:
		fmt.Fprintf(w, "Unknown command %s; /help lists the commands.\n", name)
	}
	fmt.Fprintln(w)
	return false
}

// ask answers one question, streaming the text as it is written when a
// model writes it, and remembers the exchange for follow-ups.
func (s *chatSession) ask(ctx context.Context, q string) error {
	w := s.a.stdout
	printed := ""
	q0 := bot.Question{Text: q, History: s.history}
	if s.pack != "" {
		q0.Packs = []string{s.pack}
	}
	ans, err := s.engine.AskStream(ctx, q0, func(text string) {
		// Print only what extends the text already shown; anything else
		// (the answer replaced by the extractive one) is printed at the
		// end.
		if strings.HasPrefix(text, printed) {
			fmt.Fprint(w, text[len(printed):])
			printed = text
		}
	})
	if err != nil {
		if printed != "" {
			fmt.Fprintln(w)
		}
		return err
	}
	if ans.Text != printed {
		if printed != "" {
			fmt.Fprint(w, "\n\n")
		}
		fmt.Fprint(w, ans.Text)
	}
	fmt.Fprintln(w)
	if ids := ans.CitedIDs(); len(ids) > 0 {
		fmt.Fprintf(w, "Cited: %s (/cite %s to read)\n", strings.Join(ids, ", "), strings.Join(ids, " "))
	}
	printAnswerNotes(w, ans, "/cite")
	fmt.Fprintln(w)

	s.lang = ans.Lang
	s.history = append(s.history, bot.Turn{Question: q, Answer: ans.Text, Cited: ans.CitedIDs()})
	if len(s.history) > chatTurns {
		s.history = s.history[len(s.history)-chatTurns:]
	}
	return nil
}

type lineOrErr struct {
	line string
	err  error
}

// readLines reads r line by line in a goroutine, so that the session can
// stop on Ctrl-C while a read is blocked. The channel is closed at EOF.
func readLines(ctx context.Context, r io.Reader) <-chan lineOrErr {
	ch := make(chan lineOrErr)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), maxChatLine)
		for sc.Scan() {
			select {
			case ch <- lineOrErr{line: sc.Text()}:
			case <-ctx.Done():
				return
			}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("a line is longer than %d bytes: ask shorter questions", maxChatLine)
			}
			select {
			case ch <- lineOrErr{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	return ch
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// pinPack is /doc: with a pack ID, later questions are asked about that
// pack alone; "all" (or "*") undoes it; nothing says what is pinned.
func (s *chatSession) pinPack(w io.Writer, arg string) {
	arg = strings.ToLower(strings.TrimSpace(arg))
	var ids []string
	for _, p := range s.c.Packs() {
		ids = append(ids, p.ID)
	}
	switch {
	case arg == "":
		if s.pack == "" {
			fmt.Fprintf(w, "Questions go to every loaded pack (%s); /doc ID asks only one.\n", strings.Join(ids, ", "))
		} else {
			fmt.Fprintf(w, "Questions go to %s only; /doc all asks every pack.\n", s.pack)
		}
	case arg == "all" || arg == "*":
		s.pack = ""
		fmt.Fprintln(w, "Questions go to every loaded pack.")
	default:
		if _, ok := s.c.Pack(arg); !ok {
			fmt.Fprintf(w, "No pack %q is loaded: the loaded packs are %s.\n", arg, strings.Join(ids, ", "))
			return
		}
		s.pack = arg
		fmt.Fprintf(w, "Questions go to %s only; /doc all asks every pack.\n", arg)
	}
}
