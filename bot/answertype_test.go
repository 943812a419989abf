package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

func TestExpectedType(t *testing.T) {
	tests := []struct {
		q    string
		want answerType
	}{
		// Quantities.
		{"乌兹别克斯坦的人口有多少？", typeQuantity},
		{"這條公路有多長？", typeQuantity},
		{"上合组织开发银行注册资本有几亿美元？", typeQuantity},
		{"How much money will the development bank lend?", typeQuantity},
		{"How many tourists visited Qingdao last year?", typeQuantity},
		{"What percentage of trade is settled in national currencies?", typeQuantity},
		{"Сколько стоит билет на поезд?", typeQuantity},
		{"Какова протяжённость новой дороги?", typeQuantity},
		// Dates.
		{"杭州亚运会是什么时候举办的？", typeDate},
		{"這項公約何時生效？", typeDate},
		{"When will the forum open?", typeDate},
		{"In what year was the charter signed?", typeDate},
		{"Когда откроется новый центр?", typeDate},
		{"В каком году подписали конвенцию?", typeDate},
		// Officials' names.
		{"哈萨克斯坦外长是谁？", typePerson},
		{"聯合國秘書長叫什麼名字？", typePerson},
		{"Who is the current secretary-general?", typePerson},
		{"What is the name of the bank's president?", typePerson},
		{"Кто министр иностранных дел Индии?", typePerson},
		{"Как зовут директора центра?", typePerson},
		// Perpetrators.
		{"胡兹达尔爆炸案是谁干的？", typePerpetrator},
		{"那次火车袭击的幕后黑手是什么人？", typePerpetrator},
		{"Who carried out the bombing?", typePerpetrator},
		{"Who was behind the attack on the train?", typePerpetrator},
		{"Кто стоит за взрывом?", typePerpetrator},
		{"Кто совершил нападение?", typePerpetrator},
		// Not typed: lists, stances, agents, conjunctions, several parts.
		{"宣言对气候变化持什么立场？", typeNone},
		{"成员国在哪些领域加强合作？", typeNone},
		{"What does the declaration say about terrorism?", typeNone},
		{"Какие меры предлагаются против наркотиков?", typeNone},
		{"烈士陵园由谁来维护？", typeNone},
		{"Who condemned the bombing?", typeNone},
		{"Кто отвечает за борьбу с кибератаками?", typeNone},
		{"What will the members do when a disaster strikes?", typeNone},
		{"Что делают страны, когда случается засуха?", typeNone},
		{"Будет ли когда-нибудь общая валюта?", typeNone},
		{"下届峰会什么时候在哪里举行？", typeNone},
		{"开发银行成立了吗？什么时候？", typeNone},
		{"When and where will the next summit be held?", typeNone},
		{"Has the bank been set up, and when?", typeNone},
		{"下一任主席国是谁？", typeNone},
		{"Кто будет председательствовать в следующем году?", typeNone},
		{"一带一路倡议有什么意义？", typeNone},
		{"这几年合作进展如何？", typeNone},
		{"Несколько стран выступили против?", typeNone},
	}
	for _, tt := range tests {
		if got := expectedType(tt.q); got != tt.want {
			t.Errorf("expectedType(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAnswersType(t *testing.T) {
	tests := []struct {
		t    answerType
		s    string
		want bool
	}{
		{typeQuantity, "双方贸易额增长了12%。", true},
		{typeQuantity, "该铁路全长五百公里。", true},
		{typeQuantity, "注意到三国交通部长会议的成果。", true},
		{typeQuantity, "甲国、乙国、丙国和丁国支持该倡议。", true},
		{typeQuantity, "成员国注意到该铁路已开工建设。", false},
		{typeQuantity, "成员国支持加强一体化进程。", false},
		{typeDate, "论坛于2024年10月举行。", true},
		{typeDate, "公约将于明年生效。", true},
		{typeDate, "會議將於九月舉行。", true},
		{typeDate, "成员国决定成立开发银行。", false},
		{typePerson, "某某共和国总统 某某某", true},
		{typePerson, "注意到举办约翰·史密斯论坛的建议。", true},
		{typePerson, "成员国高度评价秘书处的工作。", false},
		{typePerson, "成员国支持主席国的工作。", false},
		{typePerpetrator, "该组织宣称对袭击负责。", true},
		{typePerpetrator, "此次袭击系某武装分子所为。", true},
		{typePerpetrator, "成员国强烈谴责在某地发动的恐怖袭击事件。", false},
		{typeNone, "任何句子。", true},
	}
	for _, tt := range tests {
		if got := answersType(tt.t, tt.s); got != tt.want {
			t.Errorf("answersType(%v, %q) = %v, want %v", tt.t, tt.s, got, tt.want)
		}
	}
}

// TestExtractiveMentionsButNot: with the real index, questions naming a
// topic the text mentions but asking for what it does not give get the
// "mentions X but does not say" answer in their language, citing nothing
// and offering the topic's paragraph as Related; typed questions whose
// passages do give the fact are answered as before.
func TestExtractiveMentionsButNot(t *testing.T) {
	e := offlineEngine(t)
	c := loadCorpus(t)
	tests := []struct {
		q       string
		lang    corpus.Lang
		related string // a paragraph the answer must offer as Related
		say     string // what the answer must say is missing
		topic   string // the topic it must name
	}{
		{"中吉乌铁路全长多少公里？", corpus.LangHans, "3.32", Text(corpus.LangHans, MsgNoFigure), "中吉乌铁路"},
		{"中吉烏鐵路什麼時候通車？", corpus.LangHant, "3.32", Text(corpus.LangHant, MsgNoDate), "中吉烏鐵路"},
		{"帕哈尔加姆那次恐怖袭击是谁干的？", corpus.LangHans, "2.7", Text(corpus.LangHans, MsgNoPerpetrator), "帕哈尔加姆"},
		{"Who carried out the attack on the Jaffar Express?", corpus.LangEn, "2.8", Text(corpus.LangEn, MsgNoPerpetrator), "贾法尔快车"},
		{"Сколько денег вложат в Банк развития ШОС?", corpus.LangRu, "3.21", Text(corpus.LangRu, MsgNoFigure), "开发银行"},
	}
	for _, tt := range tests {
		a, err := e.Ask(context.Background(), Question{Text: tt.q})
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		checkAnswerInvariants(t, c, a)
		if a.Grounded || len(a.Citations) != 0 {
			t.Errorf("%q: grounded %v, citations %v; want a refusal citing nothing:\n%s", tt.q, a.Grounded, a.Citations, a.Text)
		}
		if a.Lang != tt.lang {
			t.Errorf("%q: answer in %s, want %s", tt.q, a.Lang, tt.lang)
		}
		var rel []string
		for _, p := range a.Related {
			rel = append(rel, p.ID)
		}
		if !strings.Contains(" "+strings.Join(rel, " ")+" ", " "+tt.related+" ") {
			t.Errorf("%q: related %v, want %s among them", tt.q, rel, tt.related)
		}
		for _, want := range []string{tt.say, tt.topic, tt.related} {
			if !strings.Contains(a.Text, want) {
				t.Errorf("%q: answer %q does not contain %q", tt.q, a.Text, want)
			}
		}
	}
}

// TestExtractiveTypedAnswered: typed questions whose passages hold the
// fact are answered and cite it; where the fact is in a sentence the
// composer would not have chosen, that sentence is added.
func TestExtractiveTypedAnswered(t *testing.T) {
	e := offlineEngine(t)
	c := loadCorpus(t)
	tests := []struct {
		q, cite, fact string
	}{
		{"帕哈尔加姆恐怖袭击发生在哪一天？", "2.7", "2025年4月22日"},
		{"Who is the President of Kazakhstan?", "5.8", "托卡耶夫"},
		{"胡兹达尔袭击是几月几号？", "2.8", "5月21日"},
	}
	for _, tt := range tests {
		a, err := e.Ask(context.Background(), Question{Text: tt.q})
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		checkAnswerInvariants(t, c, a)
		if !a.Grounded || !strings.Contains(a.Text, tt.fact) || !strings.Contains(a.Text, "["+tt.cite+"]") {
			t.Errorf("%q: want a grounded answer quoting %q with [%s], got grounded %v:\n%s", tt.q, tt.fact, tt.cite, a.Grounded, a.Text)
		}
	}
}

// TestEnsureTypeAddsSentence: when the chosen sentences lack the type but
// another sentence of a quoted paragraph has it, that sentence joins the
// answer instead of the answer being refused.
func TestEnsureTypeAddsSentence(t *testing.T) {
	c := loadCorpus(t)
	e := NewEngine(c, newFakeRetriever(c, "2.38"))
	p, _ := c.Get("2.38")
	sents := splitSentences(p.TextHans)
	if len(sents) < 2 || !answersType(typeDate, sents[0]) || answersType(typeDate, sents[1]) {
		t.Fatalf("2.38 no longer has a dated first sentence and an undated second: %q", sents)
	}
	res, _ := e.r.Search(context.Background(), "反对建立与公约功能重复的机制", 8)
	in := extractInput{question: "什么时候反对建立与公约功能重复的机制？", lang: corpus.LangHans, results: res}
	chosen := []sentence{{passage: p, pos: 1, text: sents[1], terms: sortedTerms(corpus.Fold(sents[1]))}}
	got, ok := e.ensureType(in, typeDate, chosen)
	if !ok || len(got) != 2 || got[0].pos != 0 || got[1].pos != 1 {
		t.Fatalf("ensureType = %v, %+v; want the dated sentence added before the chosen one", ok, got)
	}
	if _, ok := e.ensureType(in, typePerpetrator, chosen); ok {
		t.Errorf("ensureType(perpetrator) = ok; 2.38 names no one")
	}
}
