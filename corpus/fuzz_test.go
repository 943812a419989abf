package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLookup: what people type must never crash the lookup, and whatever it
// resolves must be real passages of one document in corpus order.
func FuzzLookup(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"2.36", "二.36", "2-36", "§2.36", "第二部分第36段", "第二部分第三十六段", "t3", "2.17-2.19", "2.17-19", "T3-T5", "", "-", "9.99", "2.36-", "-2.36", "十十", "【２．３６】", "第九十九部分第九十九段", "0.1-W13"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := c.Lookup(s)
		if err != nil {
			if ps != nil {
				t.Fatalf("Lookup(%q) returned passages with an error", s)
			}
			if !utf8.ValidString(err.Error()) && utf8.ValidString(s) {
				t.Fatalf("error message is not UTF-8: %q", err)
			}
			return
		}
		if len(ps) == 0 {
			t.Fatalf("Lookup(%q) returned nothing and no error", s)
		}
		for i, p := range ps {
			got, ok := c.Get(p.ID)
			if !ok || got.TextHans != p.TextHans {
				t.Fatalf("Lookup(%q) returned a passage not in the corpus: %s", s, p.ID)
			}
			if p.Doc != ps[0].Doc {
				t.Fatalf("Lookup(%q) crossed documents", s)
			}
			if i > 0 && p.Index != ps[i-1].Index+1 {
				t.Fatalf("Lookup(%q) is not a contiguous run", s)
			}
		}
		// A single canonical ID names exactly its passage.
		again, err := c.Lookup(ps[0].ID)
		if err != nil || len(again) != 1 || again[0].ID != ps[0].ID {
			t.Fatalf("canonical ID %s does not round-trip", ps[0].ID)
		}
	})
}

// FuzzFold: folding never crashes, yields valid UTF-8 for valid input, is
// idempotent, and never lets a full-width letter or a corner quote through.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"上合組織「開發銀行」", "ＳＣＯ　２０２５", "恢覆", "a  b\t\nc", "——", "\xff\xfe", "𫝈", strings.Repeat("國", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, got)
		}
		if Fold(got) != got {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, got, Fold(got))
		}
		if strings.ContainsAny(got, "「」『』“”‘’ＡＺａｚ０９　") {
			t.Fatalf("Fold(%q) = %q kept a variant it should fold", s, got)
		}
		_ = DetectScript(s)
		_ = DetectLang(s)
	})
}
