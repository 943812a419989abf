package retrieval

import (
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// The lexical side and the offline embedder both see text as a sequence of
// units: one Han character, or one run of other letters and digits ("2025",
// "sco"). Punctuation and spaces are not units; they only break the sequence,
// so that no n-gram spans a comma or a full stop. Units and n-grams are
// 64-bit hashes rather than strings: the index of a 100,000-paragraph corpus
// then holds no per-term strings, and tokenising a query allocates nothing
// beyond its slices. A collision between two of the few hundred thousand
// distinct n-grams of a corpus has a probability around 1e-9.

// unit is one matching unit of folded text.
type unit struct {
	h uint64
	// brk is true when punctuation or the start of the text comes before
	// the unit: n-grams never reach back across it.
	brk bool
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// appendUnits appends the units of s, which must already be folded
// (corpus.Fold), to dst.
func appendUnits(dst []unit, s string) []unit {
	brk := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case corpus.IsHan(r):
			dst = append(dst, unit{h: mix(uint64(r)), brk: brk})
			brk = false
			i += n
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// A run of non-Han letters and digits is one unit.
			h := uint64(fnvOffset)
			j := i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if corpus.IsHan(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2)) {
					break
				}
				h = (h ^ uint64(r2)) * fnvPrime
				j += n2
			}
			dst = append(dst, unit{h: mix(h ^ 1<<63), brk: brk})
			brk = false
			i = j
		default:
			brk = true
			i += n
		}
	}
	return dst
}

// mix is the splitmix64 finaliser: it spreads the bits of x so that hashes
// of neighbouring code points land far apart.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Salts keep a unigram, a bigram and a trigram with colliding inputs apart.
const (
	saltBigram  = 0x9e3779b97f4a7c15
	saltTrigram = 0xc2b2ae3d27d4eb4f
)

func bigram(a, b uint64) uint64     { return mix(a*31 ^ b ^ saltBigram) }
func trigram(a, b, c uint64) uint64 { return mix((a*31^b)*31 ^ c ^ saltTrigram) }

// term is one lexical term of a text: a unigram or a bigram hash.
type term struct {
	h  uint64
	bi bool
}

// appendTerms appends the unigram and bigram terms of units to dst.
func appendTerms(dst []term, units []unit) []term {
	for i, u := range units {
		dst = append(dst, term{h: u.h})
		if i > 0 && !u.brk {
			dst = append(dst, term{h: bigram(units[i-1].h, u.h), bi: true})
		}
	}
	return dst
}

// lexicalTerms returns the unigram and bigram terms of raw text.
func lexicalTerms(s string) []term {
	units := appendUnits(nil, corpus.Fold(s))
	return appendTerms(make([]term, 0, 2*len(units)), units)
}
