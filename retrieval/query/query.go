// Package query turns a user's question into the text the retriever
// searches.
//
// The corpus is Chinese only, while users ask in simplified or traditional
// Chinese, English and Russian. A Processor folds Chinese to one form
// (corpus.Fold), drops punctuation and stop phrases that carry no signal in
// this corpus (question words, "宣言", a standalone "上合组织"), and maps
// English and Russian words and phrases to the Chinese terms the
// declaration uses through an embedded, stemmed bilingual glossary
// (glossary.tsv). Its output feeds both the lexical and the vector side of
// retrieval.
package query

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

//go:embed glossary.tsv
var glossaryTSV string

//go:embed stop.tsv
var stopTSV string

//go:embed worldnames.tsv
var worldNamesTSV string

//go:embed offtopic.tsv
var offTopicTSV string

// DefaultMaxRunes is how much of a question Process reads by default.
// Questions are sentences; anything longer is cut here so that a hostile
// 1 MB message costs no more than a long paragraph.
const DefaultMaxRunes = 4000

// maxTokenRunes drops "words" longer than any real word (base64, repeated
// letters) before they reach the stemmer or Unmatched.
const maxTokenRunes = 40

// Processor turns questions into queries. Build one with New and share it:
// it is immutable after New (but for its tables' first build, see below)
// and safe for concurrent use.
//
// Its tables come in two parts: the Chinese ones (zh, off.zh) and those of
// the word languages (phrases, maxWords, cache, ruAlias, off.phrases,
// off.maxWords). From processor_gen.go each part is built on the first
// question that needs it (genZh, genWords): a process that answers one
// Chinese question builds no English or Russian table, which were most
// of what New cost. newFromData builds both at once.
type Processor struct {
	maxRunes int
	// zhOnce and wordsOnce build each part once, with genZh and
	// genWords (nil: built already).
	zhOnce, wordsOnce sync.Once
	genZh, genWords   func(*Processor)
	// phrases maps lang + "\x00" + space-joined stems to a glossary entry
	// or a stop entry; maxWords is the longest key in words, per language.
	phrases  map[string]*entry
	maxWords map[string]int
	// starts bounds the words of the keys of phrases that start with a
	// given lang + "\x00" + stem (indexPhrases): a word no key starts
	// with costs expand one array read, not a map lookup for each length.
	starts *startBounds
	// zh holds Chinese stop phrases and the protected terms that contain
	// them, for longest-match scanning of folded Chinese text.
	zh *zhTrie
	// cache holds the tokens of the glossary's and stop lists' words.
	cache stemCache
	// ruAlias maps stems of inflected Russian forms to the stems of the
	// glossary's nominatives (see buildRussianAliases).
	ruAlias map[string]string
	// entries counts glossary lines, for Stats.
	entries int
	// langEntries counts glossary lines by language column.
	langEntries map[string]int
	// off holds the off-topic words (offtopic.tsv).
	off offTopic
	// worldNames holds the keys (lang + "\x00" + stem) of the world
	// names (worldnames.tsv) the glossary does not map.
	worldNames map[string]bool
	// vocabTexts (WithVocabulary) and the speller built from them and
	// the glossary on first use (speller.go).
	vocabTexts func() []string
	spellOnce  sync.Once
	spell      *speller
	// summit holds summitTerms, found once.
	summitOnce sync.Once
	summit     []string
}

// Option configures a Processor.
type Option func(*Processor)

// WithMaxRunes sets how many runes of a question Process reads (default
// DefaultMaxRunes). Values below 1 keep the default.
func WithMaxRunes(n int) Option {
	return func(p *Processor) {
		if n > 0 {
			p.maxRunes = n
		}
	}
}

// New builds a Processor from the embedded glossary and stop lists. It
// fails only if that embedded data is malformed.
//
// What New derives from the data (stemmed phrase keys, the Chinese trie,
// Russian aliases) is generated into processor_gen.go at build time (`go
// generate ./retrieval/query`), so that a process start does not redo it
// (about 10 ms of the 36 a `declbot ask` took), and each part of it is
// built into maps on the first question that needs it. If the embedded
// files no longer match the generated tables (edited without
// regenerating), New derives everything from the files as before:
// slower, never stale.
func New(opts ...Option) (*Processor, error) {
	var p *Processor
	if genDataHash == dataHash() {
		p = generatedProcessor()
	} else {
		var err error
		if p, err = newFromData(); err != nil {
			return nil, err
		}
	}
	for _, o := range opts {
		o(p)
	}
	return p, nil
}

// zhTables builds the Chinese tables if they are not built yet.
func (p *Processor) zhTables() {
	p.zhOnce.Do(func() {
		if p.genZh != nil {
			p.genZh(p)
			p.off.index()
			p.zh.index()
		}
	})
}

// wordTables builds the word languages' tables if they are not built yet.
func (p *Processor) wordTables() {
	p.wordsOnce.Do(func() {
		if p.genWords != nil {
			p.genWords(p)
			p.indexPhrases()
		}
	})
}

// dataHash identifies the embedded data New derives a Processor from.
func dataHash() string {
	h := sha256.New()
	// The files go through one small buffer: formatting them would copy
	// 100 KB into fresh memory at every start.
	var buf [4096]byte
	for _, s := range []string{stopTSV, glossaryTSV, offTopicTSV, worldNamesTSV} {
		fmt.Fprintf(h, "%d\n", len(s))
		for len(s) > 0 {
			n := copy(buf[:], s)
			h.Write(buf[:n])
			s = s[n:]
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newFromData derives a Processor from the embedded TSV files.
func newFromData() (*Processor, error) {
	p := &Processor{
		maxRunes: DefaultMaxRunes,
		phrases:  make(map[string]*entry, 1024),
		maxWords: map[string]int{},
		zh:       newZhTrie(),
		cache:    make(stemCache, 2048),
	}
	if err := p.loadStop(stopTSV); err != nil {
		return nil, fmt.Errorf("query: stop.tsv: %w", err)
	}
	if err := p.loadGlossary(glossaryTSV); err != nil {
		return nil, fmt.Errorf("query: glossary.tsv: %w", err)
	}
	p.buildRussianAliases()
	if err := p.loadOffTopic(offTopicTSV); err != nil {
		return nil, fmt.Errorf("query: offtopic.tsv: %w", err)
	}
	if err := p.loadWorldNames(worldNamesTSV); err != nil {
		return nil, fmt.Errorf("query: worldnames.tsv: %w", err)
	}
	p.indexPhrases()
	p.zh.index()
	return p, nil
}

// indexPhrases sets starts from phrases.
func (p *Processor) indexPhrases() {
	p.starts = new(startBounds)
	for k := range p.phrases {
		lang, stems, _ := strings.Cut(k, "\x00")
		first, _, _ := strings.Cut(stems, " ")
		// Stems hold no spaces: the words are the spaces plus one.
		p.starts.add(k[:len(lang)+1+len(first)], strings.Count(stems, " ")+1)
	}
}

// startBounds is a table, by a hash of lang + "\x00" + stem, of the most
// words of a phrase key starting with that stem: the most over every such
// start with the same hash, so never less than the truth, and 0 only if
// no key starts with it. Reading it costs a hash of a few bytes; building
// it, 4 KB and one pass over the keys, no map.
type startBounds [4096]uint8

func startSlot[S string | []byte](start S) uint32 {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(start); i++ {
		h = (h ^ uint32(start[i])) * 16777619
	}
	return h % uint32(len(startBounds{}))
}

func (b *startBounds) add(start string, words int) {
	i := startSlot(start)
	b[i] = uint8(max(int(b[i]), min(words, 255)))
}

// bound returns the most words a key starting with start may have.
func (b *startBounds) bound(start []byte) int { return int(b[startSlot(start)]) }

// Query is a processed question.
type Query struct {
	// Original is the question as typed, cut to the Processor's rune
	// limit (DefaultMaxRunes unless WithMaxRunes says otherwise), with
	// invalid UTF-8 bytes dropped.
	Original string
	// Lang is corpus.DetectLang(Original).
	Lang corpus.Lang
	// Text is what to search: the question's Chinese text folded by
	// corpus.Fold with punctuation and stop phrases removed (pieces
	// separated by single spaces), then any numbers of the question (and
	// its counts in the other numeral system: numeralForms), then Terms,
	// all separated by spaces. It is empty when nothing searchable is
	// left.
	Text string
	// Terms are the Chinese terms (folded) the glossary contributed: for
	// colloquial Chinese words the declaration does not use (太空 -> 外空),
	// then for the English or Russian words of the question, in order of
	// appearance, without duplicates.
	Terms []string
	// Unmatched are the content words (folded, lower case, not stemmed) of
	// the question's English or Russian part that the glossary could not
	// map, after stop-word removal, without duplicates. Many of them
	// suggest the question is about something the declaration does not
	// cover.
	Unmatched []string
	// Pieces are the question's Chinese text, folded, split at
	// punctuation and stop phrases, in order: the start of Text.
	Pieces []string
	// Mapped are the question's own words the glossary mapped to Terms,
	// without duplicates: colloquial Chinese words (folded, as in Pieces)
	// and English or Russian phrases (folded, lower case, space-joined).
	Mapped []string
	// MappedTerms are, for each of Mapped in the same order, the Chinese
	// terms the glossary gave it (for telling a mapped name, "Kazakhstan"
	// -> 哈萨克斯坦, from a mapped topic).
	MappedTerms [][]string
	// Names are the Unmatched words that were capitalised in the question
	// ("Ukraine", "NATO", "Сирии"): most likely names of things the
	// glossary, which aims to know every name in the declaration, does
	// not know. Empty when the question is written in capitals.
	Names []string
	// Context are those of Pieces and Unmatched that occur only where the
	// asker says something of themselves beside the question ("我在准备课堂
	// 展示，…？", "I'm studying the WWII statement. …?"): why they ask,
	// not what. Judging whether the texts address the question, they may
	// explain it but never count against it.
	Context []string
	// OffTopic are the question's words that ask for something the
	// declaration never provides (offtopic.tsv: a price, a brand, a match
	// result, the weather, a recipe, election news): folded Chinese words
	// and English or Russian phrases (lower case, space-joined), without
	// duplicates. They are found whatever else the question says, so
	// "天津明天天气怎么样" has one although 天津 is in the text.
	OffTopic []string
	// ContentStems is ContentStems of Original without the instructions
	// to the bot around the question (WithoutInstructions), and
	// UnmatchedStems holds
	// ContentStems of each of Unmatched, in the same order, Names too (a
	// capitalised word the working translation uses is not unknown): what
	// the working translations and question lists are searched and checked
	// by. Both are set only when Lang is not
	// Chinese.
	ContentStems   []string
	UnmatchedStems [][]string
}

// Process turns a question into a Query. It reads at most the Processor's
// rune limit (DefaultMaxRunes by default) of q; invalid UTF-8, control and
// format characters (NUL, bidi marks, zero-width joiners) and HTML tags are
// dropped. It never panics and its output is bounded by the rune limit and
// the glossary's size.
func (p *Processor) Process(q string) Query {
	orig := strings.ToValidUTF8(truncateRunes(q, p.maxRunes), "")
	out := Query{Original: orig, Lang: corpus.DetectLang(orig)}

	// Instructions to the bot around the question are not searched.
	cleaned := WithoutInstructions(corpus.CleanText(orig))
	var memo stemMemo
	if out.Lang == corpus.LangEn || out.Lang == corpus.LangRu {
		// What is searched and checked reads the corrected words; the
		// question as asked stays in Original.
		cleaned, _ = p.correctWords(cleaned, &memo)
	}
	segs := segment(cleaned)
	var text, zhTerms, zhNumbers []string
	// The tokens of a question of a few dozen words, without growing a
	// slice from nothing (they stay in this call).
	var tokenBuf [48]token
	tokens := tokenBuf[:0]
	for _, s := range segs {
		switch s.kind {
		case segHan:
			p.zhTables()
			folded := corpus.Fold(s.text)
			// Before stop-phrase removal: 多少 is a stop phrase, 多少钱 is not.
			seen := len(out.OffTopic)
			out.OffTopic = p.off.scanZh(out.OffTopic, folded)
			pieces, terms, keys := p.zh.strip(folded)
			zhNumbers = numeralForms(zhNumbers, folded)
			text = append(text, pieces...)
			for _, t := range terms {
				zhTerms = appendUnique(zhTerms, t)
			}
			for _, k := range keys {
				if !slices.Contains(out.Mapped, k) {
					out.Mapped = append(out.Mapped, k)
					out.MappedTerms = append(out.MappedTerms, p.zh.termsOf(k))
				}
			}
			// This segment's off-topic words are weighed against its own
			// synonyms; an earlier segment's stay.
			out.OffTopic = append(out.OffTopic[:seen], withoutSynonymWords(out.OffTopic[seen:], folded, keys)...)
		case segWords:
			// Without one, tokens holds only breaks, which what reads the
			// word tables below skips.
			p.wordTables()
			start := len(tokens)
			tokens = appendTokens(tokens, s.text, p.cache, &memo)
			tokens = tokens[:start+len(dropGlue(tokens[start:]))]
		case segBreak:
			tokens = append(tokens, token{brk: true})
		}
	}
	if out.Lang.IsChinese() && len(zhTerms) == 0 {
		// The summit itself is asked about ("这次峰会是哪天开的", "元首理事会
		// 在哪开的"): 峰会 is a stop phrase because it mostly frames a
		// question ("峰会对阿富汗怎么说"), and 元首理事会 alone is in many
		// paragraphs. When what is left names nothing but the meeting, it
		// stands for the meeting, as the glossary's "summit held" does
		// (where, when, by whom: 天津, 2025年9月1日, 元首理事会会议).
		if ts := p.summitTerms(); len(ts) > 0 && onlyTheMeeting(text, ts, strings.Contains(corpus.Fold(cleaned), summitWord)) {
			zhTerms = append(zhTerms, ts...)
			out.Mapped = append(out.Mapped, summitWord)
			out.MappedTerms = append(out.MappedTerms, ts)
		}
	}
	p.canonRussian(tokens)
	out.OffTopic = p.off.scanWords(out.OffTopic, tokens)
	out.Pieces = slices.Clip(text)
	var numbers, mapped []string
	var names []string
	var mappedTerms [][]string
	out.Terms, out.Unmatched, numbers, mapped, names, mappedTerms = p.expand(tokens)
	for _, n := range zhNumbers {
		numbers = appendUnique(numbers, n)
	}
	for i, m := range mapped {
		if !slices.Contains(out.Mapped, m) {
			out.Mapped = append(out.Mapped, m)
			out.MappedTerms = append(out.MappedTerms, mappedTerms[i])
		}
	}
	out.OffTopic = withoutMappedWords(out.OffTopic, out.Mapped)
	// What the asker says of themselves is why they ask, not what: its
	// off-topic words do not count ("We need to plan hotel capacity."),
	// and its other words are marked (Context) so that they never count
	// against the question.
	ctx, asking := askerParts(cleaned)
	out.OffTopic = without(out.OffTopic, onlyIn(out.OffTopic, ctx, asking))
	if len(names) > 0 && !shouting(orig) {
		written := writtenAsNames(orig)
		for _, n := range names {
			if written[n] {
				out.Names = append(out.Names, n)
			}
		}
	}
	out.Names = p.lowerCaseNames(out.Names, out.Unmatched, tokens)
	out.Names = without(out.Names, guessNames(out.Names, cleaned))
	if ctx != nil {
		out.Context = onlyIn(slices.Concat(out.Pieces, out.Unmatched), ctx, asking)
	}
	if len(zhTerms) > 0 {
		for _, t := range out.Terms {
			zhTerms = appendUnique(zhTerms, t)
		}
		out.Terms = zhTerms
	}
	text = append(text, numbers...)
	text = append(text, out.Terms...)
	out.Text = strings.Join(text, " ")
	if !out.Lang.IsChinese() {
		out.ContentStems = contentStems(cleaned, &memo)
		if len(out.Unmatched) > 0 {
			out.UnmatchedStems = make([][]string, len(out.Unmatched))
			for i, u := range out.Unmatched {
				out.UnmatchedStems[i] = contentStems(corpus.CleanText(u), &memo)
			}
		}
	}
	return out
}

// Stats describes the loaded data.
type Stats struct {
	Entries int // glossary lines (English and Russian entries)
	// ByLang counts glossary lines by language ("en", "ru", "zh").
	ByLang map[string]int
	Keys   int // distinct stemmed keys, including stop phrases
}

// Stats reports the size of the loaded glossary.
func (p *Processor) Stats() Stats {
	p.zhTables()
	p.wordTables()
	return Stats{Entries: p.entries, Keys: len(p.phrases), ByLang: maps.Clone(p.langEntries)}
}

// shouting reports whether most of the letters of a non-Chinese question
// are capitals, so that capitals say nothing about names.
func shouting(s string) bool {
	upper, lower := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	return upper > lower
}

// writtenAsNames returns, in lower case, the words of s written as a name
// somewhere in it: an acronym ("NATO", "ОПЕК") that is not part of a
// shouted run of capitals ("SYSTEM OVERRIDE"), or a capitalised word that
// does not start a sentence ("…the war in Ukraine"). "Tell me about…" is
// capitalised for grammar only. One pass over s, so that a message of
// hundreds of unknown capitalised words costs no more than a short one.
func writtenAsNames(s string) map[string]bool {
	upper := func(x string) bool {
		return utf8.RuneCountInString(x) > 1 && strings.ToUpper(x) == x && strings.ToLower(x) != x
	}
	type word struct {
		text  string
		start int // byte offset in s
	}
	var words []word
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			j += n
		}
		words = append(words, word{s[i:j], i})
		i = j
	}
	out := map[string]bool{}
	for k, w := range words {
		if first, _ := utf8.DecodeRuneInString(w.text); !unicode.IsUpper(first) {
			continue
		}
		if upper(w.text) {
			if (k > 0 && upper(words[k-1].text)) || (k+1 < len(words) && upper(words[k+1].text)) {
				continue // shouting
			}
			out[strings.ToLower(w.text)] = true
			continue
		}
		before := strings.TrimRightFunc(s[:w.start], func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("\"'«»“”„‘’(", r)
		})
		if before != "" && !strings.ContainsRune(".?!:;…。？！：；", lastRune(before)) {
			out[strings.ToLower(w.text)] = true
		}
	}
	return out
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// summitWord is the stop phrase that names the summit; summitPhrase the
// glossary key whose terms stand for it when it is what is asked about.
const (
	summitWord   = "峰会"
	summitPhrase = "summit held"
)

// summitTerms are the terms of summitPhrase, found once.
func (p *Processor) summitTerms() []string {
	p.summitOnce.Do(func() { p.summit = p.Process(summitPhrase).Terms })
	return p.summit
}

// onlyTheMeeting reports whether the pieces left to search name nothing
// but the meeting: each of two runes or more is part of one of its terms
// (元首理事会 of 元首理事会会议), perhaps with what was done at it (…上发表:
// "在哪一天的元首理事会上发表的"), and there is one, or the question said
// 峰会 (summit) and only single characters are left ("开").
func onlyTheMeeting(pieces, terms []string, summit bool) bool {
	named := summit
	for _, p := range pieces {
		for _, at := range atTheMeeting {
			if t, ok := strings.CutSuffix(p, at); ok && utf8.RuneCountInString(t) >= 2 {
				p = t
				break
			}
		}
		if utf8.RuneCountInString(p) < 2 {
			continue
		}
		if !slices.ContainsFunc(terms, func(t string) bool { return strings.Contains(t, p) }) {
			return false
		}
		named = true
	}
	return named
}

// atTheMeeting are what may follow the meeting's name in a question about
// the meeting itself: the declaration issued at it (发表; 通过 is left out,
// as what was adopted is asked of the paragraphs that list it).
var atTheMeeting = []string{"上发表", "发表", "上"}

// loadWorldNames reads worldnames.tsv into worldNames, leaving out the
// names the glossary or stop lists know.
func (p *Processor) loadWorldNames(data string) error {
	p.worldNames = map[string]bool{}
	return lines(data, func(_ int, f []string) error {
		if len(f) != 2 || strings.TrimSpace(f[1]) == "" {
			return fmt.Errorf("want 2 tab-separated fields, got %d", len(f))
		}
		if !isWordLang(f[0]) {
			return fmt.Errorf("unknown language %q", f[0])
		}
		// A hyphenated name ("al-qaeda", "guinea-bissau") is two words to
		// the tokenizer: its last is the distinctive one.
		words := strings.FieldsFunc(f[1], func(r rune) bool { return r == '-' })
		key, n, err := p.keyOf(f[0], words[len(words)-1])
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%s %q: one word a line", f[0], f[1])
		}
		if _, known := p.phrases[key]; !known {
			p.worldNames[key] = true
		}
		return nil
	})
}

// lowerCaseNames returns names with the unmatched words of a question
// that are world names (worldnames.tsv) however they were written: "what
// about ukraine" names Ukraine as "What about Ukraine" does.
func (p *Processor) lowerCaseNames(names, unmatched []string, toks []token) []string {
	if len(unmatched) == 0 || len(p.worldNames) == 0 {
		return names
	}
	var key []byte
	for _, t := range toks {
		if t.lang == "" || t.brk {
			continue
		}
		key = append(append(append(key[:0], t.lang...), 0), t.stem...)
		world := p.worldNames[string(key)]
		if !world && t.lang == "ru" && strings.HasSuffix(t.stem, "ск") {
			// A Russian place name's adjective ("карабахское урегулирование",
			// "кашмирский теракт") names the place.
			world = p.worldNames["ru\x00"+russianStem(strings.TrimSuffix(t.stem, "ск"))]
		}
		if world && slices.Contains(unmatched, t.surface) {
			names = appendUnique(names, t.surface)
		}
	}
	return names
}

// withoutSynonymWords returns off without the Chinese off-topic keys that
// occur in folded only inside the glossary synonyms found there (keys):
// 天气 of 天气变暖 is the climate, not the weather.
func withoutSynonymWords(off []string, folded string, keys []string) []string {
	if len(off) == 0 || len(keys) == 0 {
		return off
	}
	out := off[:0]
	for _, o := range off {
		inside := 0
		for _, k := range keys {
			if strings.Contains(k, o) {
				inside += strings.Count(folded, k) * strings.Count(k, o)
			}
		}
		if inside == 0 || strings.Count(folded, o) > inside {
			out = append(out, o)
		}
	}
	return out
}

// withoutMappedWords returns off without the English and Russian phrases
// that lie inside a phrase the glossary mapped: "online shopping" is
// 3.11's e-commerce, not the shopping offtopic.tsv means.
func withoutMappedWords(off, mapped []string) []string {
	if len(off) == 0 || len(mapped) == 0 {
		return off
	}
	out := off[:0]
	for _, o := range off {
		inside := false
		if !corpus.HasHan(o) {
			for _, m := range mapped {
				if m != o && strings.Contains(" "+m+" ", " "+o+" ") {
					inside = true
					break
				}
			}
		}
		if !inside {
			out = append(out, o)
		}
	}
	return out
}
