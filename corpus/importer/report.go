package importer

import (
	"fmt"
	"io"
	"strings"
)

// Report says what an import found, for a person to check before using
// the pack: the documents with their sections and paragraph counts, every
// line that went to no document, and what had to be guessed.
type Report struct {
	ID        string      `json:"id"`
	File      string      `json:"file"`
	Script    string      `json:"script"` // the file's script: hans or hant
	Layout    string      `json:"layout"`
	Documents []DocReport `json:"documents"`
	Unplaced  []Unplaced  `json:"unplaced"`
	Notes     []string    `json:"notes,omitempty"`
}

// DocReport is one document found.
type DocReport struct {
	Key        string          `json:"key"`
	Kind       string          `json:"kind"`
	Prefix     string          `json:"prefix"`
	Title      string          `json:"title"`
	TitleLine  int             `json:"title_line,omitempty"` // 0 when the title is not from the text
	FirstLine  int             `json:"first_line"`
	LastLine   int             `json:"last_line"`
	Date       string          `json:"date,omitempty"` // from a date line of its own
	Paragraphs int             `json:"paragraphs"`
	First      string          `json:"first"` // first and last passage ID
	Last       string          `json:"last"`
	Sections   []SectionReport `json:"sections,omitempty"`
	Signature  string          `json:"signature,omitempty"` // the signature block's ID
	Truncated  string          `json:"truncated,omitempty"` // the page break it stops at
}

// SectionReport is one section of the declaration.
type SectionReport struct {
	Section    string `json:"section"`
	Line       int    `json:"line"`
	Paragraphs int    `json:"paragraphs"`
	First      string `json:"first"`
	Last       string `json:"last"`
}

// Unplaced is a run of lines that went to no document, and why.
type Unplaced struct {
	Line     int    `json:"line"`
	LastLine int    `json:"last_line"`
	Why      string `json:"why"`
	Text     string `json:"text"`
	toUnit   int
}

// Lines returns "line 5" or "lines 5-9".
func (u Unplaced) Lines() string {
	if u.LastLine > u.Line {
		return fmt.Sprintf("lines %d-%d", u.Line, u.LastLine)
	}
	return fmt.Sprintf("line %d", u.Line)
}

// WriteText prints the report for a terminal.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	script := "simplified"
	if r.Script == "hant" {
		script = "traditional"
	}
	fmt.Fprintf(&b, "%s: %s, %s\n", r.File, script, r.Layout)
	for _, d := range r.Documents {
		what := d.Kind
		if d.Prefix != "" {
			what += " " + d.Prefix
		}
		fmt.Fprintf(&b, "\n%s %s (lines %d-%d): %s, %s-%s\n", what, d.Title, d.FirstLine, d.LastLine, plural(d.Paragraphs), d.First, d.Last)
		if d.TitleLine > 0 {
			fmt.Fprintf(&b, "  title: line %d\n", d.TitleLine)
		}
		if d.Date != "" {
			fmt.Fprintf(&b, "  date line: %s\n", d.Date)
		}
		for _, s := range d.Sections {
			name := "section " + s.Section
			if s.Section == "0" {
				name = "opening"
			}
			fmt.Fprintf(&b, "  %-10s line %-5d %-14s %s-%s\n", name, s.Line, plural(s.Paragraphs), s.First, s.Last)
		}
		if d.Signature != "" {
			fmt.Fprintf(&b, "  signature block: %s\n", d.Signature)
		}
	}
	if len(r.Unplaced) == 0 {
		fmt.Fprintf(&b, "\nevery line was placed\n")
	} else {
		fmt.Fprintf(&b, "\nnot placed in any document (%d):\n", len(r.Unplaced))
		for _, u := range r.Unplaced {
			fmt.Fprintf(&b, "  %-13s %s: %s\n", u.Lines(), u.Why, u.Text)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\nnotes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plural says "1 paragraph" or "N paragraphs".
func plural(n int) string {
	if n == 1 {
		return "1 paragraph"
	}
	return fmt.Sprintf("%d paragraphs", n)
}
