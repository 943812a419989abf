// Package packtest writes synthetic document packs for benchmarks and
// tests: many packs of many paragraphs, each a passage of the built-in
// texts drawn at random, so that their vocabulary and lengths are real. They are
// never real declarations and are written only to temporary directories.
package packtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/declbot/declbot/corpus"
)

// Write writes n packs of size paragraphs each (in five sections) into
// dir, as sub-directories synth2001, synth2002, …, each with English and
// Russian translations; the same arguments always write the same packs.
func Write(dir string, n, size int) error {
	c, err := corpus.Load()
	if err != nil {
		return err
	}
	src := c.Passages()
	for i := range n {
		id := fmt.Sprintf("synth%d", 2001+i)
		r := rand.New(rand.NewPCG(uint64(i+1), 2025))
		pdir := filepath.Join(dir, id)
		if err := os.MkdirAll(filepath.Join(pdir, "translations"), 0o755); err != nil {
			return err
		}
		meta := map[string]any{
			"id": id, "date": fmt.Sprintf("%d-07-01", 2001+i),
			"place": map[string]string{"zh-Hans": "合成", "en": "Synthetic"},
			"documents": []map[string]any{{
				"key": "declaration", "kind": "declaration", "prefix": "",
				"title": map[string]string{"zh-Hans": fmt.Sprintf("合成测试宣言%d", i+1), "en": fmt.Sprintf("Synthetic test declaration %d", i+1)},
			}},
		}
		var passages, en, ru []any
		seq := map[int]int{}
		en = append(en, map[string]string{"lang": "en", "note": "Synthetic test data; not a real text."})
		ru = append(ru, map[string]string{"lang": "ru", "note": "Синтетические тестовые данные; не настоящий текст."})
		for k := range size {
			a := src[r.IntN(len(src))]
			sec := 1 + k*5/size
			seq[sec]++
			local := fmt.Sprintf("%d.%d", sec, seq[sec])
			passages = append(passages, map[string]string{"id": local, "doc": "declaration", "section": fmt.Sprint(sec),
				"text_hans": a.TextHans, "text_hant": a.TextHant})
			en = append(en, map[string]string{"id": local, "text": a.TextEn})
			ru = append(ru, map[string]string{"id": local, "text": a.TextRu})
		}
		for name, lines := range map[string][]any{"passages.jsonl": passages, "translations/en.jsonl": en, "translations/ru.jsonl": ru} {
			if err := writeLines(filepath.Join(pdir, name), lines); err != nil {
				return err
			}
		}
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(pdir, "pack.json"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeLines(path string, lines []any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
