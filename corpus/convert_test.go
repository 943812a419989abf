package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// builtinPassages reads the shipped passages.jsonl as written, with no
// translations joined in.
func builtinPassages(t *testing.T) []struct{ ID, Section, TextHans, TextHant string } {
	t.Helper()
	var out []struct{ ID, Section, TextHans, TextHant string }
	data, err := builtinFiles.ReadFile("data/passages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p struct {
			ID       string `json:"id"`
			Section  string `json:"section"`
			TextHans string `json:"text_hans"`
			TextHant string `json:"text_hant"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, struct{ ID, Section, TextHans, TextHant string }{p.ID, p.Section, p.TextHans, p.TextHant})
	}
	if len(out) == 0 {
		t.Fatal("no built-in passages")
	}
	return out
}

// The built-in declaration's simplified text was made from the traditional
// seed with OpenCC's t2s plus repairs; ToHans must make exactly the same.
func TestToHansReproducesBuiltinDeclaration(t *testing.T) {
	n := 0
	for _, p := range builtinPassages(t) {
		if p.ID == "0.1" || p.Section == "T" || p.Section == "W" {
			continue // these were written in simplified first
		}
		n++
		if got := ToHans(p.TextHant); got != p.TextHans {
			t.Errorf("%s: ToHans differs from the built-in text:\n got  %s\n want %s", p.ID, got, p.TextHans)
		}
	}
	if n != 134 {
		t.Errorf("compared %d passages, want the 134 of 1.1-5.8", n)
	}
}

// The opening paragraph and the statements were written in simplified and
// converted with OpenCC's s2tw in the seed's style; ToHant must agree.
func TestToHantReproducesBuiltinStatements(t *testing.T) {
	n := 0
	for _, p := range builtinPassages(t) {
		if p.ID != "0.1" && p.Section != "T" && p.Section != "W" {
			continue
		}
		n++
		if got := ToHant(p.TextHans); got != p.TextHant {
			t.Errorf("%s: ToHant differs from the built-in text:\n got  %s\n want %s", p.ID, got, p.TextHant)
		}
	}
	if n != 32 {
		t.Errorf("compared %d passages, want 32 (0.1, T1-T18, W1-W13)", n)
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, hans, hant string
	}{
		{"plain", "发展", "发展", "發展"},
		{"phrase with an ambiguous character", "头发", "头发", "頭髮"},
		{"longest match wins", "维护发展", "维护发展", "維護發展"},
		{"house style", "尽快实现", "尽快实现", "盡快實現"},
		{"quotes", "“上海精神”", "“上海精神”", "「上海精神」"},
		{"nested quotes", "“‘一带一路’倡议”", "“‘一带一路’倡议”", "「『一帶一路』倡議」"},
		{"ascii and digits kept", "2025年9月1日 AI 2.0", "2025年9月1日 AI 2.0", "2025年9月1日 AI 2.0"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ToHant(tt.in); got != tt.hant {
				t.Errorf("ToHant(%q) = %q, want %q", tt.in, got, tt.hant)
			}
			if got := ToHans(ToHant(tt.in)); got != tt.hans {
				t.Errorf("ToHans(ToHant(%q)) = %q, want %q", tt.in, got, tt.hans)
			}
		})
	}
	trad := []struct{ in, want string }{
		{"朝著更加公正", "朝着更加公正"},   // the Taiwan-style particle, as Fold repairs it
		{"恢覆建設性對話", "恢复建设性对话"}, // the seed's machine-conversion slip
		{"「上海精神」", "“上海精神”"},
		{"顯著", "显著"}, // 著 stays where it is right
	}
	for _, tt := range trad {
		if got := ToHans(tt.in); got != tt.want {
			t.Errorf("ToHans(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Converting to traditional loses nothing: converted back, every built-in
// simplified text is itself again. (Fold, with one character per
// character, need not agree: s2tw writes Taiwan's 瞭解 and 藉口, which Fold
// keeps apart from 了解 and 借口, in 1.16, 4.11 and 4.27.)
func TestConversionRoundTrip(t *testing.T) {
	for _, p := range builtinPassages(t) {
		if got := ToHans(ToHant(p.TextHans)); got != p.TextHans {
			t.Errorf("%s: ToHans(ToHant(text_hans)) differs:\n got  %s\n want %s", p.ID, got, p.TextHans)
		}
		if Fold(ToHans(p.TextHant)) != Fold(p.TextHant) {
			t.Errorf("%s: Fold(ToHans(text_hant)) != Fold(text_hant)", p.ID)
		}
	}
}

// Conversion changes Chinese characters and quotation marks only: the ASCII
// of any input (IDs, numbers, Latin names) comes out as it went in.
func FuzzConvert(f *testing.F) {
	f.Add("维护发展“上海精神”")
	f.Add("朝著「一帶一路」2.36")
	f.Add("\xff\xfe头发 AI")
	ascii := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x80 {
				return r
			}
			return -1
		}, s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{ToHans(s), ToHant(s)} {
			if ascii(out) != ascii(s) {
				t.Fatalf("conversion changed ASCII: %q -> %q", s, out)
			}
		}
	})
}
