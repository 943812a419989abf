package query

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// Misspelt names. A name of a place, a person or a body written with a
// letter wrong ("Афганстану", "kyrgystan", "uzbekistn") matched nothing:
// the question lost its topic, and the word counted against it as a name
// the texts never mention. A word whose stem has at least minSpellRunes
// letters, that neither the glossary nor the vocabulary uses, and whose
// stem is one edit (an insertion, a deletion, a substitution or a swap of
// neighbours) from one name's stem, or from several of which one is far
// the most used, is read as that name.
//
// The names are the words the texts WithVocabulary gives (the working
// translations) write with a capital and never without: only names, so
// that an ordinary word the vocabulary lacks is never turned into another
// ("attached" is not "attacked"). Short words are left alone: one edit
// turns too many of them into other words.

// minSpellRunes is the shortest stem corrected: "treat" (of "treated") is
// one edit from "treati" (of "Treaty"), "санкц" from "санкт".
const minSpellRunes = 6

// speller finds, for a stem it does not know, the name's stem one edit
// away.
type speller struct {
	// known maps each name's stem to how many times it occurs and the
	// surface form it was most often written in (what a correction
	// writes into the question).
	known map[string]knownStem
	// deletes maps each stem with one rune deleted (and each stem as it
	// is) to the known stems that give it: two stems one edit apart share
	// an entry (the symmetric-delete method).
	deletes map[string][]string
	// glossary holds the stems of the glossary's and stop lists' words.
	glossary map[string]bool
	// words are the vocabulary's words, lower case, sorted: a stem is a
	// word the texts use when a word starting with it has that stem.
	words []string
}

type knownStem struct {
	n       int
	surface string
}

// WithVocabulary gives the Processor texts whose names a misspelt word of
// a question may be corrected to (the working translations). texts is
// called once, on the first question that has an English or Russian word
// of minSpellRunes letters the glossary does not know.
func WithVocabulary(texts func() []string) Option {
	return func(p *Processor) { p.vocabTexts = texts }
}

// spellerFor builds the speller on first use: it reads the words of
// the vocabulary texts, and stems only the names among them.
func (p *Processor) spellerFor() *speller {
	p.spellOnce.Do(func() {
		sp := &speller{known: map[string]knownStem{}, deletes: map[string][]string{}, glossary: map[string]bool{}}
		p.spell = sp
		for _, t := range p.cache {
			sp.glossary[t.stem] = true
		}
		if p.vocabTexts == nil {
			return
		}
		capital := map[string]int{} // lower-cased surface -> times written with a capital
		lower := map[string]bool{}  // surfaces written in lower case
		all := map[string]bool{}
		for _, text := range p.vocabTexts() {
			for i, j := range corpus.Runs(text, isSpellLetter) {
				w := text[i:j]
				if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
					w = strings.ToLower(w)
					capital[w]++
				} else {
					lower[w] = true
				}
				all[w] = true
			}
		}
		for w := range all {
			sp.words = append(sp.words, w)
		}
		slices.Sort(sp.words)
		surfaces := map[string]map[string]int{}
		var memo *stemMemo // nil: stem each word
		for w, n := range capital {
			if lower[w] {
				continue
			}
			t, wl := wordToken(w)
			if wl == nil || t.num {
				continue
			}
			stem := memo.stem(wl, t.surface)
			k := sp.known[stem]
			k.n += n
			sp.known[stem] = k
			if surfaces[stem] == nil {
				surfaces[stem] = map[string]int{}
			}
			surfaces[stem][t.surface] += n
		}
		for stem, k := range sp.known {
			best := 0
			for s, n := range surfaces[stem] {
				if n > best || n == best && s < k.surface {
					k.surface, best = s, n
				}
			}
			sp.known[stem] = k
			if utf8.RuneCountInString(stem) >= minSpellRunes-1 {
				for _, d := range deletions(stem) {
					sp.deletes[d] = append(sp.deletes[d], stem)
				}
			}
		}
	})
	return p.spell
}

// uses reports whether the vocabulary has a word whose stem is stem (wl's):
// "treat" of "treated" is a word the texts use, not a misspelt "Treaty".
func (sp *speller) uses(wl *wordLang, stem string) bool {
	i, _ := slices.BinarySearch(sp.words, stem)
	for ; i < len(sp.words) && strings.HasPrefix(sp.words[i], stem); i++ {
		if wl.stemmer.stem(sp.words[i]) == stem {
			return true
		}
	}
	return false
}

// deletions returns s and s with each one of its runes deleted.
func deletions(s string) []string {
	rs := []rune(s)
	out := []string{s}
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// correct returns the known stem one edit from stem and its surface, or
// ok false when there is none or no clear one.
func (sp *speller) correct(stem string) (surface string, ok bool) {
	seen := map[string]bool{}
	best, second := "", 0
	bestN := 0
	for _, d := range deletions(stem) {
		for _, c := range sp.deletes[d] {
			if seen[c] || c == stem || !oneEdit(stem, c) {
				continue
			}
			seen[c] = true
			n := sp.known[c].n
			switch {
			case n > bestN:
				second, best, bestN = bestN, c, n
			case n > second:
				second = n
			}
		}
	}
	// Several candidates: only one used far more often than the others
	// is a correction rather than a guess.
	if best == "" || second > 0 && bestN < 4*second {
		return "", false
	}
	return sp.known[best].surface, true
}

// oneEdit reports whether a and b are one insertion, deletion,
// substitution or swap of neighbouring runes apart (the symmetric-delete
// entries also pair some strings two edits apart).
func oneEdit(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	switch len(y) - len(x) {
	case 0:
		var diff []int
		for i := range x {
			if x[i] != y[i] {
				diff = append(diff, i)
			}
		}
		return len(diff) == 1 ||
			len(diff) == 2 && diff[1] == diff[0]+1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]]
	case 1:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}

// correctWords returns cleaned (a question through corpus.CleanText) with
// each misspelt English or Russian name replaced by the name one edit
// away, and whether it changed anything.
func (p *Processor) correctWords(cleaned string, memo *stemMemo) (string, bool) {
	var b strings.Builder
	at := 0
	changed := false
	for start, end := range corpus.Runs(cleaned, isSpellLetter) {
		w := cleaned[start:end]
		if utf8.RuneCountInString(w) < minSpellRunes {
			continue
		}
		t, wl := wordToken(w)
		if wl == nil || isStopWord(t) {
			continue
		}
		p.wordTables()
		if _, ok := p.cache[t.surface]; ok {
			continue
		}
		sp := p.spellerFor()
		stem := memo.stem(wl, t.surface)
		if utf8.RuneCountInString(stem) < minSpellRunes || sp.glossary[stem] {
			continue
		}
		if _, ok := sp.known[stem]; ok {
			continue
		}
		// Most words are one edit from no name: the vocabulary is
		// searched (which stems its words) only for one that is.
		fix, ok := sp.correct(stem)
		if !ok || sp.uses(wl, stem) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			fr, n := utf8.DecodeRuneInString(fix)
			fix = string(unicode.ToUpper(fr)) + fix[n:]
		}
		b.WriteString(cleaned[at:start])
		b.WriteString(fix)
		at = end
		changed = true
	}
	if !changed {
		return cleaned, false
	}
	b.WriteString(cleaned[at:])
	return b.String(), true
}

// isSpellLetter is a letter of a word the speller reads: not Han.
func isSpellLetter(r rune) bool { return unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) }
