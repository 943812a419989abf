package corpus

import (
	"slices"
	"strings"
	"testing"
)

func TestEveryPassageIsTranslated(t *testing.T) {
	c := load(t)
	for _, l := range translated() {
		info, ok := c.Translation(l)
		if !ok || !strings.Contains(strings.ToLower(info.Note), "unofficial") || !strings.Contains(info.Note, "authoritative") {
			t.Errorf("%s: header note %q must say the translation is unofficial and the Chinese authoritative", l, info.Note)
		}
		for _, p := range c.Passages() {
			if strings.TrimSpace(p.TextIn(l)) == "" || p.TextIn(l) == p.TextHans {
				t.Errorf("%s: %s has no translation", l, p.ID)
			}
		}
	}
}

// Every shipped translation passes the checks "declbot enrich" holds a
// model's output to (CheckTranslation): numbers kept, no Chinese left, the
// length band, the signature block line for line, the names table.
func TestShippedTranslationsPassTheChecks(t *testing.T) {
	c := load(t)
	for _, p := range c.Passages() {
		for _, l := range translated() {
			if err := CheckTranslation(p, l, p.TextIn(l)); err != nil {
				t.Errorf("%s %s: %v\n%s", l, p.ID, err, p.TextIn(l))
			}
		}
	}
}

func TestNamesTable(t *testing.T) {
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("names table has %d rows", len(names))
	}
	for _, tt := range []struct{ name, data, want string }{
		{"twice", "zh\ten\tru\n中国\tChina\tКитай\n中国\tChina\tКитай\n", "line 3: 中国 is listed twice"},
		{"column missing", "zh\ten\tru\n中国\tChina\n", "line 2: want Chinese, English and Russian"},
	} {
		if _, err := parseNames([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	// A name inside a longer one counts as the longer one's; 发展中国家
	// holds no name.
	got, err := NamesIn("上海合作组织成员国和发展中国家")
	if err != nil {
		t.Fatal(err)
	}
	var zh []string
	for _, n := range got {
		zh = append(zh, n.Zh)
	}
	if !slices.Contains(zh, "上海合作组织") || slices.Contains(zh, "中国") {
		t.Errorf("NamesIn = %v, want 上海合作组织 and not 中国", zh)
	}
}

// Each rule of CheckTranslation catches what it is for, and names it.
func TestCheckTranslation(t *testing.T) {
	c := load(t)
	get := func(id string) Passage {
		p, ok := c.Get(id)
		if !ok {
			t.Fatalf("no passage %s", id)
		}
		return p
	}
	p01, p58 := get("0.1"), get("5.8")
	drop := func(s, old string) string {
		if !strings.Contains(s, old) {
			t.Fatalf("%q not in %q", old, s)
		}
		return strings.Replace(s, old, "", 1)
	}
	for _, tt := range []struct {
		name string
		p    Passage
		l    Lang
		text string
		want string // "" means valid
	}{
		{"shipped en", p01, LangEn, p01.TextEn, ""},
		{"shipped ru", p01, LangRu, p01.TextRu, ""},
		{"month as digits", p01, LangEn, strings.Replace(p01.TextEn, "1 September 2025", "2025-9-1", 1), ""},
		{"empty", p01, LangEn, " ", "empty translation"},
		{"the Chinese", p01, LangEn, p01.TextHans, "is the Chinese text"},
		{"dropped year", p01, LangEn, drop(p01.TextEn, " 2025"), "the number 2025 of the Chinese is missing"},
		{"dropped date", p01, LangRu, drop(p01.TextRu, "1.9."), "the number 9 of the Chinese is missing"},
		{"month as a name", p01, LangRu, strings.Replace(p01.TextRu, "1.9.2025", "1 сентября 2025 г.", 1), ""},
		{"Chinese left", p01, LangEn, p01.TextEn + " 天津", "Chinese left in the translation"},
		{"Chinese punctuation", p01, LangEn, p01.TextEn + "。", "Chinese left in the translation"},
		{"too short", p01, LangEn, "The SCO (Shanghai Cooperation Organization) met in Tianjin, China, 1 September 2025.", "characters per Chinese character"},
		{"too long", p01, LangEn, strings.Repeat(p01.TextEn+" ", 3), "characters per Chinese character"},
		{"wrong name en", p01, LangEn, strings.ReplaceAll(p01.TextEn, "Shanghai Cooperation Organization", "Shanghai Cooperation Organisation"), `should be rendered "Shanghai Cooperation Organization"`},
		{"name in another case ru", p01, LangRu, strings.Replace(p01.TextRu, "Шанхайской организации сотрудничества", "Шанхайская организация сотрудничества", 1), ""},
		{"signature lines", p58, LangEn, strings.Replace(p58.TextEn, "\n", " ", 1), "the signature block has 9 lines, the Chinese 10"},
		{"not translated into zh", p01, LangHans, "x", "not a language with a working translation"},
	} {
		err := CheckTranslation(tt.p, tt.l, tt.text)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// Broken translation data stops the load, naming the file and line.
func TestTranslationDataErrors(t *testing.T) {
	header := `{"lang":"en","note":"Unofficial working translation; the Chinese text is authoritative."}` + "\n"
	var all strings.Builder
	all.WriteString(header)
	c := load(t)
	for _, p := range c.Passages() {
		all.WriteString(`{"id":"` + p.ID + `","text":"x"}` + "\n")
	}
	for _, tt := range []struct{ name, data, want string }{
		{"missing passage", strings.Replace(all.String(), `{"id":"2.36","text":"x"}`+"\n", "", 1), "t.jsonl: no translation of 2.36"},
		{"unknown ID", all.String() + `{"id":"9.99","text":"x"}` + "\n", "t.jsonl line 168: unknown paragraph ID \"9.99\""},
		{"malformed line", strings.Replace(all.String(), `{"id":"1.1","text":"x"}`, `{"id":"1.1",`, 1), "t.jsonl line 3:"},
		{"repeated", all.String() + `{"id":"0.1","text":"y"}` + "\n", "t.jsonl line 168: 0.1 is translated twice"},
		{"empty text", strings.Replace(all.String(), `{"id":"1.1","text":"x"}`, `{"id":"1.1","text":" "}`, 1), "t.jsonl line 3: empty translation of 1.1"},
		{"no note", strings.Replace(all.String(), header, `{"lang":"en"}`+"\n", 1), "t.jsonl line 1:"},
		{"empty file", "", "t.jsonl: empty file"},
	} {
		c := load(t)
		_, err := c.addTranslation(BuiltinPack, LangEn, "t.jsonl", []byte(tt.data), 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// Every shipped question list passes the checks "declbot enrich" holds a
// model's output to (CheckQuestions): 3-24 questions per passage, in the
// list's language.
func TestShippedQuestionListsPassTheChecks(t *testing.T) {
	c := load(t)
	for _, l := range questionLangs() {
		per := map[string][]string{}
		for _, q := range c.Questions(l) {
			per[q.ID] = append(per[q.ID], q.Text)
		}
		for _, p := range c.Passages() {
			if err := CheckQuestions(p, l, per[p.ID]); err != nil {
				t.Errorf("%s %s: %v", l, p.ID, err)
			}
		}
	}
	if len(c.Questions(LangHant)) == 0 || &c.Questions(LangHant)[0] != &c.Questions(LangHans)[0] {
		t.Error("traditional questions are not matched against the simplified list")
	}
}

func TestCheckQuestions(t *testing.T) {
	c := load(t)
	p, _ := c.Get("3.21")
	good := map[Lang][]string{
		LangHans: {"开发银行进展如何？", "上合组织要建银行吗？", "开发银行 磋商"},
		LangEn:   {"Will the SCO set up a development bank?", "What was agreed on the bank?", "SCO bank talks"},
		LangRu:   {"Создаст ли ШОС банк развития?", "Что решили о банке?", "банк развития ШОС"},
	}
	for l, qs := range good {
		if err := CheckQuestions(p, l, qs); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	en := good[LangEn]
	for _, tt := range []struct {
		name string
		l    Lang
		qs   []string
		want string
	}{
		{"too few", LangEn, en[:2], "2 questions, want 3-24"},
		{"too many", LangEn, append(slices.Clone(en), "a?", "b?", "c?", "d?", "e?", "f?", "g?", "h?", "i?", "j?", "k?", "l?", "m?", "n?", "o?", "p?", "q?", "r?", "s?", "t?", "u?", "v?"), "25 questions, want 3-24"},
		{"empty", LangEn, append(slices.Clone(en), " "), "question 4 is empty"},
		{"two lines", LangEn, append(slices.Clone(en), "What?\nWhy?"), "question 4 spans lines"},
		{"tab", LangEn, append(slices.Clone(en), "What?\tWhy?"), "holds a tab"},
		{"repeated", LangEn, append(slices.Clone(en), "sco BANK talks"), "question 4 repeats an earlier one"},
		{"too long", LangEn, append(slices.Clone(en), strings.Repeat("bank ", 40)), "question 4 has 200 characters"},
		{"Chinese in English", LangEn, append(slices.Clone(en), "What is 开发银行?"), "question 4 contains Chinese"},
		{"English for Russian", LangRu, append(slices.Clone(good[LangRu]), "What about the bank?"), "question 4 is not in Russian"},
		{"English for Chinese", LangHans, append(slices.Clone(good[LangHans]), "bank?"), "question 4 is not Chinese"},
		{"traditional", LangHant, good[LangHans], "not a language with a question list"},
	} {
		err := CheckQuestions(p, tt.l, tt.qs)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// Broken question lists stop the load, naming the file and line.
func TestQuestionListErrors(t *testing.T) {
	c := load(t)
	var all strings.Builder
	for _, p := range c.Passages() {
		all.WriteString(p.ID + "\twhat does it say?\n")
	}
	for _, tt := range []struct{ name, data, want string }{
		{"missing passage", strings.Replace(all.String(), "2.36\twhat does it say?\n", "", 1), "q.tsv: no question for 2.36"},
		{"unknown ID", "9.99\twhat?\n" + all.String(), "q.tsv line 1: unknown paragraph ID \"9.99\""},
		{"no tab", "0.1 what?\n" + all.String(), "q.tsv line 1: want ID<TAB>question"},
		{"empty question", "0.1\t \n" + all.String(), "q.tsv line 1: empty question for 0.1"},
		{"repeated", all.String() + "0.1\twhat does it say?\n", "has this question twice"},
	} {
		_, err := c.parseQuestions(BuiltinPack, "q.tsv", []byte(tt.data), 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
