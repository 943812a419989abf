// Package query turns a user's question into what the retriever searches.
package query

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"

	"github.com/declbot/declbot/corpus"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

//go:embed glossary.tsv
var glossaryTSV string

//go:embed stop.tsv
var stopTSV string

// MaxRunes caps how much of a question is processed.
const MaxRunes = 4000

// Processor turns questions into queries. It is immutable after New and
// safe for concurrent use.
type Processor struct {
	gloss  map[string][]string // "lang:stemmed phrase" -> Chinese terms
	stopEn map[string]bool
	stopRu map[string]bool
	stopZh []string
}

// Option configures a Processor.
type Option func(*Processor)

// New loads the embedded glossary and stop phrases.
func New(opts ...Option) (*Processor, error) {
	p := &Processor{gloss: map[string][]string{}, stopEn: map[string]bool{}, stopRu: map[string]bool{}}
	for n, line := range strings.Split(glossaryTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("glossary.tsv:%d: want 3 tab-separated fields", n+1)
		}
		p.gloss[f[0]+":"+stemPhrase(f[0], f[1])] = strings.Split(f[2], ",")
	}
	for _, line := range strings.Split(stopTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		lang, ph, _ := strings.Cut(line, "\t")
		switch lang {
		case "zh":
			p.stopZh = append(p.stopZh, ph)
		case "en":
			p.stopEn[stem("en", ph)] = true
		case "ru":
			p.stopRu[stem("ru", ph)] = true
		}
	}
	for _, o := range opts {
		o(p)
	}
	return p, nil
}

func stem(lang, w string) string {
	if lang == "ru" {
		return russian.Stem(w, true)
	}
	return english.Stem(w, true)
}

func stemPhrase(lang, ph string) string {
	ws := strings.Fields(strings.ToLower(ph))
	for i, w := range ws {
		ws[i] = stem(lang, w)
	}
	return strings.Join(ws, " ")
}

// Query is a processed question.
type Query struct {
	Original  string
	Lang      corpus.Lang
	Text      string
	Terms     []string
	Unmatched []string
}

// Process turns a question into a Query.
func (p *Processor) Process(q string) Query {
	q = strings.ToValidUTF8(q, "")
	if r := []rune(q); len(r) > MaxRunes {
		q = string(r[:MaxRunes])
	}
	out := Query{Original: q, Lang: corpus.DetectLang(q)}
	f := corpus.Fold(q)
	var zh, words []string
	var cur strings.Builder
	flush := func(isHan bool) {
		if cur.Len() == 0 {
			return
		}
		if isHan {
			zh = append(zh, cur.String())
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
	}
	prevHan := false
	for _, r := range f {
		isHan := unicode.Is(unicode.Han, r)
		isWord := !isHan && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if (!isHan && !isWord) || isHan != prevHan {
			flush(prevHan)
		}
		if isHan || isWord {
			cur.WriteRune(r)
		}
		prevHan = isHan
	}
	flush(prevHan)
	var parts []string
	for _, s := range zh {
		for _, sp := range p.stopZh {
			s = strings.ReplaceAll(s, sp, " ")
		}
		parts = append(parts, strings.Fields(s)...)
	}
	seen := map[string]bool{}
	for _, w := range words {
		lang := "en"
		if unicode.Is(unicode.Cyrillic, []rune(w)[0]) {
			lang = "ru"
		}
		st := stem(lang, w)
		if (lang == "en" && (english.IsStopWord(w) || p.stopEn[st])) || (lang == "ru" && (russian.IsStopWord(w) || p.stopRu[st])) {
			continue
		}
		if ts, ok := p.gloss[lang+":"+st]; ok {
			for _, t := range ts {
				if !seen[t] {
					seen[t] = true
					out.Terms = append(out.Terms, t)
				}
			}
			continue
		}
		out.Unmatched = append(out.Unmatched, w)
	}
	out.Text = strings.Join(append(parts, out.Terms...), " ")
	return out
}
