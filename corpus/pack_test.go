package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// testPacks is the directory of synthetic packs written for the tests
// (never shipped): qinghu2026 is a fictional declaration with a statement.
const testPacks = "../testdata/packs"

func loadWithPacks(t testing.TB) *Corpus {
	t.Helper()
	c, err := Load(WithPackDir(testPacks))
	if err != nil {
		t.Fatalf("Load(WithPackDir): %v", err)
	}
	return c
}

func TestPacksLoadBesideTheBuiltIn(t *testing.T) {
	builtin := load(t)
	c := loadWithPacks(t)
	packs := c.Packs()
	if len(packs) != 2 || packs[0].ID != BuiltinPack || !packs[0].BuiltIn() || packs[1].ID != "qinghu2026" || packs[1].BuiltIn() {
		t.Fatalf("packs = %+v", packs)
	}
	if packs[0].Passages != builtin.Len() || packs[1].Passages != 10 || c.Len() != builtin.Len()+10 {
		t.Errorf("passage counts: built-in %d, qinghu %d, total %d", packs[0].Passages, packs[1].Passages, c.Len())
	}
	// The built-in pack is unchanged: same IDs, same order, same texts.
	for i, p := range builtin.Passages() {
		q := c.Passages()[i]
		if p.ID != q.ID || p.TextHans != q.TextHans || p.TextEn != q.TextEn || q.Pack != BuiltinPack || q.Local != q.ID {
			t.Fatalf("passage %d: %s/%s differs with packs loaded", i, p.ID, q.ID)
		}
	}
	p, ok := c.Get("qinghu2026:1.2")
	if !ok || p.Pack != "qinghu2026" || p.Local != "1.2" || p.Doc != "qinghu2026/declaration" || p.Seq != 2 {
		t.Fatalf("Get(qinghu2026:1.2) = %+v, %v", p, ok)
	}
	if p.Title(Hans) == "" || p.SectionName(Hans) != "第一部分" || p.Document().ShortTitle(LangEn) != "Qinghu Declaration" {
		t.Errorf("title %q, section %q", p.Title(Hans), p.SectionName(Hans))
	}
	if p.TextEn == "" || p.TextRu == "" {
		t.Errorf("qinghu2026:1.2 has no translation")
	}
	a1, _ := c.Get("qinghu2026:A1")
	if a1.SectionName(Hans) != a1.Title(Hans) || a1.Document().Kind != "statement" {
		t.Errorf("A1: section %q, kind %q", a1.SectionName(Hans), a1.Document().Kind)
	}
	if _, ok := c.Get("1.2"); !ok {
		t.Error("the built-in 1.2 is gone")
	}
	// Neighbours stay within one document of one pack.
	if n := c.Neighbours("qinghu2026:3.1", 2); len(n) != 3 || n[0].ID != "qinghu2026:2.2" {
		t.Errorf("Neighbours(qinghu2026:3.1) = %v", ids(n))
	}
	if _, ok := c.Next("W13"); ok {
		t.Error("Next(W13) crossed into another pack")
	}
	var qs int
	for _, q := range c.Questions(LangEn) {
		if strings.HasPrefix(q.ID, "qinghu2026:") {
			qs++
		}
	}
	if qs != 10 {
		t.Errorf("%d English questions for qinghu2026, want 10", qs)
	}
	if want := "; qinghu2026:0.1; qinghu2026:1.1-1.3; qinghu2026:2.1-2.3; qinghu2026:3.1; qinghu2026:A1-A2"; !strings.HasSuffix(c.ValidRanges(), want) {
		t.Errorf("ValidRanges = %q, want it to end %q", c.ValidRanges(), want)
	}
}

// Every form that names a built-in paragraph names a pack's after its
// prefix; the built-in pack's own prefix is optional.
func TestLookupQualifiedIDs(t *testing.T) {
	c := loadWithPacks(t)
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"qinghu2026:2.3", []string{"qinghu2026:2.3"}},
		{"QINGHU2026：2.3", []string{"qinghu2026:2.3"}},
		{"qinghu2026: 2.3", []string{"qinghu2026:2.3"}},
		{"see qinghu2026:2.3", []string{"qinghu2026:2.3"}},
		{"qinghu2026:二.3", []string{"qinghu2026:2.3"}},
		{"qinghu2026:2-3", []string{"qinghu2026:2.3"}},
		{"qinghu2026:第二部分第3段", []string{"qinghu2026:2.3"}},
		{"qinghu2026:2.1-2.3", []string{"qinghu2026:2.1", "qinghu2026:2.2", "qinghu2026:2.3"}},
		{"qinghu2026:2.1-3", []string{"qinghu2026:2.1", "qinghu2026:2.2", "qinghu2026:2.3"}},
		{"qinghu2026:2.2-qinghu2026:2.3", []string{"qinghu2026:2.2", "qinghu2026:2.3"}},
		{"qinghu2026:a2", []string{"qinghu2026:A2"}},
		{"qinghu2026:A1-A2", []string{"qinghu2026:A1", "qinghu2026:A2"}},
		{"tianjin2025:2.36", []string{"2.36"}},
		{"tianjin2025:T3", []string{"T3"}},
		{"2.36", []string{"2.36"}},
	} {
		ps, err := c.Lookup(tt.in)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.in, err)
			continue
		}
		if got := strings.Join(ids(ps), " "); got != strings.Join(tt.want, " ") {
			t.Errorf("Lookup(%q) = %s, want %s", tt.in, got, strings.Join(tt.want, " "))
		}
	}
	got, err := c.LookupAll("2.36, qinghu2026:1.1 qinghu2026:A2；T3")
	if err != nil || strings.Join(ids(got), " ") != "2.36 qinghu2026:1.1 qinghu2026:A2 T3" {
		t.Errorf("LookupAll = %v, %v", ids(got), err)
	}
	for _, tt := range []struct{ in, want string }{
		{"qinghu2026:9.1", "no paragraph qinghu2026:9.1: there is no section 9; valid IDs: qinghu2026:0.1; qinghu2026:1.1-1.3"},
		{"qinghu2026:1.9", "no paragraph qinghu2026:1.9: Qinghu Declaration section 1 has paragraphs qinghu2026:1.1-qinghu2026:1.3"},
		{"qinghu2026:A9", "no paragraph qinghu2026:A9: Statement on water has paragraphs qinghu2026:A1-qinghu2026:A2"},
		{"astana2024:2.36", `no paragraph astana2024:2.36: no document pack "astana2024" is loaded (loaded: tianjin2025, qinghu2026)`},
		{"2.44-qinghu2026:2.1", "spans two documents"},
		{"T1", ""},
	} {
		_, err := c.Lookup(tt.in)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Lookup(%q): %v", tt.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%q) error %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// Qualified IDs are citation markers in every bracket, and prose with a
// colon is not.
func TestQualifiedMarkers(t *testing.T) {
	text := "甲[qinghu2026:2.3]。乙【qinghu2026:2.1-2.2】。丙(qinghu2026:A1)。丁(note:2.5)。戊[ratio:2.5]。"
	var got []string
	for _, m := range FindMarkers(text) {
		for _, r := range m.Refs {
			got = append(got, r.String())
		}
	}
	if want := "qinghu2026:2.3 qinghu2026:2.1-qinghu2026:2.2 qinghu2026:A1"; strings.Join(got, " ") != want {
		t.Errorf("markers %v, want %s", got, want)
	}
	r, ok := ParseRef("qinghu2026:2.1-2.3")
	if !ok || strings.Join(r.IDs(), " ") != "qinghu2026:2.1 qinghu2026:2.2 qinghu2026:2.3" {
		t.Errorf("ParseRef(qinghu2026:2.1-2.3).IDs() = %v, %v", r.IDs(), ok)
	}
}

func TestCheckPackID(t *testing.T) {
	for id, ok := range map[string]bool{
		"astana2024": true, "sco_2030": true, "a1": true,
		"Astana2024": false, "astana": false, "2024astana": false, "astana-2024": false,
		"x": false, "see2024": false, "idaho2030": false, "para2030": false,
		strings.Repeat("a", 32) + "1": false,
	} {
		if err := CheckPackID(id); (err == nil) != ok {
			t.Errorf("CheckPackID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}

// A minimal valid pack, for the broken-pack table to break one file of.
func minimalPack() fstest.MapFS {
	return fstest.MapFS{
		"pack.json": {Data: []byte(`{"id":"demo2030","date":"2030-01-02","place":{"en":"Demo"},"documents":[` +
			`{"key":"declaration","kind":"declaration","prefix":"","title":{"zh-Hans":"演示宣言"}},` +
			`{"key":"s","kind":"statement","prefix":"S","title":{"zh-Hans":"演示声明"}}]}`)},
		"passages.jsonl": {Data: []byte(`{"id":"1.1","doc":"declaration","section":"1","text_hans":"甲","text_hant":"甲"}` + "\n" +
			`{"id":"S1","doc":"s","section":"S","text_hans":"乙","text_hant":"乙"}` + "\n")},
	}
}

func with(fs fstest.MapFS, name, data string) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range fs {
		out[k] = v
	}
	if data == "<delete>" {
		delete(out, name)
	} else {
		out[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return out
}

// A pack without translations or questions works, quoting its Chinese;
// a broken one stops the load with the file (and line) named.
func TestBrokenPacks(t *testing.T) {
	c, err := Load(WithPackFS("demo", minimalPack()))
	if err != nil {
		t.Fatalf("minimal pack: %v", err)
	}
	p, _ := c.Get("demo2030:S1")
	if p.TextEn != "" || p.TextIn(LangEn) != "乙" {
		t.Errorf("untranslated pack: TextIn(en) = %q", p.TextIn(LangEn))
	}
	if pk, _ := c.Pack("demo2030"); len(pk.Translations) != 0 {
		t.Errorf("untranslated pack has translations %v", pk.Translations)
	}
	en := `{"lang":"en","note":"Unofficial."}` + "\n" + `{"id":"1.1","text":"A"}` + "\n" + `{"id":"S1","text":"B"}` + "\n"
	line1 := `{"id":"1.1","doc":"declaration","section":"1","text_hans":"甲","text_hant":"甲"}` + "\n"
	for _, tt := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"no pack.json", with(minimalPack(), "pack.json", "<delete>"), "demo/pack.json: no pack.json"},
		{"malformed pack.json", with(minimalPack(), "pack.json", "{\n\"id\": \"demo2030\",\n\"date\": 5\n}"), "demo/pack.json: line 3:"},
		{"unknown field", with(minimalPack(), "pack.json", `{"id":"demo2030","titel":"x","documents":[]}`), `unknown field "titel"`},
		{"bad pack ID", with(minimalPack(), "pack.json", `{"id":"Demo","documents":[{"key":"d","kind":"declaration","title":{"zh-Hans":"x"}}]}`), `pack ID "Demo"`},
		{"built-in ID", with(minimalPack(), "pack.json", `{"id":"tianjin2025","documents":[{"key":"d","kind":"declaration","title":{"zh-Hans":"x"}}]}`), "is the built-in pack's"},
		{"bad kind", with(minimalPack(), "pack.json", `{"id":"demo2030","documents":[{"key":"declaration","kind":"memo","title":{"zh-Hans":"x"}}]}`), `kind "memo"`},
		{"no title", with(minimalPack(), "pack.json", `{"id":"demo2030","documents":[{"key":"declaration","kind":"declaration"}]}`), "no title"},
		{"keywords on a declaration", with(minimalPack(), "pack.json", `{"id":"demo2030","documents":[{"key":"declaration","kind":"declaration","title":{"zh-Hans":"x"},"keywords":{"en":["demo"]}}]}`), "keywords are for statements"},
		{"keywords in an unknown language", with(minimalPack(), "pack.json", `{"id":"demo2030","documents":[{"key":"declaration","kind":"declaration","title":{"zh-Hans":"x"}},{"key":"s","kind":"statement","prefix":"S","title":{"zh-Hans":"y"},"keywords":{"fr":["commerce"]}}]}`), `keywords: unknown language "fr"`},
		{"an empty keyword", with(minimalPack(), "pack.json", `{"id":"demo2030","documents":[{"key":"declaration","kind":"declaration","title":{"zh-Hans":"x"}},{"key":"s","kind":"statement","prefix":"S","title":{"zh-Hans":"y"},"keywords":{"en":[" "]}}]}`), "an empty keyword"},
		{"bad date", with(minimalPack(), "pack.json", `{"id":"demo2030","date":"1 Sept","documents":[{"key":"declaration","kind":"declaration","title":{"zh-Hans":"x"}}]}`), `date "1 Sept"`},
		{"no passages file", with(minimalPack(), "passages.jsonl", "<delete>"), "demo/passages.jsonl"},
		{"no passages", with(minimalPack(), "passages.jsonl", "\n"), "demo/passages.jsonl: no passages"},
		{"malformed line", with(minimalPack(), "passages.jsonl", line1+"{\n"), "demo/passages.jsonl line 2:"},
		{"ID collision", with(minimalPack(), "passages.jsonl", line1+line1), "demo/passages.jsonl line 2: duplicate ID demo2030:1.1"},
		{"unknown document", with(minimalPack(), "passages.jsonl", `{"id":"1.1","doc":"x","section":"1","text_hans":"甲","text_hant":"甲"}`), `line 1: unknown document "x"`},
		{"wrong prefix", with(minimalPack(), "passages.jsonl", `{"id":"T1","doc":"s","section":"T","text_hans":"甲","text_hant":"甲"}`), "whose IDs are S1, S2"},
		{"section mismatch", with(minimalPack(), "passages.jsonl", `{"id":"1.1","doc":"declaration","section":"2","text_hans":"甲","text_hant":"甲"}`), `has section "2", want "1"`},
		{"one script", with(minimalPack(), "passages.jsonl", `{"id":"1.1","doc":"declaration","section":"1","text_hans":"甲","text_hant":""}`), "needs both text_hans and text_hant"},
		{"missing translation file", with(minimalPack(), "translations/en.jsonl", en), "demo/translations/ru.jsonl: no working translation into ru"},
		{"missing translation", with(with(minimalPack(), "translations/en.jsonl", `{"lang":"en","note":"x"}`+"\n"+`{"id":"1.1","text":"A"}`+"\n"), "translations/ru.jsonl", en), "demo/translations/en.jsonl: no translation of S1"},
		{"missing question list", with(minimalPack(), "questions/en.tsv", "1.1\tq\nS1\tq\n"), "demo/questions/zh-Hans.tsv: no question list"},
	} {
		_, err := Load(WithPackFS("demo", tt.fs))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	// Two packs with one ID.
	_, err = Load(WithPackFS("a", minimalPack()), WithPackFS("b", minimalPack()))
	if err == nil || !strings.Contains(err.Error(), `b/pack.json: pack ID "demo2030" is already loaded from a`) {
		t.Errorf("duplicate pack: %v", err)
	}
}

// WithPackDir loads the sub-directories holding pack.json and ignores the
// rest; a directory that does not exist is an error that says what to do.
func TestWithPackDir(t *testing.T) {
	dir := t.TempDir()
	for name, data := range minimalPack() {
		path := filepath.Join(dir, "demo", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(WithPackDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if pk, ok := c.Pack("demo2030"); !ok || pk.Dir != filepath.Join(dir, "demo") {
		t.Errorf("Pack(demo2030) = %+v, %v", pk, ok)
	}
	_, err = Load(WithPackDir(filepath.Join(dir, "missing")))
	if err == nil || !strings.Contains(err.Error(), "CORPUS_DIR") {
		t.Errorf("missing dir: %v", err)
	}
}
