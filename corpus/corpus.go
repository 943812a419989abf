// Package corpus holds the text declbot answers from: the Tianjin
// Declaration of the SCO Council of Heads of State (1 September 2025) and the
// two statements issued with it, split into paragraphs with stable IDs.
//
// IDs are part of the user interface. The declaration's paragraphs are
// "S.N": section S (1..5 for 一..五) and paragraph N; its opening paragraph is
// "0.1" and the signature block is "5.8". The statement on the multilateral
// trading system is "T1".."T18"; the statement on the 80th anniversary of
// the victory in the Second World War and of the UN is "W1".."W13".
//
// The text lives in data/passages.jsonl, embedded in the binary, so the
// program needs no files at run time. Simplified Chinese is canonical;
// every passage also carries its traditional-script text.
package corpus

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// Script selects the Chinese script a text is shown in.
type Script int

const (
	// Hans is simplified Chinese, the canonical text.
	Hans Script = iota
	// Hant is traditional Chinese.
	Hant
)

// ParseScript accepts "hans", "hant" and common aliases (zh-Hans, zh-TW,
// simplified, traditional, s, t).
func ParseScript(s string) (Script, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "hans", "zh-hans", "zh-cn", "zh-sg", "simplified", "s", "":
		return Hans, nil
	case "hant", "zh-hant", "zh-tw", "zh-hk", "zh-mo", "traditional", "t":
		return Hant, nil
	}
	return Hans, fmt.Errorf("unknown script %q: use hans (simplified) or hant (traditional)", s)
}

// String returns "hans" or "hant".
func (s Script) String() string {
	if s == Hant {
		return "hant"
	}
	return "hans"
}

// Document is one text of a pack: a declaration or a statement.
type Document struct {
	// Key is the short, stable name used in data and JSON: "declaration",
	// "trade" or "ww2un80" for the built-in texts, "<pack>/<key>" for the
	// documents of other packs ("astana2024/declaration").
	Key string `json:"key"`
	// Pack is the ID of the pack the document belongs to.
	Pack string `json:"pack"`
	// Kind is "declaration" or "statement".
	Kind      string `json:"kind"`
	TitleHans string `json:"title_hans"`
	TitleHant string `json:"title_hant"`
	TitleEn   string `json:"title_en"`
	// ShortEn names the document in English error messages ("the
	// declaration").
	ShortEn string `json:"-"`
	// Prefix is what the document's local IDs start with: "" for the
	// sectioned document (IDs are "S.N"), "T" or "W" for the statements.
	Prefix string `json:"prefix"`
	// Titles and Short are the full and short titles by language tag.
	Titles Localized `json:"titles"`
	Short  Localized `json:"short"`
	// Date and Place are the pack's.
	Date  string    `json:"date"`
	Place Localized `json:"place"`
	// Keywords are words, by language tag, that name a statement in a
	// question when they stand next to the word "statement" (声明,
	// заявление): "trade", "贸易", "торгов" for the statement on trade.
	// Optional; without them a question is not read as naming the
	// document.
	Keywords map[string][]string `json:"keywords,omitempty"`
}

// Title returns the document's title in the given script.
func (d Document) Title(s Script) string {
	if s == Hant {
		return d.TitleHant
	}
	return d.TitleHans
}

// ShortTitle returns the document's short title in l ("天津宣言",
// "Tianjin Declaration"), falling back to its full title.
func (d Document) ShortTitle(l Lang) string {
	if s := d.Short.In(l); s != "" {
		return s
	}
	return d.Titles.In(l)
}

// Passage is one citable paragraph.
type Passage struct {
	// ID is the canonical citation ID: "2.36", "T3", "W1".
	ID string `json:"id"`
	// Doc is the Document.Key of the text the passage belongs to.
	Doc string `json:"doc"`
	// Pack is the ID of the pack the passage belongs to.
	Pack string `json:"-"`
	// Local is the ID within its pack: the same as ID for the built-in
	// pack, "2.36" for "astana2024:2.36".
	Local string `json:"-"`
	// Section is "0".."5" for the declaration (0 is the opening
	// paragraph), "T" or "W" for the statements.
	Section  string `json:"section"`
	TextHans string `json:"text_hans"`
	TextHant string `json:"text_hant"`
	// TextEn and TextRu are the project's working translations
	// (translations.go): unofficial; the Chinese is authoritative.
	TextEn string `json:"text_en"`
	TextRu string `json:"text_ru"`

	// Seq is the paragraph's number within its section (36 for 2.36).
	Seq int `json:"-"`
	// Index is the passage's position in corpus order.
	Index int `json:"-"`

	doc *Document
}

// Text returns the passage in the given script.
func (p Passage) Text(s Script) string {
	if s == Hant {
		return p.TextHant
	}
	return p.TextHans
}

// Corpus is the loaded, immutable set of passages. It is safe for
// concurrent use.
type Corpus struct {
	// builtinOnly: the built-in pack alone, from builtin_gen.go, whose
	// content genDataHash names (see Fingerprint).
	builtinOnly  bool
	passages     []Passage
	byID         map[string]int
	sections     []Section
	packs        []Pack
	documents    []Document
	translations map[Lang]TranslationInfo
	questions    map[Lang][]Question
}

// Section is a run of consecutive passages sharing a Section key.
type Section struct {
	Doc   string
	Key   string
	First int // index of the first passage
	Count int

	doc *Document
}

// FirstID and LastID name the section's ID range, e.g. "2.1" and "2.44".
func (s Section) FirstID(c *Corpus) string { return c.passages[s.First].ID }

// LastID returns the ID of the section's last passage.
func (s Section) LastID(c *Corpus) string { return c.passages[s.First+s.Count-1].ID }

// Name returns a human label for the section: "第二部分" or "序言" for the
// declaration, the statement's title for a statement.
func (s Section) Name(sc Script) string {
	return sectionName(s.doc, s.Doc, s.Key, sc)
}

var sectionNumerals = []string{"", "一", "二", "三", "四", "五"}

func sectionName(d *Document, doc, key string, sc Script) string {
	if d == nil {
		d = builtinDocument(doc)
	}
	if d != nil && d.Prefix != "" {
		return d.Title(sc)
	}
	if key == "0" {
		return "序言"
	}
	for i, n := range sectionNumerals {
		if i > 0 && key == fmt.Sprint(i) {
			return "第" + n + "部分" // the same in both scripts
		}
	}
	return key
}

// SectionName returns the human label of the passage's section.
func (p Passage) SectionName(sc Script) string { return sectionName(p.doc, p.Doc, p.Section, sc) }

// Title returns the title of the passage's document.
func (p Passage) Title(sc Script) string {
	if d := p.Document(); d != nil {
		return d.Title(sc)
	}
	return ""
}

// Document returns the passage's document (nil for a Passage value made
// outside a Corpus whose Doc names no built-in document).
func (p Passage) Document() *Document {
	if p.doc != nil {
		return p.doc
	}
	return builtinDocument(p.Doc)
}

// builtinDocument finds a built-in document by key, for Passage values
// made outside a Corpus.
func builtinDocument(key string) *Document {
	docs := builtinDocuments()
	for i := range docs {
		if docs[i].Key == key {
			return &docs[i]
		}
	}
	return nil
}

// Load reads the built-in pack (embedded in the binary) and the packs the
// options add (WithPackDir for CORPUS_DIR), with their working
// translations and question lists. Every error names the file, and the
// line where there is one; nothing is loaded half.
func Load(opts ...Option) (*Corpus, error) { return loadCorpus(true, opts) }

// LoadPassages reads the passages alone, without their working
// translations and question lists: for the tools that make those
// ("declbot enrich"), which must run while a file still lacks a passage.
// TextEn and TextRu are empty, and Questions and Translation return
// nothing.
func LoadPassages(opts ...Option) (*Corpus, error) { return loadCorpus(false, opts) }

func loadCorpus(want bool, opts []Option) (*Corpus, error) { return loadCorpusWith(want, opts, want) }

// loadCorpusWith is loadCorpus; table says to take the built-in pack from
// builtin_gen.go instead of parsing data/ (the same corpus, a test checks,
// without a start-up's worth of parsing and copying).
func loadCorpusWith(want bool, opts []Option, table bool) (*Corpus, error) {
	var lc loadConfig
	for _, o := range opts {
		o(&lc)
	}
	srcs, err := lc.sources()
	if err != nil {
		return nil, err
	}
	c := &Corpus{byID: map[string]int{}, translations: map[Lang]TranslationInfo{}, questions: map[Lang][]Question{}}
	if err := c.loadPack(packSource{"corpus/data", builtinFS()}, true, want, table); err != nil {
		return nil, err
	}
	for _, src := range srcs {
		if err := c.loadPack(src, false, want, false); err != nil {
			return nil, err
		}
	}
	c.link()
	if want {
		c.translations = c.packs[0].Translations
	}
	c.builtinOnly = c.builtinOnly && len(c.packs) == 1
	return c, nil
}

// Fingerprint identifies the corpus's content, for keys of what is
// derived from it (the retrieval index's snapshots): a SHA-256 that
// differs whenever a passage, a translation or a question list differs.
// ok is false when the corpus cannot name its content without reading it
// all, in which case the caller hashes what it uses itself. The built-in
// texts loaded from builtin_gen.go are named by the hash of the files the
// table was made from, recorded when it was generated: reading 600 KB of
// text to hash it cost a Chinese question's process more than a
// millisecond.
func (c *Corpus) Fingerprint() (sum [32]byte, ok bool) {
	if !c.builtinOnly {
		return sum, false
	}
	return genDataHash, true
}

// link points every passage and section at its document, once the
// documents slice has stopped growing.
func (c *Corpus) link() {
	byKey := make(map[string]*Document, len(c.documents))
	for i := range c.documents {
		byKey[c.documents[i].Key] = &c.documents[i]
	}
	for i := range c.passages {
		c.passages[i].doc = byKey[c.passages[i].Doc]
	}
	for i := range c.sections {
		c.sections[i].doc = byKey[c.sections[i].Doc]
	}
}

// parsePassages reads a pack's passages.jsonl (named name, for errors)
// into c. Each line's document must be one of the pack's, its ID well
// formed, in the document's form (S.N, or the document's prefix) and
// matching its section, and both scripts present.
func (c *Corpus) parsePassages(p *Pack, name string, data []byte) error {
	docs := map[string]Document{}
	for _, d := range p.Documents {
		local := d.Key
		if i := strings.IndexByte(local, '/'); i >= 0 {
			local = local[i+1:]
		}
		docs[local] = d
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	first := len(c.passages)
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var ps Passage
		if err := json.Unmarshal(sc.Bytes(), &ps); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		d, ok := docs[ps.Doc]
		if !ok {
			return fmt.Errorf("%s line %d: unknown document %q (pack.json lists %s)", name, line, ps.Doc, docKeys(p.Documents))
		}
		id, err := parseCanonical(ps.ID)
		if err != nil {
			return fmt.Errorf("%s line %d: %w: write S.N (2.36) or a statement's prefix and number (T3)", name, line, err)
		}
		switch {
		case d.Prefix == "" && !isDigits(id.section):
			return fmt.Errorf("%s line %d: %s belongs to %s, whose IDs are S.N (2.36)", name, line, ps.ID, ps.Doc)
		case d.Prefix != "" && id.section != d.Prefix:
			return fmt.Errorf("%s line %d: %s belongs to %s, whose IDs are %s1, %s2, …", name, line, ps.ID, ps.Doc, d.Prefix, d.Prefix)
		case ps.Section != id.section:
			return fmt.Errorf("%s line %d: %s has section %q, want %q", name, line, ps.ID, ps.Section, id.section)
		case strings.TrimSpace(ps.TextHans) == "" || strings.TrimSpace(ps.TextHant) == "":
			return fmt.Errorf("%s line %d: %s needs both text_hans and text_hant", name, line, ps.ID)
		}
		ps.Local = ps.ID
		ps.ID = qualify(p.ID, ps.ID)
		ps.Doc = d.Key
		ps.Pack = p.ID
		if _, dup := c.byID[ps.ID]; dup {
			return fmt.Errorf("%s line %d: duplicate ID %s", name, line, ps.ID)
		}
		ps.Seq = id.seq
		ps.Index = len(c.passages)
		c.passages = append(c.passages, ps)
		c.index(ps)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(c.passages) == first {
		return fmt.Errorf("%s: no passages", name)
	}
	return nil
}

// index records the passage last added to c.passages in byID and sections.
func (c *Corpus) index(ps Passage) {
	c.byID[ps.ID] = ps.Index
	if n := len(c.sections); n == 0 || c.sections[n-1].Key != ps.Section || c.sections[n-1].Doc != ps.Doc {
		c.sections = append(c.sections, Section{Doc: ps.Doc, Key: ps.Section, First: ps.Index})
	}
	c.sections[len(c.sections)-1].Count++
}

// builtinDataSum is the checksum of the embedded files builtin_gen.go is
// made from. Load uses the table only while it matches, so that data
// edited without "go generate ./corpus" (by hand or by declbot enrich) is
// still what a rebuilt program serves, parsed at every start until the
// table is regenerated (TestBuiltinTable fails meanwhile, as a reminder).
// CRC-32C: this guards against a forgotten step, not an adversary, and
// costs a few tens of microseconds where SHA-256 would cost a millisecond.
func builtinDataSum() uint32 {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	var buf [32 << 10]byte
	for _, name := range builtinDataFiles() {
		f, err := builtinFiles.Open(name)
		if err != nil {
			return 0
		}
		_, err = io.CopyBuffer(struct{ io.Writer }{h}, struct{ io.Reader }{f}, buf[:])
		f.Close()
		if err != nil {
			return 0
		}
		fmt.Fprintf(h, "\x00%s\x00", name)
	}
	return h.Sum32()
}

// builtinDataFiles are the embedded files the table is made from.
func builtinDataFiles() []string {
	names := []string{"data/pack.json", "data/passages.jsonl"}
	for _, l := range translated() {
		names = append(names, "data/translations/"+string(l)+".jsonl")
	}
	for _, l := range questionLangs() {
		names = append(names, "data/questions/"+string(l)+".tsv")
	}
	return names
}

// loadBuiltin adds the built-in pack's passages, translations and question
// lists from builtin_gen.go. The passages are copied (link points them at
// this corpus's documents); the question lists are shared, read-only.
func (c *Corpus) loadBuiltin(pk *Pack) {
	c.builtinOnly = true
	c.passages = append(c.passages, genPassages[:]...)
	for _, ps := range c.passages {
		c.index(ps)
	}
	pk.Translations = genTranslations()
	for _, l := range questionLangs() {
		c.questions[l] = genQuestions(l)
	}
}

func docKeys(docs []Document) string {
	var ks []string
	for _, d := range docs {
		k := d.Key
		if i := strings.IndexByte(k, '/'); i >= 0 {
			k = k[i+1:]
		}
		ks = append(ks, k)
	}
	return strings.Join(ks, ", ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Passages returns all passages in corpus order. The slice is shared:
// callers must not modify it.
func (c *Corpus) Passages() []Passage { return c.passages }

// Len returns the number of passages.
func (c *Corpus) Len() int { return len(c.passages) }

// Get returns the passage with the canonical ID id ("2.36", "T3").
// Use Lookup for what people type.
func (c *Corpus) Get(id string) (Passage, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Passage{}, false
	}
	return c.passages[i], true
}

// Documents returns the corpus's documents in order.
func (c *Corpus) Documents() []Document { return append([]Document(nil), c.documents...) }

// Sections returns the sections in corpus order.
func (c *Corpus) Sections() []Section { return append([]Section(nil), c.sections...) }

// Neighbours returns up to n passages before and n after the passage with
// canonical ID id, within the same document, including the passage itself.
func (c *Corpus) Neighbours(id string, n int) []Passage {
	i, ok := c.byID[id]
	if !ok {
		return nil
	}
	doc := c.passages[i].Doc
	lo, hi := i, i
	for k := 0; k < n && lo > 0 && c.passages[lo-1].Doc == doc; k++ {
		lo--
	}
	for k := 0; k < n && hi+1 < len(c.passages) && c.passages[hi+1].Doc == doc; k++ {
		hi++
	}
	return c.passages[lo : hi+1]
}

// Prev and Next return the neighbouring passage in the same document.
func (c *Corpus) Prev(id string) (Passage, bool) { return c.step(id, -1) }

// Next returns the passage after id in the same document.
func (c *Corpus) Next(id string) (Passage, bool) { return c.step(id, 1) }

func (c *Corpus) step(id string, d int) (Passage, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Passage{}, false
	}
	j := i + d
	if j < 0 || j >= len(c.passages) || c.passages[j].Doc != c.passages[i].Doc {
		return Passage{}, false
	}
	return c.passages[j], true
}

// ValidRanges describes every section's ID range, for error messages:
// "0.1; 1.1-1.17; 2.1-2.44; …; T1-T18; W1-W13", then each other pack's
// ("astana2024:1.1-1.12; …").
func (c *Corpus) ValidRanges() string {
	parts := make([]string, 0, len(c.packs))
	for _, p := range c.packs {
		parts = append(parts, c.validRangesOf(p.ID))
	}
	return strings.Join(parts, "; ")
}

// validRangesOf is ValidRanges for one pack.
func (c *Corpus) validRangesOf(pack string) string {
	var parts []string
	for _, s := range c.sections {
		first := c.passages[s.First]
		if first.Pack != pack {
			continue
		}
		last := c.passages[s.First+s.Count-1]
		if s.Count == 1 {
			parts = append(parts, first.ID)
		} else {
			parts = append(parts, first.ID+"-"+last.Local)
		}
	}
	return strings.Join(parts, "; ")
}

// MarshalJSON writes the passage with its document title and section name,
// so that every JSON the program prints is self-describing:
// {"id","doc","section","section_name","title","text_hans","text_hant"}.
func (p Passage) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID          string `json:"id"`
		Pack        string `json:"pack,omitempty"`
		Doc         string `json:"doc"`
		Section     string `json:"section"`
		SectionName string `json:"section_name"`
		Title       string `json:"title"`
		TextHans    string `json:"text_hans"`
		TextHant    string `json:"text_hant"`
		TextEn      string `json:"text_en"`
		TextRu      string `json:"text_ru"`
	}{p.ID, p.Pack, p.Doc, p.Section, p.SectionName(Hans), p.Title(Hans), p.TextHans, p.TextHant, p.TextEn, p.TextRu})
}
