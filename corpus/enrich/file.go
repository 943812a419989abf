package enrich

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/declbot/declbot/corpus"
)

// File is one enrichment file being edited: a translation
// (<tag>.jsonl: a header line, then {"id","text"} per passage) or a
// question list (<tag>.tsv: "ID<TAB>question" lines). Its lines are kept
// as read, byte for byte; Set replaces the lines of one passage and
// leaves every other line alone, so a re-run that changes one passage
// changes one line (or block of lines) of the file.
type File struct {
	Kind  Kind
	Lang  corpus.Lang
	lines []fileLine
}

type fileLine struct {
	raw string // with its line end
	id  string // "" for the header and blank lines
	// Only one of these is set, by kind.
	text     string
	question string
}

// ParseFile reads a file of kind in language l. An empty data is a file
// with no passages yet (a translation file then gets a header when
// written). Lines that cannot be read are an error naming the line: the
// file is someone's work, and guessing could lose it.
func ParseFile(kind Kind, l corpus.Lang, data []byte) (*File, error) {
	f := &File{Kind: kind, Lang: l}
	header := kind != Translations
	for i, raw := range splitLines(string(data)) {
		line := strings.TrimRight(raw, "\r\n")
		fl := fileLine{raw: raw}
		switch {
		case strings.TrimSpace(line) == "":
		case !header:
			header = true
		case kind == Translations:
			var e struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID == "" {
				return nil, fmt.Errorf("line %d: want {\"id\",\"text\"}: %q", i+1, clip(line))
			}
			fl.id, fl.text = e.ID, e.Text
		default:
			id, q, ok := strings.Cut(line, "\t")
			if !ok {
				return nil, fmt.Errorf("line %d: want ID<TAB>question: %q", i+1, clip(line))
			}
			fl.id, fl.question = strings.TrimSpace(id), strings.TrimSpace(q)
		}
		f.lines = append(f.lines, fl)
	}
	return f, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// splitLines splits s after each "\n", keeping the line ends; a last line
// without one is kept as it is.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// Translation returns the passage's translation in the file ("" if none).
func (f *File) Translation(id string) string {
	for _, l := range f.lines {
		if l.id == id {
			return l.text
		}
	}
	return ""
}

// Questions returns the passage's questions in the file, in order.
func (f *File) Questions(id string) []string {
	var out []string
	for _, l := range f.lines {
		if l.id == id {
			out = append(out, l.question)
		}
	}
	return out
}

// Check returns why the file's entry for p does not pass the checks of
// package corpus (nil when it does); a passage with no entry fails.
func (f *File) Check(p corpus.Passage) error {
	if f.Kind == Translations {
		t := f.Translation(localID(p))
		if t == "" {
			return fmt.Errorf("no translation")
		}
		return corpus.CheckTranslation(p, f.Lang, t)
	}
	qs := f.Questions(localID(p))
	if len(qs) == 0 {
		return fmt.Errorf("no questions")
	}
	return corpus.CheckQuestions(p, f.Lang, qs)
}

// Set replaces p's entry with out, in place, or inserts it after the
// entry of the nearest passage before p in corpus order (at the top when
// there is none). It reports whether the file changed.
func (f *File) Set(p corpus.Passage, out Output, c *corpus.Corpus) bool {
	id := localID(p)
	var lines []string
	if f.Kind == Translations {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // the shipped files write “<” and “&” as they are
		_ = enc.Encode(struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}{id, out.Text}) // strings always encode
		lines = []string{b.String()}
	} else {
		for _, q := range out.Questions {
			lines = append(lines, id+"\t"+q+"\n")
		}
	}
	newLines := make([]fileLine, len(lines))
	for i, raw := range lines {
		newLines[i] = fileLine{raw: raw, id: id, text: out.Text}
		if f.Kind == Questions {
			newLines[i].text, newLines[i].question = "", out.Questions[i]
		}
	}
	first, last := -1, -1
	for i, l := range f.lines {
		if l.id == id {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		var old []fileLine
		for _, l := range f.lines[first : last+1] {
			if l.id == id {
				old = append(old, l)
			}
		}
		if sameLines(old, newLines) {
			return false
		}
		// Lines of other passages between the first and the last (a
		// file edited by hand) stay where they are, after the new block.
		var rest []fileLine
		for _, l := range f.lines[first : last+1] {
			if l.id != id {
				rest = append(rest, l)
			}
		}
		f.lines = concat(f.lines[:first], newLines, rest, f.lines[last+1:])
		return true
	}
	// A new entry: after the last line of a passage that comes before p.
	at := 0
	if f.Kind == Translations {
		at = f.headerEnd()
	}
	for i, l := range f.lines {
		if q, ok := c.Get(strings.TrimSuffix(p.ID, id) + l.id); ok && q.Index < p.Index {
			at = i + 1
		}
	}
	f.ensureNewline(at)
	f.lines = concat(f.lines[:at], newLines, f.lines[at:])
	return true
}

// headerEnd returns the index after a translation file's header line,
// adding a header when the file has none.
func (f *File) headerEnd() int {
	for i, l := range f.lines {
		if strings.TrimSpace(l.raw) != "" && l.id == "" {
			return i + 1
		}
	}
	h, _ := json.Marshal(corpus.TranslationInfo{
		Lang:   f.Lang,
		Note:   "Unofficial working translation made by the declbot project from the simplified Chinese text; the Chinese text is authoritative.",
		Method: "Translated passage by passage from text_hans by a language model (declbot enrich), without reference to any official version, with proper names fixed in names.tsv; every passage passed the checks of corpus.CheckTranslation.",
	})
	f.lines = concat([]fileLine{{raw: string(h) + "\n"}}, f.lines)
	return 1
}

// ensureNewline gives the line before index at a line end, so that a line
// inserted after a last line without one does not join it.
func (f *File) ensureNewline(at int) {
	if at > 0 && at <= len(f.lines) && !strings.HasSuffix(f.lines[at-1].raw, "\n") {
		f.lines[at-1].raw += "\n"
	}
}

func sameLines(a, b []fileLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimRight(a[i].raw, "\r\n") != strings.TrimRight(b[i].raw, "\r\n") {
			return false
		}
	}
	return true
}

func concat(parts ...[]fileLine) []fileLine {
	var out []fileLine
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Bytes returns the file's content.
func (f *File) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range f.lines {
		b.WriteString(l.raw)
	}
	return b.Bytes()
}

// WriteAtomic writes data to path through a temporary file in the same
// folder, renamed over path once complete: an interrupted or failed write
// leaves the old file whole. The folder is created if needed; an existing
// file keeps its permissions.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), mode)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// localID is the ID a pack's files use for p: its ID within its pack
// ("2.36" for "astana2024:2.36"; the same for the built-in texts).
func localID(p corpus.Passage) string {
	if p.Local != "" {
		return p.Local
	}
	return p.ID
}
