package main

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

func corpusCommand() command {
	return command{
		name:    "corpus",
		summary: "list the documents, sections and paragraphs (or dump them as JSON)",
		usage: `Usage: declbot corpus [--script hans|hant] [--json]

Without --json: a table of contents with each paragraph's ID and first words.
With --json: every passage as a JSON array of objects with id, doc, section,
section_name, title, text_hans and text_hant.

Examples:
  declbot corpus
  declbot corpus --json > passages.json`,
		run: runCorpus,
	}
}

func runCorpus(_ context.Context, a *app, args []string) int {
	fs := newFlagSet(a, corpusCommand())
	script := fs.String("script", "hans", "script of the text: hans (simplified) or hant (traditional)")
	asJSON := fs.Bool("json", false, "print every passage as a JSON array")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "declbot corpus: unexpected argument %q; to print paragraphs use declbot cite %s\n", rest[0], rest[0])
		return exitUsage
	}
	sc, err := corpus.ParseScript(*script)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot corpus: --script: %v\n", err)
		return exitUsage
	}
	c, err := corpus.Load()
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot corpus: %v\n", err)
		return exitFail
	}
	if *asJSON {
		return writeJSON(a, c.Passages())
	}
	fmt.Fprint(a.stdout, tableOfContents(c, sc))
	return exitOK
}

// tableOfContents renders documents, sections with their ID ranges, and the
// first words of each paragraph.
func tableOfContents(c *corpus.Corpus, sc corpus.Script) string {
	var b strings.Builder
	ps := c.Passages()
	lastDoc := ""
	for _, s := range c.Sections() {
		if s.Doc != lastDoc {
			if lastDoc != "" {
				b.WriteString("\n")
			}
			lastDoc = s.Doc
			for _, d := range c.Documents() {
				if d.Key == s.Doc {
					fmt.Fprintf(&b, "%s\n%s\n", d.Title(sc), d.TitleEn)
				}
			}
		}
		rng := s.FirstID(c)
		if s.Count > 1 {
			rng += "-" + s.LastID(c)
		}
		if name := s.Name(sc); name != ps[s.First].Title(sc) {
			fmt.Fprintf(&b, "  %s  %s (%d)\n", name, rng, s.Count)
		} else {
			fmt.Fprintf(&b, "  %s (%d)\n", rng, s.Count)
		}
		for _, p := range ps[s.First : s.First+s.Count] {
			fmt.Fprintf(&b, "    %-5s %s\n", p.ID, firstWords(p.Text(sc), 24))
		}
	}
	return b.String()
}

// firstWords returns the first n characters of s on one line, with an
// ellipsis when cut.
func firstWords(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " / ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
