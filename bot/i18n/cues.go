package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/declbot/declbot/corpus"
)

// CueLists are the names of the cue lists a cues.tsv may hold, with what
// each is for. A language holds the lists it has words for: Chinese
// questions are folded to simplified characters first, so zh-Hant holds
// only cues that read the corpus's traditional text.
var CueLists = map[string]string{
	"not_addressed":  "how a model says the passages do not answer (bot: saysNotAddressed)",
	"overview":       "phrasings that ask for a list or an overview (bot: asksForOverview)",
	"topic_lead":     "openings of a paragraph naming who speaks (bot: topicOf)",
	"topic_verb":     "the verb after a topic_lead (bot: topicOf)",
	"quantity":       "ask for an amount, count, size or duration (bot: expectedType)",
	"date":           "ask for a date or time (bot: expectedType)",
	"duration":       "ask how long or how many years: a date's year may answer (bot: expectedType)",
	"money":          "ask for a sum of money: a budget, capital, cost (bot: expectedType)",
	"city":           "ask which city, or where something is headquartered (bot: expectedType)",
	"day":            "ask for a day or a month, which a year does not give (bot: expectedType)",
	"where":          "ask where: a second part of a question typed otherwise (bot: asksMore)",
	"advice":         "ask for an opinion, forecast or advice of the bot's own (bot: asksForAdvice)",
	"holder":         "the texts or the member states as the holder of a view (bot: asksForAdvice)",
	"own_business":   "the asker's own business, which makes a question ask advice unless it asks a fact of a kind (bot: asksForAdvice)",
	"currency":       "ask which currency, answered only by one (bot: expectedType)",
	"language":       "ask which language, answered only by one (bot: expectedType)",
	"slogan":         "ask for a slogan or motto, answered only by a quoted one (bot: expectedType)",
	"sport":          "ask which sports or disciplines, answered only by a sport named (bot: expectedType)",
	"members":        "ask which or how many states are members, which the signature block answers (bot: Compose)",
	"signing":        "ask who signed or about the signatures, which the signature block answers (bot: Compose)",
	"leaders":        "ask which leaders, answered only by their names (bot: expectedType)",
	"why":            "ask for a reason (bot: asksWhyNot)",
	"negation":       "say not (bot: asksWhyNot)",
	"amount":         "ask how much of something, not answered by counting a list (bot: ensureType)",
	"casualty":       "a count of people (the dead or hurt, residents, troops), not answered by counting a list (bot: ensureType)",
	"figure":         "ask outright for figures (a numerical target, 量化指标), answered only by one (bot: expectedType)",
	"percent":        "ask for a percentage or a share, answered only by one (bot: expectedType)",
	"measure":        "ask for a figure in a unit of measure (length, weight, area), answered only by one (bot: expectedType)",
	"proposer":       "with a proposal word, ask who proposed something (bot: expectedType)",
	"proposal":       "words for proposing something (bot: expectedType)",
	"money_noun":     "money words that, with a quantity cue, ask for a sum (bot: expectedType)",
	"winner":         "ask who won a contest, answered only by a name or a victory (bot: expectedType)",
	"forecast":       "ask what will happen: a forecast, even about what the texts say (bot: asksForAdvice)",
	"goal":           "ask what the member states want to come about, which the texts state: not a forecast (bot: asksForAdvice)",
	"speaker":        "a leader or guest by name; with a said cue, asks what they said (bot: asksWhatWasSaid)",
	"said":           "words for what someone said (bot: asksWhatWasSaid)",
	"compare":        "ask how two things differ or compare (bot: asksAboutOtherSummit)",
	"earlier":        "an earlier time or occasion: last year's, previous (bot: asksAboutOtherSummit)",
	"earlier_summit": "an earlier summit or its documents: last year's summit, 上届峰会 (bot: asksAboutOtherSummit)",
	"chair":          "the SCO's rotating chair; with chair_ask, asks which state holds it (bot: expectedType)",
	"chair_ask":      "ask which state (bot: expectedType, with a chair cue)",
	"chair_next":     "ask for the chair after another, the next one (bot: ensureType)",
	"chair_before":   "ask for the chair before another, which the texts do not name (bot: ensureType)",
	"chair_not":      "a body the question says is headed (a secretariat), not the organisation: no chair question (bot: expectedType)",
	"vote":           "ask about a vote or how someone voted, which the texts never record (bot: asksAboutVote)",
	"vote_not":       "voting rights and voice, which the texts do speak of (bot: asksAboutVote)",
	"speech":         "a speech or remarks made at the summit; with a state named, asks what it said (bot: asksStateSpeech)",
	"states":         "ask which state or states, answered only by naming one (bot: expectedType)",
	"events":         "ask about events: meetings, conferences, contests, festivals (bot: leads with a dated one)",
	"who":            "ask for a person, with a title (bot: expectedType)",
	"title":          "titles of officials (bot: expectedType)",
	"body":           "a body of the SCO (bank, secretariat, centre) whose officials the signature block does not name (bot: asksSignatures)",
	"group_title":    "titles of a group (the leaders), which a list of states may answer (bot: expectedType)",
	"not_cue":        "words that contain a cue but ask nothing (bot: expectedType)",
	"perpetrator":    "ask who carried out an act (bot: expectedType)",
	"other_part":     "a question with another part than the typed one (bot: asksMore)",
	"several":        "ask for several things side by side: each, both, respectively (bot: asksSeveral)",
	"ask_word":       "interrogative words; two in one question ask two things (bot: asksSeveral)",
	"aux_opener":     "open a yes/no question (bot: asksMore)",
	"self_ref":       "name the declaration itself, not anaphora (bot: followUpOf)",
	"anaphora":       "point back at something said before (bot: followUpOf)",
	"more":           "ask what else there is (bot: followUpOf)",
	"lead":           "open an elliptical question (bot: followUpOf)",
	"question_word":  "make a question complete on its own (bot: followUpOf)",
	"self_noun":      "after an anaphor, name the text itself (bot: followUpOf)",
	"phrase":         "word sequences that make a question elliptical (bot: followUpOf)",
	"not_anaphora":   "word pairs where the anaphor is not one (bot: followUpOf)",
	"ordinal":        "ordinal words or stems and the position they name, -1 the last (bot: followUpOf)",
	"ordinal_ending": "endings an ordinal stem takes (bot: followUpOf)",
	"ordinal_noun":   "nouns that may follow an ordinal (bot: followUpOf)",
}

type cue struct{ text, value string }

// cueTables holds each language's cue lists, parsed on first use.
var cueTables = sync.OnceValue(func() map[corpus.Lang]map[string][]cue {
	out := map[corpus.Lang]map[string][]cue{}
	for _, l := range corpus.Languages() {
		t, err := parseCues(l.Tag)
		if err != nil {
			panic(err) // embedded data checked by the tests
		}
		out[l.Tag] = t
	}
	return out
})

// Cues returns lang's cue list, in file order (nil when lang has none).
func Cues(lang corpus.Lang, list string) []string {
	cs := cueTables()[lang][list]
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.text
	}
	return out
}

// AllCues returns the list of every registered language, in registry
// order: for the matching that does not care which language a cue is in.
func AllCues(list string) []string {
	var out []string
	for _, l := range corpus.LangTags() {
		out = append(out, Cues(l, list)...)
	}
	return out
}

// CueSet returns lang's list as a set (for word lookups).
func CueSet(lang corpus.Lang, list string) map[string]bool {
	out := map[string]bool{}
	for _, c := range cueTables()[lang][list] {
		out[c.text] = true
	}
	return out
}

// AllCueSet is CueSet over every registered language.
func AllCueSet(list string) map[string]bool {
	out := map[string]bool{}
	for _, l := range corpus.LangTags() {
		for c := range CueSet(l, list) {
			out[c] = true
		}
	}
	return out
}

// CueSeqs returns lang's list as word sequences.
func CueSeqs(lang corpus.Lang, list string) [][]string {
	var out [][]string
	for _, c := range cueTables()[lang][list] {
		out = append(out, strings.Fields(c.text))
	}
	return out
}

// CueNumbers returns lang's list as a map from cue to its number.
func CueNumbers(lang corpus.Lang, list string) map[string]int {
	out := map[string]int{}
	for _, c := range cueTables()[lang][list] {
		n, _ := strconv.Atoi(c.value) // checked by parseCues
		out[c.text] = n
	}
	return out
}

func parseCues(lang corpus.Lang) (map[string][]cue, error) {
	name := string(lang) + "/cues.tsv"
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s has no cue lists: add bot/i18n/%s", lang, name)
	}
	out := map[string][]cue{}
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 || len(f) > 3 || f[1] == "" {
			return nil, fmt.Errorf("i18n: %s line %d: want list<TAB>cue[<TAB>value]", name, i+1)
		}
		if _, ok := CueLists[f[0]]; !ok {
			return nil, fmt.Errorf("i18n: %s line %d: unknown list %q (see CueLists)", name, i+1, f[0])
		}
		c := cue{text: f[1]}
		if len(c.text) >= 2 && c.text[0] == '"' && c.text[len(c.text)-1] == '"' {
			c.text = c.text[1 : len(c.text)-1]
		} else if strings.TrimSpace(c.text) != c.text {
			return nil, fmt.Errorf("i18n: %s line %d: space around %q: quote the cue to keep it", name, i+1, c.text)
		}
		if c.text == "" {
			return nil, fmt.Errorf("i18n: %s line %d: empty cue", name, i+1)
		}
		if len(f) == 3 {
			if _, err := strconv.Atoi(f[2]); err != nil {
				return nil, fmt.Errorf("i18n: %s line %d: value %q is not a number", name, i+1, f[2])
			}
			c.value = f[2]
		}
		out[f[0]] = append(out[f[0]], c)
	}
	return out, nil
}
