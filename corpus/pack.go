package corpus

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Document packs (docs/PACKS.md): a pack is one summit's texts, a
// directory holding pack.json (metadata), passages.jsonl and, optionally,
// translations/ and questions/. The built-in Tianjin 2025 pack is data/,
// embedded in the binary and always loaded first; Load's options add packs
// from directories. Passages of the built-in pack keep their bare IDs
// ("2.36", "T3"); every other pack's are qualified with the pack's ID
// ("astana2024:2.36"), so IDs never collide and old citations keep working.

//go:embed data/pack.json data/passages.jsonl data/translations/*.jsonl data/questions/*.tsv
var builtinFiles embed.FS

// BuiltinPack is the ID of the built-in pack. "tianjin2025:2.36" is read as
// "2.36".
const BuiltinPack = "tianjin2025"

// Pack describes one loaded pack.
type Pack struct {
	// ID qualifies the pack's citations ("astana2024:2.36"); see
	// docs/PACKS.md for its form.
	ID string `json:"id"`
	// Date is when the texts were adopted, "YYYY-MM-DD".
	Date string `json:"date"`
	// Place names where, by language tag; see Localized.In.
	Place Localized `json:"place"`
	// Documents are the pack's texts, in order.
	Documents []Document `json:"documents"`
	// Dir is the directory the pack was read from; "" for the built-in.
	Dir string `json:"dir,omitempty"`
	// Translations are the pack's working translations, by language; a
	// pack without translations/ has none (answers quote its Chinese).
	Translations map[Lang]TranslationInfo `json:"-"`
	// Passages counts the pack's passages.
	Passages int `json:"passages"`
}

// BuiltIn reports whether p is the pack compiled into the binary.
func (p Pack) BuiltIn() bool { return p.Dir == "" && p.ID == BuiltinPack }

// Year is the year of the pack's date, "" when it has none.
func (p Pack) Year() string {
	if len(p.Date) >= 4 {
		return p.Date[:4]
	}
	return ""
}

// Localized holds one name in several languages, keyed by language tag
// ("zh-Hans", "en"). See In for the fallbacks.
type Localized map[string]string

// In returns the name in l, or the best fallback: for a Chinese reader the
// other script, converted, then English; for anyone else English, then
// the Chinese.
func (n Localized) In(l Lang) string {
	if s := n[string(l)]; s != "" {
		return s
	}
	switch l {
	case LangHant:
		if s := n[string(LangHans)]; s != "" {
			return ToHant(s)
		}
	case LangHans:
		if s := n[string(LangHant)]; s != "" {
			return ToHans(s)
		}
	}
	for _, k := range []Lang{LangEn, LangHans, LangHant} {
		if s := n[string(k)]; s != "" {
			return s
		}
	}
	return ""
}

// packJSON is pack.json as written.
type packJSON struct {
	ID        string    `json:"id"`
	Date      string    `json:"date"`
	Place     Localized `json:"place"`
	Documents []docJS   `json:"documents"`
}

type docJS struct {
	Key    string    `json:"key"`
	Kind   string    `json:"kind"`
	Prefix string    `json:"prefix"`
	Title  Localized `json:"title"`
	Short  Localized `json:"short"`
	NameEn string    `json:"name_en"`
	// Keywords: see Document.Keywords.
	Keywords map[string][]string `json:"keywords"`
}

var (
	// packIDRE: lower-case letters, digits and _, starting with a letter.
	// It must also hold a digit (checkPackID): "astana2024:2.36" is then
	// never mistaken for prose such as "(note:2.5)".
	packIDRE  = lazyRegexp(`^[a-z][a-z0-9_]{1,31}$`)
	docKeyRE  = lazyRegexp(`^[a-z][a-z0-9_]{0,31}$`)
	dateRE    = lazyRegexp(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	prefixRE  = lazyRegexp(`^[A-Z]$`)
	errNoPack = errors.New("no pack.json")
)

// CheckPackID returns an error saying what is wrong with a pack ID, or nil.
func CheckPackID(id string) error {
	switch {
	case !packIDRE().MatchString(id):
		return fmt.Errorf("pack ID %q: use 2-32 lower-case letters, digits and _, starting with a letter, such as astana2024", id)
	case !strings.ContainsAny(id, "0123456789"):
		return fmt.Errorf("pack ID %q: include a digit (usually the year), such as astana2024, so that citations like %s:2.36 cannot be mistaken for prose", id, id)
	case trimRefWords(id) != id:
		return fmt.Errorf("pack ID %q: it begins with a word that is read before paragraph IDs (see, para, ref, id, cf); choose another", id)
	}
	return nil
}

// Option configures Load.
type Option func(*loadConfig)

type loadConfig struct {
	dirs  []string // CORPUS_DIR-like: every sub-directory holding pack.json
	packs []packSource
}

type packSource struct {
	name string // for messages: a directory path
	fsys fs.FS
}

// WithPackDir adds every pack found in the immediate sub-directories of dir
// (a directory is a pack when it holds pack.json), in name order: what
// CORPUS_DIR and --corpus name. A dir that does not exist is an error.
func WithPackDir(dir string) Option {
	return func(c *loadConfig) {
		if dir != "" {
			c.dirs = append(c.dirs, dir)
		}
	}
}

// WithPackFS adds one pack read from fsys (its root holds pack.json); name
// labels it in error messages.
func WithPackFS(name string, fsys fs.FS) Option {
	return func(c *loadConfig) { c.packs = append(c.packs, packSource{name, fsys}) }
}

// sources lists the packs to load after the built-in one.
func (lc *loadConfig) sources() ([]packSource, error) {
	var out []packSource
	for _, dir := range lc.dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("corpus directory %s: %w (set CORPUS_DIR or --corpus to a directory of packs)", dir, err)
		}
		for _, e := range entries {
			sub := filepath.Join(dir, e.Name())
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if _, err := os.Stat(filepath.Join(sub, "pack.json")); err != nil {
				continue
			}
			out = append(out, packSource{sub, os.DirFS(sub)})
		}
	}
	return append(out, lc.packs...), nil
}

// builtinFS is data/ of the embedded files.
func builtinFS() fs.FS {
	sub, err := fs.Sub(builtinFiles, "data")
	if err != nil {
		panic(err) // a constant path: cannot fail
	}
	return sub
}

// builtinDocuments are the built-in pack's documents, for Passage values
// made outside a Corpus (tests) that have no document attached.
var builtinDocuments = sync.OnceValue(func() []Document {
	data, err := fs.ReadFile(builtinFS(), "pack.json")
	if err != nil {
		return nil
	}
	p, err := parsePackJSON("corpus/data/pack.json", data, true)
	if err != nil {
		return nil
	}
	return p.Documents
})

// parsePackJSON reads and checks pack.json; name labels errors.
func parsePackJSON(name string, data []byte, builtin bool) (Pack, error) {
	var pj packJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pj); err != nil {
		return Pack{}, fmt.Errorf("%s: %s", name, jsonErrorWithLine(data, err))
	}
	if err := CheckPackID(pj.ID); err != nil {
		return Pack{}, fmt.Errorf("%s: %w", name, err)
	}
	if builtin != (pj.ID == BuiltinPack) {
		if builtin {
			return Pack{}, fmt.Errorf("%s: the built-in pack must be %q", name, BuiltinPack)
		}
		return Pack{}, fmt.Errorf("%s: pack ID %q is the built-in pack's; choose another", name, pj.ID)
	}
	if pj.Date != "" && !dateRE().MatchString(pj.Date) {
		return Pack{}, fmt.Errorf("%s: date %q: write YYYY-MM-DD", name, pj.Date)
	}
	if len(pj.Documents) == 0 {
		return Pack{}, fmt.Errorf("%s: no documents", name)
	}
	p := Pack{ID: pj.ID, Date: pj.Date, Place: pj.Place}
	keys, prefixes := map[string]bool{}, map[string]bool{}
	for i, d := range pj.Documents {
		where := fmt.Sprintf("%s: documents[%d]", name, i)
		switch {
		case !docKeyRE().MatchString(d.Key):
			return Pack{}, fmt.Errorf("%s: key %q: use lower-case letters, digits and _", where, d.Key)
		case keys[d.Key]:
			return Pack{}, fmt.Errorf("%s: key %q appears twice", where, d.Key)
		case d.Kind != "declaration" && d.Kind != "statement":
			return Pack{}, fmt.Errorf("%s: kind %q: use declaration or statement", where, d.Kind)
		case d.Prefix != "" && !prefixRE().MatchString(d.Prefix):
			return Pack{}, fmt.Errorf("%s: prefix %q: use one upper-case letter, or \"\" for the sectioned document", where, d.Prefix)
		case prefixes[d.Prefix]:
			return Pack{}, fmt.Errorf("%s: prefix %q is used by another document", where, d.Prefix)
		case d.Title.In(LangHans) == "":
			return Pack{}, fmt.Errorf("%s: no title (give at least \"zh-Hans\")", where)
		case d.Kind != "statement" && len(d.Keywords) > 0:
			return Pack{}, fmt.Errorf("%s: keywords are for statements (a question names the declaration by the word itself); remove them", where)
		}
		for tag, ws := range d.Keywords {
			if !slices.Contains(LangTags(), Lang(tag)) {
				return Pack{}, fmt.Errorf("%s: keywords: unknown language %q (use zh-Hans, zh-Hant, en or ru)", where, tag)
			}
			for _, w := range ws {
				if strings.TrimSpace(w) == "" {
					return Pack{}, fmt.Errorf("%s: keywords[%q]: an empty keyword", where, tag)
				}
			}
		}
		keys[d.Key], prefixes[d.Prefix] = true, true
		doc := Document{
			Key: d.Key, Pack: pj.ID, Kind: d.Kind, Prefix: d.Prefix,
			Titles: d.Title, Short: d.Short, Date: pj.Date, Place: pj.Place,
			TitleHans: d.Title.In(LangHans), TitleHant: d.Title.In(LangHant), TitleEn: d.Title.In(LangEn),
			ShortEn: d.NameEn, Keywords: d.Keywords,
		}
		if !builtin {
			doc.Key = pj.ID + "/" + d.Key
		}
		if doc.ShortEn == "" {
			doc.ShortEn = doc.ShortTitle(LangEn)
		}
		p.Documents = append(p.Documents, doc)
	}
	return p, nil
}

// jsonErrorWithLine adds the line number to a JSON syntax or type error.
func jsonErrorWithLine(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	return fmt.Sprintf("line %d: %v", 1+bytes.Count(data[:off], []byte("\n")), err)
}

// loadPack reads one pack into c: its metadata, passages and, when want
// is set, its translations and question lists; table (with want, for the
// built-in pack) takes all of it from builtin_gen.go.
func (c *Corpus) loadPack(src packSource, builtin, want, table bool) error {
	label := func(file string) string {
		if builtin {
			return "corpus/data/" + file
		}
		return filepath.Join(src.name, filepath.FromSlash(file))
	}
	if builtin && want && table && genDataSum == builtinDataSum() {
		p := genPack()
		first := len(c.passages)
		c.loadBuiltin(&p)
		p.Passages = len(c.passages) - first
		c.packs = append(c.packs, p)
		c.documents = append(c.documents, p.Documents...)
		return nil
	}
	data, err := fs.ReadFile(src.fsys, "pack.json")
	if err != nil {
		return fmt.Errorf("%s: %w", label("pack.json"), errNoPack)
	}
	p, err := parsePackJSON(label("pack.json"), data, builtin)
	if err != nil {
		return err
	}
	if !builtin {
		p.Dir = src.name
	}
	for _, q := range c.packs {
		if q.ID == p.ID {
			where := q.Dir
			if where == "" {
				where = "the built-in texts"
			}
			return fmt.Errorf("%s: pack ID %q is already loaded from %s: each pack needs its own ID", label("pack.json"), p.ID, where)
		}
	}
	first := len(c.passages)
	data, err = fs.ReadFile(src.fsys, "passages.jsonl")
	if err != nil {
		return fmt.Errorf("%s: %w", label("passages.jsonl"), err)
	}
	if err := c.parsePassages(&p, label("passages.jsonl"), data); err != nil {
		return err
	}
	p.Passages = len(c.passages) - first
	c.packs = append(c.packs, p)
	c.documents = append(c.documents, p.Documents...)
	if !want {
		return nil
	}
	pk := &c.packs[len(c.packs)-1]
	if err := c.loadPackTranslations(pk, src.fsys, label, first, builtin); err != nil {
		return err
	}
	return c.loadPackQuestions(pk, src.fsys, label, first, builtin)
}

// optionalDir reports whether dir exists in fsys. For a pack other than
// the built-in one, translations/ and questions/ are optional as a whole:
// without them answers quote the Chinese; with them, every language's file
// must be there.
func optionalDir(fsys fs.FS, dir string) bool {
	st, err := fs.Stat(fsys, dir)
	return err == nil && st.IsDir()
}

// qualify makes a pack's local ID global.
func qualify(pack, local string) string {
	if pack == "" || pack == BuiltinPack {
		return local
	}
	return pack + ":" + local
}

// Packs returns the loaded packs, the built-in one first.
func (c *Corpus) Packs() []Pack { return append([]Pack(nil), c.packs...) }

// Pack returns the loaded pack with the given ID.
func (c *Corpus) Pack(id string) (Pack, bool) {
	for _, p := range c.packs {
		if p.ID == id {
			return p, true
		}
	}
	return Pack{}, false
}

// packIDs lists the loaded packs' IDs, for messages.
func (c *Corpus) packIDs() string {
	ids := make([]string, len(c.packs))
	for i, p := range c.packs {
		ids[i] = p.ID
	}
	sort.Strings(ids[1:])
	return strings.Join(ids, ", ")
}

// packFile joins a pack-relative path for fs.FS use.
func packFile(parts ...string) string { return path.Join(parts...) }
