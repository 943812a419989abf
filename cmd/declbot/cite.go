package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

func citeCommand() command {
	return command{
		name:    "cite",
		summary: "print paragraphs by their citation ID",
		usage: `Usage: declbot cite [--lang hans|hant|en|ru] [--context N] [--json] ID...

IDs are typed as people write them: 2.36, 二.36, 2-36, §2.36, 第二部分第36段,
t3, W1, and ranges such as 2.17-2.19 or T3-T5. Flags may come before or after
the IDs.

Examples:
  declbot cite 5.7
  declbot cite --lang hant 2.36 T3
  declbot cite --lang en 2.36      (the working translation, then the Chinese)
  declbot cite --context 1 2.36
  declbot cite --json 2.17-2.19`,
		run: runCite,
	}
}

func runCite(_ context.Context, a *app, args []string) int {
	fs := newFlagSet(a, citeCommand())
	script := fs.String("script", "", "script of the Chinese text: hans (simplified) or hant (traditional); --lang hans|hant says the same")
	langFlag := fs.String("lang", "", "language to read in: hans, hant, en or ru (English and Russian are unofficial working translations, shown with the Chinese)")
	ctxN := fs.Int("context", 0, "also print `N` neighbouring paragraphs on each side")
	asJSON := fs.Bool("json", false, "print a JSON array of passages")
	ids, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	lang := corpus.LangHans
	if *script != "" {
		sc, err := corpus.ParseScript(*script)
		if err != nil {
			fmt.Fprintf(a.stderr, "declbot cite: --script: %v\n", err)
			return exitUsage
		}
		if sc == corpus.Hant {
			lang = corpus.LangHant
		}
	}
	if *langFlag != "" {
		l, ok := corpus.LangByCode(strings.ToLower(*langFlag))
		if !ok {
			var codes []string
			for _, x := range corpus.Languages() {
				codes = append(codes, x.Code)
			}
			fmt.Fprintf(a.stderr, "declbot cite: --lang %q: not a language declbot reads; use one of %s\n", *langFlag, strings.Join(codes, ", "))
			return exitUsage
		}
		lang = l
	}
	if *ctxN < 0 || *ctxN > 50 {
		fmt.Fprintln(a.stderr, "declbot cite: --context takes a number from 0 to 50")
		return exitUsage
	}
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot cite: %v\n", err)
		return exitUsage
	}
	if len(ids) == 0 {
		fmt.Fprintf(a.stderr, "declbot cite: give at least one paragraph ID, e.g. declbot cite 2.36 (valid IDs: %s)\n", c.ValidRanges())
		return exitUsage
	}
	wanted, err := c.LookupAll(strings.Join(ids, " "))
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot cite: %v\n", err)
		return exitUsage
	}
	shown := withContext(c, wanted, *ctxN)
	if *asJSON {
		out := make([]json.RawMessage, 0, len(shown))
		for _, s := range shown {
			b, err := s.p.MarshalJSON()
			if err != nil {
				fmt.Fprintf(a.stderr, "declbot cite: %v\n", err)
				return exitFail
			}
			// Add "context": true to neighbours so a script can tell them
			// from the paragraphs it asked for.
			if s.context {
				b = append(b[:len(b)-1], []byte(`,"context":true}`)...)
			}
			out = append(out, b)
		}
		return writeJSON(a, out)
	}
	for i, s := range shown {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		printPassage(a.stdout, s.p, lang, s.context)
	}
	return exitOK
}

type shownPassage struct {
	p       corpus.Passage
	context bool
}

// withContext adds n neighbours on each side of every wanted passage, in
// corpus order around each, without repeating a passage.
func withContext(c *corpus.Corpus, wanted []corpus.Passage, n int) []shownPassage {
	isWanted := map[string]bool{}
	for _, p := range wanted {
		isWanted[p.ID] = true
	}
	seen := map[string]bool{}
	var out []shownPassage
	for _, w := range wanted {
		for _, p := range c.Neighbours(w.ID, n) {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			out = append(out, shownPassage{p, !isWanted[p.ID]})
		}
	}
	return out
}

// printPassage writes a passage as a header line (ID, document, section)
// and its text in the reader's language: for a Chinese reader the text in
// their script; for others the working translation, then the Chinese
// original and the note that the translation is unofficial.
func printPassage(w io.Writer, p corpus.Passage, lang corpus.Lang, context bool) {
	tag := ""
	if context {
		tag = "  (context)"
	}
	if !lang.IsChinese() && !p.Translated(lang) {
		fmt.Fprintf(w, "[%s] %s%s\n", p.ID, passageHeading(p, lang), tag)
		fmt.Fprintln(w, p.TextHans)
		fmt.Fprintln(w, "("+i18n.Text(lang, i18n.NoTranslation)+")")
		return
	}
	if !lang.IsChinese() {
		fmt.Fprintf(w, "[%s] %s%s\n", p.ID, passageHeading(p, lang), tag)
		fmt.Fprintln(w, p.TextIn(lang))
		fmt.Fprintln(w, "原文: "+p.TextHans)
		fmt.Fprintln(w, "("+i18n.Text(lang, i18n.TranslationNote)+")")
		return
	}
	sc := lang.Script()
	section := p.SectionName(sc)
	if section == p.Title(sc) {
		fmt.Fprintf(w, "[%s] %s%s\n", p.ID, p.Title(sc), tag)
	} else {
		fmt.Fprintf(w, "[%s] %s · %s%s\n", p.ID, p.Title(sc), section, tag)
	}
	fmt.Fprintln(w, p.Text(sc))
}

// passageHeading names a passage's document and section for a reader of
// lang who does not read Chinese: "Tianjin Declaration · Part 2".
func passageHeading(p corpus.Passage, lang corpus.Lang) string {
	d := p.Document()
	builtin := d == nil || d.Pack == corpus.BuiltinPack
	if p.Doc != "declaration" && builtin {
		return i18n.Text(lang, i18n.Key(i18n.DocShortPrefix+p.Doc))
	}
	if !builtin && d.Prefix != "" {
		// Another pack's statement: its own short title.
		return d.ShortTitle(lang)
	}
	section := i18n.Text(lang, i18n.SectionPart, p.Section)
	if p.Section == "0" {
		section = i18n.Text(lang, i18n.SectionOpening)
	}
	name := i18n.Text(lang, i18n.DeclarationShort)
	if !builtin {
		name = d.ShortTitle(lang)
	}
	return name + " · " + section
}

func writeJSON(a *app, v any) int {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(a.stderr, "declbot: write JSON: %v\n", err)
		return exitFail
	}
	return exitOK
}
