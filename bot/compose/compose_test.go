package compose

import (
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

func loadCorpus(t testing.TB) *corpus.Corpus {
	t.Helper()
	c, err := corpus.Load()
	if err != nil {
		t.Fatalf("corpus.Load: %v", err)
	}
	return c
}

func TestExpectedType(t *testing.T) {
	tests := []struct {
		q    string
		want answerType
	}{
		// Quantities: counts and sizes (a date's digits do not answer),
		// durations (a year may), sums of money.
		{"乌兹别克斯坦的人口有多少？", typeCount},
		{"這條公路有多長？", typeCount},
		{"帕哈尔加姆袭击造成多少人遇难？", typeCount},
		{"How many tourists visited Qingdao last year?", typeCount},
		// A figure in a unit: a percentage or a share, a distance.
		{"What percentage of trade is settled in national currencies?", typePercent},
		{"本币结算占比是多少？", typePercent},
		{"Какую долю рынка занимают национальные валюты?", typePercent},
		{"На сколько процентов вырос товарооборот?", typePercent},
		{"How many kilometres of new roads are planned?", typeMeasure},
		{"Кто сейчас руководит секретариатом?", typeOfficial},
		// Figures asked for outright, in a yes/no question or a list too.
		{"Does the declaration set a numerical target for emissions?", typeCount},
		{"Does it give a percentage for trade in national currencies?", typePercent},
		{"宣言有没有提出量化指标？", typeCount},
		{"Приводятся ли количественные показатели?", typeCount},
		{"Что говорится о цифровой экономике?", typeNone},
		// Which currency or language.
		{"In what currency will the fund lend?", typeCurrency},
		{"Какая валюта будет использоваться?", typeCurrency},
		{"贷款用什么货币结算？", typeCurrency},
		{"What are the SCO's working languages?", typeLanguage},
		{"На каком языке проходят заседания?", typeLanguage},
		{"上合组织的官方语言是什么？", typeLanguage},
		{"Who claimed responsibility for the blast?", typePerpetrator},
		// A slogan, and which leaders (a list of names).
		{"What is the motto of the next chairmanship?", typeSlogan},
		{"主席国的口号是什么？", typeSlogan},
		{"Какие лидеры приехали на форум?", typeLeaders},
		{"Which foreign leaders came to the meeting?", typeLeaders},
		{"本次峰会通过了哪些元首理事会声明？", typeNone},
		// A rate is a percentage, asked as one or as a list.
		{"What is the interest rate on the bank's loans?", typePercent},
		{"What tariff rates apply to steel?", typePercent},
		{"Какие ставки пошлин снизят?", typePercent},
		{"人民币汇率是多少？", typePercent},
		// Not a rate: the verb, a delivery (поставки), an exhibition.
		{"How do the members rate the year's work?", typeNone},
		{"Как сделать поставки газа надёжнее?", typeNone},
		{"Когда прошла выставка?", typeDate},
		{"这条铁路全长多少公里？", typeMeasure},
		{"How many tons of grain were shipped?", typeMeasure},
		{"Сколько гектаров займёт новая зона?", typeMeasure},
		// Figurative distance and a share of something are not asked
		// in units.
		{"How far has cooperation on AI gone?", typeCount},
		{"What shared responsibility do the leaders stress?", typeNone},
		{"What milestones does the declaration name?", typeNone},
		{"Сколько стоит билет на поезд?", typeMoney},
		{"Какова протяжённость новой дороги?", typeMeasure},
		{"上合组织银联体成立多少年了？", typeQuantity},
		{"How long has the interbank consortium existed?", typeQuantity},
		{"Сколько лет консорциуму?", typeQuantity},
		{"上合组织开发银行注册资本有几亿美元？", typeMoney},
		{"上合组织每年的预算是多少？", typeMoney},
		{"How much money will the development bank lend?", typeMoney},
		// A money word asks for a sum with a quantity cue, and names a
		// topic without one.
		{"How much grant money will the new centre receive?", typeMoney},
		{"Сколько средств выделят на программу?", typeMoney},
		{"援助资金有多少？", typeMoney},
		{"What does the declaration say about money laundering?", typeNone},
		{"What is the SCO's annual budget?", typeMoney},
		{"Во сколько обошлась организация саммита?", typeMoney},
		{"What was the trade volume between the members last year?", typeMoney},
		{"Каков товарооборот стран ШОС?", typeMoney},
		{"Какой бюджет у секретариата?", typeMoney},
		// Dates.
		{"杭州亚运会是什么时候举办的？", typeDate},
		{"這項公約何時生效？", typeDate},
		{"When will the forum open?", typeDate},
		{"In what year was the charter signed?", typeDate},
		{"What year did the forum take place?", typeDate},
		{"Когда откроется новый центр?", typeDate},
		{"В каком году подписали конвенцию?", typeDate},
		// Days and months, which a year does not give.
		{"下届峰会是几月几号？", typeDay},
		{"What is the exact date of the forum?", typeDay},
		{"Какого числа пройдёт форум?", typeDay},
		{"那次袭击发生在哪一天？", typeDay},
		{"那次袭击是4月几号？", typeDay},
		// A resolution's number is not a date: the paragraph naming the
		// resolution answers.
		{"那项决议是第几号？", typeNone},
		// Officials' names.
		{"哈萨克斯坦外长是谁？", typeOfficial},
		{"聯合國秘書長叫什麼名字？", typeOfficial},
		{"Who is the current secretary-general?", typeOfficial},
		{"Who will head the new centre?", typeOfficial},
		{"Кто возглавляет секретариат?", typeOfficial},
		// The secretariat is a body, not a title.
		{"С кем секретариат подпишет меморандум?", typeNone},
		// The SCO's chair is a state: answered by one the question does
		// not name.
		{"Кто будет следующим председателем ШОС?", typeChair},
		{"Which country chairs the SCO after Kyrgyzstan?", typeChair},
		{"中国之前是哪个国家担任轮值主席国？", typeChair},
		{"新银行的行长会是哪个国家的人？", typeOfficial},
		// Which states, one or a list: answered only by naming one.
		// A vote is asked about before which states: the texts record none.
		{"Which countries abstained in the vote?", typeVote},
		{"Как голосовала Индия по этому пункту?", typeVote},
		{"哪些国家投了反对票？", typeVote},
		{"Какие страны возражали против этого пункта?", typeVote},
		{"有没有哪个国家反对这一条？", typeVote},
		{"Какие страны были против создания банка?", typeVote},
		{"I heard one member refused to back the paragraph on Iran - which one?", typeVote},
		{"Против чего выступают государства-члены?", typeNone},
		// Where within a named place is a city; where in a year or in
		// the texts is not.
		{"Where in Kazakhstan will the 2026 regional climate summit be held?", typeCity},
		{"Где именно в Казахстане пройдёт климатический саммит?", typeCity},
		{"Где в 2026 году пройдёт климатический саммит?", typeNone},
		{"Where in the Declaration is Iran mentioned?", typeNone},
		// Which sites an attack hit are sites by name; what sort of sites
		// a kind.
		{"Which Iranian nuclear sites were hit in the June strikes?", typeInstance},
		{"What sort of facilities were hit in Iran in June?", typeNone},
		{"Какие страны выступали против пункта об ударах по Ирану?", typeVote},
		{"Какой доли расчётов в нацвалютах достигли страны ШОС?", typePercent},
		{"几个国家之间用本币结算，宣言提了没？", typeNone},
		// 第几次 asks which one, answered by 第二十次; 万一哪个国家 is "if any
		// state", no question which.
		{"上合组织论坛第几次会议在新德里举行？", typeNone},
		{"万一哪个国家发生大灾，成员国会不会互相帮忙？", typeNone},
		// "про центр" is no "процент" (Fold joins Russian words).
		{"Что про центр ИИ в Душанбе?", typeNone},
		{"Какой процент торговли идёт в национальных валютах?", typePercent},
		{"成员国反对什么？", typeNone},
		// The texts' own words: adopting by consensus (2.6's 以协商一致方式
		// 通过) is no vote, and 或者几个 is "one or several", no count.
		{"宣言说哪个反恐公约要协商一致通过", typeNone},
		{"宣言是不是一致通过的？", typeVote},
		{"有的国家或者几个国家抱团扩充反导系统，宣言认为会带来什么问题？", typeNone},
		// Dates asked as a list are a day still, unless of events.
		{"What are the exact dates of next year's summit?", typeDay},
		// Which sports, not which sports event.
		{"What sports will the games include?", typeSport},
		{"По каким видам спорта пройдут соревнования?", typeSport},
		{"锦标赛设哪些比赛项目？", typeSport},
		{"Which sports tournament is planned for 2026?", typeNone},
		{"what sports events are mentioned?", typeNone},
		// A yes/no question whether the texts say something asks what it
		// embeds; other yes/no questions keep their second part.
		{"Does the text say how many civilians were killed in the strikes?", typeCount},
		{"Does the declaration give the exact date of the next summit?", typeDay},
		{"Сказано ли в декларации, сколько будет стоить дорога?", typeMoney},
		{"Указано ли, в какой именно день пройдёт конференция?", typeDay},
		{"宣言里有没有说禁毒中心设在哪个城市？", typeCity},
		{"Did the SCO decide when to open the bank?", typeNone},
		// Which one of a kind by name: a bank or a company whenever asked
		// which; a site or facility only when asked which exactly. Which
		// state's bank asks for a state.
		{"Which Turkish bank will join the consortium?", typeInstance},
		{"哪家公司负责修这条公路？", typeInstance},
		{"Какая именно российская компания построит порт?", typeInstance},
		{"Which specific power plants were damaged?", typeInstance},
		{"具体是哪几座电站受损？", typeInstance},
		{"Какие именно объекты пострадали?", typeInstance},
		{"Which facilities must be kept safe in a conflict?", typeNone},
		{"哪个国家的银行要加入银联体？", typeStates},
		{"На каких условиях банки войдут в объединение?", typeNone},
		{"Какие страны выразили оговорки к этому пункту?", typeVote},
		{"Did India enter a reservation on the paragraph on Iran?", typeVote},
		{"Which members opposed creating the SCO Development Bank?", typeVote},
		{"Does the declaration say the SCO opposed unilateral sanctions?", typeNone},
		{"Which group does the declaration blame for the Khuzdar attack?", typePerpetrator},
		// Voting rights in international bodies are a topic of the texts.
		{"Do they want more voting rights for developing countries in the IMF?", typeNone},
		{"Which countries want more say in the IMF?", typeStates},
		// "What should countries do" asks what, not which states.
		{"What should countries do about corrupt officials who flee abroad?", typeNone},
		// A clause of hearsay asks nothing: its 几个 is "several".
		{"听说有个几个国家合办的大学，宣言里怎么说？", typeNone},
		{"听说有几个国家合办了大学？", typeCount},
		// Who manages a body asks for an official's name; who gets to run
		// the internet does not.
		{"Who manages the SCO Energy Club?", typeOfficial},
		{"What does the SCO think about who gets to run the internet?", typeNone},
		{"Кто управляет Банком развития ШОС?", typeOfficial},
		// Who carried out an attack, its name between (not its date).
		{"袭击“贾法尔快车”的是哪个团伙？", typePerpetrator},
		{"胡兹达尔的爆炸是什么时候？", typeDate},
		// Heading the organisation is chairing it; heading its
		// secretariat is an office.
		{"Who will lead the SCO after Kyrgyzstan?", typeChair},
		{"Кто возглавит ШОС в следующем году?", typeChair},
		{"Who heads the SCO Secretariat?", typeOfficial},
		{"哪些国家派了观察团？", typeStates},
		{"有哪些对话伙伴国参加了会议？", typeStates},
		{"Какие государства поддержали инициативу?", typeStates},
		{"Какой стране доверили провести форум?", typeStates},
		{"Which Central Asian states host the exercises?", typeStates},
		// "What kind of state", the member states as a group, and "which
		// statement" do not ask which states.
		{"What kind of country should Afghanistan become?", typeNone},
		{"Каким государством должен стать Афганистан?", typeNone},
		{"Which member states signed the agreement?", typeNone},
		{"Which statement covers trade?", typeNone},
		// Who won a contest needs no title.
		{"Who won the SCO football tournament?", typeWinner},
		{"Кто победил на турнире по шахматам?", typeWinner},
		// What to do with the perpetrators is not who they are.
		{"恐怖袭击的幕后黑手该怎么处理？", typeNone},
		{"Which militant group carried out the train attack?", typePerpetrator},
		// A year in a word is not a date cue.
		{"Which yearly resolution do the leaders welcome?", typeNone},
		{"上合组织马拉松谁获胜了？", typeWinner},
		// Who proposed something.
		{"Which country proposed the new research centre?", typeProposer},
		{"Кто предложил создать этот центр?", typeProposer},
		{"这个平台是哪个国家提议的？", typeProposer},
		{"Which country originally proposed the charter?", typeProposer},
		{"По чьей инициативе создаётся центр?", typeProposer},
		{"What did the member states propose on AI?", typeNone},
		{"What is the name of the bank's president?", typeOfficial},
		{"Кто министр иностранных дел Индии?", typeOfficial},
		// A leader asked for, in the singular or as one of them; "the
		// leaders" as the subject ask for whom they name, not a person.
		{"Who was the first leader to arrive?", typePerson},
		{"Who among the leaders spoke first?", typePerson},
		// Which city and on what dates: the city decides.
		{"In which city and on what dates will the forum be held?", typeCity},
		// 什么语境 is the context, not a language (什么语).
		{"“大欧亚伙伴关系”是在什么语境下被提到的？", typeNone},
		// 决议是几号 asks a resolution's number, not a day.
		{"宣言里要求全面执行的那个安理会决议是几号？", typeNone},
		// 喊口号 is empty talk, not a slogan asked for.
		{"防止太空军备竞赛，宣言是不是光喊口号，没说要有约束力的文件？", typeNone},
		{"В каком городе и в какие даты пройдёт форум?", typeCity},
		// Which city with a part that asks for no fact of a kind: the
		// whole is answered, and told the city is not given.
		{"Which city hosts the games, and what sports are planned?", typeNone},
		{"Кто из лидеров выступил первым?", typePerson},
		{"Who do the leaders want to punish?", typeNone},
		{"What's the name of the fund the leaders support?", typeNone},
		{"Кого благодарят лидеры?", typeNone},
		{"Как зовут директора центра?", typeOfficial},
		// Perpetrators.
		{"胡兹达尔爆炸案是谁干的？", typePerpetrator},
		{"那次火车袭击的幕后黑手是什么人？", typePerpetrator},
		{"Who carried out the bombing?", typePerpetrator},
		{"Who was behind the attack on the train?", typePerpetrator},
		{"Кто стоит за взрывом?", typePerpetrator},
		{"Кто совершил нападение?", typePerpetrator},
		// Cities: which city, where something sits or is headquartered.
		{"2026年峰会在哪个城市举行？", typeCity},
		{"下届峰会具体定在吉尔吉斯斯坦哪座城市？", typeCity},
		{"上合组织开发银行的总部设在哪里？", typeCity},
		// Asked inside a yes/no question, where is still asked; a city
		// the question gives is not.
		{"宣言有没有说开发银行总部设在哪个城市？", typeCity},
		{"宣言有寫上合開發銀行總部要設在哪嗎", typeCity},
		{"开发银行总部是否设在上海？", typeNone},
		// A province is not a city: 黑龙江 answers.
		{"冰雪体育示范区放在哪个省", typeNone},
		{"In which Russian city will the games be held?", typeCity},
		{"Where will the development bank be headquartered?", typeCity},
		{"What city hosts the forum?", typeCity},
		{"В каком именно городе пройдёт саммит?", typeCity},
		{"Какой город стал туристической столицей?", typeCity},
		{"Где будет находиться штаб-квартира банка?", typeCity},
		{"А где он будет находиться?", typeCity},
		{"Where will it be based?", typeCity},
		// Not typed: lists, stances, agents, conjunctions, several parts.
		{"Which cities host the SCO's events?", typeNone},
		// A yes/no question about a city is answered by the city the
		// text names, and not by a paragraph that names none.
		{"Is the bank headquartered in Shanghai?", typeCity},
		{"哪个城市举办峰会？什么时候？", typeNone},
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
		{"下一任主席国是谁？", typeChair},
		{"Кто будет председательствовать в следующем году?", typeChair},
		// With another part, a chair question is answered as a whole.
		{"Как оценили председательство Китая и кто следующий председатель?", typeNone},
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

func TestPartTypes(t *testing.T) {
	tests := []struct {
		q    string
		want []answerType
	}{
		{"开发银行的注册资本是多少？总部设在哪个城市？", []answerType{typeMoney, typeCity}},
		{"When was the railway started? How long is it?", []answerType{typeDate, typeQuantity}},
		{"开发银行成立了吗？什么时候？", nil},
		{"帕哈尔加姆袭击是哪天发生的？", nil},
		{"宣言谈了什么？有哪些要点？", nil},
		// Two questions joined in one sentence.
		{"Когда достроят железную дорогу и сколько она стоит?", []answerType{typeDate, typeCount}},
		{"中吉乌铁路什么时候建成，要花多少钱？", []answerType{typeDate, typeMoney}},
		{"When will the bank open and how much money will it get?", []answerType{typeDate, typeMoney}},
		// "and" inside one question is not a join.
		{"How many countries and organisations signed?", nil},
		// A part asking only whether the texts say it is no part; one
		// asking what they say is.
		{"贾法尔快车劫持事件是哪个组织干的？宣言里点名了吗", []answerType{typePerpetrator}},
		{"那次恐袭死了多少人？宣言有写吗", []answerType{typeCount}},
		{"听说上合有一所几个国家一起办的大学，文件里怎么提的？", nil},
		// Chat-style Chinese: a space between the questions.
		{"开发银行注册资本多少 总部设在哪个城市", []answerType{typeMoney, typeCity}},
	}
	for _, tt := range tests {
		if got := partTypes(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("partTypes(%q) = %v, want %v", tt.q, got, tt.want)
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
		// A year is not a count, in a date or in a name.
		{typeCount, "注意到“反恐协作－2024”联合反恐演习取得的成果。", false},
		{typeCount, "演习（2024年7月19日）有1200名军人参加。", true},
		{typeDate, "论坛于2024年10月举行。", true},
		{typeDate, "公约将于明年生效。", true},
		{typeDate, "會議將於九月舉行。", true},
		{typeDate, "成员国决定成立开发银行。", false},
		{typeDay, "论坛于2024年10月举行。", true},
		{typeDay, "會議將於九月舉行。", true},
		{typeDay, "下一次会议将于2026年举行。", false},
		{typeDay, "为期3个月的活动。", false},
		{typePerson, "某某共和国总统 某某某", true},
		{typePerson, "注意到举办约翰·史密斯论坛的建议。", true},
		{typePerson, "成员国高度评价秘书处的工作。", false},
		{typePerson, "成员国支持主席国的工作。", false},
		{typePerson, "向甲国、乙国、丙国的人民致敬。", true},
		// An office's holder is named, not listed.
		{typeOfficial, "某某共和国总统 某某某", true},
		{typeOfficial, "向甲国、乙国、丙国的人民致敬。", false},
		{typePerpetrator, "该组织宣称对袭击负责。", true},
		{typePerpetrator, "此次袭击系某武装分子所为。", true},
		{typePerpetrator, "成员国强烈谴责在某地发动的恐怖袭击事件。", false},
		{typeCity, "成员国欢迎将某国某某市作为旅游之都。", true},
		{typeCity, "注意到在莫斯科举行的会议的成果。", true},
		{typeCity, "会议将于2026年在吉尔吉斯共和国举行。", false},
		{typeCity, "成员国支持发展本地区的能源市场。", false},
		{typeCity, "加强智慧城市和友好城市建设。", false},
		{typeCity, "上海合作组织秉持“上海精神”。", false},
		{typeCity, "银行总部设在青湖，首期资本由成员国缴足。", true},
		{typeCity, "下一次会议将于2026年在吉尔吉斯斯坦举行。", false},
		{typeCity, "论坛将在中亚地区举办。", false},
		{typeCity, "期待2026年在喀麦隆举办的部长级会议取得成果。", false},
		{typeNone, "任何句子。", true},
	}
	for _, tt := range tests {
		if got := answersType(tt.t, tt.s); got != tt.want {
			t.Errorf("answersType(%v, %q) = %v, want %v", tt.t, tt.s, got, tt.want)
		}
	}
}

// TestEnsureTypeAddsSentence: when the chosen sentences lack the type but
// another sentence of a quoted paragraph has it, that sentence joins the
// answer instead of the answer being refused.
func TestEnsureTypeAddsSentence(t *testing.T) {
	c := loadCorpus(t)
	cp := New(c, retrieval.NewTermStats(c))
	p, _ := c.Get("2.38")
	sents := splitSentences(p.TextHans)
	if len(sents) < 2 || !answersType(typeDate, sents[0]) || answersType(typeDate, sents[1]) {
		t.Fatalf("2.38 no longer has a dated first sentence and an undated second: %q", sents)
	}
	res := retrieval.Results{Query: "反对建立与公约功能重复的机制", Items: []retrieval.Result{{Passage: p, Score: 1}}, Relevance: 1, InScope: true}
	in := Input{Question: "什么时候反对建立与公约功能重复的机制？", Lang: corpus.LangHans, Results: res}
	chosen := []sentence{{passage: p, pos: 1, text: sents[1], terms: sortedTerms(corpus.Fold(sents[1]))}}
	got, ok := cp.ensureType(in, typeDate, chosen)
	if !ok || len(got) != 2 || got[0].pos != 0 || got[1].pos != 1 {
		t.Fatalf("ensureType = %v, %+v; want the dated sentence added before the chosen one", ok, got)
	}
	if _, ok := cp.ensureType(in, typePerpetrator, chosen); ok {
		t.Errorf("ensureType(perpetrator) = ok; 2.38 names no one")
	}
}

func TestAsksForOverview(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"宣言中关于人工智能都有哪些内容？", true},
		{"對於化學武器和生物武器，成員國有什麼立場？", true},
		// Chat-style requests for every item.
		{"宣言里所有跟银行有关的内容，给我列全", true},
		{"青岛在宣言里出现了几回 都是啥事", true},
		{"What does the declaration say about Afghanistan?", true},
		{"Какие антинаркотические операции поддерживают страны ШОС?", true},
		{"宣言中关于体育合作都提了什么？", true},
		{"關於數字經濟，宣言講了些什麼？", true},
		{"帕哈尔加姆恐怖袭击是哪一天发生的？", false},
		{"When and where was the Tianjin Declaration adopted?", false},
		{"Под каким девизом Киргизия будет председательствовать в ШОС?", false},
	} {
		if got := asksForOverview(tt.q); got != tt.want {
			t.Errorf("asksForOverview(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestTopicOf(t *testing.T) {
	c := loadCorpus(t)
	for _, tt := range []struct {
		id   string
		sc   corpus.Script
		want string
	}{
		{"2.36", corpus.Hans, "防止外空武器化"},
		{"2.36", corpus.Hant, "防止外空武器化"},
		{"2.14", corpus.Hans, "共同努力，防止激进意识形态、宗教不宽容、排外心理…"},
		{"1.10", corpus.Hans, "反对以集团化和对抗性思维解决国际和地区热点问题"},
		{"3.5", corpus.Hans, "会议通过了《上合组织成员国元首理事会关于支持多边…"},
	} {
		p, _ := c.Get(tt.id)
		if got := topicOf(p, tt.sc); got != tt.want {
			t.Errorf("topicOf(%s, %s) = %q, want %q", tt.id, tt.sc, got, tt.want)
		}
	}
	for _, tt := range []struct {
		id   string
		lang corpus.Lang
		want string
	}{
		{"2.36", corpus.LangHans, "防止外空武器化"},
		{"3.7", corpus.LangEn, "note the initiative to draw up an agreement on trade facilitation…"},
		{"5.5", corpus.LangEn, "welcome the decision to grant the Lao People's Democratic Republic…"},
		{"3.7", corpus.LangRu, "принимают к сведению инициативу о разработке в рамках ШОС соглашения…"},
	} {
		p, _ := c.Get(tt.id)
		if got := topicIn(p, tt.lang); got != tt.want {
			t.Errorf("topicIn(%s, %s) = %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
}

func TestFollowUpOf(t *testing.T) {
	tests := []struct {
		text    string
		fires   bool
		ordinal int
		more    bool
		own     string
	}{
		// Chinese: ellipsis, anaphora, ordinals, "what else".
		{text: "那第二个呢？", fires: true, ordinal: 2},
		{text: "那麼第三條呢？", fires: true, ordinal: 3},
		{text: "最后一个呢", fires: true, ordinal: LastOrdinal},
		{text: "第2段说了什么？", fires: true, ordinal: 2, own: "说了什么"},
		{text: "那能源合作呢？", fires: true, own: "能源合作"},
		{text: "它对恐怖主义怎么表态？", fires: true, own: "对恐怖主义怎么表态"},
		{text: "其中提到了哪些国家？", fires: true, own: "提到了哪些国家"},
		{text: "还有别的吗？", fires: true, more: true, own: "吗"},
		{text: "該國的情況呢", fires: true, own: "的情况"},
		// Chinese: standalone, though after others.
		{text: "宣言如何评价上合组织开发银行？"},
		{text: "第二次世界大战胜利多少周年？"},
		{text: "第二部分讲了什么？"},
		{text: "那宣言对气候变化有什么立场？"},
		{text: "该宣言什么时候签署的？"},
		{text: "上海合作组织成员国在打击恐怖主义、分裂主义和极端主义方面达成了哪些共识呢？"},
		{text: "成员国应该如何加强互联互通？"},
		// English.
		{text: "And what about drugs there?", fires: true, own: "drugs"},
		{text: "And the second one?", fires: true, ordinal: 2},
		{text: "When did the third attack happen?", fires: true, ordinal: 3, own: "when did happen"},
		{text: "What else?", fires: true, more: true},
		{text: "How about energy?", fires: true, own: "energy"},
		{text: "And trade?", fires: true, own: "trade"},
		{text: "What does it say about energy?"},
		{text: "Is there anything on space security?"},
		{text: "What does this declaration say about the Second World War?"},
		{text: "And who signed the declaration?"},
		{text: "What does the declaration say about the SCO development bank and when will it start operating?"},
		// Russian.
		{text: "А что насчёт наркотиков?", fires: true, own: "наркотиков"},
		{text: "А второй?", fires: true, ordinal: 2},
		{text: "Когда был второй теракт?", fires: true, ordinal: 2, own: "когда был"},
		{text: "Что ещё там сказано?", fires: true, more: true, own: "сказано"},
		{text: "А энергетика?", fires: true, own: "энергетика"},
		{text: "Что сказано о Второй мировой войне?"},
		{text: "Что говорится в этой декларации о климате?"},
		{text: "И кто подписал декларацию?"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			fu, ok := FollowUpOf(tt.text, corpus.DetectLang(tt.text))
			if ok != tt.fires {
				t.Fatalf("followUpOf = %+v, %v; want fires=%v", fu, ok, tt.fires)
			}
			if !ok {
				return
			}
			if fu.Ordinal != tt.ordinal || fu.More != tt.more || fu.Own != tt.own {
				t.Errorf("followUpOf = %+v; want ordinal %d, more %v, own %q", fu, tt.ordinal, tt.more, tt.own)
			}
		})
	}
}

// The working translations keep the Chinese sentences' order and count,
// so a chosen sentence is quoted from its translation, not the whole
// paragraph: every passage of more than one sentence splits alike.
func TestTranslationsAlignBySentence(t *testing.T) {
	c := loadCorpus(t)
	for _, p := range c.Passages() {
		zh := splitSentences(p.TextHans)
		if len(zh) < 2 {
			continue
		}
		for _, l := range []corpus.Lang{corpus.LangEn, corpus.LangRu} {
			if got := splitTranslated(p.TextIn(l)); len(got) != len(zh) {
				t.Errorf("%s %s: %d sentences, the Chinese %d: %q", l, p.ID, len(got), len(zh), got)
			}
		}
	}
	for in, want := range map[string]int{
		"One. Two; three. “Four.”":        3, // "three" starts no sentence
		"See No. 5 of the list. Done.":    2,
		"Ends without a mark":             1,
		"Первое. Второе; «третье». Итог.": 4,
	} {
		if got := splitTranslated(in); len(got) != want {
			t.Errorf("splitTranslated(%q) = %q, want %d sentences", in, got, want)
		}
	}
}

func TestAsksWhichPlural(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"Which terrorist attacks did the member states condemn?", true},
		{"what agreements were signed in Tianjin", true},
		{"Which countries signed the declaration?", true},
		{"Which city hosts the next summit?", false},
		{"What does the declaration say about Gaza?", false},
		{"Which city will host the 2026 meeting?", false},
		{"What is the SCO's position on Afghanistan?", false},
		{"When was the Jaffar Express attacked?", false},
		{"On what dates was the forum held?", false},
		{"What years does the new development strategy cover?", false},
	} {
		if got := asksWhichPlural(" " + tt.q + " "); got != tt.want {
			t.Errorf("asksWhichPlural(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// A count or a sum is not answered by a date's digits or an ordinal; a
// duration is.
func TestAnswersTypeDates(t *testing.T) {
	for _, tt := range []struct {
		t    answerType
		s    string
		want bool
	}{
		{typeCount, "成员国强烈谴责2025年4月22日在帕哈尔加姆发生的恐怖袭击事件。", false},
		{typeCount, "论坛于2025年5月21日至22日在新德里举行。", false},
		{typeCount, "2025－2027年合作纲要。", false},
		// An ordinal names which one, not how many.
		{typeCount, "安理会第2231（2015）号决议。", false},
		{typeCount, "第43届会议于2025年10月30日开幕。", false},
		{typeCount, "上合组织银联体成立20年来。", true},
		{typeCount, "国家元首、政府首脑、外长等三个层级。", true},
		{typeQuantity, "成员国强烈谴责2025年4月22日在帕哈尔加姆发生的恐怖袭击事件。", true},
		{typeMoney, "决定成立开发银行并加快磋商。", false},
		{typeMoney, "成立于2025年。", false},
		{typeMoney, "注册资本为100亿美元。", true},
		{typeMoney, "捐款五百万元。", true},
	} {
		if got := answersType(tt.t, tt.s); got != tt.want {
			t.Errorf("answersType(%v, %q) = %v, want %v", tt.t, tt.s, got, tt.want)
		}
	}
}

func TestAsksSeveral(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"上合到底要不要搞一个自己的银行？", false},
		{"为什么要成立开发银行？", false}, // 为什么 is one word, not also 什么
		{"电子商务在宣言和贸易声明里分别是怎么说的？", true},
		{"宣言谴责的那起针对火车的恐怖袭击，是哪趟列车、发生在什么时候？", true},
		{"峰会有没有发表声明？那份声明怎么评价联合国？", true},
		{"What does the declaration say about Afghanistan?", false},
		{"Which city hosts the next summit and when?", true},
		{"What do the declaration and the trade statement each say about e-commerce?", true},
		{"Что говорится об Афганистане?", false},
		{"Где и когда пройдёт следующий саммит?", true},
		{"Сравните позиции по ВТО в декларации и заявлении.", true},
	}
	for _, tt := range tests {
		if got := asksSeveral(tt.q); got != tt.want {
			t.Errorf("asksSeveral(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestLeadWith: the paragraph that gives the asked fact leads, its own
// sentences together and in order, the rest after it in theirs.
func TestLeadWith(t *testing.T) {
	s := func(id, text string) sentence { return sentence{text: text, passage: corpus.Passage{ID: id}} }
	hasDigit := func(text string) bool { return strings.ContainsAny(text, "0123456789") }
	ids := func(ss []sentence) string {
		var out []string
		for _, x := range ss {
			out = append(out, x.passage.ID+":"+x.text)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		in   []sentence
		want string
	}{
		{[]sentence{s("2.3", "a"), s("5.8", "b1"), s("5.8", "9"), s("W1", "c")}, "5.8:b1 5.8:9 2.3:a W1:c"},
		// The lead answers already, or nothing does: unchanged.
		{[]sentence{s("2.3", "1"), s("5.8", "2")}, "2.3:1 5.8:2"},
		{[]sentence{s("2.3", "a"), s("2.3", "7"), s("5.8", "2")}, "2.3:a 2.3:7 5.8:2"},
		{[]sentence{s("2.3", "a"), s("5.8", "b")}, "2.3:a 5.8:b"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := ids(leadWith(tt.in, hasDigit)); got != tt.want {
			t.Errorf("leadWith(%s) = %s, want %s", ids(tt.in), got, tt.want)
		}
	}
}

func TestHasOwnTopic(t *testing.T) {
	tests := []struct {
		part string
		want bool
	}{
		{"宣言怎么说", false},
		{"上合对这个啥态度", false},
		{"文件里有没有说法", false},
		{"另外在打击极端主义意识形态方面通过了什么纲要", true},
		{"成员国签了哪两个协定", true},
		{"下一次元首理事会又在哪个国家开", true},
		{"What does the declaration say", true}, // English: always
		{"请全部列出", false},
		{"Перечислите все мероприятия", false},
	}
	for _, tt := range tests {
		if got := HasOwnTopic(tt.part); got != tt.want {
			t.Errorf("HasOwnTopic(%q) = %v, want %v", tt.part, got, tt.want)
		}
	}
}

func TestQuestionParts(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"峰会在哪开的？下一次在哪个国家？", []string{"峰会在哪开的", "下一次在哪个国家"}},
		{"Where was the summit held, and which country hosts the next one?", []string{"Where was the summit held", "which country hosts the next one"}},
		// A join after a comma is taken before a bare one, which may join
		// two nouns ("tourism and cultural capital").
		{"Which city was the tourism and cultural capital, and which one is it now?", []string{"Which city was the tourism and cultural capital", "which one is it now"}},
		{"What does it say about trade and investment?", []string{"What does it say about trade and investment"}},
	}
	for _, tt := range tests {
		if got := questionParts(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("questionParts(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestCountedNounAndAskedStates(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"这次峰会一共来了多少位外国领导人和国际组织负责人", "外国领导人"},
		{"中国当主席国那一年总共办了多少场活动", "活动"},
		{"上合组织有几个成员国", ""},
		{"多少钱", ""},
	} {
		if got := countedNoun(tt.q); got != tt.want {
			t.Errorf("countedNoun(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	for _, tt := range []struct {
		text, asked string
		want        bool
	}{
		{"下一任上合组织轮值主席国将由吉尔吉斯共和国担任", "吉尔吉斯斯坦的口号", true},
		{"下一任上合组织轮值主席国将由吉尔吉斯共和国担任", "中国担任主席国时的口号", false},
		{"成员国高度评价中华人民共和国的工作", "中国担任主席国的成果", true},
		{"成员国强调", "宣言的口号", true},
	} {
		if got := namesAskedStates(tt.text, tt.asked); got != tt.want {
			t.Errorf("namesAskedStates(%q, %q) = %v, want %v", tt.text, tt.asked, got, tt.want)
		}
	}
}

// The signature block answers who holds a state's title, not an SCO
// body's.
func TestAsksSignatures(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"Who is the President of Kazakhstan?", true},
		{"Who signed the declaration for Pakistan?", true},
		{"哪些领导人在宣言上签了名？", true},
		{"Who's going to run the new SCO Development Bank as its first president?", false},
		{"谁会担任上合组织开发银行的行长？", false},
		{"Кто возглавит секретариат ШОС?", false},
	} {
		if got := asksSignatures(cueText(tt.q)); got != tt.want {
			t.Errorf("asksSignatures(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}
