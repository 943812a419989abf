// Command genconvert derives the script-conversion tables of corpus/convert.go
// from OpenCC's dictionaries (Debian's opencc package, Apache-2.0) and the
// built-in passages. It is run by a maintainer through convtable.sh, never by
// users or CI, who read the committed tables:
//
//	corpus/data/st_characters.txt  simplified -> traditional (Taiwan standard)
//	corpus/data/st_phrases.txt     words whose traditional form the character
//	                               table gets wrong (发展 is right by
//	                               character, 头发 is not)
//	corpus/data/ts_phrases.txt     OpenCC's TSPhrases, traditional -> simplified
//
// OpenCC's s2tw converts by longest match over 49,000 phrases, then
// characters, then Taiwan variants. Shipping all the phrases would triple the
// corpus data for words a declaration never uses, so st_phrases.txt keeps:
//
//   - every two-character phrase whose conversion the character table gets
//     wrong and that holds an ambiguous character (one with several
//     traditional forms: 发 發/髮, 干 幹/乾/干) found in the built-in texts;
//     these are the words a new declaration is most likely to need;
//   - every phrase OpenCC's longest match uses on the built-in texts, when
//     leaving it out would change their conversion (found by converting them
//     both ways until nothing differs).
//
// The house style of seed 001, which users of the built-in texts read, wins
// over OpenCC's where they differ (overrides), and 护发 ("hair care") is left
// out: in 维护发展 it would take 发 from 发展.
//
//	go run ./corpus/internal/genconvert -opencc DIR -passages corpus/data/passages.jsonl -out corpus/data
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// overrides replace OpenCC's phrase for these words: the traditional seed the
// built-in declaration is quoted from writes 盡快, 周年 and 鑒此.
var overrides = map[string]string{
	"尽快": "盡快",
	"周年": "周年",
	"鉴此": "鑒此",
}

// excluded phrases are OpenCC entries that do more harm than good in a
// declaration: 护发 turns 维护发展 into 維護髮展.
var excluded = map[string]bool{"护发": true}

func main() {
	dir := flag.String("opencc", "", "folder of OpenCC dictionaries dumped to text (STCharacters.txt, STPhrases.txt, TWVariants.txt, TSPhrases.txt)")
	passages := flag.String("passages", "corpus/data/passages.jsonl", "the built-in passages")
	out := flag.String("out", "corpus/data", "folder to write the tables to")
	flag.Parse()
	if err := run(*dir, *passages, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genconvert:", err)
		os.Exit(1)
	}
}

func run(dir, passages, out string) error {
	stChars, err := readDict(filepath.Join(dir, "STCharacters.txt"))
	if err != nil {
		return err
	}
	stPhrases, err := readDict(filepath.Join(dir, "STPhrases.txt"))
	if err != nil {
		return err
	}
	twVariants, err := readDict(filepath.Join(dir, "TWVariants.txt"))
	if err != nil {
		return err
	}
	tsPhrases, err := readDict(filepath.Join(dir, "TSPhrases.txt"))
	if err != nil {
		return err
	}
	texts, err := readTexts(passages)
	if err != nil {
		return err
	}

	tw := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if v, ok := twVariants[string(r)]; ok {
				b.WriteString(v[0])
			} else {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	// The character table: OpenCC's first candidate, in Taiwan variants.
	chars := map[string]string{}
	for k, v := range stChars {
		if t := tw(v[0]); t != k {
			chars[k] = t
		}
	}
	for k, v := range twVariants {
		if _, ok := stChars[k]; !ok && v[0] != k {
			chars[k] = v[0]
		}
	}
	byChar := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if t, ok := chars[string(r)]; ok {
				b.WriteString(t)
			} else {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	// full is OpenCC's phrase dictionary as the reference conversion uses
	// it: Taiwan variants applied, overrides in, exclusions out.
	full := map[string]string{}
	for k, v := range stPhrases {
		if !excluded[k] {
			full[k] = tw(v[0])
		}
	}
	for k, v := range overrides {
		full[k] = v
	}
	ambiguous := map[rune]bool{}
	for _, t := range texts {
		for _, r := range t {
			if v, ok := stChars[string(r)]; ok && len(v) > 1 {
				ambiguous[r] = true
			}
		}
	}
	table := map[string]string{}
	for k, v := range full {
		rs := []rune(k)
		if len(rs) == 2 && (ambiguous[rs[0]] || ambiguous[rs[1]]) && byChar(k) != v {
			table[k] = v
		}
	}
	for k, v := range overrides {
		table[k] = v
	}
	// Add the phrases the reference uses where the table converts a
	// built-in text differently, until none differs.
	for round := 0; ; round++ {
		added := 0
		for _, t := range texts {
			ref, refSegs := convert(t, full, byChar)
			if got, _ := convert(t, table, byChar); got == ref {
				continue
			}
			for _, seg := range refSegs {
				if _, ok := table[seg]; !ok {
					table[seg] = full[seg]
					added++
				}
			}
		}
		if added == 0 {
			break
		}
		if round > 10 {
			return fmt.Errorf("phrase table does not converge")
		}
	}

	header := func(what string) string {
		return "# " + what + ", from OpenCC\n" +
			"# (Apache License 2.0, https://github.com/BYVoid/OpenCC). Generated by\n" +
			"# corpus/internal/genconvert/convtable.sh; do not edit by hand.\n"
	}
	if err := writeTable(filepath.Join(out, "st_characters.txt"), header("Simplified -> traditional characters (Taiwan standard, first candidate)"), chars); err != nil {
		return err
	}
	if err := writeTable(filepath.Join(out, "st_phrases.txt"), header("Simplified -> traditional words the character table gets wrong"), table); err != nil {
		return err
	}
	ts := map[string]string{}
	for k, v := range tsPhrases {
		ts[k] = v[0]
	}
	return writeTable(filepath.Join(out, "ts_phrases.txt"), header("Traditional -> simplified phrases (TSPhrases)"), ts)
}

// convert is OpenCC's conversion: at each position the longest phrase of
// dict, else the character. It also returns the phrases it used.
func convert(s string, dict map[string]string, byChar func(string) string) (string, []string) {
	rs := []rune(s)
	var b strings.Builder
	var used []string
	for i := 0; i < len(rs); {
		n := 0
		for l := min(16, len(rs)-i); l >= 2; l-- {
			if _, ok := dict[string(rs[i:i+l])]; ok {
				n = l
				break
			}
		}
		if n == 0 {
			b.WriteString(byChar(string(rs[i])))
			i++
			continue
		}
		k := string(rs[i : i+n])
		b.WriteString(dict[k])
		used = append(used, k)
		i += n
	}
	return b.String(), used
}

func readDict(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (dump OpenCC's dictionaries with convtable.sh)", err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		m[k] = strings.Fields(v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: no entries", path)
	}
	return m, nil
}

func readTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p struct {
			TextHans string `json:"text_hans"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, p.TextHans)
	}
	return out, sc.Err()
}

func writeTable(path, header string, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(header)
	for _, k := range keys {
		b.WriteString(k + "\t" + m[k] + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
