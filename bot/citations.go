package bot

import (
	"regexp"
	"strings"

	"github.com/declbot/declbot/corpus"
)

// citeResult is model text after citation checking.
type citeResult struct {
	// Text has every valid marker rewritten as [ID] and every invalid one
	// removed.
	Text string
	// Cited are the valid cited passages in order of first citation.
	Cited []corpus.Passage
	// Rejected are the references that made a marker invalid, in
	// canonical form ("9.99" for "[9-99]", "2.40-2.99"; the passage ID
	// when it exists but was not given to the model), without repeats.
	Rejected []string
}

// checkCitations verifies the citation markers in text (corpus.FindMarkers
// says what one is) against the corpus and the set of passage IDs the
// model was given. A marker whose references all name passages that were
// given is kept, rewritten as [ID] per passage (a range expanded); a marker
// with any reference to a passage that does not exist or was not given is
// removed, and those references are reported. Markers that removing
// another would form are left as plain text (corpus.RewriteMarkers), so
// every marker in the result is one this function wrote.
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
	out := corpus.RewriteMarkers(tidySpaces(text), func(m corpus.Marker) string {
		var named []corpus.Passage
		valid := true
		for _, ref := range m.Refs {
			ps, err := c.LookupRef(ref)
			if err != nil {
				reject(ref.String())
				valid = false
				continue
			}
			for _, p := range ps {
				if !given[p.ID] {
					reject(p.ID)
					valid = false
				}
			}
			named = append(named, ps...)
		}
		if !valid {
			return ""
		}
		var b strings.Builder
		inMarker := map[string]bool{}
		for _, p := range named {
			if inMarker[p.ID] {
				continue
			}
			inMarker[p.ID] = true
			b.WriteString("[" + p.ID + "]")
			if !cited[p.ID] {
				cited[p.ID] = true
				res.Cited = append(res.Cited, p)
			}
		}
		return b.String()
	})
	res.Text = strings.TrimSpace(out)
	return res
}

var (
	multiSpaceRE    = regexp.MustCompile(`[ \t]{2,}`)
	spaceBeforePunc = regexp.MustCompile(`[ \t]+([.,;:!?。，；：！？、）)])`)
)

// tidySpaces tidies a model's spacing: runs of spaces, a space before
// punctuation, trailing spaces on a line. It runs before markers are
// checked, so that it cannot join text into a new marker.
func tidySpaces(s string) string {
	s = multiSpaceRE.ReplaceAllString(s, " ")
	s = spaceBeforePunc.ReplaceAllString(s, "$1")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// partialText returns what of a growing model answer can be shown: the
// text so far with its markers checked, holding back a trailing bracket
// that may still turn out to be a citation ("…合作[2.3" becomes "…合作").
func partialText(c *corpus.Corpus, text string, given map[string]bool) string {
	if i := corpus.OpenMarkerStart(text); i >= 0 {
		text = text[:i]
	}
	return checkCitations(c, text, given).Text
}
