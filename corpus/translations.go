package corpus

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Working translations: every passage in English and Russian, made by
// this project from the simplified Chinese text (docs/TRANSLATIONS-en.md,
// docs/TRANSLATIONS-ru.md say how). They are unofficial; the Chinese text
// is authoritative, and everything that shows a translation says so.
//
// data/translations/<tag>.jsonl holds one language: a header line
// {"lang", "note", "method"}, then {"id", "text"} for every passage.
// data/translations/names.tsv is the one table of proper names (Chinese,
// English, Russian) the translations use; a test holds them to it.

//go:embed data/translations/*.jsonl
var translationFiles embed.FS

// TranslationInfo describes the working translation into one language.
type TranslationInfo struct {
	Lang Lang `json:"lang"`
	// Note says, in English, that the translation is unofficial and the
	// Chinese text authoritative.
	Note string `json:"note"`
	// Method says how it was made and reviewed.
	Method string `json:"method"`
}

// translated are the languages with working translations: those of the
// registry whose questions are not Chinese.
func translated() []Lang {
	var out []Lang
	for _, l := range languages {
		if !l.Chinese {
			out = append(out, l.Tag)
		}
	}
	return out
}

// loadTranslations adds the embedded translations to c's passages. A
// file that is missing, has a malformed line, an unknown or repeated ID,
// an empty text, or lacks a passage stops the load with the file and line
// named: never a half-translated corpus.
func (c *Corpus) loadTranslations() error {
	c.translations = map[Lang]TranslationInfo{}
	for _, l := range translated() {
		name := "data/translations/" + string(l) + ".jsonl"
		data, err := translationFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("corpus: no working translation into %s (%s): %w", l, name, err)
		}
		if err := c.addTranslation(l, name, data); err != nil {
			return err
		}
	}
	return nil
}

// addTranslation parses one translation file (named name, for errors)
// into c's passages.
func (c *Corpus) addTranslation(l Lang, name string, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	seen := map[string]bool{}
	header := false
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !header {
			var h TranslationInfo
			if err := json.Unmarshal(b, &h); err != nil {
				return fmt.Errorf("%s line %d: %w", name, line, err)
			}
			if h.Lang != l || strings.TrimSpace(h.Note) == "" {
				return fmt.Errorf("%s line %d: the header must give \"lang\":%q and a \"note\" that the translation is unofficial", name, line, l)
			}
			c.translations[l] = h
			header = true
			continue
		}
		var e struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		i, ok := c.byID[e.ID]
		switch {
		case !ok:
			return fmt.Errorf("%s line %d: unknown paragraph ID %q", name, line, e.ID)
		case seen[e.ID]:
			return fmt.Errorf("%s line %d: %s is translated twice", name, line, e.ID)
		case strings.TrimSpace(e.Text) == "":
			return fmt.Errorf("%s line %d: empty translation of %s", name, line, e.ID)
		}
		seen[e.ID] = true
		p := &c.passages[i]
		switch l {
		case LangEn:
			p.TextEn = e.Text
		case LangRu:
			p.TextRu = e.Text
		default:
			return fmt.Errorf("%s: no passage field for %s translations", name, l)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !header {
		return fmt.Errorf("%s: empty file", name)
	}
	for _, p := range c.passages {
		if !seen[p.ID] {
			return fmt.Errorf("%s: no translation of %s (every passage needs one)", name, p.ID)
		}
	}
	return nil
}

// Translation describes the working translation into l; ok is false for
// the Chinese languages, which need none.
func (c *Corpus) Translation(l Lang) (TranslationInfo, bool) {
	t, ok := c.translations[l]
	return t, ok
}

// TextIn returns the passage as a reader of l reads it: the working
// translation for English and Russian, the Chinese text in l's script
// otherwise.
func (p Passage) TextIn(l Lang) string {
	switch l {
	case LangEn:
		if p.TextEn != "" {
			return p.TextEn
		}
	case LangRu:
		if p.TextRu != "" {
			return p.TextRu
		}
	}
	return p.Text(l.Script())
}

// TranslationLangs returns the languages with a working translation
// (English and Russian), in registry order.
func TranslationLangs() []Lang { return translated() }

// ShippedTranslation returns the translation file into l built into the
// binary (data/translations/<tag>.jsonl).
func ShippedTranslation(l Lang) ([]byte, error) {
	return translationFiles.ReadFile("data/translations/" + string(l) + ".jsonl")
}
