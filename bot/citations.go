package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Citation markers as models actually write them: the ID in square,
// lenticular or round brackets, half- or full-width, sometimes doubled
// ("[[2.36]]"), sometimes several IDs or a range in one bracket
// ("[2.36, 3.5]", "[2.36-2.38]"), sometimes with "§", "paragraph" or a
// Chinese reference ("[第二部分第36段]"). Opening and closing brackets need
// not match: models do write "[2.36】".
//
// markerRE finds a bracketed span with no brackets inside; whether it is a
// citation is decided by parseMarker, so ordinary parentheses ("(以下称…)",
// "(2025)") are left alone.
var markerRE = regexp.MustCompile(`[\[【(（〔［]+([^\[\]【】()（）〔〕［］\n]{1,80})[\]】)）〕］]+`)

// refRE is one reference that looks like a paragraph ID (after width
// folding and prefix stripping): 2.36, 二.36, T3, W12, 第二部分第36段,
// optionally a range to another ID or a bare number.
var refRE = regexp.MustCompile(`^(?:` + idPat + `)(?:\s*[-–—~～至到]\s*(?:` + idPat + `|\d{1,3}))?$`)

const idPat = `\d{1,2}\s*[.．:]\s*\d{1,3}|[一二三四五]\s*[.．]\s*\d{1,3}|[TtWw]\s*\d{1,3}|第?[0-9一二三四五六七八九十]+部分第?[0-9一二三四五六七八九十]+段?`

// refPrefixRE strips words models put before an ID inside a marker.
var refPrefixRE = regexp.MustCompile(`(?i)^(?:§+|\^|paragraphs?|см\.?|paras?\.?|para|pp?\.|no\.|id:?|ref\.?:?|see|cf\.?|пункты?|п\.|段落?|参见|參見|见|見|第)\s*`)

// refSplitRE separates references inside one marker.
var refSplitRE = regexp.MustCompile(`\s*(?:[,;，；、]|\band\b|\bи\b|和|及|与|與)\s*`)

// citeResult is model text after citation checking.
type citeResult struct {
	// Text has every valid marker rewritten as [ID] and every invalid one
	// removed.
	Text string
	// Cited are the valid cited passages in order of first citation.
	Cited []corpus.Passage
	// Rejected are the references removed, as the model wrote them
	// (normalised: "9.99", or the passage ID when it exists but was not
	// given to the model), without repeats.
	Rejected []string
}

// checkCitations verifies the citation markers in text against the corpus
// and the set of passage IDs the model was given.
func checkCitations(c *corpus.Corpus, text string, given map[string]bool) citeResult {
	var res citeResult
	cited := map[string]bool{}
	rejected := map[string]bool{}
	reject := func(s string) {
		if !rejected[s] {
			rejected[s] = true
			res.Rejected = append(res.Rejected, s)
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range findMarkers(text) {
		var keep []string
		for _, ref := range m.refs {
			ps, err := c.Lookup(ref)
			if err != nil {
				reject(normalizeRejected(ref))
				continue
			}
			for _, p := range ps {
				if !given[p.ID] {
					reject(p.ID)
					continue
				}
				keep = append(keep, p.ID)
				if !cited[p.ID] {
					cited[p.ID] = true
					res.Cited = append(res.Cited, p)
				}
			}
		}
		b.WriteString(text[last:m.start])
		if len(keep) == 0 {
			// Removing a marker must not leave "word  word" or "word 。".
			trimTrailingSpace(&b)
		}
		for i, id := range keep {
			if i > 0 && keep[i-1] == id {
				continue
			}
			b.WriteString("[" + id + "]")
		}
		last = m.end
	}
	b.WriteString(text[last:])
	res.Text = neutralizeStray(c, tidySpaces(b.String()), cited)
	return res
}

// marker is one citation marker found in a text: its byte span and the
// references inside it.
type marker struct {
	start, end int
	refs       []string
}

// findMarkers returns the citation markers in text, in order. A closing
// bracket run longer than the opening one belongs to the surrounding text:
// in "(see [2.36])" the marker is "[2.36]" and the ")" closes "(see".
func findMarkers(text string) []marker {
	var out []marker
	for _, m := range markerRE.FindAllStringSubmatchIndex(text, -1) {
		refs, ok := parseMarker(text[m[2]:m[3]])
		if !ok {
			continue
		}
		end := m[1]
		open := utf8.RuneCountInString(text[m[0]:m[2]])
		for n := utf8.RuneCountInString(text[m[3]:m[1]]); n > open; n-- {
			_, size := utf8.DecodeLastRuneInString(text[:end])
			end -= size
		}
		out = append(out, marker{start: m[0], end: end, refs: refs})
	}
	return out
}

// neutralizeStray removes the brackets of any marker in text that does not
// name only cited passages. Such markers are not the model's: they form
// when deleting a marker or an empty bracket joins the text around it
// ("[2.3[9.99]6]" becomes "[2.36]"). Their text is kept, as plain text;
// each round removes at least one bracket, so the loop ends.
func neutralizeStray(c *corpus.Corpus, text string, cited map[string]bool) string {
	for {
		stray := false
		for _, m := range findMarkers(text) {
			if markerCites(c, m.refs, cited) {
				continue
			}
			span := strings.Map(func(r rune) rune {
				if strings.ContainsRune(bracketRunes, r) {
					return -1
				}
				return r
			}, text[m.start:m.end])
			text = text[:m.start] + span + text[m.end:]
			stray = true
			break
		}
		if !stray {
			return text
		}
	}
}

// bracketRunes are the brackets markerRE recognises.
const bracketRunes = "[]【】()（）〔〕［］"

// markerCites reports whether every reference names passages in cited.
func markerCites(c *corpus.Corpus, refs []string, cited map[string]bool) bool {
	for _, ref := range refs {
		ps, err := c.Lookup(ref)
		if err != nil {
			return false
		}
		for _, p := range ps {
			if !cited[p.ID] {
				return false
			}
		}
	}
	return true
}

// parseMarker splits the inside of a bracket into references and reports
// whether every one of them looks like a paragraph ID. Anything else
// ("2025", "see below", "以下称…") is not a citation.
func parseMarker(inner string) ([]string, bool) {
	s := corpus.FoldWidth(strings.TrimSpace(inner))
	s = strings.TrimRight(s, ".。 ")
	if s == "" {
		return nil, false
	}
	var refs []string
	for _, part := range refSplitRE.Split(s, -1) {
		part = strings.TrimSpace(part)
		for {
			p := refPrefixRE.ReplaceAllString(part, "")
			// "第二部分第36段" starts with 第, which the prefix rule would
			// eat; put it back if the rest is then not an ID on its own.
			if p == part || !refRE.MatchString(p) && refRE.MatchString(part) {
				break
			}
			part = p
		}
		part = strings.TrimRight(part, ".")
		if part == "" {
			continue
		}
		if !refRE.MatchString(part) {
			return nil, false
		}
		refs = append(refs, part)
	}
	return refs, len(refs) > 0
}

// normalizeRejected writes a reference that names no passage compactly,
// for Answer.Rejected: "9.99", "T40", "2.36-2.99".
func normalizeRejected(ref string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, ref)
	s = strings.NewReplacer("．", ".", "–", "-", "—", "-", "~", "-", "～", "-").Replace(s)
	if s != "" && (s[0] == 't' || s[0] == 'w') {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// trimTrailingSpace drops spaces (not newlines) at the end of b.
func trimTrailingSpace(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, " \t")
	if len(t) != len(s) {
		b.Reset()
		b.WriteString(t)
	}
}

var (
	multiSpaceRE    = regexp.MustCompile(`[ \t]{2,}`)
	spaceBeforePunc = regexp.MustCompile(`[ \t]+([.,;:!?。，；：！？、）)])`)
	emptyBracketsRE = regexp.MustCompile(`[\[【]\s*[\]】]|[(（]\s*[)）]`)
)

// tidySpaces removes what deleting markers can leave behind: empty
// brackets, runs of spaces, a space before punctuation, trailing spaces on
// a line.
func tidySpaces(s string) string {
	s = emptyBracketsRE.ReplaceAllString(s, "")
	s = multiSpaceRE.ReplaceAllString(s, " ")
	s = spaceBeforePunc.ReplaceAllString(s, "$1")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// markerTailRunes bounds how long a not-yet-closed marker at the end of a
// streamed text can be; longer open brackets are ordinary text.
const markerTailRunes = 40

// partialText returns what of a growing model answer can be shown: the
// text so far with its markers checked, holding back a trailing bracket
// that may still turn out to be a citation ("…合作[2.3" becomes "…合作").
func partialText(c *corpus.Corpus, text string, given map[string]bool) string {
	if i := openMarkerStart(text); i >= 0 {
		text = text[:i]
	}
	return checkCitations(c, text, given).Text
}

// openMarkerStart returns the byte offset of an opening bracket near the
// end of text that has not been closed and whose content so far could
// still be a citation, or -1.
func openMarkerStart(text string) int {
	start := len(text) - 4*markerTailRunes
	if start < 0 {
		start = 0
	}
	for i := len(text); i > start; {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
		switch r {
		case ']', '】', ')', '）', '〕', '］', '\n':
			return -1
		case '[', '【', '(', '（', '〔', '［':
			tail := text[i:]
			if utf8.RuneCountInString(tail) > markerTailRunes || !couldBeMarker(tail) {
				return -1
			}
			// Include doubled opening brackets ("[[2.3").
			for i > 0 {
				r, size := utf8.DecodeLastRuneInString(text[:i])
				if !strings.ContainsRune("[【(（〔［", r) {
					break
				}
				i -= size
			}
			return i
		}
	}
	return -1
}

// couldBeMarker reports whether an unclosed bracket's content so far uses
// only characters that occur in citation markers.
func couldBeMarker(tail string) bool {
	for _, r := range tail {
		switch {
		case r < 0x80 && (unicode.IsDigit(r) || unicode.IsLetter(r) || strings.ContainsRune(" .,;:-~§[(", r)):
		case strings.ContainsRune("【（〔［．，；、：－～第部分段一二三四五六七八九十至到参見见和及与與", r):
		case r >= 0xFF10 && r <= 0xFF5A: // full-width digits and letters
		case unicode.Is(unicode.Cyrillic, r):
		default:
			return false
		}
	}
	return true
}
