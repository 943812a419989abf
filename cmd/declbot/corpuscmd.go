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
		usage: `Usage: declbot corpus [--script hans|hant] [--docs] [--json] [--corpus DIR]

Without flags: the loaded documents with their paragraph counts, then a table
of contents with each paragraph's ID and first words.
--docs: the documents only (pack, kind, date, place, titles, paragraphs,
translations). --json prints the same as JSON: with --docs an array of
documents, without it every passage (id, pack, doc, section, section_name,
title, text_hans, text_hant, text_en, text_ru).
--corpus DIR (or CORPUS_DIR) adds the document packs in DIR (docs/PACKS.md).

Examples:
  declbot corpus
  declbot corpus --docs --json
  declbot corpus --json > passages.json`,
		run: runCorpus,
	}
}

func runCorpus(_ context.Context, a *app, args []string) int {
	fs := newFlagSet(a, corpusCommand())
	script := fs.String("script", "hans", "script of the text: hans (simplified) or hant (traditional)")
	asJSON := fs.Bool("json", false, "print every passage (with --docs: every document) as a JSON array")
	docsOnly := fs.Bool("docs", false, "list the documents only")
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
	c, err := openCorpus(a)
	if err != nil {
		fmt.Fprintf(a.stderr, "declbot corpus: %v\n", err)
		return exitUsage
	}
	docs := documentList(c)
	switch {
	case *asJSON && *docsOnly:
		return writeJSON(a, docs)
	case *asJSON:
		return writeJSON(a, c.Passages())
	}
	lang := corpus.LangHans
	if sc == corpus.Hant {
		lang = corpus.LangHant
	}
	for _, d := range docs {
		fmt.Fprintf(a.stdout, "%-24s %-11s %s %s  %3d paragraphs  %s\n", d.ID, d.Kind, orDash(d.Date), orDash(d.Place.In(lang)), d.Passages, d.Short.In(lang))
	}
	if *docsOnly {
		return exitOK
	}
	fmt.Fprint(a.stdout, "\n"+tableOfContents(c, sc))
	return exitOK
}

// docEntry is one line of "declbot corpus --docs".
type docEntry struct {
	// ID names the document: its pack and key ("tianjin2025/trade").
	ID           string           `json:"id"`
	Pack         string           `json:"pack"`
	Key          string           `json:"key"`
	Kind         string           `json:"kind"`
	Date         string           `json:"date"`
	Place        corpus.Localized `json:"place"`
	Title        corpus.Localized `json:"title"`
	Short        corpus.Localized `json:"short"`
	IDs          string           `json:"ids"`
	Passages     int              `json:"passages"`
	Translations []corpus.Lang    `json:"translations"`
	BuiltIn      bool             `json:"built_in"`
	Dir          string           `json:"dir,omitempty"`
}

// documentList describes every loaded document, in corpus order.
func documentList(c *corpus.Corpus) []docEntry {
	var out []docEntry
	for _, pk := range c.Packs() {
		langs := []corpus.Lang{}
		for _, l := range corpus.TranslationLangs() {
			if _, ok := pk.Translations[l]; ok {
				langs = append(langs, l)
			}
		}
		for _, d := range pk.Documents {
			key := d.Key[strings.IndexByte(d.Key, '/')+1:]
			e := docEntry{ID: pk.ID + "/" + key, Pack: pk.ID, Key: key, Kind: d.Kind, Date: pk.Date,
				Place: pk.Place, Title: d.Titles, Short: d.Short, Translations: langs, BuiltIn: pk.BuiltIn(), Dir: pk.Dir}
			var first, last string
			for _, p := range c.Passages() {
				if p.Doc == d.Key {
					if first == "" {
						first = p.ID
					}
					last = p.Local
					e.Passages++
				}
			}
			e.IDs = first + "-" + last
			out = append(out, e)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
			rng += "-" + ps[s.First+s.Count-1].Local
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
