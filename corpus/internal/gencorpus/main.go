// Command gencorpus derives corpus/data/passages.jsonl from the two seed
// files in ../shared/seeds. It is run once by a maintainer (it needs the
// opencc command from Debian's opencc package); users and CI never run it,
// they read the committed output. Running it again must reproduce the
// committed file byte for byte, which TestGeneratedCorpusIsReproducible
// checks when the seeds are present.
//
//	go run ./corpus/internal/gencorpus -seeds ../shared/seeds -out corpus/data/passages.jsonl
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// upstreamFixes corrects the characters the upstream traditional->simplified
// machine conversion of seed 001 got wrong (listed in the seeds README). Each
// pair is applied to the OpenCC t2s output; seed 000, where it overlaps,
// confirms the corrected form.
var upstreamFixes = []struct{ from, to string }{
	{"恢覆", "恢复"},
	{"覆苏", "复苏"},
	{"覆兴", "复兴"},
	{"朝著", "朝着"},
	{"本著", "本着"},
}

// hantFixes brings OpenCC's s2tw output for the statements into the style of
// seed 001 (盡快, 周年, 鑒) and corrects one phrase OpenCC gets wrong
// (維護發展 read as 護髮, "hair care").
var hantFixes = []struct{ from, to string }{
	{"髮展", "發展"},
	{"儘快", "盡快"},
	{"週年", "周年"},
	{"鑑此", "鑒此"},
}

// Section counts from the seeds README; the generator refuses to write a
// corpus that disagrees.
var sectionCounts = []int{17, 44, 38, 27, 7}

const signatories = 10

type passage struct {
	ID       string `json:"id"`
	Doc      string `json:"doc"`
	Section  string `json:"section"`
	TextHans string `json:"text_hans"`
	TextHant string `json:"text_hant"`
}

func main() {
	seeds := flag.String("seeds", "../shared/seeds", "folder holding the seed files")
	out := flag.String("out", "corpus/data/passages.jsonl", "file to write")
	flag.Parse()
	ps, err := build(*seeds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			fmt.Fprintln(os.Stderr, "gencorpus:", err)
			os.Exit(1)
		}
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gencorpus: wrote %d passages to %s\n", len(ps), *out)
}

func build(seeds string) ([]passage, error) {
	trad, err := os.ReadFile(filepath.Join(seeds, "001_5aa1cf5707f6d3df.txt"))
	if err != nil {
		return nil, err
	}
	simp, err := os.ReadFile(filepath.Join(seeds, "000_e373f0b2fac9657f.txt"))
	if err != nil {
		return nil, err
	}

	// Seed 001: one paragraph per line after the marker line.
	lines := nonEmptyLines(string(trad))
	start := -1
	for i, l := range lines {
		if strings.Contains(l, "全文如下") {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, errors.New("seed 001: marker 「天津宣言」全文如下： not found")
	}
	body := lines[start:]
	numerals := []string{"一", "二", "三", "四", "五"}
	type para struct{ id, section, hant string }
	var decl []para
	sec := -1
	n := 0
	for _, l := range body {
		if sec+1 < len(numerals) && l == numerals[sec+1] {
			sec++
			n = 0
			continue
		}
		if sec < 0 {
			return nil, fmt.Errorf("seed 001: text before section 一: %q", l)
		}
		n++
		decl = append(decl, para{fmt.Sprintf("%d.%d", sec+1, n), fmt.Sprint(sec + 1), l})
	}
	// The last `signatories` lines of section 五 are the signature block.
	if len(decl) < signatories {
		return nil, errors.New("seed 001: too few lines")
	}
	sigLines := decl[len(decl)-signatories:]
	decl = decl[:len(decl)-signatories]
	got := map[string]int{}
	for _, p := range decl {
		got[p.section]++
	}
	for i, want := range sectionCounts {
		if sec := fmt.Sprint(i + 1); got[sec] != want {
			return nil, fmt.Errorf("seed 001: section %s has %d paragraphs, want %d", numerals[i], got[sec], want)
		}
	}
	var sig []string
	for _, s := range sigLines {
		sig = append(sig, s.hant)
	}
	decl = append(decl, para{fmt.Sprintf("5.%d", sectionCounts[4]+1), "5", strings.Join(sig, "\n")})

	hantAll := make([]string, len(decl))
	for i, p := range decl {
		hantAll[i] = p.hant
	}
	hansAll, err := opencc("t2s.json", hantAll)
	if err != nil {
		return nil, err
	}
	for i := range hansAll {
		hansAll[i] = mainlandQuotes(applyFixes(hansAll[i]))
	}

	// Seed 000: the declaration's opening (0.1) and first sections up to the
	// page break, then the two statements. Paragraph boundaries are lost, so
	// lines are joined and split again.
	sl := nonEmptyLines(string(simp))
	joined := func(ls []string) string { return cleanPDF(strings.Join(ls, "")) }
	idx := func(sub string, from int) int {
		for i := from; i < len(sl); i++ {
			if strings.Contains(sl[i], sub) {
				return i
			}
		}
		return -1
	}
	brk := idx("下转第四版", 0)
	if brk < 0 {
		return nil, errors.New("seed 000: page break （下转第四版） not found")
	}
	declSimp := joined(sl[:brk])
	const opening = "发表宣言如下："
	k := strings.Index(declSimp, opening)
	if k < 0 {
		return nil, errors.New("seed 000: opening paragraph not found")
	}
	preamble := declSimp[:k+len(opening)]
	overlap := strings.TrimPrefix(declSimp[k+len(opening):], "一")
	// The overlap must equal the corrected conversion paragraph by
	// paragraph; a mismatch means the fixes table is incomplete.
	rest := overlap
	for i := 0; i < len(hansAll) && rest != ""; i++ {
		h := stripSpace(hansAll[i])
		if i > 0 && decl[i].section != decl[i-1].section {
			// The section heading (二) sits between two paragraphs.
			n, _ := strconv.Atoi(decl[i].section)
			rest = strings.TrimPrefix(rest, numerals[n-1])
		}
		if !strings.HasPrefix(rest, h) {
			return nil, fmt.Errorf("seed 000 and converted seed 001 differ at %s:\n000: %.80s\n001: %.80s", decl[i].id, rest, h)
		}
		rest = rest[len(h):]
	}

	tradStart := idx("我们，上海合作组织", brk)
	tradEnd := idx("年 9 月 1 日 天津", tradStart)
	warStart := idx("值此第二次世界大战胜利", tradEnd)
	warEnd := idx("年 9 月 1 日 天津", warStart)
	if tradStart < 0 || tradEnd < 0 || warStart < 0 || warEnd < 0 {
		return nil, errors.New("seed 000: statement boundaries not found")
	}
	tradeParas := splitParagraphs(sl[tradStart:tradEnd])
	warParas := splitParagraphs(sl[warStart:warEnd])

	var out []passage
	preHant, err := opencc("s2tw.json", []string{preamble})
	if err != nil {
		return nil, err
	}
	out = append(out, passage{"0.1", "declaration", "0", preamble, toHant(preHant[0])})
	for i, p := range decl {
		out = append(out, passage{p.id, "declaration", p.section, hansAll[i], p.hant})
	}
	for _, st := range []struct {
		prefix, doc string
		paras       []string
	}{{"T", "trade", tradeParas}, {"W", "ww2un80", warParas}} {
		hant, err := opencc("s2tw.json", st.paras)
		if err != nil {
			return nil, err
		}
		for i, h := range st.paras {
			out = append(out, passage{fmt.Sprintf("%s%d", st.prefix, i+1), st.doc, st.prefix, h, toHant(hant[i])})
		}
	}
	return out, nil
}

// splitParagraphs joins PDF lines into paragraphs. In both statements a
// paragraph ends exactly where a line ends with a full stop or colon: the
// page set each paragraph's last line short and indented the next one.
func splitParagraphs(ls []string) []string {
	var paras []string
	var cur strings.Builder
	for _, l := range ls {
		cur.WriteString(strings.TrimSpace(l))
		t := strings.TrimSpace(l)
		if strings.HasSuffix(t, "。") || strings.HasSuffix(t, "：") {
			paras = append(paras, cleanPDF(cur.String()))
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		paras = append(paras, cleanPDF(cur.String()))
	}
	return paras
}

func nonEmptyLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// cleanPDF removes the spaces the PDF extraction put around digits and
// between CJK characters; a space between two Latin letters or digits is
// kept.
func cleanPDF(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsSpace(r) {
			var prev, next rune
			for j := i - 1; j >= 0; j-- {
				if !unicode.IsSpace(rs[j]) {
					prev = rs[j]
					break
				}
			}
			for j := i + 1; j < len(rs); j++ {
				if !unicode.IsSpace(rs[j]) {
					next = rs[j]
					break
				}
			}
			if isLatin(prev) && isLatin(next) && !unicode.IsSpace(rs[i-1]) {
				b.WriteRune(' ')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isLatin reports whether a space next to r is a real word space: the
// mainland style writes digits against CJK with no space ("2025年9月1日"), so
// only ASCII letters keep one.
func isLatin(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func applyFixes(s string) string {
	for _, f := range upstreamFixes {
		s = strings.ReplaceAll(s, f.from, f.to)
	}
	return s
}

func mainlandQuotes(s string) string {
	return strings.NewReplacer("「", "“", "」", "”", "『", "‘", "』", "’").Replace(s)
}

// toHant finishes an s2tw conversion: seed 001's corner quotes and the
// hantFixes.
func toHant(s string) string {
	for _, f := range hantFixes {
		s = strings.ReplaceAll(s, f.from, f.to)
	}
	return cornerQuotes(s)
}

func cornerQuotes(s string) string {
	return strings.NewReplacer("“", "「", "”", "」", "‘", "『", "’", "』").Replace(s)
}

// opencc converts each string with the named OpenCC configuration, one line
// per string (none of the inputs contains a newline but the signature block,
// which is converted line by line and joined again).
func opencc(config string, in []string) ([]string, error) {
	var flat []string
	var counts []int
	for _, s := range in {
		parts := strings.Split(s, "\n")
		flat = append(flat, parts...)
		counts = append(counts, len(parts))
	}
	cmd := exec.Command("opencc", "-c", config)
	cmd.Stdin = strings.NewReader(strings.Join(flat, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("opencc -c %s (apt-get install opencc): %w: %s", config, err, stderr.String())
	}
	got := strings.Split(strings.TrimRight(string(outb), "\n"), "\n")
	if len(got) != len(flat) {
		return nil, fmt.Errorf("opencc -c %s: %d lines in, %d out", config, len(flat), len(got))
	}
	var out []string
	for _, c := range counts {
		out = append(out, strings.Join(got[:c], "\n"))
		got = got[c:]
	}
	return out, nil
}
