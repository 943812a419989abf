package corpus

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LookupError explains why a reference names no passage. Its message names
// the valid ranges so that a user can correct the input.
type LookupError struct {
	Input  string
	Reason string
}

func (e *LookupError) Error() string { return e.Reason }

// ErrNotFound is wrapped by every LookupError, for errors.Is.
var ErrNotFound = errors.New("no such paragraph")

// Unwrap lets errors.Is(err, ErrNotFound) match.
func (e *LookupError) Unwrap() error { return ErrNotFound }

// id is a parsed reference to one passage, not yet checked against the
// corpus: section "1".."5"/"0" with seq, or prefix "T"/"W" with seq.
type id struct {
	section string
	seq     int
}

func (i id) String() string {
	if i.section == "T" || i.section == "W" {
		return fmt.Sprintf("%s%d", i.section, i.seq)
	}
	return fmt.Sprintf("%s.%d", i.section, i.seq)
}

var canonicalRE = regexp.MustCompile(`^(?:([0-9])\.([1-9][0-9]*)|([TW])([1-9][0-9]*))$`)

func parseCanonical(s string) (id, error) {
	m := canonicalRE.FindStringSubmatch(s)
	if m == nil {
		return id{}, fmt.Errorf("malformed ID %q", s)
	}
	if m[1] != "" {
		n, _ := strconv.Atoi(m[2])
		return id{m[1], n}, nil
	}
	n, _ := strconv.Atoi(m[4])
	return id{m[3], n}, nil
}

// numeral matches a section or paragraph number in digits or Chinese
// numerals (二, 三十六, 两).
const numeral = `([0-9]+|[零〇一二两三四五六七八九十]+)`

var (
	// 2.36  2-36  2:36  二.36  2．36 (after folding)  §2.36
	dottedRE = regexp.MustCompile(`^` + numeral + `[.\-:/、]` + numeral + `$`)
	// 第二部分第36段, 第2节第36段, 二部分36段
	chineseRE = regexp.MustCompile(`^第?` + numeral + `(?:部分|部|节|章)第?` + numeral + `(?:段|条|款|自然段)?$`)
	// T3, t3, W12, T第3段
	statementRE = regexp.MustCompile(`^([tw])第?` + numeral + `段?$`)
)

// parseRef parses one reference to a single passage in any accepted form.
func parseRef(s string) (id, bool) {
	if m := statementRE.FindStringSubmatch(s); m != nil {
		n, ok := parseNumeral(m[2])
		return id{strings.ToUpper(m[1]), n}, ok
	}
	for _, re := range []*regexp.Regexp{dottedRE, chineseRE} {
		if m := re.FindStringSubmatch(s); m != nil {
			sec, ok1 := parseNumeral(m[1])
			n, ok2 := parseNumeral(m[2])
			if !ok1 || !ok2 || sec > 9 {
				return id{}, false
			}
			return id{strconv.Itoa(sec), n}, true
		}
	}
	return id{}, false
}

// parseNumeral reads "36", "三十六", "十", "两": digits below 1000, Chinese
// numerals below 100.
func parseNumeral(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		return n, err == nil && n < 1000
	}
	digit := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	total, cur := 0, -1
	seenTen := false
	for _, r := range rs {
		if r == '十' {
			if seenTen {
				return 0, false
			}
			seenTen = true
			if cur < 0 {
				cur = 1
			}
			total = cur * 10
			cur = -1
			continue
		}
		d, ok := digit[r]
		if !ok || cur >= 0 {
			return 0, false
		}
		cur = d
	}
	if cur > 0 {
		total += cur
	}
	return total, total > 0 || (len(rs) == 1 && cur == 0)
}

// refReplacer is built once: building a Replacer per lookup was a sixth of
// the soak test's CPU (every model citation is looked up). Read-only.
var refReplacer = strings.NewReplacer(
	"§", "", "[", "", "]", "", "【", "", "】", "", "(", "", ")", "", "〔", "", "〕", "",
	"paragraph", "", "para.", "", "para", "", "p.", "", "no.", "",
	"–", "-", "—", "-", "－", "-", "~", "-", "～", "-", "至", "-", "到", "-",
	"。", ".", "·", ".", "．", ".",
)

// normalizeRef folds what people type around an ID: full-width forms,
// brackets, the section sign, "段"/"paragraph" words and spaces.
func normalizeRef(s string) string {
	s = FoldWidth(strings.TrimSpace(s))
	s = strings.ToLower(s)
	s = refReplacer.Replace(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, ".,;，；、")
}

// Lookup resolves one reference as people type it, "2.36", "二.36",
// "2-36", "§2.36", "第二部分第36段", "t3", or a range "2.17-2.19" (also
// "2.17-19", "T3-T5"), to the passages it names in corpus order. A
// reference that names nothing returns a *LookupError whose message says
// which IDs exist.
func (c *Corpus) Lookup(ref string) ([]Passage, error) {
	s := normalizeRef(ref)
	if s == "" {
		return nil, &LookupError{ref, "empty paragraph ID: try 2.36, T3 or 2.17-2.19; valid IDs: " + c.ValidRanges()}
	}
	if utf8.RuneCountInString(s) > maxRefRunes {
		// Not an ID; and trying every '-' as the middle of a range would
		// cost time quadratic in the length.
		return nil, c.notAnID(ref)
	}
	if one, ok := parseRef(s); ok {
		p, err := c.resolve(ref, one)
		if err != nil {
			return nil, err
		}
		return []Passage{p}, nil
	}
	// A range: split at each '-' and accept the first split whose two
	// sides parse ("2-17-2-19" has several candidates).
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			continue
		}
		left, right := s[:i], s[i+1:]
		a, ok := parseRef(left)
		if !ok {
			continue
		}
		b, ok := parseRef(right)
		if !ok {
			// "2.17-19" and "T3-5": the right side is a bare number.
			n, okN := parseNumeral(right)
			if !okN {
				continue
			}
			b = id{a.section, n}
		}
		return c.resolveRange(ref, a, b)
	}
	return nil, c.notAnID(ref)
}

// maxRefRunes is longer than any reference Lookup accepts once normalised
// ("第二部分第三十六自然段-第二部分第三十八自然段" is 23 runes).
const maxRefRunes = 64

// notAnID is the error for input that is no reference at all. It quotes at
// most the first 40 runes of the input.
func (c *Corpus) notAnID(ref string) *LookupError {
	quoted := strings.TrimSpace(ref)
	n := 0
	for i := range quoted {
		if n == 40 {
			quoted = quoted[:i] + "…"
			break
		}
		n++
	}
	return &LookupError{ref, fmt.Sprintf("%q is not a paragraph ID: try 2.36, T3 or 2.17-2.19; valid IDs: %s", quoted, c.ValidRanges())}
}

// LookupAll resolves every reference in s, separated by spaces, commas or
// semicolons ("2.36, 3.5 T1-T3"), keeping the order given and dropping
// repeats.
func (c *Corpus) LookupAll(s string) ([]Passage, error) {
	fields := strings.FieldsFunc(FoldWidth(s), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;，；、", r)
	})
	if len(fields) == 0 {
		return nil, &LookupError{s, "no paragraph ID given: try 2.36, T3 or 2.17-2.19; valid IDs: " + c.ValidRanges()}
	}
	var out []Passage
	seen := map[string]bool{}
	for _, f := range fields {
		ps, err := c.Lookup(f)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Resolve parses ref and returns the single passage it names. It is Lookup
// for callers that need exactly one passage (a range is an error).
func (c *Corpus) Resolve(ref string) (Passage, error) {
	ps, err := c.Lookup(ref)
	if err != nil {
		return Passage{}, err
	}
	if len(ps) != 1 {
		return Passage{}, &LookupError{ref, fmt.Sprintf("%q names %d paragraphs; give one ID such as 2.36", ref, len(ps))}
	}
	return ps[0], nil
}

func (c *Corpus) resolve(ref string, i id) (Passage, error) {
	if p, ok := c.Get(i.String()); ok {
		return p, nil
	}
	for _, s := range c.sections {
		if s.Key == i.section {
			return Passage{}, &LookupError{ref, fmt.Sprintf("no paragraph %s: %s", i, c.describeSection(s))}
		}
	}
	return Passage{}, &LookupError{ref, fmt.Sprintf("no paragraph %s: there is no section %s; valid IDs: %s", i, i.section, c.ValidRanges())}
}

func (c *Corpus) describeSection(s Section) string {
	switch {
	case s.Key == "T" || s.Key == "W":
		d, _ := documentByKey(s.Doc)
		return fmt.Sprintf("%s has paragraphs %s-%s", d.ShortEn, s.FirstID(c), s.LastID(c))
	case s.Count == 1:
		return fmt.Sprintf("section %s has only paragraph %s", s.Key, s.FirstID(c))
	default:
		return fmt.Sprintf("section %s has paragraphs %s-%s", s.Key, s.FirstID(c), s.LastID(c))
	}
}

func (c *Corpus) resolveRange(ref string, a, b id) ([]Passage, error) {
	pa, err := c.resolve(ref, a)
	if err != nil {
		return nil, err
	}
	pb, err := c.resolve(ref, b)
	if err != nil {
		return nil, err
	}
	if pa.Doc != pb.Doc {
		return nil, &LookupError{ref, fmt.Sprintf("range %s-%s spans two documents: give a range within one, such as 2.17-2.19", pa.ID, pb.ID)}
	}
	if pb.Index < pa.Index {
		return nil, &LookupError{ref, fmt.Sprintf("range %s-%s runs backwards: write %s-%s", pa.ID, pb.ID, pb.ID, pa.ID)}
	}
	return c.passages[pa.Index : pb.Index+1], nil
}
