package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// offTopic holds the words of offtopic.tsv: what a question may ask for
// that the declaration never provides (a price, a brand, a match result,
// the weather). Chinese keys are folded and matched as substrings, longest
// first; English and Russian phrases as stemmed word sequences, like the
// glossary's.
type offTopic struct {
	zh       map[string]bool
	zhMax    int // longest zh key, in runes
	phrases  map[string]bool
	maxWords map[string]int
	// forms are single words matched as written (by language, lower
	// case), for a word whose stem is also another, in-scope word's:
	// Russian выборы, "elections", stems as выбор, "choice" (of a
	// development path), which the texts use.
	forms map[string]map[string]bool
	// zhFirst has the bit of the first two runes of every zh key set
	// (index): most positions of a question start no key, and a bit
	// test says so without a map lookup for each length.
	zhFirst *[pairBits / 64]uint64
}

// pairBits is the size of offTopic.zhFirst: 8,192 bits for about 200 keys.
const pairBits = 1 << 13

func pairBit(r1, r2 rune) uint32 {
	h := (uint64(r1)<<32 | uint64(r2)) * 0x9e3779b97f4a7c15
	return uint32(h>>32) % pairBits
}

// index sets zhFirst from zh.
func (o *offTopic) index() {
	o.zhFirst = new([pairBits / 64]uint64)
	for k := range o.zh {
		r1, n := utf8.DecodeRuneInString(k)
		r2, _ := utf8.DecodeRuneInString(k[n:])
		b := pairBit(r1, r2)
		o.zhFirst[b/64] |= 1 << (b % 64)
	}
}

// loadOffTopic reads offtopic.tsv: "zh|en|ru <TAB> phrase". An English or
// Russian phrase that is also a glossary or stop phrase is an error: one
// word cannot both name a topic of the text and one it never covers.
func (p *Processor) loadOffTopic(data string) error {
	o := offTopic{zh: map[string]bool{}, phrases: map[string]bool{}, maxWords: map[string]int{}, forms: map[string]map[string]bool{}}
	err := lines(data, func(_ int, f []string) error {
		if len(f) != 2 || strings.TrimSpace(f[1]) == "" {
			return fmt.Errorf("want 2 tab-separated fields, got %d", len(f))
		}
		switch lang, form := strings.CutSuffix(f[0], "-form"); {
		case form:
			w := strings.ToLower(strings.TrimSpace(f[1]))
			if !isWordLang(lang) || strings.ContainsFunc(w, unicode.IsSpace) {
				return fmt.Errorf("%s: want a single word of a word language, got %q", f[0], f[1])
			}
			if o.forms[lang] == nil {
				o.forms[lang] = map[string]bool{}
			}
			o.forms[lang][w] = true
		case f[0] == "zh":
			k := corpus.Fold(strings.TrimSpace(f[1]))
			if !corpus.HasHan(k) {
				return fmt.Errorf("zh phrase %q has no Chinese", f[1])
			}
			o.zh[k] = true
			o.zhMax = max(o.zhMax, utf8.RuneCountInString(k))
		default:
			if !isWordLang(f[0]) {
				return fmt.Errorf("unknown language %q", f[0])
			}
			key, n, err := p.keyOf(f[0], f[1])
			if err != nil {
				return err
			}
			if _, ok := p.phrases[key]; ok {
				return fmt.Errorf("%s %q is also a glossary or stop phrase", f[0], f[1])
			}
			o.phrases[key] = true
			o.maxWords[f[0]] = max(o.maxWords[f[0]], n)
		}
		return nil
	})
	o.index()
	p.off = o
	return err
}

// scanZh appends the off-topic words in folded Chinese text s to dst,
// longest match first, without duplicates.
func (o *offTopic) scanZh(dst []string, s string) []string {
	if o.zhMax == 0 {
		return dst
	}
	for i := 0; i < len(s); {
		if o.zhFirst != nil {
			// Keys are two runes or more: no pair, no key here.
			r1, n1 := utf8.DecodeRuneInString(s[i:])
			r2, _ := utf8.DecodeRuneInString(s[i+n1:])
			if b := pairBit(r1, r2); i+n1 >= len(s) || o.zhFirst[b/64]&(1<<(b%64)) == 0 {
				i += n1
				continue
			}
		}
		end, j, n := 0, i, 0
		for j < len(s) && n < o.zhMax {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			n++
			if n >= 2 && o.zh[s[i:j]] {
				end = j
			}
		}
		if end > 0 {
			dst = appendUnique(dst, s[i:end])
			i = end
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return dst
}

// scanWords appends the off-topic phrases among the English and Russian
// tokens to dst (space-joined surfaces), longest first.
func (o *offTopic) scanWords(dst []string, toks []token) []string {
	var key []byte
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.brk || t.lang == "" {
			i++
			continue
		}
		if o.forms[t.lang][t.surface] {
			dst = appendUnique(dst, t.surface)
			i++
			continue
		}
		n := 0
		for n < o.maxWords[t.lang] && i+n < len(toks) && !toks[i+n].brk && toks[i+n].lang == t.lang {
			n++
		}
		matched := 0
		for ; n > 0; n-- {
			key = append(append(key[:0], t.lang...), 0)
			for j := i; j < i+n; j++ {
				if j > i {
					key = append(key, ' ')
				}
				key = append(key, toks[j].stem...)
			}
			if o.phrases[string(key)] {
				matched = n
				break
			}
		}
		if matched == 0 {
			i++
			continue
		}
		surf := make([]string, matched)
		for j := range surf {
			surf[j] = toks[i+j].surface
		}
		dst = appendUnique(dst, strings.Join(surf, " "))
		i += matched
	}
	return dst
}
