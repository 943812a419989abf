package corpus

import (
	"strings"
	"testing"
	"unicode"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"上海合作組織", "上海合作组织"},
		{"「上海精神」", `"上海精神"`},
		{"“上海精神”", `"上海精神"`},
		{"２０２５年９月", "2025年9月"},
		{"2025 年 9 月", "2025年9月"},
		{"  Belt  and\tRoad ", "belt and road"},
		{"ＳＣＯ　峰會", "sco峰会"},
		{"責任——讓", "责任--让"},
		{"恢覆建設性對話", "恢复建设性对话"},
		{"經濟覆蘇", "经济复苏"},
		{"朝著更加公正", "朝着更加公正"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A traditional text and its simplified twin must fold to the same string,
// or traditional questions would retrieve different passages.
func TestFoldScriptsAgreeForEveryPassage(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		h, t2 := Fold(p.TextHans), Fold(p.TextHant)
		if h != t2 {
			rh, rt := []rune(h), []rune(t2)
			i := 0
			for i < len(rh) && i < len(rt) && rh[i] == rt[i] {
				i++
			}
			t.Errorf("%s: folds differ at rune %d: hans %q, hant %q", p.ID, i, excerpt(rh, i), excerpt(rt, i))
		}
	}
}

func excerpt(r []rune, i int) string {
	lo, hi := max(0, i-6), min(len(r), i+6)
	return string(r[lo:hi])
}

func TestFoldIsIdempotent(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		f := Fold(p.TextHant)
		if Fold(f) != f {
			t.Errorf("%s: Fold is not idempotent", p.ID)
		}
	}
}

func TestDetectScript(t *testing.T) {
	tests := []struct {
		in   string
		want Script
	}{
		{"上合组织开发银行是什么？", Hans},
		{"上合組織開發銀行是什麼？", Hant},
		{"宣言在禁毒合作上有哪些內容？", Hant}, // 合 is written in both scripts
		{"宣言提到哪些国家的后续合作？", Hans},
		{"What does the declaration say about AI?", Hans},
		{"Что сказано о санкциях?", Hans},
		{"", Hans},
	}
	for _, tt := range tests {
		if got := DetectScript(tt.in); got != tt.want {
			t.Errorf("DetectScript(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDetectLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
	}{
		{"上合组织开发银行是什么？", LangHans},
		{"上合組織開發銀行是什麼？", LangHant},
		{"What does the declaration say about the SCO Development Bank?", LangEn},
		{"Что декларация говорит о банке развития ШОС?", LangRu},
		{"What is 上合组织?", LangHans}, // 5 Han of 11 letters: Chinese enough
		{"Tell me about the Bank of the SCO 银行", LangEn},
		{"2.36", LangHans},
		{"", LangHans},
		{"😀", LangHans},
	}
	for _, tt := range tests {
		if got := DetectLang(tt.in); got != tt.want {
			t.Errorf("DetectLang(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if LangHant.Script() != Hant || LangEn.Script() != Hans || !LangHans.IsChinese() || LangRu.IsChinese() {
		t.Error("Lang helpers disagree")
	}
}

// Fold and DetectScript read the block U+3400-U+9FFF from hanFolds: it
// must say what foldRune and the maps say, rune for rune.
func TestHanFoldsMatchFoldRune(t *testing.T) {
	table, simpOnly, h := tsTable(), simplifiedOnly(), hanFolds()
	for r := rune(hanBlockLo); r <= hanBlockHi; r++ {
		i := r - hanBlockLo
		want := foldRune(r, table)
		got := r
		if h.fold[i] != 0 {
			got = h.fold[i]
		}
		if got != want {
			t.Fatalf("U+%04X folds to U+%04X, foldRune says U+%04X", r, got, want)
		}
		if unicode.IsSpace(got) || got < 0x80 {
			t.Fatalf("U+%04X folds to a space or ASCII (U+%04X): Fold's fast path would drop the spacing rule", r, got)
		}
		_, inTable := table[r]
		if h.trad[i/64]&(1<<(i%64)) != 0 != inTable {
			t.Fatalf("U+%04X: trad bit %v, in the table %v", r, !inTable, inTable)
		}
		if h.simpOnly[i/64]&(1<<(i%64)) != 0 != simpOnly[r] {
			t.Fatalf("U+%04X: simpOnly bit %v, in simplifiedOnly %v", r, !simpOnly[r], simpOnly[r])
		}
	}
	// Fold and DetectScript look up no rune that is not Han.
	for r := range table {
		if !IsHan(r) {
			t.Errorf("the traditional table maps %q, which is not Han", r)
		}
	}
	for r := range simpOnly {
		if !IsHan(r) {
			t.Errorf("simplifiedOnly holds %q, which is not Han", r)
		}
	}
}

// Fold is the old rune-by-rune fold (foldRune for every rune) on text
// that mixes the block with everything around it.
func TestFoldMatchesRuneFold(t *testing.T) {
	c := load(t)
	texts := []string{"ＳＣＯ　峰會 “薴” 恢覆 朝著 Belt  and\tRoad 2025 年", "㐀䶵䷀䷿一鿿 丽 𠀀 \u00a0x y", ""}
	for _, p := range c.Passages() {
		texts = append(texts, p.TextHans, p.TextHant, p.TextIn(LangEn), p.TextIn(LangRu))
	}
	for _, s := range texts {
		if got, want := Fold(s), runeFold(s); got != want {
			t.Errorf("Fold(%.40q) = %.40q, want %.40q", s, got, want)
		}
	}
}

// runeFold is Fold as it was before hanFolds: foldRune for every rune.
func runeFold(s string) string {
	table := tsTable()
	var b strings.Builder
	var prev rune
	pendingSpace := false
	for _, r := range s {
		r = foldRune(r, table)
		if unicode.IsSpace(r) {
			pendingSpace = true
			continue
		}
		if pendingSpace && isASCIIAlnum(prev) && isASCIIAlnum(r) {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(r)
		prev = r
	}
	out := b.String()
	if strings.ContainsAny(out, "覆著") {
		out = phraseFolds.Replace(out)
	}
	return out
}

func TestIsHan(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if IsHan(r) != unicode.Is(unicode.Han, r) {
			t.Fatalf("IsHan(U+%04X) = %v, unicode.Is(unicode.Han) says %v", r, IsHan(r), !IsHan(r))
		}
	}
}
