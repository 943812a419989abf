package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

const importTestdata = "../../corpus/importer/testdata"

// checkPackDir loads a written pack with the corpus package's loader,
// beside the built-in texts, as --corpus would, and returns its passages'
// local IDs.
func checkPackDir(t *testing.T, dir string) []string {
	t.Helper()
	c, err := corpus.Load(corpus.WithPackFS(dir, os.DirFS(dir)))
	if err != nil {
		t.Fatalf("the written pack does not load: %v", err)
	}
	pk := c.Packs()[len(c.Packs())-1]
	var ids []string
	for _, p := range c.Passages() {
		if p.Pack == pk.ID {
			ids = append(ids, p.Local)
		}
	}
	return ids
}

// listDir returns every path under dir, for "nothing changed" checks.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && p != dir {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

func TestImportCommand(t *testing.T) {
	md := filepath.Join(importTestdata, "markdown.md")
	packs := t.TempDir()
	out, errOut, code := run(t, map[string]string{"CORPUS_DIR": packs}, "import", md, "--id", "astana2099")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	target := filepath.Join(packs, "astana2099")
	for _, want := range []string{"declaration 示例组织成员国元首理事会阿斯塔纳宣言", "section 1", "statement A", "wrote " + target + " (6 passages)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report does not say %q:\n%s", want, out)
		}
	}
	ids := checkPackDir(t, target)
	if want := []string{"0.1", "1.1", "1.2", "2.1", "A1", "A2"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("IDs %v, want %v", ids, want)
	}
	// Only the pack: no temporary directory is left beside it.
	if got := listDir(t, packs); !reflect.DeepEqual(got, []string{"/astana2099", "/astana2099/pack.json", "/astana2099/passages.jsonl"}) {
		t.Errorf("CORPUS_DIR holds %v", got)
	}

	// The same again: the target exists, exit 2, nothing changed.
	before, _ := os.ReadFile(filepath.Join(target, "passages.jsonl"))
	_, errOut, code = run(t, map[string]string{"CORPUS_DIR": packs}, "import", filepath.Join(importTestdata, "roman.txt"), "--id", "astana2099")
	if code != exitUsage || !strings.Contains(errOut, "already exists") {
		t.Errorf("existing target: exit %d, %q", code, errOut)
	}
	after, _ := os.ReadFile(filepath.Join(target, "passages.jsonl"))
	if !bytes.Equal(before, after) {
		t.Error("an import over an existing pack changed it")
	}
	if got := listDir(t, packs); len(got) != 3 {
		t.Errorf("CORPUS_DIR changed: %v", got)
	}
}

func TestImportCheckWritesNothing(t *testing.T) {
	packs := t.TempDir()
	for _, env := range []map[string]string{{"CORPUS_DIR": packs}, {}} {
		out, errOut, code := run(t, env, "import", "--check", filepath.Join(importTestdata, "wrapped.txt"), "--id", "wrapped2099", "--prefixes", "E")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"statement E", "lines 22-28", "news item", "--check: nothing written (6 passages)"} {
			if !strings.Contains(out, want) {
				t.Errorf("report does not say %q:\n%s", want, out)
			}
		}
	}
	if got := listDir(t, packs); len(got) != 0 {
		t.Errorf("--check wrote %v", got)
	}
}

func TestImportJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "pack")
	out, errOut, code := run(t, nil, "import", filepath.Join(importTestdata, "traditional.txt"), "--id", "trad2099", "--out", dir, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Script    string `json:"script"`
		Wrote     string `json:"wrote"`
		Passages  int    `json:"passages"`
		Documents []struct {
			Key       string `json:"key"`
			Signature string `json:"signature"`
		} `json:"documents"`
		Unplaced []struct {
			Line int    `json:"line"`
			Why  string `json:"why"`
		} `json:"unplaced"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Script != "hant" || r.Wrote != dir || r.Passages != 4 || len(r.Documents) != 1 || r.Documents[0].Signature != "2.2" ||
		len(r.Unplaced) != 1 || r.Unplaced[0].Line != 1 {
		t.Errorf("JSON report %+v", r)
	}
	checkPackDir(t, dir)
}

func TestImportBadInput(t *testing.T) {
	tmp := t.TempDir()
	binary := filepath.Join(tmp, "scan.bin")
	os.WriteFile(binary, []byte("一\n\x00\x01\x02\x03"), 0o644)
	notDecl := filepath.Join(importTestdata, "nosections.txt")
	md := filepath.Join(importTestdata, "markdown.md")
	aFile := filepath.Join(tmp, "file")
	os.WriteFile(aFile, []byte("x"), 0o644)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no file", nil, []string{"--id", "x1"}, exitUsage, "give the file to import"},
		{"two files", nil, []string{md, md, "--id", "x1", "--check"}, exitUsage, "one file at a time"},
		{"no ID", nil, []string{md, "--check"}, exitUsage, "--id is required"},
		{"bad ID", nil, []string{md, "--id", "Astana-2024", "--check"}, exitUsage, `pack ID "Astana-2024"`},
		{"bad prefixes", nil, []string{md, "--id", "x1", "--prefixes", "t,w", "--check"}, exitUsage, `--prefixes: prefix "t"`},
		{"unknown flag", nil, []string{md, "--id", "x1", "--force"}, exitUsage, "flag provided but not defined"},
		{"nowhere to write", map[string]string{}, []string{md, "--id", "x1"}, exitUsage, "set CORPUS_DIR"},
		{"missing file", nil, []string{filepath.Join(tmp, "nope.txt"), "--id", "x1", "--check"}, exitUsage, "no such file"},
		{"a directory", nil, []string{tmp, "--id", "x1", "--check"}, exitUsage, "is a directory"},
		{"binary", nil, []string{binary, "--id", "x1", "--out", filepath.Join(tmp, "o1")}, exitUsage, binary + ": line 2: control character"},
		{"not a declaration", nil, []string{notDecl, "--id", "x1", "--out", filepath.Join(tmp, "o2")}, exitUsage, notDecl + ": no numbered sections found"},
		{"cannot write", nil, []string{md, "--id", "x1", "--out", filepath.Join(aFile, "pack")}, exitFail, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = map[string]string{"CORPUS_DIR": filepath.Join(tmp, "packs")}
			}
			_, errOut, code := run(t, env, append([]string{"import"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	// Nothing was written anywhere, not even a temporary directory.
	if got := listDir(t, tmp); !reflect.DeepEqual(got, []string{"/file", "/scan.bin"}) {
		t.Errorf("bad input left %v", got)
	}
}

// The newspaper seed through the command: a valid pack with the
// statements' IDs as the built-in corpus has them.
func TestImportCommandSeed000(t *testing.T) {
	seed := filepath.Join("..", "..", "..", "shared", "seeds", "000_e373f0b2fac9657f.txt")
	if d := os.Getenv("DECLBOT_SEEDS"); d != "" {
		seed = filepath.Join(d, "000_e373f0b2fac9657f.txt")
	}
	if _, err := os.Stat(seed); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("seed not found (CI must have ../shared/seeds): %v", err)
		}
		t.Skipf("SKIP: seed not found at %s", seed)
	}
	dir := filepath.Join(t.TempDir(), "page2025")
	out, errOut, code := run(t, nil, "import", seed, "--id", "page2025", "--prefixes", "T,W", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ids := checkPackDir(t, dir)
	if len(ids) != 54+18+13 || ids[0] != "0.1" || ids[54] != "T1" || ids[len(ids)-1] != "W13" {
		t.Errorf("IDs %v", ids)
	}
	for _, want := range []string{"lines 362-400 news item", "lines 625-627 photo caption", "list item outside any document"} {
		if !strings.Contains(regexp.MustCompile(` +`).ReplaceAllString(out, " "), want) {
			t.Errorf("report does not list %q:\n%s", want, out)
		}
	}
}

// Importing the synthetic declaration as a Markdown file reproduces the
// test pack's passages (IDs and both scripts), and the pack it writes
// loads and answers with qualified IDs.
func TestImportSyntheticPack(t *testing.T) {
	root := t.TempDir()
	env := map[string]string{"DATA_DIR": t.TempDir(), "CORPUS_DIR": root}
	out, errOut, code := run(t, env, "import", "../../testdata/qinghu2026.md", "--id", "qinghu2026", "--prefixes", "A")
	if code != exitOK || !strings.Contains(out, "every line was placed") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	got, err := corpus.Load(corpus.WithPackDir(root))
	if err != nil {
		t.Fatal(err)
	}
	want, err := corpus.Load(corpus.WithPackDir(testPacks))
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != want.Len() {
		t.Fatalf("%d passages, want %d", got.Len(), want.Len())
	}
	for i, p := range want.Passages() {
		q := got.Passages()[i]
		if p.ID != q.ID || p.TextHans != q.TextHans || p.TextHant != q.TextHant {
			t.Errorf("passage %d: imported %s %q / %q, want %s %q / %q", i, q.ID, q.TextHans, q.TextHant, p.ID, p.TextHans, p.TextHant)
		}
	}
	out, errOut, code = run(t, env, "ask", "青湖宣言说开发银行总部在哪里？")
	if code != exitOK || !strings.Contains(out, "[qinghu2026:1.2]") {
		t.Errorf("ask over the imported pack: exit %d, %s\n%s", code, errOut, out)
	}
}
