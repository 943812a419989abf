package query

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

func newProcessor(t testing.TB) *Processor {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Traditional and simplified twins must search for exactly the same text.
func TestTraditionalSimplifiedTwins(t *testing.T) {
	p := newProcessor(t)
	twins := []struct{ hans, hant string }{
		{"上合组织开发银行是什么？", "上合組織開發銀行是什麼？"},
		{"宣言关于人工智能说了什么？", "宣言關於人工智能說了什麼？"},
		{"成员国对阿富汗问题的立场是什么", "成員國對阿富汗問題的立場是什麼"},
		{"请问宣言中有哪些关于外空的内容？", "請問宣言中有哪些關於外空的內容？"},
		{"上合组织如何打击恐怖主义、分裂主义和极端主义？", "上合組織如何打擊恐怖主義、分裂主義和極端主義？"},
		{"2026年上合组织峰会在哪里举行？", "2026年上合組織峰會在哪裡舉行？"},
		{"宣言对单边强制措施怎么看", "宣言對單邊強制措施怎麼看"},
		{"哪些国家支持“一带一路”倡议？", "哪些國家支持「一帶一路」倡議？"},
		{"关于禁毒中心的协定", "關於禁毒中心的協定"},
		{"中吉乌铁路进展如何", "中吉烏鐵路進展如何"},
		{"经济复苏", "經濟復甦"},
	}
	for _, tw := range twins {
		a, b := p.Process(tw.hans), p.Process(tw.hant)
		if a.Text != b.Text {
			t.Errorf("twins differ:\n  %s -> %q\n  %s -> %q", tw.hans, a.Text, tw.hant, b.Text)
		}
		if a.Text == "" {
			t.Errorf("%s: empty Text", tw.hans)
		}
		if a.Lang != corpus.LangHans || b.Lang != corpus.LangHant {
			t.Errorf("%s: Lang %s/%s, want zh-Hans/zh-Hant", tw.hans, a.Lang, b.Lang)
		}
	}
}

// Chinese stop phrases go, named entities that contain them stay.
func TestChineseStopPhrases(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q    string
		want string
	}{
		{"上合组织开发银行是什么？", "上合组织开发银行"},
		{"上合组织宪章的宗旨是什么", "上合组织宪章 宗旨"},
		{"天津宣言关于人工智能说了什么？", "人工智能"},
		{"请问宣言中有哪些关于外空的内容？", "外空"},
		{"成员国对加沙局势的立场是什么", "加沙局势"},
		{"上海合作组织成员国如何看待中亚？", "中亚"},
		{"上合组织秘书处", "上合组织秘书处"},
		{"上合组织地区反恐怖机构做了什么", "上合组织地区反恐怖机构 做"},
		{"上合组织+安全对话是谁提出的", "上合组织+ 安全对话 提出"},
		{"任何时候都要确保核安全吗", "任何时候 都要确保核安全"},
		{"区域气候峰会在哪里举行", "区域气候峰会 举行"},
		{"和平目的利用核能", "和平目的利用核能"},
		{"对话伙伴有哪些", "对话伙伴"},
		{"2026年峰会在哪里举行", "2026年 举行"},
		// A summit named as an event is the meeting the text calls
		// 元首理事会(下一次)会议.
		{"2026年上合峰会在哪里举办？", "2026年 上合峰会 举办 元首理事会"},
		// Words asking when go; 召开 is the texts' 举行.
		{"中吉乌铁路是什么时候开工的", "中吉乌铁路 开工"},
		{"上合组织天津峰会是哪一天召开的？", "召开 举行"},
		// The summit asked about itself stands for the meeting (the
		// terms of "summit held"); framing a question, it goes.
		{"这次峰会是什么时候开的", "开 天津 2025年9月1日 元首理事会会议"},
		{"上合天津峰会是哪天开的？在哪个城市？", "开 天津 2025年9月1日 元首理事会会议"},
		// Sentence-final particles (啊, 呀, 啦) say nothing.
		{"上合2025峰会是几号在哪开的啊", "2025 开 天津 2025年9月1日 元首理事会会议"},
		{"这次元首理事会是哪天开的？", "元首理事会 开 天津 2025年9月1日 元首理事会会议"},
		{"元首理事会批准了什么文件？", "元首理事会批准 文件"},
		// The declaration issued at the meeting asks about the meeting;
		// what was adopted at it asks about the paragraphs that list it.
		{"宣言是在哪一天的元首理事会上发表的？", "元首理事会上发表 天津 2025年9月1日 元首理事会会议"},
		{"元首理事会上通过了什么", "元首理事会上通过"},
		{"天津峰会对阿富汗怎么说？", "阿富汗"},
		// How the answer should be laid out is not what it is about.
		{"宣言关于能源合作的要点有哪些？逐条列出", "能源合作"},
		{"把宣言中跟禁毒有关的段落都找出来，按顺序列一下", "中跟禁毒"},
		{"上合组织", ""},
		{"什么？", ""},
	}
	for _, tt := range tests {
		if got := p.Process(tt.q).Text; got != tt.want {
			t.Errorf("Process(%q).Text = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// English and Russian words in any inflection map to the Chinese terms the
// declaration uses.
func TestGlossaryExpansion(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q         string
		lang      corpus.Lang
		want      []string // must all be in Terms
		unmatched []string // exactly
	}{
		{"What does the declaration say about sanctions?", corpus.LangEn, []string{"单边强制措施"}, nil},
		{"Were Iran's partners sanctioned?", corpus.LangEn, []string{"单边强制措施", "伊朗"}, nil},
		{"Что говорится в декларации о санкциях?", corpus.LangRu, []string{"单边强制措施"}, nil},
		{"Как ШОС относится к односторонним санкциям?", corpus.LangRu, []string{"单边强制措施"}, nil},
		{"санкциями", corpus.LangRu, []string{"单边强制措施"}, nil},
		{"Tell me about the SCO Development Bank", corpus.LangEn, []string{"上合组织开发银行"}, nil},
		{"development banks", corpus.LangEn, []string{"开发银行"}, nil},
		{"Банк развития ШОС", corpus.LangRu, []string{"上合组织开发银行"}, nil},
		{"о банке развития", corpus.LangRu, []string{"开发银行"}, nil},
		{"weaponization of outer space", corpus.LangEn, []string{"外空武器化"}, nil},
		{"Что сказано о гонке вооружений в космическом пространстве?", corpus.LangRu, []string{"军备竞赛", "外空"}, nil},
		{"artificial intelligence", corpus.LangEn, []string{"人工智能"}, nil},
		{"искусственного интеллекта", corpus.LangRu, []string{"人工智能"}, nil},
		{"terrorists and terrorist attacks", corpus.LangEn, []string{"恐怖分子", "恐怖袭击"}, nil},
		{"терроризмом и экстремизма", corpus.LangRu, []string{"恐怖主义", "极端主义"}, nil},
		{"What about the attack in Pahalgam?", corpus.LangEn, []string{"帕哈尔加姆"}, nil},
		{"Jaffar Express", corpus.LangEn, []string{"贾法尔快车"}, nil},
		{"нападение в Хуздаре", corpus.LangRu, []string{"胡兹达尔"}, nil},
		{"Which observers and dialogue partners?", corpus.LangEn, []string{"上合组织伙伴", "观察员", "对话伙伴"}, nil},
		{"Laos", corpus.LangEn, []string{"老挝"}, nil},
		{"статус Лаоса", corpus.LangRu, []string{"老挝"}, nil},
		{"Какую позицию ШОС занимает по Афганистану?", corpus.LangRu, []string{"阿富汗"}, nil},
		{"в Афганистане", corpus.LangRu, []string{"阿富汗"}, nil},
		{"Что сказано о теракте в Пахалгаме?", corpus.LangRu, []string{"恐怖袭击", "帕哈尔加姆"}, nil},
		{"Лаосу и Токаевым", corpus.LangRu, []string{"老挝", "托卡耶夫"}, nil},
		{"о Душанбинском процессе в Чолпон-Ате", corpus.LangRu, []string{"杜尚别进程", "乔蓬阿塔"}, nil},
		{"Казахстана и Кыргызстана", corpus.LangRu, []string{"哈萨克斯坦", "吉尔吉斯共和国"}, nil},
		{"Where will the next SCO summit be held?", corpus.LangEn, []string{"下一次会议", "元首理事会"}, nil},
		{"Kyrgyzstan's presidency", corpus.LangEn, []string{"吉尔吉斯共和国", "轮值主席国"}, nil},
		{"Who signed the Tianjin Declaration?", corpus.LangEn, []string{"习近平", "普京", "莫迪"}, nil},
		// Hosting the summit asks where it was; the summit named as a
		// question's context does not.
		{"which city hosted the 2025 sco summit?", corpus.LangEn, []string{"天津"}, nil},
		// The member states are named only in the signatures.
		{"How many member states does the SCO have?", corpus.LangEn, []string{"习近平", "普京", "莫迪"}, nil},
		{"Сколько стран в ШОС сейчас?", corpus.LangRu, []string{"习近平", "普京", "莫迪"}, nil},
		{"上合组织一共几个成员国？", corpus.LangHans, []string{"习近平", "普京", "莫迪"}, nil},
		{"签宣言的有哪些领导人", corpus.LangHans, []string{"习近平", "普京", "莫迪"}, nil},
		{"Gaza ceasefire", corpus.LangEn, []string{"加沙", "停火"}, nil},
		{"Did the US and Israel strike Iran?", corpus.LangEn, []string{"美国", "以色列", "伊朗"}, nil},
		{"what about us", corpus.LangEn, nil, nil},
		{"WHO and traditional medicine", corpus.LangEn, []string{"世界卫生组织", "传统医学"}, nil},
		{"who is the WHO", corpus.LangEn, []string{"世界卫生组织"}, nil},
		{"nuclear non-proliferation treaty", corpus.LangEn, []string{"不扩散核武器条约"}, nil},
		{"ДНЯО", corpus.LangRu, []string{"不扩散核武器条约"}, nil},
		{"missile defence", corpus.LangEn, []string{"反导"}, nil},
		{"Charter of Eurasian Diversity", corpus.LangEn, []string{"欧亚多样性与多极化宪章"}, nil},
		{"SCO Plus", corpus.LangEn, []string{"上合组织+"}, nil},
		{"SCO+", corpus.LangEn, []string{"上合组织+"}, nil},
		{"диалог ШОС+", corpus.LangRu, []string{"上合组织+"}, nil},
		{"сделка ОПЕК+", corpus.LangRu, nil, []string{"сделка", "опек"}},
		{"centres of excellence for organisation", corpus.LangEn, nil, []string{"centres", "excellence"}},
		{"Does the SCO support Ukraine?", corpus.LangEn, []string{"支持"}, []string{"ukraine"}},
		{"Что ШОС думает о Бразилии?", corpus.LangRu, nil, []string{"бразилии"}},
		{"chemical and biological weapons conventions", corpus.LangEn, []string{"禁止化学武器公约", "禁止生物武器公约"}, nil},
		{"80th anniversary of the victory", corpus.LangEn, []string{"80周年", "胜利"}, nil},
		{"80-летие Победы", corpus.LangRu, []string{"80周年", "胜利"}, nil},
		// Joining anything is 加入 (TestJoiningIsNotTheWTO); joining the
		// WTO its own phrase.
		{"заявки на вступление", corpus.LangRu, []string{"加入"}, []string{"заявки"}},
		{"вступление в ВТО", corpus.LangRu, []string{"加入世贸组织"}, nil},
		{"Кубка ШОС", corpus.LangRu, []string{"上合组织杯"}, nil},
		// Everyday Chinese for the texts' words.
		{"伊朗遭袭", corpus.LangHans, []string{"袭击", "军事侵略"}, nil},
		{"进口水果会不会带病", corpus.LangHans, []string{"农产品", "疫病"}, nil},
		{"报关能不能快点", corpus.LangHans, []string{"海关"}, nil},
		{"大公司一家独大", corpus.LangHans, []string{"反垄断"}, nil},
		// Everyday names of bodies the texts name in full.
		{"резолюция Совбеза", corpus.LangRu, []string{"联合国安理会"}, nil},
		{"要跟阿拉伯国家开会", corpus.LangHans, []string{"阿盟"}, nil},
		{"天气变暖", corpus.LangHans, []string{"气候变化"}, nil},
		// Who holds power is who forms the government (2.25).
		{"阿富汗该由谁来掌权", corpus.LangHans, []string{"政府"}, nil},
		{"Who should be in power in Afghanistan?", corpus.LangEn, []string{"政府"}, nil},
	}
	for _, tt := range tests {
		q := p.Process(tt.q)
		if q.Lang != tt.lang {
			t.Errorf("%q: Lang = %s, want %s", tt.q, q.Lang, tt.lang)
		}
		for _, w := range tt.want {
			if !slices.Contains(q.Terms, w) {
				t.Errorf("%q: Terms = %q, missing %q", tt.q, q.Terms, w)
			}
			if !strings.Contains(q.Text, w) {
				t.Errorf("%q: Text = %q, missing %q", tt.q, q.Text, w)
			}
		}
		if !slices.Equal(q.Unmatched, tt.unmatched) {
			t.Errorf("%q: Unmatched = %q, want %q", tt.q, q.Unmatched, tt.unmatched)
		}
		if dup := firstDuplicate(q.Terms); dup != "" {
			t.Errorf("%q: Terms has %q twice: %q", tt.q, dup, q.Terms)
		}
	}
}

// Joining alone is not joining the WTO: "вступление в ШОС" was searched
// as T17's accession.
func TestJoiningIsNotTheWTO(t *testing.T) {
	p := newProcessor(t)
	for _, q := range []string{"вступление в ШОС", "accession to the SCO", "присоединение к объединению"} {
		if terms := p.Process(q).Terms; slices.Contains(terms, "加入世贸组织") || !slices.Contains(terms, "加入") {
			t.Errorf("%q: Terms = %q, want 加入 and not 加入世贸组织", q, terms)
		}
	}
}

func firstDuplicate(list []string) string {
	seen := map[string]bool{}
	for _, s := range list {
		if seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}

// A mixed question keeps its Chinese and expands its English.
func TestMixedQuestion(t *testing.T) {
	p := newProcessor(t)
	q := p.Process("What is 上合组织开发银行 and how does it relate to sanctions and bitcoin?")
	if !strings.HasPrefix(q.Text, "上合组织开发银行 ") {
		t.Errorf("Text = %q, want the Chinese part first", q.Text)
	}
	if !slices.Contains(q.Terms, "单边强制措施") {
		t.Errorf("Terms = %q, want 单边强制措施 from the English part", q.Terms)
	}
	if !slices.Equal(q.Unmatched, []string{"bitcoin"}) {
		t.Errorf("Unmatched = %q", q.Unmatched)
	}
	q = p.Process("上合组织对AI有什么规定")
	if !strings.Contains(q.Text, "人工智能") || !strings.Contains(q.Text, "规定") {
		t.Errorf("Text = %q, want 规定 and 人工智能", q.Text)
	}
}

// Numbers survive: the corpus writes dates and resolution numbers in
// Arabic digits.
func TestNumbers(t *testing.T) {
	p := newProcessor(t)
	tests := []struct{ q, want string }{
		{"resolution 2231", "2231"},
		{"What happened on 22 April 2025?", "22 2025 发生 4月"},
		{"2025年4月22日发生了什么", "2025年4月22日发生"},
		{"Что было 11 марта?", "11 3月"},
		{"the 80th", "80"},
		{"２０２６年", "2026年"},
	}
	for _, tt := range tests {
		if got := p.Process(tt.q).Text; got != tt.want {
			t.Errorf("Process(%q).Text = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// Hostile input returns quickly, without panic and with bounded output.
func TestHostileInput(t *testing.T) {
	p := newProcessor(t)
	long := strings.Repeat("terrorism 恐怖主义 ", 10000)
	tests := []struct {
		name, q string
		want    string // substring of Text, "" for no check
	}{
		{"empty", "", ""},
		{"whitespace", " \t\n\u3000 ", ""},
		{"100k chars", strings.Repeat("a", 100_000), ""},
		{"long words", long, "恐怖主义"},
		{"1 MB of Han", strings.Repeat("恐", 350_000), "恐"},
		{"html", "<b>terrorism</b> <script>alert(1)</script> &lt;外空&gt; &amp;", "恐怖主义"},
		{"html chinese", "<p>上合组织开发银行</p>", "上合组织开发银行"},
		{"emoji", "🚀🚀 outer space 🌍👨‍👩‍👧", "外空"},
		{"rtl marks", "\u202eecaps retuo\u202c \u200fterrorism\u200e", "恐怖主义"},
		{"nul", "外\x00空 terror\x00ism", "外空"},
		{"invalid utf8", "\xff\xfe外空\xc3", "外空"},
		{"control", "\x1b[31m外空\x1b[0m", "外空"},
		{"lone less-than", "a < b 外空", "外空"},
		{"unterminated tag", "<b 外空", "外空"},
		{"arabic and kana", "مرحبا こんにちは 外空", "外空"},
		{"zalgo", "t\u0301\u0302e\u0303rrorism", ""},
		{"only punctuation", "?!。，、…—«»", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p.Process(tt.q)
			if !utf8.ValidString(q.Text) || !utf8.ValidString(q.Original) {
				t.Fatalf("invalid UTF-8 in output")
			}
			if n := utf8.RuneCountInString(q.Original); n > DefaultMaxRunes {
				t.Errorf("Original has %d runes, want <= %d", n, DefaultMaxRunes)
			}
			if n := utf8.RuneCountInString(q.Text); n > 2*DefaultMaxRunes {
				t.Errorf("Text has %d runes", n)
			}
			if len(q.Unmatched) > DefaultMaxRunes/2 || len(q.Terms) > p.Stats().Keys {
				t.Errorf("unbounded lists: %d unmatched, %d terms", len(q.Unmatched), len(q.Terms))
			}
			if strings.ContainsAny(q.Text, "<>\x00\u202e\u200f") {
				t.Errorf("Text %q keeps markup or control characters", q.Text)
			}
			if tt.want != "" && !strings.Contains(q.Text, tt.want) {
				t.Errorf("Text = %q, want it to contain %q", q.Text, tt.want)
			}
		})
	}
}

func TestWithMaxRunes(t *testing.T) {
	p, err := New(WithMaxRunes(5))
	if err != nil {
		t.Fatal(err)
	}
	q := p.Process("外空武器化和反导")
	if q.Original != "外空武器化" || q.Text != "外空武器化" {
		t.Errorf("got Original %q Text %q, want both cut to 外空武器化", q.Original, q.Text)
	}
}

func TestConcurrentUse(t *testing.T) {
	p := newProcessor(t)
	qs := []string{"outer space", "санкции", "上合组织开发银行是什么", "Who signed?"}
	want := make([]string, len(qs))
	for i, q := range qs {
		want[i] = p.Process(q).Text
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if got := p.Process(qs[i%len(qs)]).Text; got != want[i%len(qs)] {
					t.Errorf("concurrent Process(%q) = %q, want %q", qs[i%len(qs)], got, want[i%len(qs)])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Broken embedded data must be reported by New, not turn into a panic.
func TestLoadErrors(t *testing.T) {
	bad := []struct{ name, stop, gloss string }{
		{"two fields in glossary", "", "en\touter space\n"},
		{"unknown language", "", "de\tWeltraum\t外空\n"},
		{"empty term", "", "en\touter space\t外空,\n"},
		{"wrong script", "", "en\tкосмос\t外空\n"},
		{"stop and entry", "en\tspace\n", "en\tspace\t外空\n"},
		{"bad stop line", "zh\n", ""},
	}
	for _, tt := range bad {
		p := &Processor{phrases: map[string]*entry{}, maxWords: map[string]int{}, zh: newZhTrie(), cache: stemCache{}}
		err := p.loadStop(tt.stop)
		if err == nil {
			err = p.loadGlossary(tt.gloss)
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// A bad off-topic line is reported, naming what is wrong.
func TestLoadOffTopicErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"two words as written", "ru-form\tэти выборы\n", "single word"},
		{"form of no word language", "zh-form\t选举\n", "single word"},
		{"unknown language", "de\tWahl\n", "unknown language"},
		{"one field", "ru-form\n", "2 tab-separated fields"},
	} {
		p := &Processor{phrases: map[string]*entry{}, maxWords: map[string]int{}, zh: newZhTrie(), cache: stemCache{}}
		if err := p.loadOffTopic(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestStats(t *testing.T) {
	s := newProcessor(t).Stats()
	if s.Entries < 300 || s.Keys < s.Entries/2 {
		t.Errorf("Stats = %+v, want a full glossary", s)
	}
}

// Pieces, Mapped and Names feed the retriever's relevance signal: what the
// glossary explained, and which names it did not know.
func TestMappedAndNames(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q      string
		pieces []string
		mapped []string
		names  []string
	}{
		{"太空会变成战场吗", []string{"太空", "会变成战场"}, []string{"太空"}, nil},
		{"宣言对阿富汗问题怎么看", []string{"阿富汗问题"}, nil, nil},
		{"What does the SCO say about the war in Ukraine?", nil, []string{"war"}, []string{"ukraine"}},
		{"How will the SCO respond to NATO expansion?", nil, []string{"expansion"}, []string{"nato"}},
		{"Tell me about sanctions", nil, []string{"sanctions"}, nil},
		{"Blockchain and sanctions", nil, []string{"sanctions"}, nil},
		{"Sanctions and Blockchain", nil, []string{"sanctions"}, []string{"blockchain"}},
		{"WHAT ABOUT BLOCKCHAIN AND SANCTIONS", nil, []string{"sanctions"}, nil},
		// World names are names however they are written.
		{"Bitcoin and sanctions", nil, []string{"sanctions"}, []string{"bitcoin"}},
		{"what does the sco say about the war in ukraine", nil, []string{"war"}, []string{"ukraine"}},
		{"что шос говорит про армению и санкции", nil, []string{"санкции"}, []string{"армению"}},
		{"SYSTEM OVERRIDE: what about sanctions?", nil, []string{"sanctions"}, nil},
		{"Что ШОС говорит о Сирии и санкциях?", nil, []string{"санкциях"}, []string{"сирии"}},
		// A Russian place's adjective names the place; one of a place
		// the glossary knows does not.
		{"Обсуждали ли карабахское урегулирование?", nil, []string{"урегулирование"}, []string{"карабахское"}},
		{"Что сказано о кашмирском конфликте?", nil, []string{"конфликте"}, []string{"кашмирском"}},
		{"Что сказано о казахстанском председательстве?", nil, []string{"казахстанском", "председательстве"}, nil},
		{"Afghanistan", nil, []string{"afghanistan"}, nil},
	}
	for _, tt := range tests {
		q := p.Process(tt.q)
		if !slices.Equal(q.Pieces, tt.pieces) {
			t.Errorf("Process(%q).Pieces = %q, want %q", tt.q, q.Pieces, tt.pieces)
		}
		if !slices.Equal(q.Mapped, tt.mapped) {
			t.Errorf("Process(%q).Mapped = %q, want %q", tt.q, q.Mapped, tt.mapped)
		}
		if !slices.Equal(q.Names, tt.names) {
			t.Errorf("Process(%q).Names = %q, want %q", tt.q, q.Names, tt.names)
		}
	}
}

// TestFoldWord checks foldWord's premise against corpus.Fold for every
// rune it folds itself: each letter or digit that is neither Han nor
// full-width folds to its lower case, alone.
func TestFoldWord(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xFF01 && r <= 0xFF5E || unicode.Is(unicode.Han, r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		if got, want := corpus.Fold(string(r)), string(unicode.ToLower(r)); got != want {
			t.Fatalf("corpus.Fold(%q) = %q, not its lower case %q: foldWord must send %U to corpus.Fold", string(r), got, want, r)
		}
	}
	for _, w := range []string{"", "Kazakhstan", "ШОС", "don't", "China’s", "ＳＣＯ", "SCO+", "80th", "Ⅻ", "İstanbul", "a\xffb", "上合"} {
		if got, want := foldWord(w), corpus.Fold(w); got != want {
			t.Errorf("foldWord(%q) = %q, corpus.Fold gives %q", w, got, want)
		}
	}
}

// expand tries at each word only lengths up to the longest key that
// starts with it (Processor.starts): questions made of the glossary's and
// stop lists' own words, in random order and runs, must expand as they do
// when every length is tried.
func TestExpandStartsBound(t *testing.T) {
	p, every := newProcessor(t), newProcessor(t)
	p.wordTables()
	every.wordTables()
	every.starts = nil // no bound: every length is tried
	words, keys := map[string][]string{}, map[string][][]string{}
	for k := range p.phrases {
		lang, stems, _ := strings.Cut(k, "\x00")
		words[lang] = append(words[lang], strings.Fields(stems)...)
		keys[lang] = append(keys[lang], strings.Fields(stems))
	}
	rng := rand.New(rand.NewPCG(4, 9))
	for lang, ws := range words {
		slices.Sort(ws)
		ks := keys[lang]
		slices.SortFunc(ks, slices.Compare)
		for range 3000 {
			var toks []token
			for range 1 + rng.IntN(12) {
				switch rng.IntN(8) {
				case 0:
					toks = append(toks, token{brk: true})
				case 1:
					toks = append(toks, token{surface: "2025", stem: "2025", num: true})
				case 2, 3:
					// A whole key, often one of several words.
					for _, w := range ks[rng.IntN(len(ks))] {
						toks = append(toks, token{surface: w, stem: w, lang: lang})
					}
				default:
					w := ws[rng.IntN(len(ws))]
					toks = append(toks, token{surface: w, stem: w, lang: lang, cap: rng.IntN(4) == 0})
				}
			}
			var got, want [6]any
			got[0], got[1], got[2], got[3], got[4], got[5] = p.expand(toks)
			want[0], want[1], want[2], want[3], want[4], want[5] = every.expand(toks)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %v: expand = %v, trying every length gives %v", lang, toks, got, want)
			}
		}
	}
}

// strip skips, by zhTrie.first, the positions no phrase starts at: it must
// cut every text as the trie alone does, on random runs of the phrases,
// their first characters and others.
func TestStripFirstIndex(t *testing.T) {
	p := newProcessor(t)
	p.zhTables()
	plain := &zhTrie{root: p.zh.root}
	var runes []rune
	for _, e := range p.zh.root.next {
		runes = append(runes, e.r)
	}
	runes = append(runes, []rune("的了在是上合组织宣言发展银行，。？ a2𠀀")...)
	var phrases []string
	var walk func(n *zhNode, prefix string)
	walk = func(n *zhNode, prefix string) {
		if n.end {
			phrases = append(phrases, prefix)
		}
		for _, e := range n.next {
			walk(e.n, prefix+string(e.r))
		}
	}
	walk(p.zh.root, "")
	rng := rand.New(rand.NewPCG(8, 1))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(30) {
			if rng.IntN(3) == 0 {
				b.WriteString(phrases[rng.IntN(len(phrases))])
			} else {
				b.WriteRune(runes[rng.IntN(len(runes))])
			}
		}
		s := corpus.Fold(b.String())
		gp, gt, gk := p.zh.strip(s)
		wp, wt, wk := plain.strip(s)
		if !slices.Equal(gp, wp) || !slices.Equal(gt, wt) || !slices.Equal(gk, wk) {
			t.Fatalf("strip(%q) = %q %q %q, without the index %q %q %q", s, gp, gt, gk, wp, wt, wk)
		}
	}
}

// A question that names the summit as its context is not read as asking
// where the summit was: only hosting it is.
func TestSummitAsContext(t *testing.T) {
	p := newProcessor(t)
	q := p.Process("What was decided at the 2025 SCO summit about Laos?")
	if !slices.Contains(q.Terms, "老挝") || slices.Contains(q.Terms, "天津") {
		t.Errorf("terms %q: want 老挝 and not 天津", q.Terms)
	}
}

// Chat fillers and Latin slang carry no signal: a question is searched
// without them.
func TestChatFillers(t *testing.T) {
	p := newProcessor(t)
	for _, q := range []string{"天津峰会是哪天开的来着 忘了orz", "宣言对阿富汗咋说的 xdm 求科普"} {
		got := p.Process(q)
		for _, w := range []string{"来着", "忘", "orz", "xdm", "科普"} {
			if strings.Contains(got.Text, w) || slices.Contains(got.Unmatched, w) {
				t.Errorf("Process(%q): %q searched (Text %q, Unmatched %q)", q, w, got.Text, got.Unmatched)
			}
		}
	}
}

// Everyday wording reaches the texts' terms, and not a look-alike's.
func TestEverydayWordingTerms(t *testing.T) {
	p := newProcessor(t)
	tests := []struct {
		q, want, not string
	}{
		{"Who should be held responsible for the terror attacks?", "追究", "举行"},
		{"Should those who fund attacks be held to account?", "追究", "举行"},
		{"On what date and in which city did the Council of Heads of State meet?", "2025年9月1日", ""},
		{"Когда собрался совет глав государств ШОС?", "2025年9月1日", ""},
		{"怕年轻人走歪路、干违法的事，文件里有啥说法？", "非法活动", ""},
		{"每个国家能不能拿原子能去发电？", "核能", ""},
		{"各国经贸关系剑拔弩张，贸易声明怎么说？", "紧张", ""},
		{"what about the wto TFA", "贸易便利化协定", ""},
	}
	for _, tt := range tests {
		terms := p.Process(tt.q).Terms
		if !slices.Contains(terms, tt.want) || tt.not != "" && slices.Contains(terms, tt.not) {
			t.Errorf("Process(%q).Terms = %q, want %s and not %q", tt.q, terms, tt.want, tt.not)
		}
	}
}
