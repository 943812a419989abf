package compose

import (
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/corpus"
)

func TestAsksForAdvice(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"Do you think tariffs will come down next year?", true},
		{"Should I move my savings into Central Asian bonds?", true},
		// How the texts say something can be achieved is what they say.
		{"How do the leaders think peace in the region can actually be achieved?", false},
		{"Is it worth learning Russian to work in SCO countries?", true},
		{"Стоит ли открывать бизнес в Узбекистане?", true},
		// Candour asked for, a deal weighed, a forecast years ahead.
		{"Скажи честно, кто главный в ШОС?", true},
		{"老实说，上合组织有用吗？", true},
		{"去哈萨克斯坦开工厂划算吗？", true},
		{"What will Central Asia look like in ten years?", true},
		{"Will Turkey eventually join the SCO?", true},
		{"Что будет с транзитом лет через десять?", true},
		{"Как вы считаете, выиграет ли Индия от членства?", true},
		{"你觉得上合组织以后会扩大吗？", true},
		{"现在去中亚投资值不值得？", true},
		// The answerer's own view and ranking the members.
		{"Which member is the strongest, in your view?", true},
		{"Which country gains the most from the bank?", true},
		{"Кто из лидеров самый влиятельный?", true},
		{"上合组织开发银行成立后，哪个国家最受益？", true},
		// Forecasts of how things will turn out.
		{"Will Iran actually manage to join the WTO?", true},
		{"What are the chances of the development bank opening soon?", true},
		{"Удастся ли создать Банк развития ШОС?", true},
		{"开发银行最终能不能建成？", true},
		{"现在投资中亚的新能源项目划算吗？给点建议", true},
		// A forecast is one even when it names the texts.
		{"Will the declaration actually change anything for ordinary people?", true},
		{"宣言提出的目标真的能实现吗？", true},
		{"Удастся ли, как обещает декларация, создать банк?", true},
		{"Will the development bank be set up?", false},
		{"海关以后会不会更加数字化？", false},
		{"开发银行要建吗？", false},
		// What the texts or the member states think is a question about
		// the text.
		{"What do the member states think about unilateral sanctions?", false},
		{"Do you think the declaration supports WTO reform?", false},
		{"Как государства-члены оценивают роль ООН?", false},
		{"宣言认为联合国该不该改革？", false},
		{"你觉得宣言对气候变化持什么立场？", false},
		{"What does the declaration say about terrorism?", false},
		{"Что сказано об Афганистане?", false},
		// What they want to come about is a position, how it will turn
		// out a forecast.
		{"What kind of country does the SCO want Afghanistan to end up as?", false},
		{"Каким ШОС хочет видеть Афганистан?", false},
		{"Will the new SCO development bank end up rivalling the World Bank?", true},
		// The asker's own business asks advice, unless the question asks a
		// fact of a kind, which the texts may give.
		{"Is any of this good for my business?", true},
		{"我们公司能从上合的本币结算里得到什么好处？", true},
		{"我们公司想跟俄罗斯客户用本币结算，那份扩大本币结算份额的路线图是哪天定的？", false},
		{"My company trades with Kazakhstan: when was the roadmap on local currencies adopted?", false},
		{"Моя компания торгует с Китаем. В каком году приняли дорожную карту по расчётам в национальных валютах?", false},
	}
	for _, tt := range tests {
		if got := asksForAdvice(tt.q); got != tt.want {
			t.Errorf("asksForAdvice(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestExtractiveNoAdviceOrSpeech: with the real index, a question asking
// for the answerer's own advice or forecast, or for what a leader said, is
// told the texts hold none, in its language, citing nothing.
func TestExtractiveNoAdviceOrSpeech(t *testing.T) {
	e := realSearcher(t)
	c := loadCorpus(t)
	for _, tt := range []struct {
		q    string
		lang corpus.Lang
		want i18n.Key
	}{
		{"Do you think the SCO Development Bank will rival the World Bank?", corpus.LangEn, i18n.NoAdvice},
		{"Стоит ли мне вкладывать деньги в проекты ШОС?", corpus.LangRu, i18n.NoAdvice},
		{"你觉得现在投资中亚划算吗？", corpus.LangHans, i18n.NoAdvice},
		{"What did Modi say about terrorism at the summit?", corpus.LangEn, i18n.NoSpeech},
		{"Что говорил Путин о санкциях?", corpus.LangRu, i18n.NoSpeech},
		{"莫迪在峰会上讲了什么？", corpus.LangHans, i18n.NoSpeech},
		{"How is this declaration different from the previous summit's?", corpus.LangEn, i18n.NoOtherSummit},
		{"How did oil markets react to the SCO declaration?", corpus.LangEn, i18n.NoReaction},
		{"Как Евросоюз отреагировал на декларацию саммита?", corpus.LangRu, i18n.NoReaction},
		{"西方媒体对天津宣言有什么反应？", corpus.LangHans, i18n.NoReaction},
		{"Why didn't Kazakhstan back the energy statement?", corpus.LangEn, i18n.NoReasons},
		{"为什么印度没有支持“一带一路”？", corpus.LangHans, i18n.NoReasons},
		{"上一届峰会讨论了哪些安全问题？", corpus.LangHans, i18n.NoOtherSummit},
		{"Чем позиция по ИИ отличается от декларации 2024 года?", corpus.LangRu, i18n.NoOtherSummit},
	} {
		a, err := ask(t, e, tt.q)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		checkAnswerInvariants(t, c, a)
		if a.Grounded || len(a.Citations) != 0 {
			t.Errorf("%q: grounded %v, citations %v; want a refusal citing nothing:\n%s", tt.q, a.Grounded, a.Citations, a.Text)
		}
		if want := i18n.Text(tt.lang, tt.want); !strings.HasPrefix(a.Text, want) {
			t.Errorf("%q: answer %q does not open with %q", tt.q, a.Text, want)
		}
	}
}

// TestExtractiveComparesTheTextsOwnPeriods: a comparison of two periods
// compares two of the texts' own plans, and is answered from both; one
// with another year is not answered.
func TestExtractiveComparesTheTextsOwnPeriods(t *testing.T) {
	e := realSearcher(t)
	c := loadCorpus(t)
	a, err := ask(t, e, "What's the difference between the 2026-2035 strategy and the 2026-2030 programme?")
	if err != nil {
		t.Fatal(err)
	}
	checkAnswerInvariants(t, c, a)
	for _, id := range []string{"1.17", "2.14"} {
		if !slices.ContainsFunc(a.Citations, func(p corpus.Passage) bool { return p.ID == id }) {
			t.Errorf("cited %v, want %s among them:\n%s", a.Citations, id, a.Text)
		}
	}
	a, err = ask(t, e, "How does the 2026-2035 strategy differ from the one in the 2024 declaration?")
	if err != nil {
		t.Fatal(err)
	}
	if a.Grounded || len(a.Citations) != 0 {
		t.Errorf("answer %q cites %v; want a refusal citing nothing", a.Text, a.Citations)
	}
}

func TestAsksWhatWasSaid(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"What did Putin say in his speech in Tianjin?", true},
		{"Что сказал Токаев на заседании?", true},
		{"习近平在会上讲了什么？", true},
		{"古特雷斯的发言说了什么？", true},
		// The texts as where it was said, or a leader named without
		// asking what they said.
		{"What did Xi Jinping and Putin say in the declaration about AI?", false},
		{"Did Modi sign the declaration?", false},
		{"普京代表哪个国家签署了宣言？", false},
		{"What do the leaders say about Afghanistan?", false},
		{"Что говорится о Лукашенко?", false},
	}
	for _, tt := range tests {
		if got := asksWhatWasSaid(tt.q); got != tt.want {
			t.Errorf("asksWhatWasSaid(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAsksStateSpeech(t *testing.T) {
	tests := []struct {
		q, searched string // searched: the Chinese an en or ru question was searched as
		want        bool
	}{
		{"哈萨克斯坦在峰会上的发言说了什么？", "", true},
		{"What did Iran say in its speech at the summit?", "伊朗", true},
		{"Что Пакистан сказал в своей речи?", "巴基斯坦", true},
		// What the texts say a state did, a speech without a state, and
		// hate speech, which the texts condemn.
		{"What does the declaration say about India?", "印度", false},
		{"成员国的发言说了什么？", "", false},
		{"What does it say about hate speech in Russia?", "煽动 仇恨 俄罗斯", false},
	}
	for _, tt := range tests {
		asked := func() string { return corpus.Fold(tt.q) + " " + tt.searched }
		if got := asksStateSpeech(cueText(tt.q), asked); got != tt.want {
			t.Errorf("asksStateSpeech(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAsksAboutOtherSummit(t *testing.T) {
	tests := []struct {
		q     string
		years []string // the years it gives that the texts are not of
		want  bool
	}{
		{"How does it differ from last year's declaration?", nil, true},
		{"跟去年比，今年宣言在人工智能上有什么不同？", nil, true},
		{"上一届峰会在哪里开的？", nil, true},
		{"Что было в предыдущей декларации?", nil, true},
		{"Compare the 2019 statement on drugs with this one", []string{"2019"}, true},
		{"今年的宣言跟去年比有哪些变化？", nil, true},
		// The texts' own documents compared, and comparisons with no
		// earlier occasion, are questions about the texts.
		{"宣言和贸易声明有什么不同？", nil, false},
		{"How does the declaration's view of AI compare with its view of the internet?", nil, false},
		{"What does the summit declaration say about the past?", nil, false},
		{"Что говорится о прошлом в заявлении о войне?", nil, false},
		// An earlier time with no summit or comparison.
		{"Which agreements signed last year does the declaration mention?", nil, false},
	}
	for _, tt := range tests {
		if got := asksAboutOtherSummit(tt.q, tt.years); got != tt.want {
			t.Errorf("asksAboutOtherSummit(%q, %v) = %v, want %v", tt.q, tt.years, got, tt.want)
		}
	}
}

func TestAsksReaction(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"How did Washington react to the Tianjin declaration?", true},
		{"What was the reaction to the summit in Europe?", true},
		{"How did Israel respond to the SCO's condemnation?", true},
		{"日本政府对上合二战胜利声明有什么回应？", true},
		{"Какова реакция рынков на декларацию?", true},
		{"各国对这份宣言的反应如何？", true},
		{"How did Washington respond to the SCO condemning the June strikes on Iran?", true},
		{"Как Израиль отреагировал на осуждение со стороны ШОС?", true},
		{"以色列对上合组织的谴责有什么反应？", true},
		{"伊朗政府对宣言谴责以美军事行动作出了什么回应？", true},
		{"Как Иран отреагировал на поддержку его вступления в ВТО?", true},
		{"How did Iran react to the support for its WTO bid?", true},
		{"Как Индия отнеслась к пункту о санкциях?", true},
		// What the texts say in response to something is what they say.
		{"Как ШОС относится к санкциям?", false},
		{"宣言如何回应气候变化？", false},
		{"How does the declaration respond to unilateral sanctions?", false},
		{"Как декларация реагирует на санкции?", false},
		{"What is the SCO's reaction to the attacks on Iran?", false},
	}
	for _, tt := range tests {
		if got := asksReaction(tt.q); got != tt.want {
			t.Errorf("asksReaction(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAsksWhyNot(t *testing.T) {
	tests := []struct {
		q, asked string
		want     bool
	}{
		{"Why did India not endorse the Belt and Road?", "why did india not endorse 印度 一带一路", true},
		{"Почему Индия не поддержала «Пояс и путь»?", "почемуиндия 印度 一带一路", true},
		{"为什么印度没有支持一带一路？", "为什么印度没有支持一带一路", true},
		// Colloquial why, typed as keywords.
		{"印度 为啥 没支持 一带一路 原因", "印度 为啥 没支持 一带一路 原因", true},
		{"印度干嘛不支持一带一路", "印度干嘛不支持一带一路", true},
		// Why the members do or oppose something is what the texts say.
		{"Why do the members oppose unilateral sanctions?", "why do the members oppose 单边制裁", false},
		{"为什么成员国不接受双重标准？", "为什么成员国不接受双重标准 双重标准", false},
		{"Why did India sign the agreements?", "why did india sign 印度 签署", false},
	}
	for _, tt := range tests {
		if got := asksWhyNot(cueText(tt.q), func() string { return tt.asked }); got != tt.want {
			t.Errorf("asksWhyNot(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}
