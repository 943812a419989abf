package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Citation markers: the one grammar every part of declbot uses to read
// references to paragraphs in running text (a model's answer, a stored
// conversation, an evaluation run).
//
// A marker is a bracketed span on one line, with no bracket inside, whose
// brackets are square ([ ] ［ ］), lenticular (【 】), tortoise-shell
// (〔 〕, 〖 〗) or round (( ) （ )). Opening and closing brackets need
// not match ("[2.36】") and may be doubled ("[[2.36]]"). Inside, items are
// separated by commas or semicolons of either width or by 和, 及, 与, 以及;
// an item is one reference in any form Lookup accepts ("2.36", "2-36",
// "2/36", "2、36", "二.36", "§2.36", "see 2.36", "第二部分第36段", "T3", a
// range "2.17-2.19" or "2.17-19") or several of them separated by spaces,
// 、, "and" or "и" ("2.36 3.21", "2.36、3.21").
//
// The rule that decides whether brackets are a citation:
//
//   - Square, lenticular and tortoise-shell brackets are citation
//     brackets: they make a marker when at least one item is a reference.
//     Items that are not ("[2.36, see above]") belong to the marker and go
//     with it. A bare number ("[1]", "[2025]"), a word ("[注]", "[sic]")
//     or prose ("[2.36 is open") is no reference, so such brackets stay
//     text.
//   - Round brackets are prose brackets: they make a marker only when
//     every item is a reference written in a form prose does not use for
//     other numbers ("(2.36)", "(T3)", "(第二部分第36段)", "(§2.36-2.38)"),
//     so "(2/3)", "(1-3)", "(10:30)" and "(2001)" stay text.
//
// maxMarkerRunes bounds a marker's content: longer brackets are text.
const maxMarkerRunes = 200

// Marker is one citation marker in a text.
type Marker struct {
	// Start and End are its byte offsets in the text, brackets included.
	Start, End int
	// Refs are the references in it, in order.
	Refs []Ref
}

// FindMarkers returns the citation markers in text, in order. A closing
// bracket run longer than the opening one belongs to the surrounding
// text: in "(see [2.36])" the marker is "[2.36]". It takes time linear in
// the length of text.
func FindMarkers(text string) []Marker {
	var out []Marker
	s := scanner{text: text, replace: func(m Marker) string {
		out = append(out, m)
		return text[m.Start:m.End]
	}}
	s.run()
	return out
}

// RewriteMarkers returns text with each citation marker replaced by what
// replace returns for it: the checked form, or "" to remove it (spaces
// before a removed marker go too, so "word [9.99]." becomes "word.").
// Empty brackets ("[]", "( )") are removed as well, with the spaces before
// them.
//
// Removing a marker or empty brackets can join the text around them into
// brackets that read as a new marker ("[2.3[9.99]6]"). Such a marker is
// not the writer's: it is not passed to replace but becomes plain text,
// its brackets dropped ("2.36"). So every marker left in the result is one
// that replace returned. Bytes that are not UTF-8 come out as U+FFFD, so
// a removal cannot join them into a rune either. It takes time linear in
// the length of text.
func RewriteMarkers(text string, replace func(Marker) string) string {
	s := scanner{text: text, replace: replace, rewrite: true}
	s.run()
	return string(s.out)
}

// opener is an opening bracket not yet closed.
type opener struct {
	in, out int // byte offset in the input and in the output
	size    int // bytes of the bracket
	round   bool
	// clean: the output after this bracket holds no bracket, so its
	// content so far may still be a marker.
	clean bool
	// wasClean is the enclosing opener's clean before this one opened:
	// what it is again when this one leaves no bracket behind.
	wasClean bool
	// joined: text was removed inside, so the text around the removal
	// now runs together.
	joined bool
}

type scanner struct {
	text    string
	replace func(Marker) string
	rewrite bool
	out     []byte
	stack   []opener
}

func (s *scanner) run() {
	s.out = make([]byte, 0, len(s.text))
	for i := 0; i < len(s.text); {
		r, size := utf8.DecodeRuneInString(s.text[i:])
		switch {
		case r == '\n':
			s.stack = s.stack[:0]
			s.out = append(s.out, '\n')
			i += size
		case isOpenBracket(r):
			wasClean := false
			if n := len(s.stack); n > 0 {
				wasClean = s.stack[n-1].clean
				s.stack[n-1].clean = false
			}
			s.stack = append(s.stack, opener{in: i, out: len(s.out), size: size, round: r == '(' || r == '（', clean: true, wasClean: wasClean})
			s.out = append(s.out, s.text[i:i+size]...)
			i += size
		case isCloseBracket(r):
			// The run of closing brackets from i: a marker takes as many
			// of them as it has opening brackets.
			var ends []int
			for j := i; j < len(s.text); {
				r, size := utf8.DecodeRuneInString(s.text[j:])
				if !isCloseBracket(r) {
					break
				}
				j += size
				ends = append(ends, j)
			}
			for k := 0; k < len(ends); {
				from := i
				if k > 0 {
					from = ends[k-1]
				}
				k += s.close(from, ends[k:])
			}
			i = ends[len(ends)-1]
		case r == utf8.RuneError && size == 1:
			// A byte that is not UTF-8 is written as U+FFFD, never as
			// itself: removing empty brackets between two such bytes
			// ("\xef〔〕\xbc\xbd") would otherwise join them into a rune,
			// here a closing bracket, and so into a marker no one wrote.
			s.out = utf8.AppendRune(s.out, utf8.RuneError)
			i += size
		default:
			s.out = append(s.out, s.text[i:i+size]...)
			i += size
		}
	}
}

// close handles the closing bracket at text[from:ends[0]], followed in
// the input by the closing brackets ending at ends[1:], and returns how
// many of them it used.
func (s *scanner) close(from int, ends []int) int {
	n := len(s.stack)
	if n == 0 {
		s.out = append(s.out, s.text[from:ends[0]]...)
		return 1
	}
	top := s.stack[n-1]
	content := s.out[top.out+top.size:]
	if top.clean && s.rewrite && isBlank(content) {
		s.out = s.out[:top.out]
		s.trimSpace()
		s.pop(1, false)
		return 1
	}
	if top.clean && len(content) <= 4*maxMarkerRunes && utf8.RuneCount(content) <= maxMarkerRunes {
		if refs, ok := parseMarker(string(content), top.round); ok {
			// The opening run: brackets right next to each other, "[["
			// of "[[2.36]]". Next to each other in the output, not the
			// input: a removal between two ("(()(2.36)") puts them side by
			// side, and a reader of the result sees one run.
			run := 1
			for run < n && s.stack[n-run-1].out+s.stack[n-run-1].size == s.stack[n-run].out {
				run++
			}
			used := min(run, len(ends))
			first := s.stack[n-run]
			if top.joined {
				kept := string(content)
				s.out = append(s.out[:first.out], kept...)
				s.pop(run, false)
				return used
			}
			rep := s.replace(Marker{Start: first.in, End: ends[used-1], Refs: refs})
			s.out = append(s.out[:first.out], rep...)
			if rep == "" {
				s.trimSpace()
			}
			s.pop(run, rep != "")
			return used
		}
	}
	s.out = append(s.out, s.text[from:ends[0]]...)
	s.pop(1, true)
	return 1
}

// trimSpace drops spaces and tabs at the end of the output: what stood
// before a removed marker ("word [9.99]." becomes "word.").
func (s *scanner) trimSpace() {
	for len(s.out) > 0 && (s.out[len(s.out)-1] == ' ' || s.out[len(s.out)-1] == '\t') {
		s.out = s.out[:len(s.out)-1]
	}
}

// pop closes the top k openers. left says whether brackets of theirs stay
// in the output; if none do, the enclosing opener's content runs on from
// before them, and it is marked joined.
func (s *scanner) pop(k int, left bool) {
	n := len(s.stack)
	first := s.stack[n-k]
	s.stack = s.stack[:n-k]
	if n-k == 0 {
		return
	}
	parent := &s.stack[n-k-1]
	if left {
		parent.clean = false
		return
	}
	parent.clean = first.wasClean
	parent.joined = true
}

func isOpenBracket(r rune) bool {
	switch r {
	case '[', '［', '【', '〔', '〖', '(', '（':
		return true
	}
	return false
}

func isCloseBracket(r rune) bool {
	switch r {
	case ']', '］', '】', '〕', '〗', ')', '）':
		return true
	}
	return false
}

func isBlank(b []byte) bool {
	for _, r := range string(b) {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// parseMarker reads the content of brackets by the rule above.
func parseMarker(content string, round bool) ([]Ref, bool) {
	var refs []Ref
	for _, it := range splitRefs(content) {
		if !it.ok {
			if round {
				return nil, false
			}
			continue
		}
		if round && !it.ref.strict {
			return nil, false
		}
		refs = append(refs, it.ref)
	}
	return refs, len(refs) > 0
}

// refItem is one item of a list of references: a reference, or text that
// is none.
type refItem struct {
	text string
	ref  Ref
	ok   bool
}

// listSeparators split a list of references into items (after FoldWidth).
var listSeparators = strings.NewReplacer(";", ",", "；", ",", "，", ",", "以及", ",", "和", ",", "及", ",", "与", ",", "與", ",")

// splitRefs splits a list of references into items: at commas, semicolons
// and 和/及/与; then an item that is not one reference as a whole ("2.36
// 3.21", "2.36、3.21", "see 2.36 and T3") at spaces, 、, "and", "и" and
// "&", a reference word joining the reference after it.
func splitRefs(s string) []refItem {
	var out []refItem
	for _, item := range strings.Split(listSeparators.Replace(FoldWidth(s)), ",") {
		item = strings.TrimSpace(item)
		if item == "" || isRefWord(item) {
			continue
		}
		if r, ok := ParseRef(item); ok {
			out = append(out, refItem{text: item, ref: r, ok: true})
			continue
		}
		tokens := strings.FieldsFunc(item, func(r rune) bool { return unicode.IsSpace(r) || r == '、' })
		var parts []refItem
		prefix := ""
		whole := len(tokens) > 1
		for _, tok := range tokens {
			switch lower := strings.ToLower(tok); {
			case lower == "and" || lower == "и" || lower == "&":
				continue
			case isRefWord(tok):
				prefix += tok + " "
				continue
			}
			r, ok := ParseRef(prefix + tok)
			prefix = ""
			if !ok {
				// The token that is no reference stands for the item: it
				// is what an error message should quote.
				parts, whole = []refItem{{text: tok}}, false
				break
			}
			parts = append(parts, refItem{text: tok, ref: r, ok: true})
		}
		if !whole || len(parts) == 0 {
			if len(parts) == 0 {
				parts = []refItem{{text: item}}
			}
			out = append(out, parts[len(parts)-1])
			continue
		}
		out = append(out, parts...)
	}
	return out
}

// OpenMarkerStart returns the byte offset of an opening bracket near the
// end of text (a model's answer as it streams in) that is not yet closed
// and whose content so far could still become a marker, or -1. Text from
// there on is not yet safe to show: "…合作[2.3" may become "[2.36]" or
// "[9.99]". Any content of citation brackets could (a reference may
// follow a comma), up to maxMarkerRunes; round brackets only while their
// content is written with what references are written with ("(2.3",
// "(see 2", not "(which").
func OpenMarkerStart(text string) int {
	start := max(len(text)-4*maxMarkerRunes, 0)
	for i := len(text); i > start; {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
		switch {
		case isCloseBracket(r) || r == '\n':
			return -1
		case isOpenBracket(r):
			tail := text[i+size:]
			if utf8.RuneCountInString(tail) > maxMarkerRunes || (r == '(' || r == '（') && !couldBeMarker(tail) {
				return -1
			}
			// Include doubled opening brackets ("[[2.3").
			for i > 0 {
				r, size := utf8.DecodeLastRuneInString(text[:i])
				if !isOpenBracket(r) {
					break
				}
				i -= size
			}
			return i
		}
	}
	return -1
}

// markerRunes are the characters other than ASCII letters and digits,
// full-width forms and Cyrillic that references, reference words and
// list separators are written with.
const markerRunes = " \t.,;:-~/§^&[(【［〔〖（、，；：。·–—‐‑−" +
	"第部分节章段条款自然零〇一二两三四五六七八九十至到参參見见落和及以与與"

// couldBeMarker reports whether an unclosed bracket's content so far uses
// only characters that occur in citation markers, its words (runs of
// Latin or Cyrillic letters) each the start of a reference word, "and",
// "и", or T or W.
func couldBeMarker(tail string) bool {
	var word []rune
	for _, r := range FoldWidth(tail) + " " {
		if r < 0x80 && unicode.IsLetter(r) || unicode.Is(unicode.Cyrillic, r) {
			word = append(word, unicode.ToLower(r))
			continue
		}
		if len(word) > 0 && !startsRefWord(string(word)) {
			return false
		}
		word = word[:0]
		if !(r < 0x80 && unicode.IsDigit(r)) && !strings.ContainsRune(markerRunes, r) {
			return false
		}
	}
	return true
}

// startsRefWord reports whether w begins a word that can stand in a
// marker.
func startsRefWord(w string) bool {
	for _, words := range [][]string{refWords, {"and", "и", "t", "w"}} {
		for _, word := range words {
			letters := strings.TrimFunc(word, func(r rune) bool { return !unicode.IsLetter(r) })
			if strings.HasPrefix(letters, w) {
				return true
			}
		}
	}
	return false
}
