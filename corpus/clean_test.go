package corpus

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"外空\u202e武器化", "外空武器化"},                   // bidi override
		{"外\u200b空\u2060武\u00ad器\ufeff化", "外空武器化"}, // zero-width space, word joiner, soft hyphen, BOM
		{"<b>外空</b>", " 外空 "},
		{"&lt;script&gt;alert(1)&lt;/script&gt;外空", " alert(1) 外空"}, // entities are no way around the tag rule
		{"a < b & c", "a < b & c"},
		{"line\nbreak\ttab\x00nul", "line break tabnul"},
		{"bad \xff utf8", "bad  utf8"},
	} {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanTextHanBlock(t *testing.T) {
	for r := rune(hanBlockLo); r <= hanBlockHi; r++ {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || unicode.IsSpace(r) {
			t.Fatalf("U+%04X is a control, format or space character: CleanText's fast path would keep it", r)
		}
	}
}

func TestNumberRuns(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"2024年第14届", "2024 14"},
		{"反恐协作－2024", "2024"},
		{"no digits", ""},
		{"7", "7"},
		{"a1b22c333", "1 22 333"},
		{"１２", ""}, // full-width digits are folded first where they count
	} {
		var got []string
		for i, j := range NumberRuns(tt.s) {
			got = append(got, tt.s[i:j])
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("NumberRuns(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestRuns(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"What about Afghanistan?", "What|about|Afghanistan"},
		{"Афганистан — 阿富汗!", "Афганистан|阿富汗"},
		{"", ""},
		{"  ", ""},
	} {
		var got []string
		for i, j := range Runs(tt.s, unicode.IsLetter) {
			got = append(got, tt.s[i:j])
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("Runs(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
