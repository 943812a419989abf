package query

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// entry is what a stemmed English or Russian phrase maps to: Chinese terms,
// or nothing for a stop phrase.
type entry struct {
	terms []string
	stop  bool
}

func phraseKey(lang string, stems []string) string {
	return lang + "\x00" + strings.Join(stems, " ")
}

// lines yields the non-comment, non-blank lines of a TSV file with their
// 1-based line numbers.
func lines(data string, f func(n int, fields []string) error) error {
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := f(n+1, strings.Split(line, "\t")); err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
	}
	return nil
}

// keyOf tokenizes and stems a glossary or stop phrase the same way Process
// treats a question, so the two always agree. Its words go into the stem
// cache first, so that each distinct word is stemmed once however many
// phrases use it (stemming is most of New's cost).
func (p *Processor) keyOf(lang, phrase string) (string, int, error) {
	for _, f := range strings.FieldsFunc(phrase, func(r rune) bool { return classify(r) == cSoft }) {
		if _, ok := p.cache[f]; !ok && f != "WHO" && f != "US" {
			if t := tokenize(f, nil, nil); len(t) == 1 {
				p.cache[f] = t[0]
			}
		}
	}
	toks := dropGlue(tokenize(phrase, p.cache, nil))
	if len(toks) == 0 {
		return "", 0, fmt.Errorf("empty phrase %q", phrase)
	}
	stems := make([]string, len(toks))
	for i, t := range toks {
		if t.brk || (t.lang != lang && !t.num) {
			return "", 0, fmt.Errorf("phrase %q: word %q is not %s", phrase, t.surface, lang)
		}
		stems[i] = t.stem
	}
	return phraseKey(lang, stems), len(stems), nil
}

func (p *Processor) addPhrase(lang, phrase string, e *entry) error {
	key, n, err := p.keyOf(lang, phrase)
	if err != nil {
		return err
	}
	if old, ok := p.phrases[key]; ok {
		if old.stop != e.stop {
			return fmt.Errorf("%s %q is both a stop phrase and a glossary entry", lang, phrase)
		}
		for _, t := range e.terms {
			old.terms = appendUnique(old.terms, t)
		}
		return nil
	}
	p.phrases[key] = e
	if n > p.maxWords[lang] {
		p.maxWords[lang] = n
	}
	return nil
}

// loadStop reads stop.tsv: "zh|en|ru <TAB> phrase", and "zh-keep <TAB>
// term" for Chinese terms that contain a stop phrase but must stay whole.
func (p *Processor) loadStop(data string) error {
	var keep []string
	err := lines(data, func(_ int, f []string) error {
		if len(f) != 2 || f[1] == "" {
			return fmt.Errorf("want 2 tab-separated fields, got %d", len(f))
		}
		switch f[0] {
		case "zh":
			p.zh.add(corpus.Fold(f[1]), false)
			return nil
		case "zh-keep":
			keep = append(keep, corpus.Fold(f[1]))
			return nil
		}
		if isWordLang(f[0]) {
			return p.addPhrase(f[0], f[1], &entry{stop: true})
		}
		return fmt.Errorf("unknown language %q", f[0])
	})
	for _, k := range keep {
		p.zh.add(k, true)
	}
	return err
}

// loadGlossary reads glossary.tsv: "en|ru|zh <TAB> phrase <TAB>
// term[,term…]". zh lines are colloquial or regional Chinese words the
// declaration does not use (太空, 制裁, 人工智慧) and the corpus terms they
// stand for.
// Every Chinese term that contains a Chinese stop phrase (上合组织开发银行
// contains 上合组织) is protected from stop-phrase removal.
func (p *Processor) loadGlossary(data string) error {
	return lines(data, func(_ int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("want 3 tab-separated fields, got %d", len(f))
		}
		if f[0] != "zh" && !isWordLang(f[0]) {
			return fmt.Errorf("unknown language %q", f[0])
		}
		var terms []string
		for _, t := range strings.Split(f[2], ",") {
			t = corpus.Fold(strings.TrimSpace(t))
			if t == "" {
				return fmt.Errorf("empty Chinese term in %q", f[2])
			}
			terms = appendUnique(terms, t)
			if p.zh.containsStop(t) {
				p.zh.add(t, true)
			}
		}
		p.entries++
		if p.langEntries == nil {
			p.langEntries = map[string]int{}
		}
		p.langEntries[f[0]]++
		if f[0] == "zh" {
			key := corpus.Fold(strings.TrimSpace(f[1]))
			if key == "" || !corpus.HasHan(key) {
				return fmt.Errorf("zh synonym %q has no Chinese", f[1])
			}
			p.zh.add(key, true, terms...)
			return nil
		}
		return p.addPhrase(f[0], f[1], &entry{terms: terms})
	})
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// expand maps tokens to glossary terms, longest phrase first, and collects
// the words it could not map (names: those of them that were capitalised)
// and the phrases it mapped. Numbers no phrase claims are returned as
// digits ("80th" -> "80"): the corpus writes numbers in Arabic digits.
func (p *Processor) expand(toks []token) (terms, unmatched, numbers, mapped, names []string, mappedTerms [][]string) {
	miss := func(t token) {
		unmatched = appendUnique(unmatched, t.surface)
		if t.cap {
			names = appendUnique(names, t.surface)
		}
	}
	var key []byte
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.brk || t.lang == "" && !t.num {
			if !t.brk && !isStopWord(t) {
				miss(t)
			}
			i++
			continue
		}
		// The longest run of same-language words starting at i; a phrase
		// may start with a number ("80-летие"), so a number takes the
		// language of the word after it.
		lang := t.lang
		if t.num {
			for j := i + 1; j < len(toks) && !toks[j].brk; j++ {
				if !toks[j].num {
					lang = toks[j].lang
					break
				}
			}
		}
		limit := p.maxWords[lang]
		if p.starts != nil {
			// No key is longer than the longest that starts with
			// this word.
			key = append(append(append(key[:0], lang...), 0), t.stem...)
			limit = min(limit, p.starts.bound(key))
		}
		n := 0
		for n < limit && i+n < len(toks) && !toks[i+n].brk && (toks[i+n].lang == lang || toks[i+n].num) {
			n++
		}
		matched := 0
		for ; n > 0; n-- {
			key = append(append(key[:0], lang...), 0)
			for j := i; j < i+n; j++ {
				if j > i {
					key = append(key, ' ')
				}
				key = append(key, toks[j].stem...)
			}
			if e, ok := p.phrases[string(key)]; ok { // no allocation

				for _, term := range e.terms {
					terms = appendUnique(terms, term)
				}
				if !e.stop {
					var b strings.Builder
					for j := i; j < i+n; j++ {
						if j > i {
							b.WriteByte(' ')
						}
						b.WriteString(toks[j].surface)
					}
					if m := b.String(); !slices.Contains(mapped, m) {
						mapped = append(mapped, m)
						mappedTerms = append(mappedTerms, e.terms)
					}
				}
				matched = n
				break
			}
		}
		if matched > 0 {
			i += matched
			continue
		}
		switch {
		case t.num:
			numbers = appendUnique(numbers, strings.TrimRight(t.surface, "stndrh"))
		case !isStopWord(t):
			miss(t)
		}
		i++
	}
	return terms, unmatched, numbers, mapped, names, mappedTerms
}

// zhTrie finds, at each position of folded Chinese text, the longest stop
// phrase or protected term starting there.
type zhTrie struct {
	root *zhNode
	// first has the bit of every rune of the CJK blocks (U+3400-U+9FFF)
	// that starts a phrase set (index): most positions of a question
	// start none, and a bit test says so without searching the root's
	// edges.
	first *[zhFirstBits / 64]uint64
}

// The runes zhTrie.first covers.
const (
	zhFirstLo   = 0x3400
	zhFirstBits = 0xA000 - zhFirstLo
)

// index sets first from the root's edges.
func (z *zhTrie) index() {
	z.first = new([zhFirstBits / 64]uint64)
	for _, e := range z.root.next {
		if i := uint32(e.r - zhFirstLo); i < zhFirstBits {
			z.first[i/64] |= 1 << (i % 64)
		}
	}
}

// startsNone reports whether first says that no phrase starts with r.
func (z *zhTrie) startsNone(r rune) bool {
	i := uint32(r - zhFirstLo)
	return z.first != nil && i < zhFirstBits && z.first[i/64]&(1<<(i%64)) == 0
}

type zhNode struct {
	// next are the children, by rune, ascending: a slice rather than a
	// map, so that processor_gen.go can hold the whole trie as static
	// data, which costs a process nothing to build.
	next []zhEdge
	end  bool
	keep bool // a protected term or a synonym ends here; otherwise a stop phrase
	// terms are the corpus terms a colloquial synonym stands for (太空 ->
	// 外空); the synonym itself is kept too.
	terms []string
}

// zhEdge leads from a node to its child for rune r.
type zhEdge struct {
	r rune
	n *zhNode
}

// child returns n's child for r, or nil.
func (n *zhNode) child(r rune) *zhNode {
	e := n.next
	if len(e) > 8 {
		// A binary search written out: the generic one calls its
		// comparison func indirectly at every step, and the root, which
		// every rune of a question starts from, has thousands of edges.
		lo, hi := 0, len(e)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if e[m].r < r {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(e) && e[lo].r == r {
			return e[lo].n
		}
		return nil
	}
	for _, x := range e {
		if x.r == r {
			return x.n
		}
	}
	return nil
}

func newZhTrie() *zhTrie { return &zhTrie{root: &zhNode{}} }

func (z *zhTrie) add(s string, keep bool, terms ...string) {
	n := z.root
	for _, r := range s {
		i, ok := slices.BinarySearchFunc(n.next, r, func(e zhEdge, r rune) int { return cmp.Compare(e.r, r) })
		if !ok {
			n.next = slices.Insert(n.next, i, zhEdge{r: r, n: &zhNode{}})
		}
		n = n.next[i].n
	}
	for _, t := range terms {
		n.terms = appendUnique(n.terms, t)
	}
	if n.end && n.keep != keep && !keep {
		return // a protected term stays protected
	}
	n.end, n.keep = true, keep
}

// termsOf returns the corpus terms of the colloquial synonym s (nil if s
// is not one).
func (z *zhTrie) termsOf(s string) []string {
	n := z.root
	for _, r := range s {
		if n = n.child(r); n == nil {
			return nil
		}
	}
	return n.terms
}

// containsStop reports whether a stop phrase occurs anywhere in s.
func (z *zhTrie) containsStop(s string) bool {
	for i := range s {
		n := z.root
		for _, r := range s[i:] {
			if n = n.child(r); n == nil {
				break
			}
			if n.end && !n.keep {
				return true
			}
		}
	}
	return false
}

// strip removes stop phrases from folded Chinese text and splits it into
// the pieces left between them, dropping pieces made only of particles
// and function characters. terms are the corpus terms of the colloquial
// synonyms found, and keys those synonyms as they occur in s.
func (z *zhTrie) strip(s string) (pieces, terms, keys []string) {
	start := 0 // byte offset of the current piece
	flush := func(end int) {
		if piece := trimFunction(s[start:end]); piece != "" && !allFunction(piece) {
			pieces = append(pieces, piece)
		}
	}
	for i := 0; i < len(s); {
		if r, size := utf8.DecodeRuneInString(s[i:]); z.startsNone(r) {
			i += size
			continue
		}
		n := z.root
		best, bestKeep := 0, false
		var bestNode *zhNode
		for j, r := range s[i:] {
			if n = n.child(r); n == nil {
				break
			}
			if n.end {
				best, bestKeep, bestNode = j+utf8.RuneLen(r), n.keep, n
			}
		}
		switch {
		case best > 0 && bestKeep:
			// A protected term is a piece of its own, so particles around
			// it are trimmed like anywhere else.
			flush(i)
			pieces = append(pieces, s[i:i+best])
			for _, t := range bestNode.terms {
				terms = appendUnique(terms, t)
			}
			if len(bestNode.terms) > 0 {
				keys = appendUnique(keys, s[i:i+best])
			}
			i += best
			start = i
		case best > 0:
			flush(i)
			i += best
			start = i
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	flush(len(s))
	return pieces, terms, keys
}

// trimFunction drops the particle or preposition a piece starts or ends
// with once stop phrases are gone ("对加沙局势的" -> "加沙局势"), except
// where the character belongs to a word (对话, 目的, 为了).
func trimFunction(s string) string {
	for _, pre := range []string{"的", "对", "在", "把", "从", "向"} {
		if strings.HasPrefix(s, pre) && !hasAnyPrefix(s, "的确", "对话", "对抗", "对外", "对接", "对立", "对象", "对称", "在此", "向善", "从事") {
			s = s[len(pre):]
			break
		}
	}
	for _, suf := range []string{"的", "了", "吗", "呢", "吧", "啊", "呀"} {
		if strings.HasSuffix(s, suf) && !hasAnySuffix(s, "目的", "为了", "除了") {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	return s
}

func hasAnyPrefix(s string, list ...string) bool {
	for _, p := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, list ...string) bool {
	for _, p := range list {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}

// allFunction reports whether s is made only of characters that mean
// nothing on their own in a question (的, 了, 在, 中 …). They are dropped only
// as whole pieces: 中 inside 中亚 stays.
func allFunction(s string) bool {
	for _, r := range s {
		if _, ok := slices.BinarySearch(functionRunes, r); !ok {
			return false
		}
	}
	return true
}

// functionRunes are the characters allFunction drops, sorted.
var functionRunes = func() []rune {
	rs := []rune("的了是在中有对和与及把被让给吗呢吧啊呀么嘛也都还就将会要能可以其这那个些之所为里上下从向")
	slices.Sort(rs)
	return rs
}()
