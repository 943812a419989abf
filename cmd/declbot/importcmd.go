package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/declbot/declbot/corpus/importer"
)

func importCommand() command {
	return command{
		name:    "import",
		summary: "make a document pack from a declaration's text file (docs/PACKS.md)",
		usage: `Usage: declbot import FILE --id ID [--out DIR] [--prefixes T,W] [--check] [--json]

Reads a declaration as people get it (plain text or Markdown, simplified or
traditional, sections numbered 一、二、… or I., II., …, paragraphs one a line,
between blank lines or wrapped by a PDF extraction) with any statements
printed in the same file, and writes a pack: pack.json and passages.jsonl,
both scripts. It prints what it found (documents, sections with paragraph
counts) and every line it did not place, with its line number: check that
before using the pack. The pack goes to DIR, or to $CORPUS_DIR/ID; an
existing directory is never overwritten, and nothing is written unless the
whole pack is. Exit status 2 when the file is not a declaration (not text, no
numbered sections) or a flag is wrong.

Examples:
  declbot import astana2024.txt --id astana2024 --check
  CORPUS_DIR=~/packs declbot import astana2024.txt --id astana2024
  declbot import page.txt --id page2025 --prefixes T,W --out /tmp/page2025`,
		run: runImport,
	}
}

func runImport(_ context.Context, a *app, args []string) int {
	fs := newFlagSet(a, importCommand())
	id := fs.String("id", "", "the pack's `ID`: 2-32 lower-case letters, digits and _, starting with a letter (e.g. astana2024)")
	out := fs.String("out", "", "write the pack to `DIR` (default DIR/ID, DIR from --corpus or $CORPUS_DIR); DIR must not exist")
	prefixes := fs.String("prefixes", "", "one upper-case letter per statement found, in order, comma-separated: `T,W` (default A,B,C,…)")
	check := fs.Bool("check", false, "print the report and write nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, code, ok := parseFlags(a, fs, args, true)
	if !ok {
		return code
	}
	fail := func(format string, v ...any) int {
		fmt.Fprintf(a.stderr, "declbot import: "+format+"\n", v...)
		return exitUsage
	}
	switch {
	case len(rest) == 0:
		return fail("give the file to import, e.g. declbot import declaration.txt --id astana2024")
	case len(rest) > 1:
		return fail("one file at a time (got %s)", strings.Join(rest, " "))
	case *id == "":
		return fail("--id is required: the pack's ID, e.g. --id astana2024")
	}
	if err := importer.ValidID(*id); err != nil {
		return fail("--id: %v", err)
	}
	pre, err := importer.ParsePrefixes(*prefixes)
	if err != nil {
		return fail("--prefixes: %v", err)
	}
	target := *out
	if target == "" && !*check {
		dir := a.corpusDir
		if dir == "" {
			dir = strings.TrimSpace(a.getenv("CORPUS_DIR"))
		}
		if dir == "" {
			return fail("where should the pack go? set CORPUS_DIR or pass --corpus DIR (the pack is written to DIR/%s), or --out PACKDIR", *id)
		}
		target = filepath.Join(dir, *id)
	}
	// Refuse an existing target before reading anything, so --check says
	// so too.
	if target != "" {
		if _, err := os.Lstat(target); err == nil {
			return fail("%s already exists; choose another --id or --out, or remove it first", target)
		}
	}
	file := rest[0]
	data, err := os.ReadFile(file)
	if err != nil {
		return fail("%v", err)
	}
	p, err := importer.Import(file, data, importer.Options{ID: *id, Prefixes: pre})
	if err != nil {
		return fail("%v", err)
	}
	if !*check {
		if err := p.WriteNew(target); err != nil {
			if errors.Is(err, importer.ErrExists) {
				return fail("%v", err)
			}
			fmt.Fprintf(a.stderr, "declbot import: %v\n", err)
			return exitFail
		}
	}
	if *asJSON {
		type result struct {
			importer.Report
			Wrote    string `json:"wrote,omitempty"`
			Passages int    `json:"passages"`
		}
		r := result{Report: p.Report, Passages: len(p.Passages)}
		if !*check {
			r.Wrote = target
		}
		return writeJSON(a, r)
	}
	if err := p.Report.WriteText(a.stdout); err != nil {
		fmt.Fprintf(a.stderr, "declbot import: %v\n", err)
		return exitFail
	}
	if *check {
		fmt.Fprintf(a.stdout, "\n--check: nothing written (%d passages)\n", len(p.Passages))
	} else {
		fmt.Fprintf(a.stdout, "\nwrote %s (%d passages)\n", target, len(p.Passages))
	}
	return exitOK
}
