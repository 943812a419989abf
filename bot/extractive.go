package bot

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval"
)

// Extractive answers quote the corpus: the sentences of the top retrieved
// passages that share the most (rare) terms with the question, each
// followed by its citation. They need no model, so they are the default
// and the fallback, and they cannot say anything the text does not.
const (
	// extractPassages is how many of the top passages sentences are taken
	// from: the retriever's best few hold the answer far more often than
	// not, and further ones mostly add noise.
	extractPassages = 4
	// extractSentences and extractRunes bound the answer: a short answer
	// a user reads at a glance, about one Telegram screen.
	extractSentences = 4
	extractRunes     = 300
	// rankDecay lowers a passage's sentences by its retrieval rank: the
	// i-th passage's sentences are weighted 1/(1+rankDecay·i).
	rankDecay = 0.2
	// repeatWeight is what a query term already quoted counts for in the
	// next sentence: enough that a question about one topic spread over
	// several paragraphs ("阿富汗") still quotes each, little enough that a
	// sentence with new terms wins.
	repeatWeight = 0.6
	// minGainRatio drops sentences worth less than this fraction of the
	// best one.
	minGainRatio = 0.15
	// relatedTopics is how many closest passages an out-of-scope answer
	// names.
	relatedTopics = 3
	// relatedMinRelevance is the retrieval relevance below which the
	// closest passages are not worth naming: for "比特币现在多少钱" they
	// share a stray word, not a topic.
	relatedMinRelevance = 0.25
	// topicRunes bounds how much of a passage names its topic;
	// topicMinRunes is the least.
	topicRunes    = 24
	topicMinRunes = 6
)

// termStats holds document frequencies of matching terms over the corpus,
// so that rare terms (乔蓬阿塔) outweigh ubiquitous ones (成员国).
type termStats struct {
	n  int
	df map[string]int
}

func newTermStats(c *corpus.Corpus) *termStats {
	ts := &termStats{n: c.Len(), df: map[string]int{}}
	for _, p := range c.Passages() {
		for t := range termSet(corpus.Fold(p.TextHans)) {
			ts.df[t]++
		}
	}
	return ts
}

// idf is the inverse document frequency of t. Terms absent from the
// corpus weigh nothing (they cannot match any sentence anyway), and so do
// terms in more than a fifth of the passages (成员, 组织, 合作): sharing
// them with a question says nothing about whether a sentence answers it.
func (ts *termStats) idf(t string) float64 {
	df := ts.df[t]
	if df == 0 || df*5 > ts.n {
		return 0
	}
	return math.Log(1 + float64(ts.n)/float64(df))
}

// termSet returns the matching terms of folded text: Han character
// bigrams within runs of Han characters (except those with a particle), and runs of other letters and
// digits ("2025", "alem", "ai") as whole words. A single Han character
// between punctuation counts as its own term.
func termSet(folded string) map[string]bool {
	out := map[string]bool{}
	var prev rune
	runLen := 0
	var word strings.Builder
	flushWord := func() {
		if word.Len() > 0 {
			out[word.String()] = true
			word.Reset()
		}
	}
	endHanRun := func() {
		if runLen == 1 {
			out[string(prev)] = true
		}
		runLen = 0
	}
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			if runLen > 0 && !isParticle(prev) && !isParticle(r) {
				out[string([]rune{prev, r})] = true
			}
			prev = r
			runLen++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			endHanRun()
			word.WriteRune(r)
		default:
			endHanRun()
			flushWord()
		}
	}
	endHanRun()
	flushWord()
	return out
}

// isParticle reports whether r is a grammatical particle. Chinese is not
// segmented here, so a bigram such as 化的 spans two words (武器化的,
// 恶化的) and would match unrelated sentences; bigrams with these
// characters, which almost never belong to a content word, are skipped.
func isParticle(r rune) bool {
	switch r {
	case '的', '了', '吗', '呢', '吧', '么', '麼', '嗎':
		return true
	}
	return false
}

// sentence is one sentence of a passage, as quoted.
type sentence struct {
	passage corpus.Passage
	rank    int // the passage's retrieval rank, 0-based
	pos     int // position within the passage
	text    string
	terms   map[string]bool
}

// splitSentences splits text after each 。；！？ (keeping the mark with
// its sentence) and drops empty pieces.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune("。；！？", r) {
			end := i + utf8.RuneLen(r)
			if s := strings.TrimSpace(text[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// extractInput is what an extractive answer is composed from.
type extractInput struct {
	question string
	lang     corpus.Lang
	results  retrieval.Results
}

// extractive composes the offline answer to a question from its retrieval
// results.
func (e *Engine) extractive(in extractInput) Answer {
	a := Answer{Mode: ModeExtractive, Lang: in.lang, Citations: []corpus.Passage{}, Rejected: []string{}, Related: []corpus.Passage{}}
	if !in.results.InScope || len(in.results.Items) == 0 {
		return e.notAddressed(a, in.results)
	}
	chosen := e.chooseSentences(in)
	var b strings.Builder
	if !in.lang.IsChinese() {
		b.WriteString(Text(in.lang, MsgOfflineQuote))
		b.WriteString("\n")
	}
	seen := map[string]bool{}
	for _, s := range chosen {
		body, end := cutEnd(s.text)
		if end == "；" || end == "：" || end == "" {
			end = "。"
		}
		b.WriteString(body + "[" + s.passage.ID + "]" + end)
		if !seen[s.passage.ID] {
			seen[s.passage.ID] = true
			a.Citations = append(a.Citations, s.passage)
		}
	}
	a.Text = b.String()
	a.Grounded = true
	return a
}

// chooseSentences picks the sentences to quote, greedily by the weight of
// the query terms each adds, and returns them grouped by passage (in rank
// order) and in reading order within a passage.
func (e *Engine) chooseSentences(in extractInput) []sentence {
	sc := in.lang.Script()
	qterms := termSet(corpus.Fold(in.question))
	for t := range termSet(corpus.Fold(in.results.Query)) {
		qterms[t] = true
	}
	var cands []sentence
	for rank, it := range in.results.Items {
		if rank >= extractPassages {
			break
		}
		for pos, s := range splitSentences(it.Passage.Text(sc)) {
			cands = append(cands, sentence{passage: it.Passage, rank: rank, pos: pos, text: s, terms: termSet(corpus.Fold(s))})
		}
	}
	covered := map[string]bool{}
	gain := func(s sentence) float64 {
		g := 0.0
		for t := range s.terms {
			if !qterms[t] {
				continue
			}
			w := e.stats.idf(t)
			if covered[t] {
				w *= repeatWeight
			}
			g += w
		}
		return g / (1 + rankDecay*float64(s.rank))
	}
	var chosen []sentence
	used := make([]bool, len(cands))
	runes, first := 0, 0.0
	for len(chosen) < extractSentences {
		best, bestGain := -1, 0.0
		for i, s := range cands {
			if used[i] || runes+utf8.RuneCountInString(s.text) > extractRunes && len(chosen) > 0 {
				continue
			}
			if g := gain(s); g > bestGain {
				best, bestGain = i, g
			}
		}
		if best < 0 || len(chosen) > 0 && bestGain < minGainRatio*first {
			break
		}
		if len(chosen) == 0 {
			first = bestGain
		}
		used[best] = true
		chosen = append(chosen, cands[best])
		runes += utf8.RuneCountInString(cands[best].text)
		for t := range cands[best].terms {
			if qterms[t] {
				covered[t] = true
			}
		}
	}
	if len(chosen) == 0 && len(cands) > 0 {
		// No shared terms (a question the retriever matched by meaning, or
		// in words the glossary does not know): quote the best passage's
		// opening, which states what the paragraph is about.
		for _, s := range cands {
			if s.rank != 0 || len(chosen) > 0 && runes+utf8.RuneCountInString(s.text) > extractRunes/2 {
				break
			}
			chosen = append(chosen, s)
			runes += utf8.RuneCountInString(s.text)
		}
	}
	slices.SortStableFunc(chosen, func(a, b sentence) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return a.pos - b.pos
	})
	return chosen
}

// cutEnd splits a sentence into its body and its final mark (。；！？：
// or "").
func cutEnd(s string) (body, end string) {
	r, size := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune("。；！？：", r) {
		return s[:len(s)-size], s[len(s)-size:]
	}
	return s, ""
}

// notAddressed is the answer to a question the corpus does not address:
// it says so and names the closest topics it does cover, as Related, not
// as citations.
func (e *Engine) notAddressed(a Answer, res retrieval.Results) Answer {
	a.Grounded = false
	text := Text(a.Lang, MsgNotAddressed)
	var topics []string
	for _, p := range related(res) {
		a.Related = append(a.Related, p)
		topics = append(topics, p.ID+" "+quoteTopic(a.Lang, topicOf(p, a.Lang.Script())))
	}
	if len(topics) > 0 {
		sep := "\n"
		if a.Lang.IsChinese() {
			sep = ""
		}
		text += sep + Text(a.Lang, MsgRelated, strings.Join(topics, Text(a.Lang, MsgTopicSeparator)))
	}
	a.Text = text
	return a
}

// related returns the passages worth naming as the closest topics to a
// question the corpus does not address.
func related(res retrieval.Results) []corpus.Passage {
	if res.Relevance < relatedMinRelevance {
		return nil
	}
	var out []corpus.Passage
	for i, it := range res.Items {
		if i >= relatedTopics {
			break
		}
		out = append(out, it.Passage)
	}
	return out
}

// topicLeads and topicVerbs: the declaration's paragraphs mostly open
// with who does what ("成员国重申，"); the topic is what follows.
var topicLeads = []string{
	"成员国", "成員國", "会议", "會議", "各方",
}

var topicVerbs = []string{
	"重申", "强调", "強調", "认为", "認為", "指出", "支持", "主张", "主張", "注意到", "表示", "欢迎", "歡迎", "将继续", "將繼續", "愿", "願", "呼吁", "呼籲", "同意", "决定", "決定", "致力于", "致力於",
}

// topicOf names a passage's topic by its first clause, without the
// opening "成员国重申，", cut to topicRunes.
func topicOf(p corpus.Passage, sc corpus.Script) string {
	s := p.Text(sc)
	for _, l := range topicLeads {
		if strings.HasPrefix(s, l) {
			rest := strings.TrimPrefix(s, l)
			for _, v := range topicVerbs {
				if strings.HasPrefix(rest, v) {
					rest = strings.TrimPrefix(rest, v)
					rest = strings.TrimLeft(rest, "，,：: ")
					if rest != "" {
						s = rest
					}
					break
				}
			}
			break
		}
	}
	// Cut at the first clause end, but not before topicMinRunes: "共同努力"
	// alone names no topic.
	n := 0
	for i, r := range s {
		if n >= topicMinRunes && strings.ContainsRune("，。；：！？", r) {
			s = s[:i]
			break
		}
		n++
	}
	s = strings.TrimRight(s, "，。；：！？")
	if rs := []rune(s); len(rs) > topicRunes {
		s = string(rs[:topicRunes]) + "…"
	}
	return s
}

// quoteTopic puts a Chinese topic in the quotation marks of the answer's
// language.
func quoteTopic(lang corpus.Lang, s string) string {
	switch lang {
	case corpus.LangHans:
		return "“" + s + "”"
	case corpus.LangHant:
		return "「" + s + "」"
	case corpus.LangRu:
		return "«" + s + "»"
	}
	return "“" + s + "”"
}
