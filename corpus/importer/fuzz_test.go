package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzImport: whatever the file holds, Import returns a pack or an error,
// never panics; a pack's paragraphs are never empty in either script, its
// IDs are unique, and it holds to docs/PACKS.md.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, "")
			f.Add(b, "T,W")
		}
	}
	f.Add([]byte("一\n\n二、\n三\n成员国。\n"), "")
	f.Add([]byte("《关于的声明》\n2025年9月1日\n（新华社电）\n一\n甲国总统 张三\n"), "A")
	f.Add([]byte("\xEF\xBB\xBF一\r\n成员国支持。\r\n二\r\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, prefixes string) {
		pre, err := ParsePrefixes(prefixes)
		if err != nil {
			return
		}
		p, err := Import("fuzz.txt", data, Options{ID: "fuzz2099", Prefixes: pre})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, ps := range p.Passages {
			if strings.TrimSpace(ps.TextHans) == "" || strings.TrimSpace(ps.TextHant) == "" {
				t.Fatalf("%s: empty text: %+v", ps.ID, ps)
			}
			if seen[ps.ID] {
				t.Fatalf("ID %s twice", ps.ID)
			}
			seen[ps.ID] = true
		}
		a, b, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := validatePack(a, b); err != nil {
			t.Fatalf("pack breaks docs/PACKS.md: %v", err)
		}
	})
}
