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
	"strings"
)

//go:embed data/passages.jsonl
var passagesJSONL []byte

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

// Document is one of the three texts in the corpus.
type Document struct {
	// Key is the short, stable name used in data and JSON: "declaration",
	// "trade" or "ww2un80".
	Key       string
	TitleHans string
	TitleHant string
	TitleEn   string
	// ShortEn names the document in English error messages.
	ShortEn string
	// Prefix is what the document's IDs start with: "" for the
	// declaration (IDs are "S.N"), "T" or "W" for the statements.
	Prefix string
}

// Title returns the document's title in the given script.
func (d Document) Title(s Script) string {
	if s == Hant {
		return d.TitleHant
	}
	return d.TitleHans
}

var documents = []Document{
	{
		Key:       "declaration",
		TitleHans: "上海合作组织成员国元首理事会天津宣言",
		TitleHant: "上海合作組織成員國元首理事會天津宣言",
		TitleEn:   "Tianjin Declaration of the Council of Heads of State of the SCO",
		ShortEn:   "the declaration",
	},
	{
		Key:       "trade",
		TitleHans: "上海合作组织成员国元首理事会关于支持多边贸易体制的声明",
		TitleHant: "上海合作組織成員國元首理事會關於支持多邊貿易體制的聲明",
		TitleEn:   "Statement of the SCO Council of Heads of State in support of the multilateral trading system",
		ShortEn:   "the statement on the multilateral trading system",
		Prefix:    "T",
	},
	{
		Key:       "ww2un80",
		TitleHans: "上海合作组织成员国元首理事会关于第二次世界大战胜利和联合国成立80周年的声明",
		TitleHant: "上海合作組織成員國元首理事會關於第二次世界大戰勝利和聯合國成立80周年的聲明",
		TitleEn:   "Statement of the SCO Council of Heads of State on the 80th anniversary of the victory in the Second World War and the founding of the United Nations",
		ShortEn:   "the statement on the 80th anniversary of WWII and the UN",
		Prefix:    "W",
	},
}

// Passage is one citable paragraph.
type Passage struct {
	// ID is the canonical citation ID: "2.36", "T3", "W1".
	ID string `json:"id"`
	// Doc is the Document.Key of the text the passage belongs to.
	Doc string `json:"doc"`
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
	passages     []Passage
	byID         map[string]int
	sections     []Section
	translations map[Lang]TranslationInfo
	questions    map[Lang][]Question
}

// Section is a run of consecutive passages sharing a Section key.
type Section struct {
	Doc   string
	Key   string
	First int // index of the first passage
	Count int
}

// FirstID and LastID name the section's ID range, e.g. "2.1" and "2.44".
func (s Section) FirstID(c *Corpus) string { return c.passages[s.First].ID }

// LastID returns the ID of the section's last passage.
func (s Section) LastID(c *Corpus) string { return c.passages[s.First+s.Count-1].ID }

// Name returns a human label for the section: "第二部分" or "序言" for the
// declaration, the statement's title for a statement.
func (s Section) Name(sc Script) string {
	return sectionName(s.Doc, s.Key, sc)
}

var sectionNumerals = []string{"", "一", "二", "三", "四", "五"}

func sectionName(doc, key string, sc Script) string {
	if doc != "declaration" {
		d, _ := documentByKey(doc)
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
func (p Passage) SectionName(sc Script) string { return sectionName(p.Doc, p.Section, sc) }

// Title returns the title of the passage's document.
func (p Passage) Title(sc Script) string {
	d, _ := documentByKey(p.Doc)
	return d.Title(sc)
}

func documentByKey(key string) (Document, bool) {
	for _, d := range documents {
		if d.Key == key {
			return d, true
		}
	}
	return Document{}, false
}

// Load parses the embedded corpus. It fails only if the embedded data is
// broken, which the package tests rule out.
func Load() (*Corpus, error) {
	c, err := parse(passagesJSONL)
	if err != nil {
		return nil, err
	}
	if err := c.loadTranslations(); err != nil {
		return nil, err
	}
	if err := c.loadQuestions(); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadPassages parses the embedded passages alone, without their working
// translations and question lists: for the tools that make those ("declbot
// enrich"), which must run while a file still lacks a passage. TextEn and
// TextRu are empty, and Questions and Translation return nothing.
func LoadPassages() (*Corpus, error) { return parse(passagesJSONL) }

func parse(data []byte) (*Corpus, error) {
	c := &Corpus{byID: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var p Passage
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		if _, ok := documentByKey(p.Doc); !ok {
			return nil, fmt.Errorf("corpus line %d: unknown document %q", line, p.Doc)
		}
		if _, dup := c.byID[p.ID]; dup {
			return nil, fmt.Errorf("corpus line %d: duplicate ID %s", line, p.ID)
		}
		id, err := parseCanonical(p.ID)
		if err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		p.Seq = id.seq
		p.Index = len(c.passages)
		c.byID[p.ID] = p.Index
		c.passages = append(c.passages, p)
		if n := len(c.sections); n == 0 || c.sections[n-1].Key != p.Section || c.sections[n-1].Doc != p.Doc {
			c.sections = append(c.sections, Section{Doc: p.Doc, Key: p.Section, First: p.Index})
		}
		c.sections[len(c.sections)-1].Count++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if len(c.passages) == 0 {
		return nil, fmt.Errorf("corpus: no passages")
	}
	return c, nil
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
func (c *Corpus) Documents() []Document { return append([]Document(nil), documents...) }

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
// "0.1; 1.1-1.17; 2.1-2.44; …; T1-T18; W1-W13".
func (c *Corpus) ValidRanges() string {
	var parts []string
	for _, s := range c.sections {
		if s.Count == 1 {
			parts = append(parts, s.FirstID(c))
		} else {
			parts = append(parts, s.FirstID(c)+"-"+s.LastID(c))
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
		Doc         string `json:"doc"`
		Section     string `json:"section"`
		SectionName string `json:"section_name"`
		Title       string `json:"title"`
		TextHans    string `json:"text_hans"`
		TextHant    string `json:"text_hant"`
		TextEn      string `json:"text_en"`
		TextRu      string `json:"text_ru"`
	}{p.ID, p.Doc, p.Section, p.SectionName(Hans), p.Title(Hans), p.TextHans, p.TextHant, p.TextEn, p.TextRu})
}
