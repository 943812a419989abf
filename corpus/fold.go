package corpus

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/ts_characters.txt
var tsCharacters []byte

//go:embed data/simplified_only.txt
var simplifiedOnlyData []byte

// tsTable is the traditional->simplified character map, parsed once on
// first use. It is read-only after that.
var tsTable = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune, 4200)
	sc := bufio.NewScanner(bytes.NewReader(tsCharacters))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		t, s, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		tr, n1 := utf8.DecodeRuneInString(t)
		sr, n2 := utf8.DecodeRuneInString(s)
		if n1 == len(t) && n2 == len(s) {
			m[tr] = sr
		}
	}
	return m
})

// phraseFolds undo the wrong characters of the upstream machine conversion
// that produced the traditional seed (恢覆 for 恢復, 覆蘇 for 復蘇) and the
// Taiwan-style 著 for the particle 着 (朝著, 懷著). They are phrases, not
// characters: 覆 and 著 are right elsewhere (覆盖, 显著).
// They run after the character table, so only simplified forms appear here.
var phraseFolds = strings.NewReplacer(
	"恢覆", "恢复",
	"覆苏", "复苏",
	"覆兴", "复兴",
	"朝著", "朝着",
	"本著", "本着",
	"沿著", "沿着",
	"随著", "随着",
	"怀著", "怀着",
	"为著", "为着",
)

// Fold maps text to the form used for matching: traditional characters to
// simplified, full-width ASCII to half-width, letters to lower case, every
// double quotation mark to " and every single one (and the apostrophe) to
// ', every dash to -, and whitespace removed except a single space between
// two ASCII letters or digits. A traditional text and its simplified twin
// fold to the same string.
func Fold(s string) string {
	table := tsTable()
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // last rune written
	pendingSpace := false
	for _, r := range s {
		r = foldRune(r, table)
		if unicode.IsSpace(r) {
			pendingSpace = true
			continue
		}
		if pendingSpace && isASCIIAlnum(prev) && isASCIIAlnum(r) {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(r)
		prev = r
	}
	out := b.String()
	if strings.ContainsAny(out, "覆著") {
		out = phraseFolds.Replace(out)
	}
	return out
}

func isASCIIAlnum(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func foldRune(r rune, table map[rune]rune) rune {
	switch {
	case r < 0x80:
		return unicode.ToLower(r)
	case r == 0x3000: // ideographic space
		return ' '
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return unicode.ToLower(r - 0xFF01 + 0x21)
	}
	switch r {
	case '“', '”', '「', '」', '«', '»', '„', '〝', '〞', '＂', '﹁', '﹂':
		return '"'
	// Single quotes: mainland ‘’ nest inside “” as 『』 nest inside 「」,
	// and ’ is also the apostrophe of English questions ("China’s").
	case '‘', '’', '『', '』', '﹃', '﹄', '＇', '′':
		return '\''
	case '—', '–', '―', '‐', '‑', '‒', '－', '﹣', '─':
		return '-'
	case 0x00A0, 0x2009, 0x200A, 0x2002, 0x2003, 0x202F:
		return ' '
	case 0x200B, 0xFEFF: // zero-width space, BOM: treat as space
		return ' '
	}
	if s, ok := table[r]; ok {
		return s
	}
	return unicode.ToLower(r)
}

// FoldWidth maps full-width ASCII and the ideographic space to their
// half-width forms and leaves everything else alone. Reference parsing uses
// it: an ID typed on a Chinese keyboard ("２．３６") is still an ID.
func FoldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0x3000:
			return ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + 0x21
		}
		return r
	}, s)
}

// DetectScript guesses whether a text is written in traditional Chinese:
// it counts characters that change under traditional->simplified folding
// against characters that are only simplified forms. Text with no
// distinguishing characters (English, Russian, digits) reports Hans.
func DetectScript(s string) Script {
	table := tsTable()
	simpOnly := simplifiedOnly()
	trad, simp := 0, 0
	for _, r := range s {
		if _, ok := table[r]; ok {
			trad++
		} else if simpOnly[r] {
			simp++
		}
	}
	if trad > simp {
		return Hant
	}
	return Hans
}

// simplifiedOnly is the set of simplified characters that traditional text
// never uses (门, 发), unlike characters shared by both scripts (合, 后).
var simplifiedOnly = sync.OnceValue(func() map[rune]bool {
	m := make(map[rune]bool, 4000)
	sc := bufio.NewScanner(bytes.NewReader(simplifiedOnlyData))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if r, n := utf8.DecodeRuneInString(line); n == len(line) {
			m[r] = true
		}
	}
	return m
})

// HasHan reports whether s contains at least one CJK ideograph.
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
