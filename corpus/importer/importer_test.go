package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ids(p *Pack) []string {
	var out []string
	for _, ps := range p.Passages {
		out = append(out, ps.ID)
	}
	return out
}

func passage(t *testing.T, p *Pack, id string) Passage {
	t.Helper()
	for _, ps := range p.Passages {
		if ps.ID == id {
			return ps
		}
	}
	t.Fatalf("no passage %s among %v", id, ids(p))
	return Passage{}
}

func TestImport(t *testing.T) {
	type text struct{ id, hans, hant string }
	tests := []struct {
		name     string
		file     string
		prefixes []string
		layout   string
		ids      []string
		texts    []text
		docs     []string // pack.json's document keys and titles, "key 标题"
		date     string
		place    string
		unplaced []string // "line: why"
	}{
		{
			name: "Markdown with ## 一、 headings, a title, an opening and a statement", file: "markdown.md",
			layout: "one paragraph a line",
			ids:    []string{"0.1", "1.1", "1.2", "2.1", "A1", "A2"},
			texts: []text{
				{"0.1", "示例组织成员国领导人于2024年7月4日在哈萨克斯坦阿斯塔纳举行元首理事会会议，并发表宣言如下：", "示例組織成員國領導人於2024年7月4日在哈薩克斯坦阿斯塔納舉行元首理事會會議，並發表宣言如下："},
				{"1.1", "成员国重申坚持“示例精神”，深化政治互信。", "成員國重申堅持「示例精神」，深化政治互信。"},
				{"A2", "我们支持在水资源领域开展务实合作。", "我們支持在水資源領域開展務實合作。"},
			},
			docs:  []string{"declaration 示例组织成员国元首理事会阿斯塔纳宣言", "statement_a 示例组织成员国元首理事会关于水资源合作的声明"},
			date:  "2024-07-04",
			place: "阿斯塔纳",
		},
		{
			name: "Roman numerals, one paragraph a line, no blank lines", file: "roman.txt",
			layout: "one paragraph a line",
			ids:    []string{"1.1", "1.2", "2.1", "3.1"},
			texts:  []text{{"3.1", "成员国欢迎新的观察员国。", "成員國歡迎新的觀察員國。"}},
			docs:   []string{"declaration 宣言（test2099）"},
		},
		{
			name: "paragraphs hard-wrapped inside blank-line blocks", file: "blocks.md",
			layout: "paragraphs separated by blank lines",
			ids:    []string{"1.1", "1.2", "2.1"},
			texts: []text{
				{"1.1", "成员国认为，国际形势正在发生深刻变化，各国应当加强合作，共同应对挑战。成员国支持多边主义。", ""},
				{"1.2", "成员国强调，应当尊重各国自主选择的发展道路。", ""},
			},
		},
		{
			name: "PDF line wrapping, a news item, a statement titled after its text", file: "wrapped.txt",
			prefixes: []string{"E"},
			layout:   "lines wrapped inside paragraphs (PDF)",
			ids:      []string{"0.1", "1.1", "1.2", "2.1", "E1", "E2"},
			texts: []text{
				{"0.1", "示例组织成员国领导人于2026年6月15日在中国比什凯克举行元首理事会会议，并发表宣言如下：", ""},
				{"1.1", "成员国认为，国际形势正在发生深刻变化。各国应当加强合作，共同应对挑战。", ""},
				{"E1", "我们，示例组织成员国领导人，认识到合作的重要性。", ""},
			},
			docs:  []string{"declaration 比什凯克宣言", "statement_e 示例组织成员国元首理事会关于经济合作的声明"},
			date:  "2026-06-15",
			place: "比什凯克",
			unplaced: []string{"21: page break: the text goes on in a part of the page that is not in this file",
				"22: news item", "30: headline of a news item", "40: news agency line", "44: photo caption"},
		},
		{
			name: "traditional input, a reporter's preamble, a signature block", file: "traditional.txt",
			layout: "one paragraph a line",
			ids:    []string{"1.1", "1.2", "2.1", "2.2"},
			texts: []text{
				// The seed's slips are repaired in simplified, quoted as given in traditional.
				{"1.1", "成员国认为，国际形势正在发生深刻变化，应“朝着”公正方向发展。", "成員國認為，國際形勢正在發生深刻變化，應「朝著」公正方向發展。"},
				{"1.2", "成员国支持多边主义，反对干涉别国内政。", "成員國支持多邊主義，反對幹涉別國內政。"},
				{"2.2", "甲国总统 张三\n乙国总理 李四\n丙国主席 王五", "甲國總統 張三\n乙國總理 李四\n丙國主席 王五"},
			},
			docs:     []string{"declaration 示例宣言"},
			unplaced: []string{"1: text before the declaration"}, // line 3 gives the title
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Import(tt.file, readTestdata(t, tt.file), Options{ID: "test2099", Prefixes: tt.prefixes})
			if err != nil {
				t.Fatal(err)
			}
			if p.Report.Layout != tt.layout {
				t.Errorf("layout %q, want %q", p.Report.Layout, tt.layout)
			}
			if got := ids(p); !reflect.DeepEqual(got, tt.ids) {
				t.Errorf("IDs %v, want %v", got, tt.ids)
			}
			for _, x := range tt.texts {
				ps := passage(t, p, x.id)
				if ps.TextHans != x.hans {
					t.Errorf("%s text_hans:\n got  %q\n want %q", x.id, ps.TextHans, x.hans)
				}
				if x.hant != "" && ps.TextHant != x.hant {
					t.Errorf("%s text_hant:\n got  %q\n want %q", x.id, ps.TextHant, x.hant)
				}
			}
			if tt.docs != nil {
				var got []string
				for _, d := range p.Meta.Documents {
					got = append(got, d.Key+" "+d.Title["zh-Hans"])
				}
				if !reflect.DeepEqual(got, tt.docs) {
					t.Errorf("documents %v, want %v", got, tt.docs)
				}
			}
			if p.Meta.Date != tt.date {
				t.Errorf("date %q, want %q", p.Meta.Date, tt.date)
			}
			if got := p.Meta.Place["zh-Hans"]; got != tt.place {
				t.Errorf("place %q, want %q", got, tt.place)
			}
			var got []string
			for _, u := range p.Report.Unplaced {
				got = append(got, strings.TrimPrefix(strings.TrimPrefix(strings.SplitN(u.Lines(), "-", 2)[0], "lines "), "line ")+": "+u.Why)
			}
			if len(got) != len(tt.unplaced) {
				t.Errorf("unplaced %q, want %q", got, tt.unplaced)
			} else {
				for i := range got {
					if !strings.HasPrefix(got[i], tt.unplaced[i]) {
						t.Errorf("unplaced[%d] = %q, want %q", i, got[i], tt.unplaced[i])
					}
				}
			}
			checkPack(t, p)
		})
	}
}

// Windows line endings and a byte-order mark change nothing.
func TestImportCRLFAndBOM(t *testing.T) {
	for _, name := range []string{"markdown.md", "wrapped.txt", "traditional.txt"} {
		t.Run(name, func(t *testing.T) {
			data := readTestdata(t, name)
			want, err := Import(name, data, Options{ID: "test2099"})
			if err != nil {
				t.Fatal(err)
			}
			crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
			got, err := Import(name, crlf, Options{ID: "test2099"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Passages, want.Passages) || !reflect.DeepEqual(got.Meta, want.Meta) {
				t.Errorf("CRLF with BOM imports differently:\n got  %+v\n want %+v", got.Passages, want.Passages)
			}
		})
	}
}

func TestImportRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		opts Options
		want string // in the error, after the file name
	}{
		{"no sections", readTestdata(t, "nosections.txt"), Options{ID: "test2099"}, "no numbered sections found"},
		{"empty file", nil, Options{ID: "test2099"}, "no numbered sections found"},
		{"heading with nothing under it", []byte("一\n\n二\n"), Options{ID: "test2099"}, "line 1: section 一 has no text under it"},
		{"binary", []byte("一\n成员国\x00\x01\x02"), Options{ID: "test2099"}, "line 2: control character U+0000"},
		{"invalid UTF-8 (GBK)", []byte("一\n\xb3\xc9\xd4\xb1\xb9\xfa\n"), Options{ID: "test2099"}, "line 2: not UTF-8 text"},
		{"UTF-16", []byte("\xff\xfe\x00N"), Options{ID: "test2099"}, "UTF-16"},
		{"PDF", []byte("%PDF-1.7\n"), Options{ID: "test2099"}, "a PDF file"},
		{"bad pack ID", readTestdata(t, "roman.txt"), Options{ID: "Tianjin-2025"}, `pack ID "Tianjin-2025"`},
		{"bad prefix", readTestdata(t, "roman.txt"), Options{ID: "test2099", Prefixes: []string{"t"}}, `prefix "t"`},
		{"ten sections", []byte(tenSections()), Options{ID: "test2099"}, "section 十: a pack numbers sections 1 to 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import("in.txt", tt.data, tt.opts)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "in.txt") && !strings.Contains(tt.name, "pack ID") && !strings.Contains(tt.name, "prefix") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	// One prefix for two statements.
	two := string(readTestdata(t, "markdown.md")) + "\n# 示例组织成员国元首理事会关于能源合作的声明\n\n我们支持能源合作。\n"
	_, err := Import("in.md", []byte(two), Options{ID: "test2099", Prefixes: []string{"W"}})
	if err == nil || !strings.Contains(err.Error(), "statement 2") || !strings.Contains(err.Error(), "line 25") {
		t.Errorf("two statements, one prefix: error %v, want one naming statement 2 at line 25", err)
	}
}

func tenSections() string {
	var b strings.Builder
	for _, n := range []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"} {
		b.WriteString(n + "\n成员国支持合作。\n")
	}
	return b.String()
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{
		"astana2024": true, "tianjin2025": false, "a_b1": true, "a1": true, "ab": false,
		"a": false, "2024astana": false, "Astana": false, "astana-2024": false, "astana:2024": false,
		"": false, strings.Repeat("a", 32) + "1": false, strings.Repeat("a", 31) + "1": true, "seed2025": false,
	} {
		if err := ValidID(id); (err == nil) != ok {
			t.Errorf("ValidID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"T,W", []string{"T", "W"}, false},
		{" T , W ", []string{"T", "W"}, false},
		{"", nil, false},
		{"T,T", nil, true},
		{"t", nil, true},
		{"TW", nil, true},
		{"T,", nil, true},
	}
	for _, tt := range tests {
		got, err := ParsePrefixes(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePrefixes(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestHanNumber(t *testing.T) {
	for s, want := range map[string]int{"一": 1, "九": 9, "十": 10, "十一": 11, "二十": 20, "二十一": 21, "零": 0, "一一": 0} {
		if got := hanNumber(s); got != want {
			t.Errorf("hanNumber(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		kind lineKind
	}{
		{"一", kHeading},
		{"二、政治安全", kHeading},
		{"## 三、经济合作", kHeading},
		{"第四部分", kHeading},
		{"IV.", kHeading},
		{"一带一路倡议取得进展。", kText},
		{"《上海合作组织成员国元首理事会天津宣言》", kTitle},
		{"上海合作组织成员国元首理事会关于支持多边贸易体制的声明", kTitle},
		{"上海合作組織成員國元首理事會關於支持多邊貿易體制的聲明", kTitle},
		{"发表了《上合组织成员国元首理事会关于第二次世界大战胜利和联合国成立80周年的声明》。", kText},
		{"2025 年 9 月 1 日 天津", kDate},
		{"2024年7月4日，阿斯塔纳", kDate},
		{"（新华社天津9月 1日电）", kSource},
		{"（下转第四版）", kPageMark},
		{"「天津宣言」全文如下：", kMarker},
		{"---", kSkip},
		{"<!-- note -->", kSkip},
		{"# 附件", kMDHeading},
		{"", kBlank},
	}
	for _, tt := range tests {
		if got := classify(1, tt.in); got.kind != tt.kind {
			t.Errorf("classify(%q) = %d, want %d", tt.in, got.kind, tt.kind)
		}
	}
	if l := classify(1, "中华人民共和国主席 习近平"); !l.signature {
		t.Error("a signatory line is not a signature")
	}
	if l := classify(1, "成员国支持中华人民共和国主席的倡议。"); l.signature {
		t.Error("running text taken for a signature")
	}
	if l := classify(1, "一、世界政治正经历深刻变革，国际体系朝着更加公正的方向演进。"); l.rest != "世界政治正经历深刻变革，国际体系朝着更加公正的方向演进。" {
		t.Errorf("a numbered first paragraph: rest %q", l.rest)
	}
}

// A numeral that heads the section's first paragraph (一、世界……。) makes
// that paragraph 1.1; a short heading text is dropped.
func TestNumberedParagraphs(t *testing.T) {
	in := "一、世界政治正经历深刻变革，国际体系朝着更加公正的方向演进。\n成员国支持合作。\n二、人文合作\n成员国支持交流。\n"
	p, err := Import("in.txt", []byte(in), Options{ID: "test2099"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(p), []string{"1.1", "1.2", "2.1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("IDs %v, want %v", got, want)
	}
	if got := passage(t, p, "1.1").TextHans; got != "世界政治正经历深刻变革，国际体系朝着更加公正的方向演进。" {
		t.Errorf("1.1 = %q", got)
	}
}

// A PDF extraction may put a paragraph's last punctuation on a line of its
// own; it still ends the paragraph. Markdown rules are not text.
func TestPunctuationLine(t *testing.T) {
	in := "一\n\n成员国认为，国际形势正在发生深\n\n刻变化\n\n。\n\n***\n\n成员国支持多边主义，反对单边\n\n制裁。\n"
	p, err := Import("in.txt", []byte(in), Options{ID: "test2099"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(p), []string{"1.1", "1.2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("IDs %v, want %v", got, want)
	}
	if got := passage(t, p, "1.1").TextHans; got != "成员国认为，国际形势正在发生深刻变化。" {
		t.Errorf("1.1 = %q", got)
	}
}

// A PDF extraction without blank lines is wrapped text, not one Markdown
// block: its paragraphs end with their sentences.
func TestWrappedWithoutBlankLines(t *testing.T) {
	wrapped := readTestdata(t, "wrapped.txt")
	var lines []string
	for _, l := range strings.Split(string(wrapped), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	dense := []byte(strings.Join(lines, "\n"))
	want, err := Import("in.txt", wrapped, Options{ID: "test2099"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Import("in.txt", dense, Options{ID: "test2099"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Report.Layout != want.Report.Layout {
		t.Errorf("layout %q, want %q", got.Report.Layout, want.Report.Layout)
	}
	if !reflect.DeepEqual(got.Passages, want.Passages) {
		t.Errorf("without blank lines:\n got  %v\n want %v", got.Passages, want.Passages)
	}
}
