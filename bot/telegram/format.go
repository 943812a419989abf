package telegram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMessageLen is Telegram's limit on a message's visible text (after
// HTML parsing), counted in UTF-16 code units as Telegram counts it.
const MaxMessageLen = 4096

// style is a set of the few Telegram HTML styles the bot uses.
type style uint8

const (
	styleQuote  style = 1 << iota // <blockquote>, a block around whole lines
	styleBold                     // <b>
	styleItalic                   // <i>
	styleCode                     // <code>
)

// tagOrder is the nesting order of tags, outermost first. Rendering opens
// and closes tags in this order, so the HTML is always well nested.
var tagOrder = []struct {
	s    style
	name string
}{{styleQuote, "blockquote"}, {styleBold, "b"}, {styleItalic, "i"}, {styleCode, "code"}}

// span is a run of text in one style. The text is plain: escaping happens
// only when rendering, so no user, model or corpus text can inject markup.
type span struct {
	text  string
	style style
}

// doc is a formatted message: a sequence of spans. Keeping messages as
// spans rather than HTML strings is what makes splitting safe: a chunk
// boundary inside a bold run simply closes the tag in one chunk and opens
// it in the next.
type doc []span

func (d *doc) add(s string, st style) {
	s = sanitize(s)
	if s == "" {
		return
	}
	if n := len(*d); n > 0 && (*d)[n-1].style == st {
		(*d)[n-1].text += s
		return
	}
	*d = append(*d, span{s, st})
}

func (d *doc) plain(s string)  { d.add(s, 0) }
func (d *doc) bold(s string)   { d.add(s, styleBold) }
func (d *doc) italic(s string) { d.add(s, styleItalic) }
func (d *doc) code(s string)   { d.add(s, styleCode) }
func (d *doc) quote(s string)  { d.add(s, styleQuote) }
func (d *doc) append(o doc) {
	for _, s := range o {
		d.add(s.text, s.style)
	}
}

// sanitize makes text safe to send: valid UTF-8, no NUL or other C0
// controls except tab and newline (Telegram rejects invalid UTF-8).
func sanitize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isBadControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return -1
		}
		return r
	}, s)
}

func isBadControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
}

// escapeHTML escapes the three characters Telegram's HTML parser treats
// specially in text: & < >.
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// EscapeHTML escapes text for Telegram's HTML parse mode.
func EscapeHTML(s string) string { return escapeHTML(sanitize(s)) }

// html renders the doc as Telegram HTML.
func (d doc) html() string {
	var b strings.Builder
	var cur style
	transition := func(next style) {
		// The first tag (outermost first) where the styles differ: every
		// tag from there inwards closes and reopens.
		k := len(tagOrder)
		for i, t := range tagOrder {
			if cur&t.s != next&t.s {
				k = i
				break
			}
		}
		for i := len(tagOrder) - 1; i >= k; i-- {
			if cur&tagOrder[i].s != 0 {
				b.WriteString("</" + tagOrder[i].name + ">")
			}
		}
		for i := k; i < len(tagOrder); i++ {
			if next&tagOrder[i].s != 0 {
				b.WriteString("<" + tagOrder[i].name + ">")
			}
		}
		cur = next
	}
	for _, s := range d {
		if s.text == "" {
			continue
		}
		transition(s.style)
		b.WriteString(escapeHTML(s.text))
	}
	transition(0)
	return b.String()
}

// text returns the doc's visible text, used when Telegram refuses the
// HTML and the message is resent without formatting.
func (d doc) text() string {
	var b strings.Builder
	for _, s := range d {
		b.WriteString(s.text)
	}
	return b.String()
}

// utf16Len counts s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// split cuts d into messages of at most limit UTF-16 units of visible
// text each, preferring to cut between paragraphs, then lines, then
// sentences, then words. Whitespace at a cut is dropped (Telegram trims
// it anyway); no other text is lost, and every chunk renders to balanced
// HTML. Chunks that would be empty are left out.
func (d doc) split(limit int) []doc {
	full := d.text()
	var chunks []doc
	start := 0
	for start < len(full) {
		// Skip whitespace at the start of a chunk.
		for start < len(full) {
			r, n := utf8.DecodeRuneInString(full[start:])
			if !unicode.IsSpace(r) {
				break
			}
			start += n
		}
		if start >= len(full) {
			break
		}
		end := cutPoint(full, start, limit)
		if c := d.slice(start, end).trimmed(); len(c) > 0 {
			chunks = append(chunks, c)
		}
		start = end
	}
	return chunks
}

// cutPoint returns where the chunk starting at byte start should end.
func cutPoint(s string, start, limit int) int {
	// hard is the furthest byte offset within the limit, on a rune
	// boundary.
	hard, units := start, 0
	for hard < len(s) {
		r, n := utf8.DecodeRuneInString(s[hard:])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > limit {
			break
		}
		units += w
		hard += n
	}
	if hard == len(s) {
		return hard
	}
	// Measure what remains without trailing whitespace: if it fits, take
	// it all.
	if strings.TrimRightFunc(s[hard:], unicode.IsSpace) == "" {
		return len(s)
	}
	window := s[start:hard]
	half := len(window) / 2
	for _, find := range []func(string) int{lastParagraphBreak, lastLineBreak, lastSentenceEnd, lastSpace} {
		if i := find(window); i > half {
			return start + i
		}
	}
	for _, find := range []func(string) int{lastParagraphBreak, lastLineBreak, lastSentenceEnd, lastSpace} {
		if i := find(window); i > 0 {
			return start + i
		}
	}
	if hard == start { // a limit smaller than one character
		_, n := utf8.DecodeRuneInString(s[start:])
		return start + n
	}
	return hard
}

// The finders return the byte offset just after the last break in w, or
// -1.

func lastParagraphBreak(w string) int {
	if i := strings.LastIndex(w, "\n\n"); i >= 0 {
		return i + 2
	}
	return -1
}

func lastLineBreak(w string) int {
	if i := strings.LastIndexByte(w, '\n'); i >= 0 {
		return i + 1
	}
	return -1
}

// lastSentenceEnd finds the end of the last sentence: after Chinese full
// stops and marks (which need no space), or after . ! ? ; followed by a
// space.
func lastSentenceEnd(w string) int {
	best := -1
	for i, r := range w {
		switch r {
		case '。', '！', '？', '；', '…':
			best = i + utf8.RuneLen(r)
		case '.', '!', '?', ';':
			if j := i + 1; j < len(w) && (w[j] == ' ' || w[j] == '\n') {
				best = j
			}
		}
	}
	return best
}

func lastSpace(w string) int {
	if i := strings.LastIndexFunc(w, unicode.IsSpace); i >= 0 {
		_, n := utf8.DecodeRuneInString(w[i:])
		return i + n
	}
	return -1
}

// slice returns the part of d covering bytes [from, to) of d.text().
func (d doc) slice(from, to int) doc {
	var out doc
	pos := 0
	for _, s := range d {
		a, b := pos, pos+len(s.text)
		pos = b
		if b <= from || a >= to {
			continue
		}
		lo, hi := max(from, a)-a, min(to, b)-a
		out = append(out, span{s.text[lo:hi], s.style})
	}
	return out
}

// trimmed drops leading and trailing whitespace, as Telegram does.
func (d doc) trimmed() doc {
	out := append(doc(nil), d...)
	for len(out) > 0 {
		out[0].text = strings.TrimLeftFunc(out[0].text, unicode.IsSpace)
		if out[0].text != "" {
			break
		}
		out = out[1:]
	}
	for len(out) > 0 {
		n := len(out) - 1
		out[n].text = strings.TrimRightFunc(out[n].text, unicode.IsSpace)
		if out[n].text != "" {
			break
		}
		out = out[:n]
	}
	return out
}

// markdownDoc turns a model's answer into a doc. Models write a little
// Markdown whatever they are told: **bold**, `code`, "# " headings and
// "- " bullets become Telegram formatting; everything else, including
// HTML the model or the user wrote, stays literal text.
func markdownDoc(text string) doc {
	var d doc
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if i > 0 {
			d.plain("\n")
		}
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case strings.HasPrefix(trimmed, "#"):
			h := strings.TrimLeft(trimmed, "#")
			if strings.HasPrefix(h, " ") && len(trimmed)-len(h) <= 6 {
				d.bold(strings.ReplaceAll(strings.TrimSpace(h), "**", ""))
				continue
			}
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* ") || strings.HasPrefix(trimmed, "• "):
			_, rest, _ := strings.Cut(trimmed, " ")
			d.plain("• ")
			inlineMarkdown(&d, rest)
			continue
		}
		inlineMarkdown(&d, line)
	}
	return d
}

// inlineMarkdown adds s to d, turning **x** into bold and `x` into code.
// An unmatched marker (as in a half-streamed answer) stays literal.
func inlineMarkdown(d *doc, s string) {
	for s != "" {
		i := strings.IndexAny(s, "*`")
		if i < 0 {
			d.plain(s)
			return
		}
		switch {
		case strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(s[i+2:], "**"); j > 0 {
				d.plain(s[:i])
				d.bold(s[i+2 : i+2+j])
				s = s[i+2+j+2:]
				continue
			}
			d.plain(s[:i+2])
			s = s[i+2:]
		case s[i] == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 {
				d.plain(s[:i])
				d.code(s[i+1 : i+1+j])
				s = s[i+1+j+1:]
				continue
			}
			d.plain(s[:i+1])
			s = s[i+1:]
		default:
			d.plain(s[:i+1])
			s = s[i+1:]
		}
	}
}
