package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// seedsDir finds ../shared/seeds from the repository root (or
// DECLBOT_SEEDS). Users' clones have no shared/ folder, so the tests that
// compare the corpus with its sources skip there, visibly; in CI (CI=true)
// a missing seeds folder is a failure, never a skip.
func seedsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DECLBOT_SEEDS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "seeds")
	}
	if _, err := os.Stat(filepath.Join(dir, "001_5aa1cf5707f6d3df.txt")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("seed files not found in %s (CI must have ../shared/seeds): %v", dir, err)
		}
		t.Skipf("SKIP: seed files not found in %s; set DECLBOT_SEEDS to compare the corpus with its sources", dir)
	}
	return dir
}

func readSeed(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// seed001Declaration returns the declaration's paragraphs from seed 001,
// one per non-empty line after the marker, without section numerals.
func seed001Declaration(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	started := false
	for _, l := range strings.Split(readSeed(t, dir, "001_5aa1cf5707f6d3df.txt"), "\n") {
		l = strings.TrimSpace(l)
		if !started {
			started = strings.Contains(l, "全文如下")
			continue
		}
		if l == "" || (len([]rune(l)) == 1 && strings.Contains("一二三四五", l)) {
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestDeclarationMatchesSeed001(t *testing.T) {
	dir := seedsDir(t)
	c := load(t)
	lines := seed001Declaration(t, dir)
	var decl []Passage
	for _, p := range c.Passages() {
		if p.Doc == "declaration" && p.ID != "0.1" {
			decl = append(decl, p)
		}
	}
	// 5.8 is the ten signature lines joined.
	sig := strings.Join(lines[len(lines)-10:], "\n")
	lines = append(lines[:len(lines)-10], sig)
	if len(lines) != len(decl) {
		t.Fatalf("seed 001 has %d paragraphs (with the signature block as one), corpus %d", len(lines), len(decl))
	}
	for i, p := range decl {
		// Traditional: seed 001 as given.
		if p.TextHant != lines[i] {
			t.Errorf("%s: text_hant differs from seed 001:\n corpus %q\n seed   %q", p.ID, p.TextHant, lines[i])
		}
		// Simplified: the folded conversion of seed 001.
		if Fold(p.TextHans) != Fold(lines[i]) {
			t.Errorf("%s: text_hans does not fold to seed 001's text", p.ID)
		}
	}
}

func TestDeclarationMatchesSeed000WhereTheyOverlap(t *testing.T) {
	dir := seedsDir(t)
	c := load(t)
	raw := readSeed(t, dir, "000_e373f0b2fac9657f.txt")
	end := strings.Index(raw, "（下转第四版）")
	if end < 0 {
		t.Fatal("seed 000: page break not found")
	}
	seed := noSpace(raw[:end])
	var b strings.Builder
	lastSec := ""
	for _, p := range c.Passages() {
		if p.Doc != "declaration" {
			break
		}
		if p.Section != lastSec && p.Section != "0" {
			b.WriteString(sectionNumerals[p.Section[0]-'0']) // the heading 一, 二 in the page
		}
		lastSec = p.Section
		b.WriteString(noSpace(p.TextHans))
		if b.Len() >= len(seed) {
			break
		}
	}
	got := b.String()
	if !strings.HasPrefix(got, seed) {
		i := 0
		for i < len(seed) && i < len(got) && seed[i] == got[i] {
			i++
		}
		t.Fatalf("simplified declaration differs from seed 000 at byte %d:\n corpus %.60s\n seed   %.60s", i, got[i:], seed[i:])
	}
	// The overlap must end on a paragraph boundary (2.36).
	if len(got) != len(seed) {
		t.Errorf("seed 000 ends inside a paragraph: corpus has %d more bytes", len(got)-len(seed))
	}
}

func TestStatementsMatchSeed000(t *testing.T) {
	dir := seedsDir(t)
	c := load(t)
	raw := readSeed(t, dir, "000_e373f0b2fac9657f.txt")
	tests := []struct {
		section, start string
	}{
		{"T", "我们，上海合作组织"},
		{"W", "值此第二次世界大战胜利"},
	}
	for _, tt := range tests {
		i := strings.Index(raw, tt.start)
		if i < 0 {
			t.Fatalf("seed 000: %s not found", tt.start)
		}
		j := strings.Index(raw[i:], "2025 年 9 月 1 日 天津")
		if j < 0 {
			t.Fatalf("seed 000: end of statement %s not found", tt.section)
		}
		seed := noSpace(raw[i : i+j])
		var b strings.Builder
		for _, p := range c.Passages() {
			if p.Section == tt.section {
				b.WriteString(noSpace(p.TextHans))
				// Every statement paragraph is a complete sentence.
				if !strings.HasSuffix(p.TextHans, "。") && !strings.HasSuffix(p.TextHans, "：") {
					t.Errorf("%s does not end a sentence: %q", p.ID, p.TextHans)
				}
				if Fold(p.TextHant) != Fold(p.TextHans) {
					t.Errorf("%s: traditional text is not the conversion of the simplified", p.ID)
				}
			}
		}
		if b.String() != seed {
			t.Errorf("statement %s differs from seed 000:\n corpus %.80s\n seed   %.80s", tt.section, b.String(), seed)
		}
	}
}

func TestOpeningParagraphMatchesSeed000(t *testing.T) {
	dir := seedsDir(t)
	c := load(t)
	raw := noSpace(readSeed(t, dir, "000_e373f0b2fac9657f.txt"))
	p, _ := c.Get("0.1")
	if !strings.HasPrefix(raw, noSpace(p.TextHans)) {
		t.Errorf("0.1 is not the opening of seed 000: %q", p.TextHans)
	}
}
