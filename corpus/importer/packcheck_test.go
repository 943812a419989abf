package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// validatePack holds pack.json and passages.jsonl to docs/PACKS.md. It
// stands in for the corpus package's pack loader, written in parallel, until
// the two branches meet.
func validatePack(packJSON, passagesJSONL []byte) error {
	var meta struct {
		ID        string            `json:"id"`
		Date      string            `json:"date"`
		Place     map[string]string `json:"place"`
		Documents []struct {
			Key    string            `json:"key"`
			Kind   string            `json:"kind"`
			Prefix *string           `json:"prefix"`
			Title  map[string]string `json:"title"`
			Short  map[string]string `json:"short"`
		} `json:"documents"`
	}
	dec := json.NewDecoder(bytes.NewReader(packJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return fmt.Errorf("pack.json: %w", err)
	}
	if err := ValidID(meta.ID); err != nil {
		return fmt.Errorf("pack.json: %w", err)
	}
	if meta.Date != "" && !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(meta.Date) {
		return fmt.Errorf("pack.json: date %q", meta.Date)
	}
	if len(meta.Documents) == 0 {
		return fmt.Errorf("pack.json: no documents")
	}
	keyRE := regexp.MustCompile(`^[a-z0-9_]+$`)
	docs := map[string]string{} // key -> prefix
	prefixes := map[string]bool{}
	sectioned := 0
	for i, d := range meta.Documents {
		if !keyRE.MatchString(d.Key) || docs[d.Key] != "" {
			return fmt.Errorf("pack.json: document %d: bad or repeated key %q", i, d.Key)
		}
		if d.Kind != "declaration" && d.Kind != "statement" {
			return fmt.Errorf("pack.json: document %s: kind %q", d.Key, d.Kind)
		}
		if d.Prefix == nil {
			return fmt.Errorf("pack.json: document %s: no prefix", d.Key)
		}
		switch p := *d.Prefix; {
		case p == "":
			sectioned++
		case len(p) == 1 && 'A' <= p[0] && p[0] <= 'Z' && !prefixes[p]:
			prefixes[p] = true
		default:
			return fmt.Errorf("pack.json: document %s: prefix %q", d.Key, p)
		}
		if d.Title["zh-Hans"] == "" || d.Short["zh-Hans"] == "" {
			return fmt.Errorf("pack.json: document %s: title and short need zh-Hans", d.Key)
		}
		docs[d.Key] = *d.Prefix + "\x00"
	}
	if sectioned > 1 {
		return fmt.Errorf("pack.json: %d sectioned documents", sectioned)
	}
	sectionedRE := regexp.MustCompile(`^([0-9])\.([1-9][0-9]*)$`)
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(passagesJSONL))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var p Passage
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("passages.jsonl:%d: %w", n, err)
		}
		pfx, ok := docs[p.Doc]
		if !ok {
			return fmt.Errorf("passages.jsonl:%d: doc %q is not in pack.json", n, p.Doc)
		}
		pfx = strings.TrimSuffix(pfx, "\x00")
		if pfx == "" {
			m := sectionedRE.FindStringSubmatch(p.ID)
			if m == nil || p.Section != m[1] {
				return fmt.Errorf("passages.jsonl:%d: ID %q section %q", n, p.ID, p.Section)
			}
		} else if !regexp.MustCompile(`^`+pfx+`[1-9][0-9]*$`).MatchString(p.ID) || p.Section != pfx {
			return fmt.Errorf("passages.jsonl:%d: ID %q section %q in a document with prefix %s", n, p.ID, p.Section, pfx)
		}
		if seen[p.ID] {
			return fmt.Errorf("passages.jsonl:%d: ID %s repeated", n, p.ID)
		}
		seen[p.ID] = true
		if strings.TrimSpace(p.TextHans) == "" || strings.TrimSpace(p.TextHant) == "" {
			return fmt.Errorf("passages.jsonl:%d: %s has an empty text", n, p.ID)
		}
	}
	if n == 0 {
		return fmt.Errorf("passages.jsonl: empty")
	}
	return sc.Err()
}

func checkPack(t *testing.T, p *Pack) {
	t.Helper()
	a, b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := validatePack(a, b); err != nil {
		t.Errorf("the pack does not hold to docs/PACKS.md: %v", err)
	}
}
