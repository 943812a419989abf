package query

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// An off-topic Chinese word must be one the declaration never uses, and
// must not overlap a colloquial synonym the glossary maps to its topics:
// otherwise a question in the text's own words would be judged off topic.
func TestOffTopicChineseAbsentFromCorpus(t *testing.T) {
	texts := foldedCorpus(t)
	var synonyms []string
	_ = lines(glossaryTSV, func(_ int, f []string) error {
		if f[0] == "zh" {
			synonyms = append(synonyms, corpus.Fold(f[1]))
		}
		return nil
	})
	n := 0
	_ = lines(offTopicTSV, func(line int, f []string) error {
		if f[0] != "zh" {
			return nil
		}
		n++
		k := corpus.Fold(f[1])
		if occurs(texts, k) {
			t.Errorf("offtopic.tsv:%d: %q occurs in the corpus", line, k)
		}
		for _, s := range synonyms {
			// A synonym may hold an off-topic key (天气变暖, 天气): there
			// the key is not off topic (withoutSynonymWords).
			if strings.Contains(k, s) {
				t.Errorf("offtopic.tsv:%d: %q holds the glossary synonym %q", line, k, s)
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no zh off-topic words")
	}
}

func TestOffTopic(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string
	}{
		// Found whatever else the question names, in either script, and
		// inside stop phrases (多少 is one).
		{"天津明天天气怎么样？", []string{"天气"}},
		// 天气 inside a synonym of the climate is no weather.
		{"天气变暖了，上合怎么应对？", nil},
		// Weather asked in one segment stays off topic beside the climate
		// in another.
		{"天津天气怎么样？SCO对天气变暖怎么说", []string{"天气"}},
		// Travel plans and web addresses are nothing the texts give.
		{"Give me a 3-day itinerary for Tianjin.", []string{"itinerary"}},
		{"粮食安全图集平台的网址是什么？", []string{"网址"}},
		// Prices are off topic, valuing something is not (цена and
		// ценят share a stem).
		{"Ценят ли в ШОС вклад бизнеса?", nil},
		{"上合组织杯的门票多少钱？", []string{"门票", "多少钱"}},
		{"哈薩克斯坦總統的妻子叫什麼？", []string{"妻子"}},
		{"天气预报说明天下雨吗", []string{"天气预报", "下雨"}},
		{"What is the price of a ticket to Tianjin?", []string{"price", "ticket"}},
		{"Who is the cheapest hotel in Astana?", []string{"cheapest", "hotel"}},
		{"Any news on the elections in Pakistan?", []string{"elections"}},
		{"Какая погода будет в Астане?", []string{"погода"}},
		{"Сколько стоит билет на поезд до Ташкента?", []string{"сколько стоит", "билет"}},
		{"Что известно о президентских выборах в Иране?", []string{"президентских выборах"}},
		// Elections in the plural, as written; the choice of a path
		// (выбор, the same stem) is in scope.
		{"Какую позицию ШОС заняла по итогам выборов в Грузии?", []string{"выборов"}},
		{"Как ШОС отреагировала на выборы в Беларуси?", []string{"выборы"}},
		{"Что сказано о праве на выбор пути развития?", nil},
		// What happened at the summit, which the texts do not record.
		{"习近平和莫迪在峰会间隙会晤了吗？", []string{"间隙", "会晤"}},
		{"天津峰會的歡迎晚宴有哪些人出席？", []string{"晚宴"}},
		{"Who gave a speech at the welcome banquet?", []string{"speech", "banquet"}},
		{"Were there protesters outside the venue?", []string{"protesters"}},
		{"О чём договорились в кулуарах саммита?", []string{"кулуарах"}},
		{"Какой подарок получил Путин?", []string{"подарок"}},
		{"What did they say in their private talks?", []string{"private talks"}},
		{"О чём говорили в машине?", []string{"машине"}},
		{"What did Putin and Modi discuss in the car?", []string{"car"}},
		{"What did Modi and Xi discuss in their bilateral?", []string{"their bilateral"}},
		{"What's the best time of year to visit Tianjin?", []string{"best time year"}},
		{"天津峰会出动了多少警力？", []string{"警力"}},
		{"普京在发言中提到了什么？", []string{"发言中"}},
		{"上合组织秘书处的地址在哪？", []string{"地址"}},
		{"What is the SCO secretariat's official website?", []string{"official website"}},
		// Websites and phones are also how drugs are sold and fraud done.
		{"Do they say anything about narcotics sold through websites?", nil},
		{"Как бороться с продажей наркотиков через сайты?", nil},
		{"电话诈骗怎么打击？", nil},
		{"What was in Xi's keynote?", []string{"keynote"}},
		{"О чём было выступление Моди?", []string{"выступление"}},
		{"峰会在天津哪个会展中心开？", []string{"会展中心"}},
		{"Which convention center hosted the leaders?", []string{"convention center"}},
		{"В каком здании прошла встреча?", []string{"здании"}},
		{"What bilateral agreements did India and Russia sign?", []string{"bilateral agreements"}},
		{"领导人们参观了哪些景点？", []string{"参观", "景点"}},
		// Measures of integration the texts do not contain.
		{"上合国家之间能互免签证吗？", []string{"免签"}},
		{"Will the SCO adopt a single currency?", []string{"single currency"}},
		{"Введут ли безвизовый режим?", []string{"безвизовый"}},
		{"Какой официальный язык у ШОС?", []string{"официальный язык"}},
		// Contractors, the Moon and a route the texts never name.
		{"Who built the new railway, which contractor?", []string{"contractor"}},
		{"中方和俄方签了什么能源合同？", []string{"合同"}},
		{"Is there a plan for a moon base?", []string{"moon"}},
		{"Did they mention the World Cup?", []string{"world cup"}},
		// A word inside a phrase the glossary maps is that phrase's.
		{"Is the SCO making online shopping across borders easier?", nil},
		{"Что говорится о Северном морском пути?", []string{"северном морском пути"}},
		// Their neighbours in the texts are not.
		{"成员国怎样推动本币结算？", nil},
		{"Что сказано о расчётах в национальных валютах?", nil},
		{"What about settlements in national currencies?", nil},
		// The text's own topics are not off topic, even where the words
		// come close: the choice of a development path, the price of
		// security, snow sports, the SCO Cup.
		{"Что говорится о праве народов на выбор пути развития?", nil},
		{"Do countries have the right to choose their way of development?", nil},
		{"Which country's bilateral trade grew?", nil},
		{"Does the declaration say security must not come at the cost of others?", nil},
		{"冰雪体育示范区建在哪里？", nil},
		{"Is an SCO Cup planned for 2026?", nil},
		{"宣言如何评价中国担任主席国的工作？", nil},
		{"成员国怎样推动本币结算？", nil},
		{"Does the declaration support peace talks in Afghanistan?", nil},
		{"宣言支持阿富汗和谈吗？", nil},
		{"发展中国家在世界银行讲话不够分量，宣言怎么说？", nil},
		{"宣言里有没有讲到保护妇女儿童和家庭的内容", nil},
		{"那次袭击的发生日期是哪天？", nil},
		{"Who should lead the fight against terrorist outfits?", nil},
		{"哈萨克斯坦总统的女儿叫什么？", []string{"的女儿"}},
		{"What meeting will be held in Kyrgyzstan next year?", nil},
		{"Что говорится о равенстве полов?", nil},
		{"这次峰会上成员国签了哪些协定？", nil},
		{"成员国希望在哪些国际金融机构里提高发展中国家的发言权？", nil},
		{"Что говорится о создании Банка развития?", nil},
		{"What does the declaration say about capacity building?", nil},
		{"О чём идёт речь в декларации?", nil},
	}
	for _, tt := range tests {
		got := p.Process(tt.q).OffTopic
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: OffTopic %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestOffTopicFirstPairs checks the scan that skips positions by the
// keys' first two runes against the one that looks every length up, on
// text made of pieces of keys and other characters.
func TestOffTopicFirstPairs(t *testing.T) {
	p := newProcessor(t)
	p.zhTables()
	full := p.off
	full.zhFirst = nil
	var keys []string
	var runes []rune
	for k := range p.off.zh {
		keys = append(keys, k)
		runes = append(runes, []rune(k)...)
	}
	slices.Sort(keys)
	runes = append(runes, []rune("的了天津合作，。a1")...)
	rng := rand.New(rand.NewPCG(4, 4))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(20) {
			if rng.IntN(3) == 0 {
				b.WriteString(keys[rng.IntN(len(keys))])
			} else {
				b.WriteRune(runes[rng.IntN(len(runes))])
			}
		}
		s := b.String()
		if got, want := p.off.scanZh(nil, s), full.scanZh(nil, s); !slices.Equal(got, want) {
			t.Fatalf("off-topic words in %q: %q, want %q", s, got, want)
		}
	}
}
