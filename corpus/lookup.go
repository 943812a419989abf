package corpus

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
// corpus: section "1".."5"/"0" with seq, or a statement's prefix ("T",
// "W") with seq; pack is "" for the built-in pack, else the pack ID that
// qualified it ("astana2024").
type id struct {
	pack    string
	section string
	seq     int
}

// local is the ID within its pack: "2.36", "T3".
func (i id) local() string {
	if i.section != "" && (i.section[0] < '0' || i.section[0] > '9') {
		return fmt.Sprintf("%s%d", i.section, i.seq)
	}
	return fmt.Sprintf("%s.%d", i.section, i.seq)
}

func (i id) String() string { return qualify(i.pack, i.local()) }

var canonicalRE = lazyRegexp(`^(?:([0-9])\.([1-9][0-9]*)|([A-Z])([1-9][0-9]*))$`)

func parseCanonical(s string) (id, error) {
	m := canonicalRE().FindStringSubmatch(s)
	if m == nil {
		return id{}, fmt.Errorf("malformed ID %q", s)
	}
	if m[1] != "" {
		n, _ := strconv.Atoi(m[2])
		return id{section: m[1], seq: n}, nil
	}
	n, _ := strconv.Atoi(m[4])
	return id{section: m[3], seq: n}, nil
}

// numeral matches a section or paragraph number in digits or Chinese
// numerals (二, 三十六, 两).
const numeral = `([0-9]+|[零〇一二两三四五六七八九十]+)`

var (
	// 2.36  2-36  2:36  2/36  2、36  二.36  第2.36段 (after normalizeRef)
	dottedRE = lazyRegexp(`^第?` + numeral + `([.\-:/、])` + numeral + `(?:段|条|款)?$`)
	// 第二部分第36段, 第2节第36段, 二部分36段
	chineseRE = lazyRegexp(`^第?` + numeral + `(?:部分|部|节|章)第?` + numeral + `(?:段|条|款|自然段)?$`)
	// T3, t3, W12, T第3段
	statementRE = lazyRegexp(`^([tw])第?` + numeral + `段?$`)
	// After a pack qualifier any statement prefix: astana2024:a3.
	qualifiedStatementRE = lazyRegexp(`^([a-z])第?` + numeral + `段?$`)
	// astana2024:… (after normalizeRef); CheckPackID says what a pack ID
	// may be.
	qualifierRE = lazyRegexp(`^([a-z][a-z0-9_]{1,31}):`)
)

// parseOne parses a normalised reference to a single passage. strict
// reports a form that cannot be mistaken for other numbers in prose: a
// dot between section and paragraph (2.36), a statement ID (T3) or the
// Chinese words (第二部分第36段); not 2-36, 2:36, 2/36 or 2、36.
func parseOne(s string) (i id, strict, ok bool) {
	if pack, rest, ok := cutQualifier(s); ok {
		i, strict, ok := parseLocal(rest, true)
		i.pack = pack
		return i, strict, ok
	}
	return parseLocal(s, false)
}

// cutQualifier splits "astana2024:2.36" into the pack and the local
// reference. The pack must hold a digit (CheckPackID), so "note:2.5" is
// not read as one; "tianjin2025:" names the built-in pack, whose IDs are
// bare.
func cutQualifier(s string) (pack, rest string, ok bool) {
	m := qualifierRE().FindStringSubmatch(s)
	if m == nil || !strings.ContainsAny(m[1], "0123456789") {
		return "", s, false
	}
	pack = m[1]
	if pack == BuiltinPack {
		pack = ""
	}
	return pack, s[len(m[0]):], true
}

// parseLocal parses a reference within one pack. qualified: it followed a
// pack qualifier, after which any letter is a statement's prefix.
func parseLocal(s string, qualified bool) (i id, strict, ok bool) {
	re := statementRE()
	if qualified {
		re = qualifiedStatementRE()
	}
	if m := re.FindStringSubmatch(s); m != nil {
		n, ok := parseNumeral(m[2])
		return id{section: strings.ToUpper(m[1]), seq: n}, true, ok
	}
	if m := dottedRE().FindStringSubmatch(s); m != nil {
		sec, ok1 := parseNumeral(m[1])
		n, ok2 := parseNumeral(m[3])
		if !ok1 || !ok2 || sec > 9 {
			return id{}, false, false
		}
		return id{section: strconv.Itoa(sec), seq: n}, m[2] == ".", true
	}
	if m := chineseRE().FindStringSubmatch(s); m != nil {
		sec, ok1 := parseNumeral(m[1])
		n, ok2 := parseNumeral(m[2])
		if !ok1 || !ok2 || sec > 9 {
			return id{}, false, false
		}
		return id{section: strconv.Itoa(sec), seq: n}, true, true
	}
	return id{}, false, false
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
	"§", "", "^", "", "[", "", "]", "", "【", "", "】", "", "(", "", ")", "", "〔", "", "〕", "", "〖", "", "〗", "",
	"–", "-", "—", "-", "‐", "-", "‑", "-", "−", "-", "~", "-", "至", "-", "到", "-",
	"。", ".", "·", ".",
)

// refWords are words people and models put before an ID ("see 2.36",
// "п. 2.36", "参见2.36"), longest first where one begins another. 第 is
// not one: the ID patterns accept it.
var refWords = []string{
	"paragraphs", "paragraph", "пункты", "пункта", "пункт", "paras.", "paras", "para.", "para",
	"ref.:", "ref:", "ref.", "ref", "see", "cf.", "cf", "pp.", "p.", "no.", "id:", "id",
	"см.", "см", "п.", "参见", "參見", "段落", "见", "見",
}

// normalizeRef folds what people type around an ID: full-width forms,
// brackets, the section sign, reference words, dashes and spaces; and
// what would make a reference look valid to a reader while hiding it from
// a check: format characters (zero-width space, word joiner, soft hyphen,
// bidi marks) are dropped and look-alikes folded ("2․37" with U+2024, a
// Cyrillic or Greek "Т3").
func normalizeRef(s string) string {
	s = FoldWidth(strings.TrimSpace(s))
	s = strings.ToLower(s)
	s = refReplacer.Replace(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = trimRefWords(s)
	// Look-alikes are folded after the reference words, which are
	// Russian too ("пункт" has a т).
	s = lookAlikes.Replace(s)
	return strings.TrimRight(s, ".,;，；、")
}

// lookAlikes maps characters that look like those of an ID to them (after
// lower-casing): dots, and the letters T and W.
var lookAlikes = strings.NewReplacer(
	"\u2024", ".", "\u2027", ".", "\u2219", ".", "\u22c5", ".", "\u2e31", ".", "\u0387", ".", "\u02d9", ".",
	"т", "t", "τ", "t", "ԝ", "w", "ω", "w",
)

// trimRefWords removes reference words from the start of s (lower case,
// without spaces).
func trimRefWords(s string) string {
	for {
		t := s
		for _, w := range refWords {
			if strings.HasPrefix(t, w) {
				t = t[len(w):]
				break
			}
		}
		if t == s {
			return s
		}
		s = t
	}
}

// isRefWord reports whether s alone is a reference word ("see", "п.",
// "§"): in "see 2.36 3.21" it belongs to the IDs after it.
func isRefWord(s string) bool {
	n := strings.ToLower(FoldWidth(strings.TrimSpace(s)))
	n = strings.TrimLeft(n, "§^")
	return s != "" && trimRefWords(n) == ""
}

// Ref is a parsed paragraph reference, one ID or a range, not yet checked
// against a corpus: what "2-36", "二.36", "§2.36" or "2.17-19" say.
type Ref struct {
	// Text is the reference as it was written.
	Text     string
	from, to id
	// strict: written in a form that prose does not use for other
	// numbers (see parseOne).
	strict bool
}

// String is the reference in canonical form: "2.36", "T3", "2.17-2.19".
func (r Ref) String() string {
	if r.from == r.to {
		return r.from.String()
	}
	return r.from.String() + "-" + r.to.String()
}

// IDs are the canonical IDs the reference names, worked out without a
// corpus: a range within one section is expanded ("2.17", "2.18", "2.19");
// any other range gives its two ends.
func (r Ref) IDs() []string {
	if r.from == r.to {
		return []string{r.from.String()}
	}
	if r.from.pack == r.to.pack && r.from.section == r.to.section && r.from.seq < r.to.seq {
		out := make([]string, 0, r.to.seq-r.from.seq+1)
		for n := r.from.seq; n <= r.to.seq; n++ {
			out = append(out, id{pack: r.from.pack, section: r.from.section, seq: n}.String())
		}
		return out
	}
	return []string{r.from.String(), r.to.String()}
}

// ParseRef parses one reference in any form Lookup accepts. It checks the
// form only: "9.99" parses, and Corpus.LookupRef then says it names
// nothing.
func ParseRef(s string) (Ref, bool) {
	if len(s) > 4*maxMarkerRunes || utf8.RuneCountInString(s) > maxMarkerRunes {
		// Longer than any bracket read as a marker: Lookup and the
		// markers agree on what is a reference.
		return Ref{}, false
	}
	n := normalizeRef(s)
	if n == "" || utf8.RuneCountInString(n) > maxRefRunes {
		// Not an ID; and trying every '-' as the middle of a range would
		// cost time quadratic in the length.
		return Ref{}, false
	}
	if one, strict, ok := parseOne(n); ok {
		return Ref{Text: s, from: one, to: one, strict: strict}, true
	}
	// A range: split at each '-' and accept the first split whose two
	// sides parse ("2-17-2-19" has several candidates).
	for i := 0; i < len(n); i++ {
		if n[i] != '-' {
			continue
		}
		left, right := n[:i], n[i+1:]
		a, strictA, ok := parseOne(left)
		if !ok {
			continue
		}
		b, strictB, ok := parseOne(right)
		if !ok && a.pack != "" {
			// "astana2024:A1-A3": a qualified range's right end may use
			// any prefix, as its left does.
			b, strictB, ok = parseLocal(right, true)
		}
		if !ok {
			// "2.17-19" and "T3-5": the right side is a bare number.
			m, okN := parseNumeral(right)
			if !okN {
				continue
			}
			b, strictB = id{pack: a.pack, section: a.section, seq: m}, true
		}
		if _, _, q := cutQualifier(right); !q && a.pack != "" {
			// "astana2024:2.17-2.19": the right end is in the left's pack.
			b.pack = a.pack
		}
		return Ref{Text: s, from: a, to: b, strict: strictA && strictB}, true
	}
	return Ref{}, false
}

// Lookup resolves one reference as people type it, "2.36", "二.36",
// "2-36", "§2.36", "see 2.36", "第二部分第36段", "t3", or a range
// "2.17-2.19" (also "2.17-19", "T3-T5"), to the passages it names in corpus
// order. A reference that names nothing returns a *LookupError whose
// message says which IDs exist.
func (c *Corpus) Lookup(ref string) ([]Passage, error) {
	r, ok := ParseRef(ref)
	if !ok {
		if normalizeRef(ref) == "" {
			return nil, &LookupError{ref, "empty paragraph ID: try 2.36, T3 or 2.17-2.19; valid IDs: " + c.ValidRanges()}
		}
		return nil, c.notAnID(ref)
	}
	return c.LookupRef(r)
}

// LookupRef returns the passages a parsed reference names, in corpus
// order, or a *LookupError saying which IDs exist.
func (c *Corpus) LookupRef(r Ref) ([]Passage, error) {
	if r.from == r.to {
		p, err := c.resolve(r.Text, r.from)
		if err != nil {
			return nil, err
		}
		return []Passage{p}, nil
	}
	return c.resolveRange(r.Text, r.from, r.to)
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

// LookupAll resolves every reference in s, separated by spaces, commas,
// semicolons or 、 ("2.36, 3.5 T1-T3"), keeping the order given and
// dropping repeats. It reads lists as citation markers do (splitRefs).
func (c *Corpus) LookupAll(s string) ([]Passage, error) {
	items := splitRefs(s)
	if len(items) == 0 {
		return nil, &LookupError{s, "no paragraph ID given: try 2.36, T3 or 2.17-2.19; valid IDs: " + c.ValidRanges()}
	}
	var out []Passage
	seen := map[string]bool{}
	for _, it := range items {
		var ps []Passage
		var err error
		if it.ok {
			ps, err = c.LookupRef(it.ref)
		} else {
			ps, err = c.Lookup(it.text)
		}
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

func (c *Corpus) resolve(ref string, i id) (Passage, error) {
	if p, ok := c.Get(i.String()); ok {
		return p, nil
	}
	pack := i.pack
	if pack == "" {
		pack = BuiltinPack
	}
	if _, ok := c.Pack(pack); !ok {
		return Passage{}, &LookupError{ref, fmt.Sprintf("no paragraph %s: no document pack %q is loaded (loaded: %s)", i, i.pack, c.packIDs())}
	}
	for _, s := range c.sections {
		if s.Key == i.section && c.passages[s.First].Pack == pack {
			return Passage{}, &LookupError{ref, fmt.Sprintf("no paragraph %s: %s", i, c.describeSection(s))}
		}
	}
	return Passage{}, &LookupError{ref, fmt.Sprintf("no paragraph %s: there is no section %s; valid IDs: %s", i, i.section, c.validRangesOf(pack))}
}

func (c *Corpus) describeSection(s Section) string {
	name := "section " + s.Key
	if s.doc != nil && s.doc.Prefix != "" {
		name = s.doc.ShortEn
	}
	if s.doc != nil && s.doc.Pack != BuiltinPack {
		name = s.doc.ShortTitle(LangEn) + " " + name
		if s.doc.Prefix != "" {
			name = s.doc.ShortTitle(LangEn)
		}
	}
	switch {
	case s.Count == 1:
		return fmt.Sprintf("%s has only paragraph %s", name, s.FirstID(c))
	default:
		return fmt.Sprintf("%s has paragraphs %s-%s", name, s.FirstID(c), s.LastID(c))
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

// lazyRegexp compiles expr on first use. Most commands never look a
// citation up or read a pack from a directory, and compiling this
// package's expressions at initialisation cost every process about a
// millisecond.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
