package importer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// The seeds are the acceptance test of issue 14: importing them must give
// back the built-in texts, made from the same files by the one-off
// generator (corpus/internal/gencorpus) with OpenCC.

// seedsDir finds ../shared/seeds from the repository root (or
// DECLBOT_SEEDS), as corpus/seeds_test.go does: users' clones have no
// shared/ folder and skip, visibly; CI (CI=true) must have it.
func seedsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DECLBOT_SEEDS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "seeds")
	}
	if _, err := os.Stat(filepath.Join(dir, "001_5aa1cf5707f6d3df.txt")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("seed files not found in %s (CI must have ../shared/seeds): %v", dir, err)
		}
		t.Skipf("SKIP: seed files not found in %s; set DECLBOT_SEEDS to import them", dir)
	}
	return dir
}

func importSeed(t *testing.T, name string, prefixes []string) *Pack {
	t.Helper()
	path := filepath.Join(seedsDir(t), name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Import(name, data, Options{ID: "trans2025", Prefixes: prefixes})
	if err != nil {
		t.Fatal(err)
	}
	checkPack(t, p)
	return p
}

// builtin reads corpus/data/passages.jsonl, the built-in texts.
func builtin(t *testing.T) map[string]Passage {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "data", "passages.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]Passage{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p Passage
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		out[p.ID] = p
	}
	if len(out) != 166 {
		t.Fatalf("built-in corpus has %d passages, want 166", len(out))
	}
	return out
}

// Seed 001, the traditional transcript, is the declaration from 1.1 to the
// signature block 5.8, one paragraph a line: the import is the built-in
// declaration, both scripts exactly.
func TestImportSeed001(t *testing.T) {
	p := importSeed(t, "001_5aa1cf5707f6d3df.txt", nil)
	want := builtin(t)
	var wantIDs []string
	for _, counts := range []struct {
		sec, n int
	}{{1, 17}, {2, 44}, {3, 38}, {4, 27}, {5, 8}} {
		for i := 1; i <= counts.n; i++ {
			wantIDs = append(wantIDs, itoa(counts.sec)+"."+itoa(i))
		}
	}
	if got := ids(p); !reflect.DeepEqual(got, wantIDs) {
		t.Fatalf("IDs %v,\nwant %v", got, wantIDs)
	}
	for _, ps := range p.Passages {
		w := want[ps.ID]
		if ps.Doc != "declaration" || ps.Section != w.Section {
			t.Errorf("%s: doc %q section %q, want declaration %q", ps.ID, ps.Doc, ps.Section, w.Section)
		}
		if ps.TextHant != w.TextHant {
			t.Errorf("%s: text_hant differs from the built-in:\n got  %q\n want %q", ps.ID, ps.TextHant, w.TextHant)
		}
		if ps.TextHans != w.TextHans {
			t.Errorf("%s: text_hans differs from the built-in:\n got  %q\n want %q", ps.ID, ps.TextHans, w.TextHans)
		}
	}
	// The reporter's preamble (lines 1, 5, 9) is reported; the marker line
	// 「天津宣言」全文如下： names the declaration.
	var un []int
	for _, u := range p.Report.Unplaced {
		un = append(un, u.Line)
		if u.Why != "text before the declaration" {
			t.Errorf("line %d: %s", u.Line, u.Why)
		}
	}
	if !reflect.DeepEqual(un, []int{1, 5, 9}) {
		t.Errorf("unplaced lines %v, want the preamble's 1, 5, 9", un)
	}
	if d := p.Meta.Documents; len(d) != 1 || d[0].Title["zh-Hant"] != "天津宣言" {
		t.Errorf("documents %+v, want the declaration titled 天津宣言", d)
	}
	if p.Meta.Place["zh-Hans"] != "天津" {
		t.Errorf("place %v, want 天津 (from the preamble)", p.Meta.Place)
	}
	if p.Report.Documents[0].Signature != "5.8" {
		t.Errorf("signature block %q, want 5.8", p.Report.Documents[0].Signature)
	}
}

// Seed 000, the newspaper page: its two statements are the built-in T and
// W, both scripts exactly; its part of the declaration (0.1 to 2.36) is the
// built-in's simplified text exactly, and its traditional text is the
// built-in's but in eight paragraphs, where the built-in quotes seed 001 as
// given and the conversion writes what OpenCC's s2tw writes: 衝擊 for the
// seed's slip 沖擊 (1.2, 2.17, 2.21), 干涉 for 幹涉 (1.8, 1.16), 批准 for 批準
// (1.17), 恢復 for 恢覆 (2.23), 藉口 for 借口 (1.16) and 鑑定 for 鑒定 (2.29).
// There both are the simplified text in traditional script: ToHans gives it
// back.
func TestImportSeed000(t *testing.T) {
	p := importSeed(t, "000_e373f0b2fac9657f.txt", []string{"T", "W"})
	want := builtin(t)
	var wantIDs []string
	wantIDs = append(wantIDs, "0.1")
	for i := 1; i <= 17; i++ {
		wantIDs = append(wantIDs, "1."+itoa(i))
	}
	for i := 1; i <= 36; i++ {
		wantIDs = append(wantIDs, "2."+itoa(i))
	}
	for i := 1; i <= 18; i++ {
		wantIDs = append(wantIDs, "T"+itoa(i))
	}
	for i := 1; i <= 13; i++ {
		wantIDs = append(wantIDs, "W"+itoa(i))
	}
	if got := ids(p); !reflect.DeepEqual(got, wantIDs) {
		t.Fatalf("IDs %v,\nwant %v", got, wantIDs)
	}
	slips := map[string]bool{"1.2": true, "1.8": true, "1.16": true, "1.17": true, "2.17": true, "2.21": true, "2.23": true, "2.29": true}
	for _, ps := range p.Passages {
		w := want[ps.ID]
		if ps.Section != w.Section {
			t.Errorf("%s: section %q, want %q", ps.ID, ps.Section, w.Section)
		}
		if ps.TextHans != w.TextHans {
			t.Errorf("%s: text_hans differs from the built-in:\n got  %q\n want %q", ps.ID, ps.TextHans, w.TextHans)
		}
		switch {
		case slips[ps.ID]:
			if ps.TextHant == w.TextHant {
				t.Errorf("%s: expected the built-in's seed-001 slip here; update the list", ps.ID)
			}
			if corpus.ToHans(ps.TextHant) != w.TextHans {
				t.Errorf("%s: text_hant is not the simplified text in traditional script:\n got  %q\n want %q", ps.ID, ps.TextHant, w.TextHant)
			}
		case ps.TextHant != w.TextHant:
			t.Errorf("%s: text_hant differs from the built-in:\n got  %q\n want %q", ps.ID, ps.TextHant, w.TextHant)
		}
	}
	docs := map[string]string{}
	for _, d := range p.Meta.Documents {
		docs[d.Prefix] = d.Title["zh-Hans"]
	}
	if docs["T"] != "上海合作组织成员国元首理事会关于支持多边贸易体制的声明" ||
		docs["W"] != "上海合作组织成员国元首理事会关于第二次世界大战胜利和联合国成立80周年的声明" {
		t.Errorf("statement titles %q", docs)
	}
	if p.Meta.Date != "2025-09-01" || p.Meta.Place["zh-Hans"] != "天津" {
		t.Errorf("date %q place %v, want 2025-09-01 天津", p.Meta.Date, p.Meta.Place)
	}
	// What is not corpus material is reported, with its lines: the page
	// break that cuts the declaration, the news item and its headline, the
	// photo caption, and the truncated list of presidency outcomes.
	found := map[string]bool{}
	for _, u := range p.Report.Unplaced {
		found[u.Lines()+" "+u.Why] = true
	}
	for _, w := range []string{
		"line 361 page break: the text goes on in a part of the page that is not in this file",
		"lines 362-400 news item",
		"line 402 headline of a news item",
		"lines 625-627 photo caption",
		"lines 629-633 text outside any document",
		"line 635 section heading out of sequence",
		"lines 636-690 list item outside any document",
		"line 692 page break: the text goes on in a part of the page that is not in this file",
		"lines 694-695 text outside any document",
	} {
		if !found[w] {
			t.Errorf("the report does not list %q; it lists %v", w, p.Report.Unplaced)
		}
	}
	if d := p.Report.Documents[0]; d.Truncated != "（下转第四版）" {
		t.Errorf("declaration not reported as cut off: %+v", d)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
