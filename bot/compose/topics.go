package compose

import (
	"strings"

	"github.com/declbot/declbot/corpus"
)

// TopicParts returns the topics of one question that asks the same thing
// of two or more ("宣言对加沙局势和伊朗遭到军事打击分别怎么表态" asks of 加沙
// 局势 and 伊朗遭到军事打击; "What did they say about the youth council and
// about start-ups?", "Что сказано о ДНЯО и о защите ядерных объектов?"),
// each to be searched on its own; nil for any other question. Searched
// whole, the words of one topic crowd out the paragraph that answers the
// other, as they do for two questions in one message (QuestionParts). A
// topic is searched bare: with the question's frame around it ("…，成员国
// 各主张什么") a short topic found paragraphs on the frame.
//
// Only a coordination the question marks as several is split: in Chinese
// one the question asks of with "分别", "各…", "两方面" or "这些方面"; in
// English and Russian one whose topics each repeat their preposition
// ("about X and about Y", "о X и о Y"). A plain "A和B" is as often one name
// ("旅游和文化之都", "Trade and Development"), and "这两种身份" one thing.
func TopicParts(question string) []string {
	if corpus.HasHan(question) {
		return hanTopicParts(corpus.Fold(question))
	}
	// Fold drops the spaces between Cyrillic words.
	return wordTopicParts(strings.ToLower(question))
}

// hanConjs join coordinated topics in Chinese, longest first.
var hanConjs = []string{"以及", "、", "和", "与", "跟", "及", "同"}

// hanNotConj are words a conjunction character is part of: 和平, 参与,
// 涉及, 共和国 and the like join nothing.
var hanNotConj = []string{
	"和平", "和谐", "和睦", "和解", "和约", "和谈", "共和", "温和", "缓和", "总和", "饱和", "调和", "柔和", "祥和", "讲和", "平和",
	"参与", "与会", "与其", "给与", "赋与", "与否",
	"涉及", "普及", "及时", "及早", "危及", "波及", "顾及", "遍及", "来不及", "及其",
	"同时", "同样", "同意", "同步", "共同", "同等", "相同", "同期", "等同", "同盟", "同比", "如同", "不同", "合同", "同一", "同类",
}

// hanSeveralCues mark a Chinese coordination as asking the same of each
// topic.
var hanSeveralCues = []string{"分别", "各自", "各有", "各是", "各说", "各提", "各主张", "各强调", "各表", "各持", "两方面", "两个方面", "两件事", "两个问题", "两块", "二者", "两者", "这些方面", "这些领域"}

// hanLeftStops end a topic on its left: the word that introduces it.
var hanLeftStops = []string{"对于", "关于", "围绕", "针对", "有关", "对", "在", "就"}

// hanRightStops end the last topic on its right: what the question asks
// of the topics, or the words that sum them up.
var hanRightStops = []string{
	"分别", "各", "这", "那", "两", "都", "等", "方面", "领域", "问题上",
	"的立场", "的态度", "的表态", "的说法", "的看法", "的主张", "的规定", "的内容", "的表述",
	"上分别", "上各", "上都", "上的", "上有", "上是", "上怎", "上说", "上提",
	"持", "是", "有", "怎", "如何", "什么", "啥", "哪", "说了", "说什么", "提了", "提到", "提出", "表态", "采取", "强调", "主张",
}

// hanTopicParts is TopicParts for a folded Chinese question.
func hanTopicParts(f string) []string {
	if !containsAny(f, hanSeveralCues) && !hanEachRe().MatchString(f) {
		return nil
	}
	rs := []rune(f)
	// The first conjunction outside a title 《…》 that is not part of a
	// word.
	depth := 0
	start := -1
	var conj string
	for i := 0; i < len(rs) && start < 0; i++ {
		switch rs[i] {
		case '《', '“', '「':
			depth++
			continue
		case '》', '”', '」':
			depth = max(0, depth-1)
			continue
		}
		if depth > 0 {
			continue
		}
		if c := hanConjAt(rs, i); c != "" {
			start, conj = i, c
		}
	}
	if start < 1 {
		return nil
	}
	// The first topic runs back from the conjunction to the word that
	// introduces it, a mark, or the question's start.
	left := 0
	for i := start - 1; i >= 0; i-- {
		if isHanMark(rs[i]) {
			left = i + 1
			break
		}
		if w := hasSuffixAny(rs[:i+1], hanLeftStops); w != "" && !isLeftStopInWord(rs, i+1-len([]rune(w))) {
			left = i + 1
			break
		}
	}
	if start-left < 2 {
		return nil
	}
	topics := []string{string(rs[left:start])}
	i := start + len([]rune(conj))
	for len(topics) < maxTopics+1 {
		j := i
		for ; j < len(rs); j++ {
			if isHanMark(rs[j]) || hasPrefixAny(rs[j:], hanRightStops) != "" || hanConjAt(rs, j) != "" {
				break
			}
		}
		if j-i < 2 {
			return nil
		}
		topics = append(topics, string(rs[i:j]))
		c := ""
		if j < len(rs) {
			c = hanConjAt(rs, j)
		}
		if c == "" {
			i = j
			break
		}
		i = j + len([]rune(c))
	}
	if len(topics) < 2 || len(topics) > maxTopics {
		return nil
	}
	return topics
}

// maxTopics bounds the topics one question is split into.
const maxTopics = 4

// hanEachRe is "各" asking of each topic ("各说了些什么", "各有什么主张"),
// not "各国" or "各方".
var hanEachRe = lazyRegexp(`各[^国方种类地界项个级种]`)

// hanConjAt returns the conjunction at rs[i] that joins two topics, or "".
func hanConjAt(rs []rune, i int) string {
	c := hasPrefixAny(rs[i:], hanConjs)
	if c == "" {
		return ""
	}
	if c == "以及" || c == "、" {
		return c
	}
	for _, w := range hanNotConj {
		wr := []rune(w)
		k := strings.Index(w, c)
		if k < 0 {
			continue
		}
		off := len([]rune(w[:k]))
		if i-off >= 0 && i-off+len(wr) <= len(rs) && string(rs[i-off:i-off+len(wr)]) == w {
			return ""
		}
	}
	return c
}

// isLeftStopInWord reports whether the left stop at rs[i] is part of a
// longer word: 对 in 反对, 应对, 面对, 对话; 在 in 存在, 现在.
func isLeftStopInWord(rs []rune, i int) bool {
	if i < 0 || i >= len(rs) {
		return false
	}
	prev := rune(0)
	if i > 0 {
		prev = rs[i-1]
	}
	next := rune(0)
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	switch rs[i] {
	case '对':
		return strings.ContainsRune("反应面针绝相", prev) || strings.ContainsRune("话抗接外等待比照", next)
	case '在':
		return strings.ContainsRune("存现实正所", prev)
	case '就':
		return strings.ContainsRune("成造也", prev)
	}
	return false
}

// isHanMark reports whether r ends a clause.
func isHanMark(r rune) bool {
	return strings.ContainsRune("，,。；;：:！!？? \u3000", r)
}

// hasPrefixAny returns the first of words rs begins with, or "".
func hasPrefixAny(rs []rune, words []string) string {
	for _, w := range words {
		wr := []rune(w)
		if len(wr) <= len(rs) && string(rs[:len(wr)]) == w {
			return w
		}
	}
	return ""
}

// hasSuffixAny returns the first of words rs ends with, or "".
func hasSuffixAny(rs []rune, words []string) string {
	for _, w := range words {
		wr := []rune(w)
		if len(wr) <= len(rs) && string(rs[len(rs)-len(wr):]) == w {
			return w
		}
	}
	return ""
}

// wordTopicParts is TopicParts for a folded English or Russian question:
// "about X and about Y".
func wordTopicParts(f string) []string {
	m := repeatedPrepRe().FindStringSubmatchIndex(f)
	if m == nil {
		return nil
	}
	// m[2:4] is the first topic with its preposition, m[8:10] the
	// second's.
	first, second := f[m[2]:m[3]], f[m[8]:m[9]]
	return []string{first, second}
}

// repeatedPrepRe is two topics that each bring their preposition: "about
// X and about Y", "on X and on Y", "о X и о Y", "про X и про Y", "по X и
// по Y". The topics run to a clause's end.
var repeatedPrepRe = lazyRegexp(`(?:^|\s)((about|on|regarding|concerning|for|о|об|обо|про|по|насчёт|насчет)\s[^,;:?!.]+?)(,?\s+(?:and|и|а также)\s+)((?:about|on|regarding|concerning|for|о|об|обо|про|по|насчёт|насчет)\s[^,;:?!.]+)`)
