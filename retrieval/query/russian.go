package query

import "strings"

// Snowball's Russian stemmer sometimes gives a word's nominative, the form
// the glossary lists, a different stem from its other cases: "пахалгам" ->
// "пахалг" but "пахалгаме" -> "пахалгам". buildRussianAliases declines every
// Russian glossary word by the regular noun patterns and maps each stem
// that differs to the nominative's stem, unless that stem already belongs
// to another glossary word or would be ambiguous.
func (p *Processor) buildRussianAliases() {
	canonical := map[string]bool{}
	for _, t := range p.cache {
		if t.lang == "ru" {
			canonical[t.stem] = true
		}
	}
	alias := map[string]string{}
	ambiguous := map[string]bool{}
	for _, t := range p.cache {
		if t.lang != "ru" {
			continue
		}
		for _, form := range declensions(t.surface) {
			s := russianStemTabled(form)
			if s == t.stem || canonical[s] || ambiguous[s] {
				continue
			}
			if old, ok := alias[s]; ok && old != t.stem {
				delete(alias, s)
				ambiguous[s] = true
				continue
			}
			alias[s] = t.stem
		}
	}
	p.ruAlias = alias
}

// declensions returns plausible case forms of a Russian noun given in the
// nominative singular, by its ending. Adjectives need none: their stems
// are already stable.
func declensions(w string) []string {
	r := []rune(w)
	if len(r) < 3 {
		return nil
	}
	stem := func(cut int, ends ...string) []string {
		base := string(r[:len(r)-cut])
		out := make([]string, len(ends))
		for i, e := range ends {
			out[i] = base + e
		}
		return out
	}
	switch last := r[len(r)-1]; {
	case strings.HasSuffix(w, "ия"):
		return stem(1, "и", "ю", "ей")
	case last == 'а':
		return stem(1, "ы", "е", "у", "ой", "и")
	case last == 'я':
		return stem(1, "и", "е", "ю", "ей")
	case last == 'ь':
		return stem(1, "и", "ю", "ью", "я", "ем", "е")
	case last == 'й':
		return stem(1, "я", "ю", "ем", "е", "и", "ев")
	case last == 'о' || last == 'е':
		return stem(1, "а", "у", "ом", "е")
	case strings.ContainsRune("ыиуюэ", last):
		return nil // plural or indeclinable (Душанбе, Алматы)
	default: // consonant
		return stem(0, "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и")
	}
}

// canonRussian replaces inflected stems with their glossary stems.
func (p *Processor) canonRussian(toks []token) {
	for i := range toks {
		if toks[i].lang == "ru" {
			if s, ok := p.ruAlias[toks[i].stem]; ok {
				toks[i].stem = s
			}
		}
	}
}
