package compose

import (
	"slices"
	"testing"
)

func TestTopicParts(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"宣言对加沙局势和伊朗遭到军事打击分别怎么表态？", []string{"加沙局势", "伊朗遭到军事打击"}},
		{"外空安全和生物安全，成员国各主张什么？", []string{"外空安全", "生物安全"}},
		{"宣言在国际金融机构改革和本币结算上分别说了什么？", []string{"国际金融机构改革", "本币结算"}},
		// Traditional characters are folded.
		{"關於上合組織銀聯體和經濟智庫聯盟，宣言各說了些什麼？", []string{"上合组织银联体", "经济智库联盟"}},
		{"外太空武器化跟網路軍事化這兩件事他們什麼立場", []string{"外太空武器化", "网路军事化"}},
		// A list of topics; a conjunction inside a title joins nothing.
		{"农业、食品安全、检验检疫和标准化这些方面，宣言都提了哪些合作？", []string{"农业", "食品安全", "检验检疫", "标准化"}},
		{"宣言对《不扩散核武器条约》和《禁止化学武器公约》分别说了些什么？", []string{"《不扩散核武器条约》", "《禁止化学武器公约》"}},
		{"What did the summit say about the youth council and about youth start-ups?", []string{"about the youth council", "about youth start-ups"}},
		{"Что декларация говорит о ДНЯО и о защите ядерных объектов?", []string{"о дняо", "о защите ядерных объектов"}},
		// Not asked of each: one name, one pair, or no repeated preposition.
		{"青岛当完上合旅游和文化之都以后，接棒的是哪个城市？", nil},
		{"观察员和对话伙伴这两种身份以后怎么处理？", nil},
		{"宣言对维护和平分别怎么说？", nil},
		// Two topics, though one holds 和 (和平).
		{"宣言对和平与发展分别怎么说？", []string{"和平", "发展"}},
		{"各国对吉尔吉斯共和国和中国有什么看法", nil},
		{"What does the declaration say about trade and development?", nil},
		{"Что сказано о торговле и развитии?", nil},
	}
	for _, tt := range tests {
		if got := TopicParts(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("TopicParts(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func FuzzTopicParts(f *testing.F) {
	for _, s := range []string{"宣言对A和B分别怎么说", "和分别", "、、各说", "《和》分别", "about x and about y", "о и о"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, p := range TopicParts(q) {
			if p == "" {
				t.Fatalf("TopicParts(%q) has an empty topic", q)
			}
		}
	})
}
