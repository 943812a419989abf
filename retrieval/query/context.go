package query

import (
	"slices"
	"strings"
	"unicode"

	"github.com/declbot/declbot/corpus"
)

// firstPersonWords and firstPersonZh open a sentence in which askers say
// who they are or why they ask ("We need to plan hotel capacity.", "我们要
// 订酒店，…"): lower-cased English and Russian words, folded Chinese.
var (
	firstPersonWords = []string{"i", "i'm", "im", "i've", "i'll", "i'd", "we", "we're", "we've", "we'll", "we'd", "my", "our",
		"я", "мы", "мне", "нам", "мой", "моя", "моё", "мое", "мои", "наш", "наша", "наше", "наши", "у"}
	firstPersonZh = []string{"我们", "咱们", "我"}
	// reportWords make a first-person sentence a premise, which holds
	// what is asked about ("我朋友说上合要搞北极航道…", "My teacher said…").
	reportWords = []string{"说", "讲", "听", "称", "读到", "看到", " said", " says", " told", " heard", " read", " saw",
		"сказал", "говорит", "говорил", "слышал", "читал", "видел"}
)

// askerParts splits cleaned text into what the asker says of themselves
// beside a question (context: a sentence of theirs that asks nothing, "We
// need to plan hotel capacity.", or in Chinese a first clause of theirs
// before the question, "我在准备课堂展示，…？") and the rest (asking),
// folded (Chinese) or lower-cased. Both are nil unless there is each: a
// message made only of such a sentence is what is asked. A sentence that
// reports what someone said is a premise, which holds the topic ("我朋友说
// 上合要搞北极航道…"), and asks.
func askerParts(cleaned string) (context, asking []string) {
	ss := sentences(cleaned)
	if len(ss) == 1 && !strings.ContainsAny(cleaned, "，,") {
		return nil, nil // one sentence, one clause: it asks
	}
	for _, s := range ss {
		body := strings.TrimSpace(s)
		if body == "" {
			continue
		}
		asks := strings.HasSuffix(body, "?") || strings.HasSuffix(body, "？")
		if corpus.HasHan(body) {
			f := corpus.Fold(body)
			if i := strings.IndexAny(f, "，,"); i > 0 && asks && firstPersonZhLead(f[:i]) && !containsAnyOf(f[:i], reportWords) {
				context = append(context, f[:i])
				asking = append(asking, f[i:])
				continue
			}
			if !asks && firstPersonZhLead(f) && !containsAnyOf(f, reportWords) {
				context = append(context, f)
				continue
			}
			asking = append(asking, f)
			continue
		}
		low := strings.ToLower(body)
		if !asks && firstPersonLead(low) && !containsAnyOf(" "+low, reportWords) {
			context = append(context, low)
			continue
		}
		asking = append(asking, low)
	}
	if len(asking) == 0 || len(context) == 0 {
		return nil, nil
	}
	return context, asking
}

// onlyIn returns the words of ws that occur in one of context and in none
// of asking (askerParts): Chinese words as substrings, others as words.
func onlyIn(ws, context, asking []string) []string {
	var out []string
	for _, w := range ws {
		if holds(context, w) && !holds(asking, w) {
			out = append(out, w)
		}
	}
	return out
}

// holds reports whether one of parts holds w.
func holds(parts []string, w string) bool {
	return slices.ContainsFunc(parts, func(p string) bool {
		if corpus.HasHan(w) {
			return strings.Contains(p, w)
		}
		return slices.Contains(strings.FieldsFunc(p, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-'
		}), w) || strings.Contains(w, " ") && strings.Contains(p, w)
	})
}

// without returns ws without those in drop.
func without(ws, drop []string) []string {
	if len(drop) == 0 {
		return ws
	}
	out := ws[:0:0]
	for _, w := range ws {
		if !slices.Contains(drop, w) {
			out = append(out, w)
		}
	}
	return out
}

// sentences splits s after each sentence mark (sentenceEnds) or line
// break, keeping the marks: the clauses WithoutInstructions reads, joined
// back into sentences, so a full stop ends one only where it ends a
// clause ("9.99" is one number).
func sentences(s string) []string {
	var out []string
	start, end := 0, 0
	for _, c := range clauses(s) {
		end += len(c.text)
		if t := strings.TrimRightFunc(c.text, unicode.IsSpace); strings.HasSuffix(c.text, "\n") || strings.ContainsRune(sentenceEnds, lastRune(t)) {
			out = append(out, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// firstPersonLead reports whether a lower-cased sentence opens with the
// asker speaking of themselves ("we need…", "у нас…").
func firstPersonLead(low string) bool {
	fields := strings.Fields(low)
	if len(fields) == 0 {
		return false
	}
	w := strings.Trim(fields[0], ",:;\"'«»“”")
	if w == "у" {
		// "у меня", "у нас": the asker has something.
		return len(fields) > 1 && (fields[1] == "меня" || fields[1] == "нас")
	}
	return slices.Contains(firstPersonWords, w)
}

// firstPersonZhLead reports whether a folded Chinese clause opens with the
// asker speaking of themselves (我们…, 我…), not asking (我想知道…).
func firstPersonZhLead(f string) bool {
	for _, l := range firstPersonZh {
		if strings.HasPrefix(f, l) {
			rest := f[len(l):]
			return !strings.HasPrefix(rest, "想知道") && !strings.HasPrefix(rest, "想问") && !strings.HasPrefix(rest, "问")
		}
	}
	return false
}

// containsAnyOf reports whether s contains one of subs.
func containsAnyOf(s string, subs []string) bool {
	return slices.ContainsFunc(subs, func(sub string) bool { return strings.Contains(s, sub) })
}

// guessNames returns those of names (lower case) that occur only in a
// short question after another one: the asker's guess at the answer
// ("Что заложит основу архитектуры безопасности в Евразии? Неужели НАТО?",
// "Who hosts the next summit? Kazakhstan?"). What the texts say answers
// the question, the guess or not, so the guess does not make it one about
// a name they lack; Chinese has guessed (retrieval) for "…，日内瓦吗？".
func guessNames(names []string, cleaned string) []string {
	if len(names) == 0 {
		return nil
	}
	var asked, guesses []string
	for _, s := range sentences(cleaned) {
		low := strings.ToLower(strings.TrimSpace(s))
		if low == "" {
			continue
		}
		short := len(strings.Fields(low)) <= 3 && strings.HasSuffix(low, "?")
		if short && len(asked) > 0 {
			guesses = append(guesses, low)
			continue
		}
		asked = append(asked, low)
	}
	if len(guesses) == 0 {
		return nil
	}
	return onlyIn(names, guesses, asked)
}
