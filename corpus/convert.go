package corpus

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// Script conversion for texts that arrive in one script only (an imported
// declaration): ToHans and ToHant make the other one the way the built-in
// texts were made, with OpenCC's dictionaries (t2s; s2tw with the
// traditional seed's house style), without needing OpenCC at run time.
// Fold is not built on them: it needs one canonical character per
// character, and must not change when these tables grow.

//go:embed data/st_characters.txt
var stCharactersData []byte

//go:embed data/st_phrases.txt
var stPhrasesData []byte

//go:embed data/ts_phrases.txt
var tsPhrasesData []byte

// phraseTable maps words to their form in the other script and knows its
// longest key, in runes, for longest-match conversion.
type phraseTable struct {
	m      map[string]string
	maxLen int
}

func parsePhrases(data []byte) phraseTable {
	t := phraseTable{m: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "\t")
		if !ok || k == "" {
			continue
		}
		t.m[k] = v
		t.maxLen = max(t.maxLen, utf8.RuneCountInString(k))
	}
	return t
}

var (
	stPhrases = sync.OnceValue(func() phraseTable { return parsePhrases(stPhrasesData) })
	tsPhrases = sync.OnceValue(func() phraseTable { return parsePhrases(tsPhrasesData) })
	// stTable is the simplified->traditional character map (Taiwan
	// standard, OpenCC's first candidate): a character maps to a string
	// because a few traditional forms lie outside the BMP's common range
	// and the table is read as text anyway.
	stTable = sync.OnceValue(func() map[rune]string {
		m := make(map[rune]string, 4000)
		sc := bufio.NewScanner(bytes.NewReader(stCharactersData))
		for sc.Scan() {
			line := sc.Text()
			if line == "" || line[0] == '#' {
				continue
			}
			k, v, ok := strings.Cut(line, "\t")
			if r, n := utf8.DecodeRuneInString(k); ok && n == len(k) && v != "" {
				m[r] = v
			}
		}
		return m
	})
)

// Quotation marks: mainland texts write “” and ‘’, the traditional seed
// 「」 and 『』, and the built-in passages follow each.
var (
	hansQuotes = strings.NewReplacer("「", "“", "」", "”", "『", "‘", "』", "’")
	hantQuotes = strings.NewReplacer("“", "「", "”", "」", "‘", "『", "’", "』")
)

// ToHans converts traditional Chinese to simplified as the built-in
// declaration's simplified text was made: OpenCC's phrases, then
// characters, then the repairs Fold also makes to the traditional seed's
// machine-conversion errors (恢覆 -> 恢复, 朝著 -> 朝着), and corner quotes
// to “”. Simplified text passes through unchanged but for its quotes.
func ToHans(s string) string {
	table := tsTable()
	out := convert(s, tsPhrases(), func(b *strings.Builder, r rune) {
		if t, ok := table[r]; ok {
			b.WriteRune(t)
		} else {
			b.WriteRune(r)
		}
	})
	if strings.ContainsAny(out, "覆著") {
		out = phraseFolds.Replace(out)
	}
	return hansQuotes.Replace(out)
}

// ToHant converts simplified Chinese to traditional as the built-in
// statements' traditional text was made (OpenCC's s2tw in the traditional
// seed's style: 盡快, 周年, corner quotes). Words outside the shipped phrase
// table are converted character by character, which is right for most
// words and wrong for a few with an ambiguous character (头发 needs 髮,
// not 發): retrieval folds both scripts to one form, so such a slip shows
// only to a reader of the traditional text. Text that is already
// traditional must not be passed through it (后 would become 後).
func ToHant(s string) string {
	table := stTable()
	out := convert(s, stPhrases(), func(b *strings.Builder, r rune) {
		if t, ok := table[r]; ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
	})
	return hantQuotes.Replace(out)
}

// convert replaces, from left to right, the longest word of phrases that
// starts at each position, else one character through char: OpenCC's
// maximum forward matching.
func convert(s string, phrases phraseTable, char func(*strings.Builder, rune)) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x80 {
			b.WriteByte(s[i])
			i++
			continue
		}
		if n := longestPhrase(s[i:], phrases); n > 0 {
			b.WriteString(phrases.m[s[i:i+n]])
			i += n
			continue
		}
		char(&b, r)
		i += size
	}
	return b.String()
}

// longestPhrase returns the byte length of the longest key of phrases that
// s starts with, or 0. Keys are CJK words of at most 32 characters.
func longestPhrase(s string, phrases phraseTable) int {
	var ends [32]int // byte offsets of the ends of the first runes of s
	n := 0
	for i := 0; i < len(s) && n < len(ends) && n < phrases.maxLen; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		ends[n] = i
	}
	for l := n; l >= 2; l-- {
		if _, ok := phrases.m[s[:ends[l-1]]]; ok {
			return ends[l-1]
		}
	}
	return 0
}
