package corpus

import (
	"html"
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText makes untrusted text (a question, a search, text a user sent
// that is shown back to them) safe to process and to echo, the one text
// pipeline every front end and retrieval use: invalid UTF-8 is dropped,
// HTML entities are decoded and then HTML tags become spaces (so
// "&lt;b&gt;" is no way around the tag rule), and control and format
// characters (NUL, bidi overrides and marks, zero-width spaces and
// joiners, soft hyphens, BOM) are removed or, for line breaks and tabs,
// turned into spaces. Tags carry nothing a question about the declaration
// needs, and their Latin letters would make "<b>外空</b><script>…" an
// English question.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = stripTags(s)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case uint32(r-hanBlockLo) < hanBlockN:
			// Most of a Chinese question: no control or format
			// character lies in the block (TestCleanTextHanBlock), so
			// no table is searched.
			return r
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

// stripTags replaces things that look like HTML tags (<b>, </a>, <br/>,
// <!-- -->, <a href="…">) with a space. A '<' that does not start a tag
// within 512 bytes is kept: "a < b" is not markup.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			return b.String()
		}
		c := s[i+1]
		isTag := c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		end := -1
		if isTag {
			rest := s[i+1:]
			if len(rest) > 512 {
				rest = rest[:512]
			}
			if j := strings.IndexAny(rest, "<>"); j >= 0 && rest[j] == '>' {
				end = i + 1 + j
			}
		}
		if end < 0 {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[end+1:]
	}
}

// Runs yields the start and end byte offsets of each run of runes of s
// for which in is true, in order: the words of a question ("What about
// Afghanistan?" with unicode.IsLetter yields What, about, Afghanistan)
// for code that needs where each word is, not only its text.
func Runs(s string, in func(rune) bool) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !in(r) {
				i += n
				continue
			}
			j := i + n
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !in(r) {
					break
				}
				j += n
			}
			if !yield(i, j) {
				return
			}
			i = j
		}
	}
}

// NumberRuns yields the start and end byte offsets of each run of ASCII
// digits in s, in order: "2024年第14届" yields the runs of 2024 and 14.
// Answer types and the relevance signal read a question's numbers by them.
func NumberRuns(s string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < len(s); {
			if s[i] < '0' || s[i] > '9' {
				i++
				continue
			}
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if !yield(i, j) {
				return
			}
			i = j
		}
	}
}
