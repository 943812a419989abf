package telegram

import (
	"math/rand"
	"strings"
	"testing"
	"unicode"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

func TestEscapeHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<b>x</b> & co", "&lt;b&gt;x&lt;/b&gt; &amp; co"},
		{"&amp;", "&amp;amp;"},
		{"a\x00b\x07c\nd", "abc\nd"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := EscapeHTML(tt.in); got != tt.want {
			t.Errorf("EscapeHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Telegram reads it back as the (sanitized) input.
		text, _, err := tgtest.ParseHTML(EscapeHTML(tt.in))
		if err != nil || text != sanitize(tt.in) {
			t.Errorf("Telegram reads %q as %q, %v", EscapeHTML(tt.in), text, err)
		}
	}
}

func TestRenderNestsTags(t *testing.T) {
	var d doc
	d.quote("q ")
	d.add("qb", styleQuote|styleBold)
	d.bold(" b")
	d.add("bi", styleBold|styleItalic)
	d.plain(" <x> & ")
	d.code("c")
	want := "<blockquote>q <b>qb</b></blockquote><b> b<i>bi</i></b> &lt;x&gt; &amp; <code>c</code>"
	if got := d.html(); got != want {
		t.Errorf("html = %s\nwant   %s", got, want)
	}
	if _, _, err := tgtest.ParseHTML(d.html()); err != nil {
		t.Error(err)
	}
}

func TestMarkdownDoc(t *testing.T) {
	d := markdownDoc("# Title\nThe SCO **supports** [2.36] and `x<y`.\n- one\n* two\nA lone ** and * stay.")
	want := "<b>Title</b>\nThe SCO <b>supports</b> [2.36] and <code>x&lt;y</code>.\n• one\n• two\nA lone ** and * stay."
	if got := d.html(); got != want {
		t.Errorf("html =\n%s\nwant\n%s", got, want)
	}
}

func TestSplitPrefersBoundaries(t *testing.T) {
	para1 := strings.Repeat("上海合作组织支持多边贸易体制。", 10) // 150 units
	para2 := strings.Repeat("Sentence one is here. ", 8)
	var d doc
	d.plain(para1 + "\n\n")
	d.bold(para2)
	chunks := d.split(200)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want 2: %q", len(chunks), chunkTexts(chunks))
	}
	if chunks[0].text() != para1 {
		t.Errorf("first chunk should be the first paragraph, got %q", chunks[0].text())
	}
	// A long paragraph is cut after a sentence, not mid-word.
	long := strings.Repeat("The members reaffirmed their commitment. ", 20)
	for _, c := range (doc{{long, styleBold}}).split(100) {
		if s := c.text(); !strings.HasSuffix(s, ".") {
			t.Errorf("chunk does not end at a sentence: %q", s)
		}
		if !strings.HasPrefix(c.html(), "<b>") || !strings.HasSuffix(c.html(), "</b>") {
			t.Errorf("bold not carried across chunks: %s", c.html())
		}
	}
	// Chinese text without spaces is cut after a full stop.
	for _, c := range (doc{{strings.Repeat("各方强调，", 5) + strings.Repeat("成员国重申。", 30), 0}}).split(50) {
		if s := c.text(); !strings.HasSuffix(s, "。") && !strings.HasSuffix(s, "，") {
			t.Errorf("CJK chunk cut mid-sentence: %q", s)
		}
	}
}

func chunkTexts(ds []doc) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.text())
	}
	return out
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// checkSplit asserts the splitter's contract: every chunk is valid
// Telegram HTML that Telegram reads as the chunk's text, within the limit,
// and together the chunks hold all the text (whitespace at cuts aside).
func checkSplit(t *testing.T, d doc, limit int) {
	t.Helper()
	chunks := d.split(limit)
	var all strings.Builder
	for i, c := range chunks {
		text, _, err := tgtest.ParseHTML(c.html())
		if err != nil {
			t.Fatalf("chunk %d is not valid Telegram HTML: %v\n%s", i, err, c.html())
		}
		if text != c.text() {
			t.Fatalf("chunk %d reads as %q, want %q", i, text, c.text())
		}
		if n := utf16Len(text); n > limit || n == 0 {
			t.Fatalf("chunk %d has %d units (limit %d)", i, n, limit)
		}
		all.WriteString(text)
	}
	if noSpace(all.String()) != noSpace(sanitize(d.text())) {
		t.Fatalf("text lost in splitting:\n got %q\nwant %q", all.String(), d.text())
	}
}

func randomDoc(r *rand.Rand) doc {
	pieces := []string{"上海合作组织", "。", "Hello", " ", "\n", "\n\n", "<b>", "&amp;", "&", "<", ">", "😀", "Россия", ".", "! ", "[2.36]", "**", "`", "\t", "é"}
	var d doc
	for i := r.Intn(200); i >= 0; i-- {
		var b strings.Builder
		for j := r.Intn(8); j >= 0; j-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		d.add(b.String(), style(r.Intn(16)))
	}
	return d
}

func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 150; i++ {
		d := randomDoc(r)
		for _, limit := range []int{2, 3, 7, 64, 4096} {
			checkSplit(t, d, limit)
		}
	}
	checkSplit(t, doc{{strings.Repeat("x", 10000), styleBold}}, MaxMessageLen)
	checkSplit(t, doc{{strings.Repeat("😀", 5000), 0}}, MaxMessageLen)
}

func FuzzSplit(f *testing.F) {
	f.Add("上海合作组织。Hello <b> & world\n\n😀", uint8(3), 10)
	f.Add(strings.Repeat("a ", 100), uint8(0), 7)
	f.Fuzz(func(t *testing.T, s string, st uint8, limit int) {
		if limit < 2 || limit > 5000 { // an emoji needs 2 units
			return
		}
		var d doc
		half := len(s) / 2
		d.add(s[:half], style(st%16))
		d.add(s[half:], style(st/16))
		checkSplit(t, d, limit)
	})
}

// BenchmarkFormatLongAnswer measures turning a 16 000-character model
// answer into Telegram messages: Markdown to spans, split at 4096 units,
// rendered to HTML.
func BenchmarkFormatLongAnswer(b *testing.B) {
	a := longAnswer(40)
	b.SetBytes(int64(len(a.Text)))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range answerDoc(a).split(MaxMessageLen) {
			_ = c.html()
		}
	}
}
