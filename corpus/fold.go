package corpus

import (
	"bufio"
	"bytes"
	_ "embed"
	"hash/crc32"
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
//
// Han characters, most of a Chinese question, fold through a dense table
// (hanFolds) instead of foldRune's map lookup and case mapping: the same
// result (TestHanFoldsMatchFoldRune), a tenth of a search less.
func Fold(s string) string {
	h := hanFolds()
	var table map[rune]rune // foldRune's, fetched on the first rune outside the block
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // last rune written
	pendingSpace := false
	phrase := false // a 覆 or 著 was written: phraseFolds may apply
	for _, r := range s {
		if uint32(r-hanBlockLo) <= hanBlockHi-hanBlockLo {
			// Neither a space nor ASCII: no space to keep before it.
			if f := h.fold[r-hanBlockLo]; f != 0 {
				r = f
			}
		} else {
			// The map holds only Han runes (TestHanFoldsMatchFoldRune):
			// ASCII, punctuation and other scripts never need it.
			if table == nil && r >= 0x80 && IsHan(r) {
				table = tsTable()
			}
			r = foldRune(r, table)
			if unicode.IsSpace(r) {
				pendingSpace = true
				continue
			}
			if pendingSpace && isASCIIAlnum(prev) && isASCIIAlnum(r) {
				b.WriteByte(' ')
			}
		}
		pendingSpace = false
		phrase = phrase || r == '覆' || r == '著'
		b.WriteRune(r)
		prev = r
	}
	out := b.String()
	if phrase {
		out = phraseFolds.Replace(out)
	}
	return out
}

// hanBlockLo and hanBlockHi bound the runes hanFolds covers: CJK Unified
// Ideographs Extension A, the Yijing hexagram symbols and CJK Unified
// Ideographs (U+3400-U+9FFF), where all but 354 of the table's 4,105
// traditional characters are. foldRune maps none of them but through the
// traditional->simplified table: no case, no width, no quotes or spaces.
const (
	hanBlockLo = 0x3400
	hanBlockHi = 0x9FFF
	hanBlockN  = hanBlockHi - hanBlockLo + 1
)

// hanBlock is what the fold and the script detection know of the runes of
// the block, by r - hanBlockLo: fold, foldRune's result (0: the rune
// itself); trad, whether the rune is in the traditional->simplified table;
// simpOnly, whether it is in simplifiedOnly.
type hanBlock struct {
	fold           [hanBlockN]rune
	trad, simpOnly [hanBlockN / 64]uint64
}

var hanFolds = sync.OnceValue(func() *hanBlock {
	if genHanSum == hanDataSum() {
		return &genHanBlock
	}
	return buildHanBlock()
})

// hanDataSum is the checksum of the tables hanblock_gen.go is made from:
// while it matches, hanFolds is that file's block, laid out by the
// linker, instead of one built from 8,000 parsed lines (about 2 ms of a
// Chinese question's process, most of it fresh memory). Edited tables are
// still used, built at every start, until "go generate ./corpus"
// (TestHanTable fails meanwhile).
func hanDataSum() uint32 {
	t := crc32.MakeTable(crc32.Castagnoli)
	return crc32.Update(crc32.Checksum(tsCharacters, t), t, simplifiedOnlyData)
}

// buildHanBlock derives the block from the traditional->simplified table
// and simplifiedOnly.
func buildHanBlock() *hanBlock {
	h := new(hanBlock)
	for t, s := range tsTable() {
		if uint32(t-hanBlockLo) < hanBlockN {
			h.fold[t-hanBlockLo] = s
			h.trad[(t-hanBlockLo)/64] |= 1 << ((t - hanBlockLo) % 64)
		}
	}
	for r := range simplifiedOnly() {
		if uint32(r-hanBlockLo) < hanBlockN {
			h.simpOnly[(r-hanBlockLo)/64] |= 1 << ((r - hanBlockLo) % 64)
		}
	}
	return h
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
	h := hanFolds()
	var table map[rune]rune
	var simpOnly map[rune]bool
	trad, simp := 0, 0
	for _, r := range s {
		if i := uint32(r - hanBlockLo); i < hanBlockN {
			switch {
			case h.trad[i/64]&(1<<(i%64)) != 0:
				trad++
			case h.simpOnly[i/64]&(1<<(i%64)) != 0:
				simp++
			}
			continue
		}
		if r < 0x80 || !IsHan(r) {
			continue // neither table has a rune that is not Han
		}
		if table == nil {
			table, simpOnly = tsTable(), simplifiedOnly()
		}
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
		if IsHan(r) {
			return true
		}
	}
	return false
}

// IsHan is unicode.Is(unicode.Han, r) (TestIsHan checks every rune), with
// the runes of a Chinese question answered without a table search: no Han
// rune lies below U+2E80, and the two blocks of CJK Unified Ideographs
// are Han throughout.
func IsHan(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case 0x4E00 <= r && r <= 0x9FFF, 0x3400 <= r && r <= 0x4DBF:
		return true
	}
	return unicode.Is(unicode.Han, r)
}
