package corpus

import "testing"

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
