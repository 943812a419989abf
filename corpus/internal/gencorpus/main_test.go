package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The committed corpus must be what the generator makes from the seeds, so
// that nobody edits passages.jsonl by hand. The generator needs opencc
// (apt-get install opencc) and the seeds; without either the test skips.
func TestGeneratedCorpusIsReproducible(t *testing.T) {
	if _, err := exec.LookPath("opencc"); err != nil {
		t.Skip("SKIP: opencc not installed (apt-get install opencc); cannot regenerate the corpus")
	}
	seeds := filepath.Join("..", "..", "..", "..", "shared", "seeds")
	if _, err := os.Stat(seeds); err != nil {
		t.Skipf("SKIP: seeds not found at %s", seeds)
	}
	ps, err := build(seeds)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "data", "passages.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Error("corpus/data/passages.jsonl differs from the generator's output: run go run ./corpus/internal/gencorpus")
	}
}
