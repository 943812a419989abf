// Package importer turns a declaration as people get it into a document pack
// (docs/PACKS.md): plain text or Markdown, in simplified or traditional
// script, with numbered section headings (一、二、… or I., II., …, bare or as
// Markdown headings), its paragraphs one a line, split by blank lines, or
// broken every few characters by a PDF extraction (seed 000). It finds the
// paragraph boundaries, the sections, the statements printed in the same
// file, the date and place, makes the other script with corpus.ToHans or
// corpus.ToHant, and reports every line it could not place: a news item, a
// photo caption, a page break, a list that belongs to no document. A reader
// checks that report before trusting the pack, so it names lines, not
// guesses.
//
// What it relies on, all seen in the seeds and in official SCO texts:
//   - a section heading is a numeral alone or with a short title (一,
//     二、政治安全, III., ## 第四部分); sections are numbered 1, 2, 3… in order;
//   - text before section 一 is the opening paragraph (0.1), unless a line
//     such as 「天津宣言」全文如下： says that what precedes it is a
//     reporter's preamble;
//   - in a PDF extraction a paragraph ends where a line ends with 。, ！, ？
//     or ：. In seed 000 this holds for every one of its 85 paragraphs, even
//     those whose last line is as long as the others (1.2), so line length
//     is not used;
//   - a statement has a title line, 《…的声明》 or …的声明, printed before its
//     text or, on a newspaper page, after it and its date line (seed 000);
//   - leaders' names after the last section (中华人民共和国主席 习近平) are the
//     signature block, one paragraph of the last section, one name a line;
//   - a news item opens with a news agency dateline (新华社天津9月1日电) and,
//     on a newspaper page, ends with its headline: the first line after a
//     paragraph end that has no punctuation at all.
package importer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Options says how to import.
type Options struct {
	// ID is the pack ID written to pack.json (see ValidID).
	ID string
	// Prefixes are the letters the statements found in the file get, in
	// order of appearance; empty means A, B, C, ….
	Prefixes []string
}

// Passage is one line of passages.jsonl, exactly the built-in format.
type Passage struct {
	ID       string `json:"id"`
	Doc      string `json:"doc"`
	Section  string `json:"section"`
	TextHans string `json:"text_hans"`
	TextHant string `json:"text_hant"`
}

// Document is one entry of pack.json's documents.
type Document struct {
	Key    string            `json:"key"`
	Kind   string            `json:"kind"`
	Prefix string            `json:"prefix"`
	Title  map[string]string `json:"title"`
	Short  map[string]string `json:"short"`
}

// Meta is pack.json. Date and Place are empty when the text does not say
// them; English and Russian titles are left to fall back to zh-Hans.
type Meta struct {
	ID        string            `json:"id"`
	Date      string            `json:"date,omitempty"`
	Place     map[string]string `json:"place,omitempty"`
	Documents []Document        `json:"documents"`
}

// Pack is an imported pack: what is written, and the report on how it was
// made.
type Pack struct {
	Meta     Meta
	Passages []Passage
	Report   Report
}

var prefixRE = regexp.MustCompile(`^[A-Z]$`)

// ValidID checks a pack ID against docs/PACKS.md (corpus.CheckPackID, the
// loader's own rule): 2-32 lower-case ASCII letters, digits and _,
// starting with a letter, holding a digit; and not the built-in pack's.
func ValidID(id string) error {
	if id == corpus.BuiltinPack {
		return fmt.Errorf("pack ID %q is the built-in texts'; choose another", id)
	}
	return corpus.CheckPackID(id)
}

// ParsePrefixes reads a --prefixes value such as "T,W": one upper-case
// ASCII letter per statement, each once.
func ParsePrefixes(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if !prefixRE.MatchString(p) {
			return nil, fmt.Errorf("prefix %q: each statement's prefix is one upper-case letter (e.g. T,W)", p)
		}
		if seen[p] {
			return nil, fmt.Errorf("prefix %q given twice", p)
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

// Import reads data, the file called name, and returns the pack it holds.
// Every error is about the input and names the file (and the line, where
// there is one): not text, no numbered sections, more statements than
// prefixes.
func Import(name string, data []byte, opts Options) (*Pack, error) {
	if err := ValidID(opts.ID); err != nil {
		return nil, err
	}
	for _, p := range opts.Prefixes {
		if !prefixRE.MatchString(p) {
			return nil, fmt.Errorf("prefix %q: each statement's prefix is one upper-case letter", p)
		}
	}
	raw, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	ls := make([]line, len(raw))
	for i, r := range raw {
		ls[i] = classify(i+1, r)
	}
	ls = mergeTitles(ls)
	layout := detectLayout(ls)
	us := paragraphs(ls, layout)
	doc, err := assemble(name, us, opts)
	if err != nil {
		return nil, err
	}
	doc.report.File = name
	doc.report.Layout = layout.String()
	return doc.pack(opts.ID), nil
}

// layout is how the file breaks its paragraphs into lines.
type layout int

const (
	// oneLine: every line is a paragraph (blank lines between them or
	// not), as in seed 001 and most web copies.
	oneLine layout = iota
	// blocks: paragraphs are separated by blank lines and hard-wrapped
	// inside, as Markdown is often written.
	blocks
	// wrapped: lines are broken every few characters, blank lines carry no
	// meaning, and a paragraph ends with a sentence (seed 000).
	wrapped
)

func (l layout) String() string {
	switch l {
	case blocks:
		return "paragraphs separated by blank lines"
	case wrapped:
		return "lines wrapped inside paragraphs (PDF)"
	}
	return "one paragraph a line"
}

// detectLayout looks at the running-text lines: when nearly all end a
// sentence, each is a paragraph; otherwise lines were wrapped, inside
// blank-line-separated blocks of a few lines (Markdown) or everywhere (a
// PDF extraction, with a blank line after every line or none at all).
func detectLayout(ls []line) layout {
	text, open, inBlocks, gaps := 0, 0, 0, 0
	blank := false
	for i, l := range ls {
		switch {
		case l.kind == kBlank:
			blank = true
		case l.kind == kText:
			if blank && text > 0 {
				gaps++ // a blank line between two lines of text
			}
			blank = false
		}
		if l.kind != kText || l.signature || l.listItem {
			continue
		}
		text++
		if !l.terminated {
			open++
		}
		prevText := i > 0 && ls[i-1].kind == kText
		nextText := i+1 < len(ls) && ls[i+1].kind == kText
		if prevText || nextText {
			inBlocks++
		}
	}
	switch {
	case open*5 <= text:
		return oneLine
	case inBlocks*2 >= text && text <= 10*gaps:
		// Blocks of a few lines each between blank lines: Markdown
		// paragraphs. Text with (almost) no blank lines is a PDF
		// extraction without them.
		return blocks
	}
	return wrapped
}

// unit is a paragraph or a structural line, in file order.
type unit struct {
	kind        lineKind // kText for a paragraph, else the line's kind
	first, last int      // line numbers
	text        string   // a paragraph's text, cleaned; a line's text
	l           line     // the (first) line, for structural units

	news      bool // part of a news item
	headline  bool // a news item's headline
	caption   bool
	listItem  bool
	signature bool
}

// paragraphs joins lines into paragraphs as the layout says, and keeps
// every other line as a unit of its own.
func paragraphs(ls []line, lay layout) []unit {
	var us []unit
	var cur *unit
	var parts []string
	inNews := false
	flush := func() {
		if cur == nil {
			return
		}
		if cur.signature {
			cur.text = collapseSpace(parts[0])
		} else {
			cur.text = cleanText(strings.Join(parts, "\n"))
		}
		us = append(us, *cur)
		cur, parts = nil, nil
	}
	for _, l := range ls {
		switch l.kind {
		case kSkip:
			continue
		case kBlank:
			if lay == blocks {
				flush()
			}
			continue
		case kText:
		default:
			flush()
			inNews = false
			us = append(us, unit{kind: l.kind, first: l.n, last: l.end, text: l.text, l: l})
			continue
		}
		if l.newsStart || l.listItem || l.signature || (cur != nil && cur.signature) {
			flush()
		}
		if l.newsStart {
			inNews = true
		}
		if cur == nil && inNews && !l.newsStart && l.unpunct {
			us = append(us, unit{kind: kText, first: l.n, last: l.n, text: cleanText(l.text), l: l, news: true, headline: true})
			inNews = false
			continue
		}
		if cur == nil {
			cur = &unit{kind: kText, first: l.n, l: l, news: inNews, listItem: l.listItem, signature: l.signature}
		}
		cur.last = l.n
		parts = append(parts, l.text)
		if l.caption {
			cur.caption = true
		}
		if lay == oneLine || l.signature || l.caption || (lay == wrapped && l.terminated) {
			flush()
		}
	}
	flush()
	return us
}

// cleanText joins a paragraph's lines and removes the spaces a PDF
// extraction puts between characters and around digits (2025 年 9 月): the
// mainland style writes digits against CJK with no space, so only a space
// between two ASCII letters is kept (as one space).
func cleanText(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if isSpace(r) {
			if i > 0 && !isSpace(rs[i-1]) && isLatin(rs[i-1]) {
				j := i + 1
				for j < len(rs) && isSpace(rs[j]) {
					j++
				}
				if j < len(rs) && isLatin(rs[j]) {
					b.WriteByte(' ')
				}
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == 0x3000 || r == 0xA0 }

func isLatin(r rune) bool { return r < 0x80 && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }

// excerpt shortens s for the report.
func excerpt(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " / ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

var errNoSections = errors.New("no numbered sections found (一、二、… or I., II., …): is this a declaration?")
