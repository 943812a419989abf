package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
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

// loadPackTranslations adds a pack's translations (translations/<tag>.jsonl)
// to its passages, c.passages[first:]. The built-in pack must have every
// language; another pack may have no translations/ at all (its answers
// quote the Chinese), but when it has one, every language must be there. A
// file that is missing, has a malformed line, an unknown or repeated ID,
// an empty text, or lacks a passage stops the load with the file and line
// named: never a half-translated pack.
func (c *Corpus) loadPackTranslations(pk *Pack, fsys fs.FS, label func(string) string, first int, builtin bool) error {
	pk.Translations = map[Lang]TranslationInfo{}
	if !builtin && !optionalDir(fsys, "translations") {
		return nil
	}
	for _, l := range translated() {
		file := packFile("translations", string(l)+".jsonl")
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return fmt.Errorf("%s: no working translation into %s (add the file, or remove translations/ to serve the pack in Chinese only): %w", label(file), l, err)
		}
		info, err := c.addTranslation(pk.ID, l, label(file), data, first)
		if err != nil {
			return err
		}
		pk.Translations[l] = info
	}
	return nil
}

// addTranslation parses one translation file of pack (named name, for
// errors) into c's passages from first on; its IDs are the pack's local
// ones.
func (c *Corpus) addTranslation(pack string, l Lang, name string, data []byte, first int) (TranslationInfo, error) {
	var info TranslationInfo
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
				return info, fmt.Errorf("%s line %d: %w", name, line, err)
			}
			if h.Lang != l || strings.TrimSpace(h.Note) == "" {
				return info, fmt.Errorf("%s line %d: the header must give \"lang\":%q and a \"note\" that the translation is unofficial", name, line, l)
			}
			info = h
			header = true
			continue
		}
		var e struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			return info, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		i, ok := c.byID[qualify(pack, e.ID)]
		switch {
		case !ok || i < first:
			return info, fmt.Errorf("%s line %d: unknown paragraph ID %q", name, line, e.ID)
		case seen[e.ID]:
			return info, fmt.Errorf("%s line %d: %s is translated twice", name, line, e.ID)
		case strings.TrimSpace(e.Text) == "":
			return info, fmt.Errorf("%s line %d: empty translation of %s", name, line, e.ID)
		}
		seen[e.ID] = true
		p := &c.passages[i]
		switch l {
		case LangEn:
			p.TextEn = e.Text
		case LangRu:
			p.TextRu = e.Text
		default:
			return info, fmt.Errorf("%s: no passage field for %s translations", name, l)
		}
	}
	if err := sc.Err(); err != nil {
		return info, fmt.Errorf("%s: %w", name, err)
	}
	if !header {
		return info, fmt.Errorf("%s: empty file", name)
	}
	for _, p := range c.passages[first:] {
		if !seen[p.Local] {
			return info, fmt.Errorf("%s: no translation of %s (every passage needs one)", name, p.Local)
		}
	}
	return info, nil
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

// Translated reports whether p can be read in l: l is Chinese, or p has
// a working translation into it (a pack may have none, docs/PACKS.md).
func (p Passage) Translated(l Lang) bool {
	switch l {
	case LangEn:
		return p.TextEn != ""
	case LangRu:
		return p.TextRu != ""
	}
	return true
}

// TranslationLangs returns the languages with a working translation
// (English and Russian), in registry order.
func TranslationLangs() []Lang { return translated() }

// ShippedTranslation returns the translation file into l built into the
// binary (data/translations/<tag>.jsonl).
func ShippedTranslation(l Lang) ([]byte, error) {
	return builtinFiles.ReadFile("data/translations/" + string(l) + ".jsonl")
}
