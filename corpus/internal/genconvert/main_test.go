package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The committed tables must be what the generator makes from OpenCC's data
// and the built-in passages, so that nobody edits them by hand. It needs
// opencc_dict and OpenCC's dictionaries (apt-get install opencc); without
// them the test skips.
func TestTablesAreReproducible(t *testing.T) {
	const src = "/usr/share/opencc"
	if _, err := exec.LookPath("opencc_dict"); err != nil {
		t.Skip("SKIP: opencc_dict not installed (apt-get install opencc); cannot regenerate the tables")
	}
	dump := t.TempDir()
	for _, d := range []string{"STCharacters", "STPhrases", "TWVariants", "TSPhrases"} {
		cmd := exec.Command("opencc_dict", "-i", filepath.Join(src, d+".ocd2"), "-o", filepath.Join(dump, d+".txt"), "-f", "ocd2", "-t", "text")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("SKIP: opencc_dict %s: %v: %s", d, err, out)
		}
	}
	data := filepath.Join("..", "..", "data")
	out := t.TempDir()
	if err := run(dump, filepath.Join(data, "passages.jsonl"), out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"st_characters.txt", "st_phrases.txt", "ts_phrases.txt"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join(data, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("corpus/data/%s differs from the generator's output: run corpus/internal/genconvert/convtable.sh", name)
		}
	}
}
