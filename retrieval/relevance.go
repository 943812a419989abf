package retrieval

import (
	_ "embed"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval/query"
)

// DefaultRelevanceThreshold is the Relevance at or above which a query is
// InScope. Relevance is a logistic score (see relevanceModel), so 0.5 is
// the point where the evidence for and against balances; the weights, not
// the threshold, were calibrated on the golden suite (go test ./retrieval
// -run Golden -v prints the sweep; numbers in docs/BENCHMARKS.md).
const DefaultRelevanceThreshold = 0.5

// The relevance signal answers "does the declaration address this
// question?" without a language model. Offline retrieval always returns
// some passages, so their scores alone cannot tell a colloquial paraphrase
// ("雪山上的冰一年比一年少") from a question about something the corpus never
// names ("比特币现在多少钱"): both share few characters with any paragraph.
// What does tell them apart is what the unmatched part of the question is
// made of. Two measurements feed one logistic score:
//
//   - coverage: the share of the question's content the corpus vocabulary
//     (or the glossary) explains. A Chinese character counts as explained
//     when it forms, with a neighbour in the question, a bigram that occurs
//     anywhere in the corpus, or lies in a colloquial word the glossary
//     maps (太空 -> 外空); each character weighs its idf, so that a
//     character the corpus never uses (币, 杯, 韩) weighs most. Particles
//     and pronouns (的, 了, 这) never count against a question. For English
//     and Russian each glossary-mapped phrase counts as explained, each
//     unknown lower-case word weakly against ("okay", "pulled": questions
//     are worded in everyday words the glossary cannot all know) and each
//     unknown name strongly against ("Ukraine", "NATO", "ОПЕК": the
//     glossary aims to know every name the declaration uses).
//   - match: the idf-weighted share of the query's bigrams that one of the
//     top three passages contains. Words that are all in the corpus but in
//     different paragraphs ("总统" and "美国" for a question about US
//     elections) match no single passage well.
//
// Relevance = σ(slope·(coverage + matchWeight·match − bias)). The weights
// are few and hand-set: the golden suite fixed the bias (the boundary) and
// the ratio of the two terms; docs/BENCHMARKS.md has the sweep, and the
// blind held-out suite checks that it generalises.
type relevanceModel struct {
	// lowerWeight and nameWeight are what an unknown lower-case word and
	// an unknown name weigh against a question, in units of one mapped
	// English or Russian phrase.
	lowerWeight, nameWeight float64
	// zhNameWeight is nameWeight for a Chinese name the corpus lacks
	// (zhnames.txt). A capital letter marks an English or Russian name;
	// the Chinese list comes from a dictionary's part-of-speech tags, which
	// also call everyday words names (太平, 大国, 东北, 正文, 智能化), so
	// such a name is weaker evidence. At 3 it refused "阿富汗要怎么组政府才
	// 能长期太平？"; on the eleven suites 1.5 removed 0.006 of false
	// refusals (0.038 -> 0.032) and refused as many out-of-scope questions,
	// 1 removed 0.007 and refused 0.003 fewer (docs/BENCHMARKS.md).
	zhNameWeight float64
	// knownWordWeight is what an English or Russian word the glossary
	// cannot map but the working translation or question lists of its
	// language use explains, in the same units: some, not a mapped
	// phrase's worth, since the translations' vocabulary is broad (0.3
	// keeps golden's out-of-scope detection at 0.92 and cuts held-out's
	// false alarms from 0.089 to 0.018; 0.5 and up lets more
	// out-of-scope questions through).
	knownWordWeight float64
	// offTopicWeight is what a word asking for something the declaration
	// never provides (query.Query.OffTopic: a price, a brand, the weather,
	// a banquet on the summit's sidelines); 5 rather than 3, so that one
	// such word outweighs a question full of words the text knows ("Did
	// Modi and Xi Jinping hold a bilateral meeting in Tianjin, and what
	// did they agree on?"): the list holds only words with no reading in
	// scope (offtopic.tsv). In the same units.
	offTopicWeight float64
	// placeWeight is what a name the corpus uses (places.txt) explains,
	// in the same units; namesOnlyWeight replaces charWeight when names
	// are all a question's explained content. (Not lowerWeight: unknown
	// English and Russian words are mostly everyday words and inflected
	// forms the glossary misses, and weighing them up turned answerable
	// Russian questions about a country into false alarms.)
	placeWeight, namesOnlyWeight float64
	// charWeight scales what an unexplained Chinese character (one not in
	// a name) weighs against a question, relative to its idf.
	charWeight  float64
	matchWeight float64
	bias        float64
	slope       float64
}

var defaultRelevance = relevanceModel{
	lowerWeight:     0.15,
	knownWordWeight: 0.3,
	nameWeight:      3,
	zhNameWeight:    1.5,
	offTopicWeight:  5,
	placeWeight:     1,
	namesOnlyWeight: 1,
	charWeight:      0.3,
	matchWeight:     0.25,
	bias:            0.64,
	slope:           12,
}

//go:embed zhnames.txt
var zhNamesTxt string

//go:embed zhnames_extra.txt
var zhNamesExtraTxt string

//go:embed zhnames_common.txt
var zhNamesCommonTxt string

// zhNames is a set of common Chinese proper names the corpus does not
// contain (zhnames.txt), with the length in runes of the longest.
//
// The names are a sorted slice, searched by binary search, and a bit set
// of the hashes of their first two runes tells at a glance that no name
// starts at a position (most positions of most questions): no map of
// 5,000 strings is built at every start, and a search does a handful of
// lookups instead of one for each length at each position.
type zhNames struct {
	names   []string
	first   *[pairBits / 64]uint64
	maxRune int
}

// pairBits is the size of zhNames.first: 32,768 bits, one page, for
// about 5,000 names (a name's pair is set; about one pair in seven that
// no name starts with is set too, and costs a lookup).
const pairBits = 1 << 15

func pairBit(r1, r2 rune) uint32 { return uint32(mix(uint64(r1)<<32|uint64(r2))) % pairBits }

// The name sets never change: each process builds them once.
var (
	zhNameSet = sync.OnceValue(func() zhNames {
		return loadNameSet(zhNamesTxt+"\n"+zhNamesExtraTxt, lineSet(zhNamesCommonTxt))
	})
	placeSet = sync.OnceValue(func() placeNames { return placeNames{zhNames: loadNameSet(placesTxt, nil)} })
)

func loadZhNames() zhNames { return zhNameSet() }

// loadNameSet reads one name a line, leaving out those in except; blank
// lines and # comments are skipped.
func loadNameSet(txt string, except map[string]bool) zhNames {
	z := zhNames{names: make([]string, 0, strings.Count(txt, "\n")+1), first: new([pairBits / 64]uint64)}
	for line := range strings.Lines(txt) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || except[line] {
			continue
		}
		z.names = append(z.names, line)
		z.maxRune = max(z.maxRune, utf8.RuneCountInString(line))
		r1, n := utf8.DecodeRuneInString(line)
		r2, _ := utf8.DecodeRuneInString(line[n:])
		b := pairBit(r1, r2)
		z.first[b/64] |= 1 << (b % 64)
	}
	if !slices.IsSorted(z.names) {
		slices.Sort(z.names)
	}
	z.names = slices.Compact(z.names)
	return z
}

// lineSet is the set of txt's lines that are neither blank nor # comments.
func lineSet(txt string) map[string]bool {
	out := map[string]bool{}
	for line := range strings.Lines(txt) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out
}

// has reports whether name is in the set.
func (z zhNames) has(name string) bool {
	_, ok := slices.BinarySearch(z.names, name)
	return ok
}

// len is the number of names.
func (z zhNames) len() int { return len(z.names) }

// each calls f with the position and length, in runes, of each name in s,
// left to right, the longest match first. It looks names up by substring,
// so a long question costs no allocations.
//
// The names that start with a position's first two runes are neighbours
// in the sorted slice: one binary search finds them, and the longest
// that s continues with is the match (a name is at least two runes).
func (z zhNames) each(s string, f func(pos, runes int)) {
	pos := 0
	for i := 0; i < len(s); {
		r1, n1 := utf8.DecodeRuneInString(s[i:])
		if i+n1 < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i+n1:])
			if b := pairBit(r1, r2); z.first[b/64]&(1<<(b%64)) != 0 {
				pair, rest := s[i:i+n1+n2], s[i:]
				best := ""
				j, _ := slices.BinarySearch(z.names, pair)
				for ; j < len(z.names) && strings.HasPrefix(z.names[j], pair); j++ {
					if name := z.names[j]; len(name) > len(best) && strings.HasPrefix(rest, name) {
						best = name
					}
				}
				if best != "" {
					runes := utf8.RuneCountInString(best)
					f(pos, runes)
					pos += runes
					i += len(best)
					continue
				}
			}
		}
		i += n1
		pos++
	}
}

// startingAt calls f with each name s starts with.
func (z zhNames) startingAt(s string, f func(name string)) {
	r1, n1 := utf8.DecodeRuneInString(s)
	if n1 >= len(s) {
		return
	}
	r2, n2 := utf8.DecodeRuneInString(s[n1:])
	if b := pairBit(r1, r2); z.first[b/64]&(1<<(b%64)) == 0 {
		return
	}
	pair := s[:n1+n2]
	j, _ := slices.BinarySearch(z.names, pair)
	for ; j < len(z.names) && strings.HasPrefix(z.names[j], pair); j++ {
		if strings.HasPrefix(s, z.names[j]) {
			f(z.names[j])
		}
	}
}

// count returns how many names occur in s, longest match first.
// lackedNames calls f with each name of z in s (a question's piece) that
// does not overlap a name the corpus uses, marked by rune in inPlace
// (placeNames.mark): "中亚当成" holds 中亚, not 亚当 (Adam).
func lackedNames(z zhNames, s string, inPlace []bool, f func(pos, runes int)) {
	z.each(s, func(pos, runes int) {
		for k := pos; k < pos+runes && k < len(inPlace); k++ {
			if inPlace[k] {
				return
			}
		}
		f(pos, runes)
	})
}

func (z zhNames) count(s string) int {
	n := 0
	z.each(s, func(int, int) { n++ })
	return n
}

//go:embed places.txt
var placesTxt string

// placeNames is the set of names of places and people the corpus uses
// (places.txt).
type placeNames struct{ zhNames }

func loadPlaces() placeNames { return placeSet() }

// mark sets, for each rune of s, whether it lies in a name (longest match
// first), in dst (reused), and returns it with the number of names found.
func (p placeNames) mark(dst []bool, s string) ([]bool, int) {
	dst = append(dst[:0], make([]bool, utf8.RuneCountInString(s))...)
	n := 0
	p.each(s, func(pos, runes int) {
		n++
		for k := pos; k < pos+runes; k++ {
			dst[k] = true
		}
	})
	return dst, n
}

// all reports whether terms is not empty and every one is a name.
func (p placeNames) all(terms []string) bool {
	for _, t := range terms {
		if !p.has(t) {
			return false
		}
	}
	return len(terms) > 0
}

// relevance scores in [0,1] whether the declaration addresses the query;
// DefaultRelevanceThreshold (0.5) is the boundary.
// altTerms are the query's terms for the alternative fields of its
// language (altQueryTerms).
// docs are the items' passage numbers.
func (x *Index) relevance(pq query.Query, qterms, altTerms []weightedTerm, items []Result, docs []int32, sc *scratch) float64 {
	if len(items) == 0 || len(qterms) == 0 && len(altTerms) == 0 {
		return 0
	}
	match := 0.0
	if len(qterms) > 0 {
		match = x.match(qterms, docs)
	}
	return defaultRelevance.score(x.coverageWith(pq, sc), match)
}

func (m relevanceModel) score(coverage, match float64) float64 {
	z := m.slope * (coverage + m.matchWeight*match - m.bias)
	return 1 / (1 + math.Exp(-z))
}

// coverage returns the share in [0,1] of the query's content that the
// corpus vocabulary or the glossary explains; 1 when the query has no
// content of its own to judge ("天津宣言说了什么？" is about the text as a
// whole).
//
// A name the corpus uses (a country, a city, a leader: places.txt) says
// where or who, not what, so it counts as one word however many characters
// its transliteration has (哈萨克斯坦 is five). When names are all a
// question's explained content ("哈萨克斯坦的首都人口有多少", "population of
// Kazakhstan"), the rest of it is what it asks about, and its unexplained
// Chinese characters weigh their full idf instead of the little they weigh
// in a question that also names one of the text's topics.
func (x *Index) coverage(pq query.Query) float64 {
	sc := x.getScratch()
	defer x.putScratch(sc)
	return x.coverageWith(pq, sc)
}

// coverageWith is coverage with sc's buffers.
func (x *Index) coverageWith(pq query.Query, sc *scratch) float64 {
	m := defaultRelevance
	word := x.lex.maxIDF()
	var (
		topic, names float64 // explained by topic words and by names
		strong       float64 // unknown names, off-topic words
		weakChars    float64 // idf of unexplained Chinese characters
		weakWords    float64 // unknown lower-case English/Russian words
	)
	units, inName := sc.unitRunes, sc.inName
	defer func() { sc.unitRunes, sc.inName = units, inName }()
	for _, piece := range pq.Pieces {
		// Why the asker asks ("我在准备课堂展示") may explain the question
		// (做跨境网店的: e-commerce) but never counts against it.
		context := slices.Contains(pq.Context, piece)
		units = appendUnitRunes(units[:0], piece)
		if slices.Contains(pq.Mapped, piece) {
			// A colloquial word the glossary knows: explained, with the
			// weight of its characters.
			for _, u := range units {
				topic += x.unitIDF(u.h)
			}
			continue
		}
		// Each name's characters count together, as at most placeWeight
		// words. (Two names side by side, 中国俄罗斯, are rare enough to
		// count as one.)
		inName, _ = x.places.mark(inName, piece)
		// A name the corpus lacks (台湾, 北约, 世界杯) weighs against the
		// question, on top of its characters (zhNameWeight).
		lacked := 0
		lackedNames(x.zhNames, piece, inName, func(int, int) { lacked++ })
		if !context {
			strong += float64(lacked) * m.zhNameWeight * word
		}
		nameIDF := 0.0
		for i, u := range units {
			if inName[u.pos] {
				nameIDF += x.unitIDF(u.h)
				continue
			}
			names += min(nameIDF, m.placeWeight*word)
			nameIDF = 0
			w := x.unitIDF(u.h)
			switch {
			case x.unitKnown(units, i, false):
				topic += w
			case x.unitKnown(units, i, true):
				// Only the question lists use it. They are written in
				// everyday words and question forms (是一, 不要, 安排,
				// 角色), about as many as the text has words: counted as
				// explaining, they made requests far from the text look
				// covered (golden out-of-scope detection 0.92 -> 0.80
				// when the lists grew threefold). It neither explains
				// nor counts against; retrieval still matches the lists.
			case !u.function && !context:
				weakChars += w
			}
		}
		names += min(nameIDF, m.placeWeight*word)
	}
	// English and Russian: a word weighs as much as a rare character, so
	// that mixed questions ("SCO 开发银行") weigh both parts alike.
	for i, mp := range pq.Mapped {
		switch {
		case corpus.HasHan(mp):
		case x.places.all(pq.MappedTerms[i]):
			names += m.placeWeight * word
		default:
			topic += word
		}
	}
	for i, u := range pq.Unmatched {
		context := slices.Contains(pq.Context, u)
		switch {
		case x.knowsWord(pq, i):
			// A word of the working translation or the question lists:
			// the corpus's vocabulary in the question's language.
			topic += m.knownWordWeight * word
		case context:
			// Why the asker asks counts only for the question.
		case slices.Contains(pq.Names, u):
			strong += m.nameWeight * word
		default:
			weakWords++
		}
	}
	// A question that asks for a price, a brand or the weather is not
	// answered by a policy text, whatever place or topic it also names.
	strong += float64(len(pq.OffTopic)) * m.offTopicWeight * word
	// A year the texts never give weighs like a Chinese name they lack.
	strong += float64(len(x.absentYears(pq.Original))) * m.zhNameWeight * word
	charW := m.charWeight
	if topic == 0 && names > 0 {
		charW = m.namesOnlyWeight
	}
	explained := topic + names
	unexplained := strong + charW*weakChars + m.lowerWeight*weakWords*word
	if explained+unexplained == 0 {
		return 1
	}
	return explained / (explained + unexplained)
}

// match is the idf-weighted share of the query's bigrams (its unigrams, if
// it has no bigrams) found in the best of the top three passages. A term
// the corpus lacks counts with the highest idf.
func (x *Index) match(qterms []weightedTerm, docs []int32) float64 {
	useBi := false
	for _, t := range qterms {
		if t.bi {
			useBi = true
			break
		}
	}
	best := 0.0
	for _, doc := range docs[:min(3, len(docs))] {
		have, total := 0.0, 0.0
		for _, t := range qterms {
			if t.bi != useBi {
				continue
			}
			in, idf := x.lex.lookup(t, doc)
			total += idf
			if in {
				have += idf
			}
		}
		if total > 0 {
			best = max(best, have/total)
		}
	}
	return best
}

// unitIDF is the idf of a unigram, the highest for one the corpus lacks.
func (x *Index) unitIDF(h uint64) float64 {
	if id, ok := x.lex.terms.get(h); ok {
		return x.lex.idf[id]
	}
	return x.lex.maxIDF()
}

// unitKnown reports whether units[i] forms with a neighbour a bigram of
// the Chinese text (of the Chinese question lists, with lists), or is a
// piece's only unit and in it itself.
func (x *Index) unitKnown(units []unitRune, i int, lists bool) bool {
	has := func(h uint64) bool {
		if lists {
			return x.altKnows(corpus.LangHans, h, false)
		}
		return x.lex.has(h)
	}
	u := units[i]
	return len(units) == 1 && has(u.h) ||
		i > 0 && has(bigram(units[i-1].h, u.h)) ||
		i+1 < len(units) && has(bigram(u.h, units[i+1].h))
}

// unitRune is a unit (see appendUnits) that knows whether it is a Chinese
// function character: a particle, pronoun or preposition that means nothing
// on its own in a question.
type unitRune struct {
	h        uint64
	function bool
	pos      int // index of the unit's first rune in the text
}

const functionChars = "的了是在有对和与及跟把被让给吗呢吧啊呀么嘛也都还就将会要能可以其这那个些之所为里上下从向该此我你他她它们"

// functionRunes are functionChars sorted, for a binary search instead of
// a scan of the string for every character of every question.
var functionRunes = func() []rune {
	rs := []rune(functionChars)
	slices.Sort(rs)
	return rs
}()

func isFunctionChar(r rune) bool {
	_, ok := slices.BinarySearch(functionRunes, r)
	return ok
}

// appendUnitRunes appends the units of folded text s, as appendUnits cuts
// them, to dst.
func appendUnitRunes(dst []unitRune, s string) []unitRune {
	pos := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case corpus.IsHan(r):
			dst = append(dst, unitRune{h: mix(uint64(r)), function: isFunctionChar(r), pos: pos})
			i += n
			pos++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j, runes := i, 0
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if corpus.IsHan(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2)) {
					break
				}
				j += n2
				runes++
			}
			for _, u := range appendUnits(nil, s[i:j]) {
				dst = append(dst, unitRune{h: u.h, pos: pos})
			}
			i = j
			pos += runes
		default:
			i += n
			pos++
		}
	}
	return dst
}

// knowsWord reports whether the working translation or the question list
// of the query's language uses its i-th unmatched word (all of its stems,
// query.ContentStems). For one of its Names only the translation counts:
// the texts' own vocabulary ("Иссык-Кульский", "Expo"), not the question
// lists, which name other organisations to compare ("a bank like the
// BRICS bank").
func (x *Index) knowsWord(pq query.Query, i int) bool {
	l := pq.Lang
	if l.IsChinese() {
		return false
	}
	stems := pq.UnmatchedStems[i]
	if len(stems) == 0 {
		return false
	}
	name := slices.Contains(pq.Names, pq.Unmatched[i])
	for _, s := range stems {
		if !x.altKnows(l, stemHash(s), name) {
			return false
		}
	}
	return true
}
