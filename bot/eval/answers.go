package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/corpus"
)

// Answerer answers a question; *bot.Engine implements it.
type Answerer interface {
	Ask(ctx context.Context, q bot.Question) (bot.Answer, error)
}

// AnswerItem is what the answerer did with one item.
type AnswerItem struct {
	ID         string      `json:"id"`
	Lang       corpus.Lang `json:"lang"`
	Kind       Kind        `json:"kind"`
	Question   string      `json:"question"`
	Gold       []string    `json:"gold"`
	OutOfScope bool        `json:"out_of_scope"`

	Answer   string      `json:"answer"`
	Mode     bot.Mode    `json:"mode"`
	Grounded bool        `json:"grounded"`
	Cited    []string    `json:"cited"`
	Rejected []string    `json:"rejected,omitempty"`
	Notice   string      `json:"notice,omitempty"`
	Error    string      `json:"error,omitempty"`
	Latency  Millis      `json:"latency_ms"`
	Script   string      `json:"script,omitempty"`
	Facts    []string    `json:"facts,omitempty"`
	AnsLang  corpus.Lang `json:"answer_lang"`

	// FactCoverage is the fraction of the item's facts in the answer text;
	// MissingFacts are the others.
	FactCoverage float64  `json:"fact_coverage"`
	MissingFacts []string `json:"missing_facts,omitempty"`
	// CitationPrecision and CitationRecall compare Cited with Gold; they
	// are nil where undefined (no citations; an out-of-scope item).
	CitationPrecision *float64 `json:"citation_precision,omitempty"`
	CitationRecall    *float64 `json:"citation_recall,omitempty"`
	// FirstGold says whether the answer's lead claim (the first sentence
	// with a citation, FirstClaimCitations) cites a gold paragraph; nil
	// where undefined, as CitationPrecision. Runes is the answer's length
	// without its citation markers.
	FirstGold *bool `json:"first_gold,omitempty"`
	Runes     int   `json:"runes"`
	// Valid is false when a citation is not in the corpus (or carries
	// text that is not the corpus's) or a marker in the text names a
	// passage that is not among the citations; InvalidCitations says which.
	Valid            bool     `json:"citations_valid"`
	InvalidCitations []string `json:"invalid_citations,omitempty"`
	// Refused is !Grounded: the answer says the declaration does not
	// address the question.
	Refused bool `json:"refused"`
	// ScriptMatch says the answer is written in the question's language:
	// for Chinese questions in its script, for English and Russian ones in
	// that language (the working translation), not in Chinese.
	ScriptMatch *bool `json:"script_match,omitempty"`

	Problems []string `json:"problems,omitempty"`
}

// Millis is a duration that JSON shows as fractional milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds.
func (m Millis) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", float64(m)/float64(time.Millisecond))), nil
}

// UnmarshalJSON reads milliseconds, so that a saved report (the base of
// --compare) reads back as it was written.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	*m = Millis(ms * float64(time.Millisecond))
	return nil
}

// String formats the duration for reports.
func (m Millis) String() string {
	return time.Duration(m).Round(10 * time.Microsecond).String()
}

// AnswerMetrics summarises a set of answers. Each rate is a mean over the
// items it applies to, counted in the field beside it.
type AnswerMetrics struct {
	Items int `json:"items"`
	// FactItems are the answerable items with facts.
	FactItems    int     `json:"fact_items"`
	FactCoverage float64 `json:"fact_coverage"`
	// CitedItems are the answerable items whose answer cites something:
	// citation precision is undefined for the others.
	CitedItems        int     `json:"cited_items"`
	CitationPrecision float64 `json:"citation_precision"`
	Answerable        int     `json:"answerable"`
	CitationRecall    float64 `json:"citation_recall"`
	// FirstGold is over CitedItems: the share whose first cited sentence
	// cites a gold paragraph. Runes and Citations are means over the
	// answers that were given (answerable items not refused): how long an
	// answer is and how many paragraphs it cites.
	FirstGold float64 `json:"first_gold"`
	Given     int     `json:"given"`
	Runes     float64 `json:"runes"`
	Citations float64 `json:"citations"`
	// CitationValidity is over all items.
	CitationValidity float64 `json:"citation_validity"`
	// Refusal precision is over the refused items, recall over the
	// out-of-scope items, false refusals over the answerable items.
	OutOfScope       int     `json:"out_of_scope"`
	Refused          int     `json:"refused"`
	RefusalPrecision float64 `json:"refusal_precision"`
	RefusalRecall    float64 `json:"refusal_recall"`
	FalseRefusal     float64 `json:"false_refusal"`
	// ScriptItems are the items whose language was checked (all answered
	// ones); ScriptMatch is the share answered in the question's language
	// and script.
	ScriptItems int     `json:"script_items"`
	ScriptMatch float64 `json:"script_match"`
	Errors      int     `json:"errors"`
	LatencyP50  Millis  `json:"latency_p50_ms"`
	LatencyP95  Millis  `json:"latency_p95_ms"`
}

// AnswerGroup is the metrics of one language or kind.
type AnswerGroup struct {
	Name string `json:"name"`
	AnswerMetrics
}

// AnswerReport is the answer half of an evaluation.
type AnswerReport struct {
	// Modes counts the answers by who wrote them (an LLM run shows how
	// often it fell back to extractive answers).
	Modes   map[bot.Mode]int `json:"modes"`
	Overall AnswerMetrics    `json:"overall"`
	ByLang  []AnswerGroup    `json:"by_lang"`
	ByKind  []AnswerGroup    `json:"by_kind"`
	Items   []AnswerItem     `json:"items"`
	// Interrupted says how far a run that was stopped got; the metrics
	// are over the items answered.
	Interrupted string `json:"interrupted,omitempty"`
}

// Failures returns the items with problems, in suite order.
func (r *AnswerReport) Failures() []AnswerItem {
	var out []AnswerItem
	for _, it := range r.Items {
		if len(it.Problems) > 0 {
			out = append(out, it)
		}
	}
	return out
}

// AnswerOption configures EvaluateAnswers.
type AnswerOption func(*answerOptions)

type answerOptions struct {
	concurrency int
	progress    func(done, total int)
	model       bool
}

// WithConcurrency asks up to n questions at once (default 1). Latencies
// are then wall times under that contention: use 1 to measure speed.
func WithConcurrency(n int) AnswerOption {
	return func(o *answerOptions) { o.concurrency = max(n, 1) }
}

// WithProgress calls f after each answered item, from one goroutine at a
// time.
func WithProgress(f func(done, total int)) AnswerOption {
	return func(o *answerOptions) { o.progress = f }
}

// WithModelExpected says that a model writes the answers, so an extractive
// answer given because the model failed (recorded with RecordModelError)
// fails its item with the model's error.
func WithModelExpected() AnswerOption { return func(o *answerOptions) { o.model = true } }

type modelErrorsKey struct{}

type modelErrors struct {
	mu   sync.Mutex
	errs []string
}

// RecordModelError notes that the model failed during the question ctx
// belongs to (a no-op outside EvaluateAnswers). The model wrapper calls it
// (llmcache.WithOnError), since the engine answers a failed model call
// with an extractive answer and a notice rather than an error.
func RecordModelError(ctx context.Context, err error) {
	if m, ok := ctx.Value(modelErrorsKey{}).(*modelErrors); ok {
		m.mu.Lock()
		m.errs = append(m.errs, err.Error())
		m.mu.Unlock()
	}
}

// ErrInterrupted is returned with the partial report when ctx was cancelled
// during EvaluateAnswers.
var ErrInterrupted = errors.New("interrupted")

// EvaluateAnswers asks every item's question (one at a time unless
// WithConcurrency) and scores the answers. An error from the answerer, or
// a model failure the engine covered with an extractive answer (see
// WithModelExpected), is recorded against the item, which then fails every
// check it is part of; the run goes on. When ctx is cancelled it returns
// the report of the items answered so far, with Interrupted set, and an
// error wrapping ErrInterrupted.
func EvaluateAnswers(ctx context.Context, s *Suite, a Answerer, opts ...AnswerOption) (*AnswerReport, error) {
	o := answerOptions{concurrency: 1}
	for _, f := range opts {
		f(&o)
	}
	results := make([]*AnswerItem, len(s.Items))
	modes := make([]bot.Mode, len(s.Items))
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for range min(o.concurrency, len(s.Items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				it := s.Items[i]
				rec := &modelErrors{}
				ictx := context.WithValue(ctx, modelErrorsKey{}, rec)
				start := time.Now()
				ans, err := a.Ask(ictx, bot.Question{Text: it.Question, Packs: it.Docs})
				lat := time.Since(start)
				if ctx.Err() != nil {
					// Not answered: left out of the partial report.
					continue
				}
				ai := scoreAnswer(it, ans, err, s.corpus)
				ai.Latency = Millis(lat)
				rec.mu.Lock()
				if err == nil && o.model && ans.Mode != bot.ModeLLM && len(rec.errs) > 0 {
					ai.Error = "model failed: " + strings.Join(rec.errs, "; ")
					ai.Problems = append([]string{ai.Error + " (the extractive answer was given instead)"}, ai.Problems...)
				}
				rec.mu.Unlock()
				mu.Lock()
				results[i] = &ai
				if err == nil {
					modes[i] = ans.Mode
				}
				done++
				if o.progress != nil {
					o.progress(done, len(s.Items))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range s.Items {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	rep := &AnswerReport{Modes: map[bot.Mode]int{}, Items: make([]AnswerItem, 0, len(s.Items))}
	for i, ai := range results {
		if ai == nil {
			continue
		}
		if modes[i] != "" {
			rep.Modes[modes[i]]++
		}
		rep.Items = append(rep.Items, *ai)
	}
	rep.summarize()
	if ctx.Err() != nil {
		rep.Interrupted = fmt.Sprintf("interrupted: %d of %d questions answered", len(rep.Items), len(s.Items))
		return rep, fmt.Errorf("%w: %d of %d questions answered", ErrInterrupted, len(rep.Items), len(s.Items))
	}
	return rep, nil
}

func scoreAnswer(it Item, ans bot.Answer, askErr error, c *corpus.Corpus) AnswerItem {
	ai := AnswerItem{
		ID: it.ID, Lang: it.Lang, Kind: it.Kind, Question: it.Question,
		Gold: it.Gold, OutOfScope: it.OutOfScope, Facts: it.Facts,
	}
	if askErr != nil {
		ai.Error = askErr.Error()
		ai.Problems = append(ai.Problems, "error: "+askErr.Error())
		// An error is a failure everywhere: no facts, no valid answer, no
		// refusal to count as right.
		ai.MissingFacts = it.Facts
		if !it.OutOfScope {
			zero := 0.0
			ai.CitationRecall = &zero
		}
		f := false
		ai.ScriptMatch = &f
		return ai
	}
	ai.Answer, ai.Mode, ai.Grounded = ans.Text, ans.Mode, ans.Grounded
	ai.Rejected, ai.Notice, ai.AnsLang = ans.Rejected, ans.Notice, ans.Lang
	ai.Refused = !ans.Grounded
	ai.Runes = utf8.RuneCountInString(strings.TrimSpace(StripMarkers(ans.Text)))
	for _, p := range ans.Citations {
		ai.Cited = append(ai.Cited, p.ID)
	}
	ai.InvalidCitations = invalidCitations(ans, c)
	ai.Valid = len(ai.InvalidCitations) == 0
	if !ai.Valid {
		ai.Problems = append(ai.Problems, "invalid citations: "+strings.Join(ai.InvalidCitations, "; "))
	}

	if it.OutOfScope {
		ai.FactCoverage = 1
		if !ai.Refused {
			ai.Problems = append(ai.Problems, "answered a question the declaration does not address")
		}
	} else {
		// Facts are Chinese phrases of the gold text: an English or
		// Russian answer quotes the working translation, so facts are
		// measured on Chinese answers only (language match and citations
		// measure the others).
		if it.Lang.IsChinese() {
			ai.FactCoverage, ai.MissingFacts = FactCoverage(ans.Text, it.Facts)
		}
		if len(ai.MissingFacts) > 0 {
			ai.Problems = append(ai.Problems, "missing facts: "+strings.Join(ai.MissingFacts, " | "))
		}
		if p, ok := Precision(ai.Cited, it.Gold); ok {
			ai.CitationPrecision = &p
			first, _ := Recall(it.Gold, FirstClaimCitations(ans.Text))
			fg := first > 0
			ai.FirstGold = &fg
			if !fg {
				ai.Problems = append(ai.Problems, "the first cited sentence cites no gold paragraph")
			}
		}
		r, _ := Recall(ai.Cited, it.Gold)
		ai.CitationRecall = &r
		if r == 0 && !ai.Refused {
			ai.Problems = append(ai.Problems, "cites no gold paragraph")
		}
		if ai.Refused {
			ai.Problems = append(ai.Problems, "refused an answerable question")
		}
	}
	if it.Lang.IsChinese() {
		got := corpus.DetectScript(StripMarkers(ans.Text))
		ai.Script = got.String()
		ok := got == it.Lang.Script()
		ai.ScriptMatch = &ok
		if !ok {
			ai.Problems = append(ai.Problems, fmt.Sprintf("answer is in %s script, question in %s", got, it.Lang.Script()))
		}
	} else {
		got := corpus.DetectLang(StripMarkers(ans.Text))
		ai.Script = string(got)
		ok := got == it.Lang
		ai.ScriptMatch = &ok
		if !ok {
			ai.Problems = append(ai.Problems, fmt.Sprintf("answer is in %s, question in %s", got, it.Lang))
		}
	}
	return ai
}

// invalidCitations lists what breaks the rule that citations are never
// invented: a cited passage that is not in the corpus or whose text is not
// the corpus's, and a marker in the text that names no cited passage.
func invalidCitations(ans bot.Answer, c *corpus.Corpus) []string {
	var bad []string
	cited := map[string]bool{}
	for _, p := range ans.Citations {
		cited[p.ID] = true
		q, ok := c.Get(p.ID)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("cited %s is not in the corpus", p.ID))
		case q.TextHans != p.TextHans || q.TextHant != p.TextHant:
			bad = append(bad, fmt.Sprintf("cited %s does not carry the corpus text", p.ID))
		}
	}
	for _, id := range CitationMarkers(ans.Text) {
		if !cited[id] {
			bad = append(bad, fmt.Sprintf("marker [%s] is not among the citations", id))
		}
	}
	return bad
}

func (r *AnswerReport) summarize() {
	r.Overall = summarizeAnswers(r.Items, func(AnswerItem) bool { return true })
	r.ByLang = r.ByLang[:0]
	for _, l := range Langs() {
		r.ByLang = append(r.ByLang, AnswerGroup{string(l), summarizeAnswers(r.Items, func(it AnswerItem) bool { return it.Lang == l })})
	}
	r.ByKind = r.ByKind[:0]
	for _, k := range Kinds {
		r.ByKind = append(r.ByKind, AnswerGroup{string(k), summarizeAnswers(r.Items, func(it AnswerItem) bool { return it.Kind == k })})
	}
}

func summarizeAnswers(items []AnswerItem, keep func(AnswerItem) bool) AnswerMetrics {
	var m AnswerMetrics
	var cover, prec, rec, script, firstGold, runes, cites []float64
	var lat []time.Duration
	valid, refusedOOS, refusedAnswerable := 0, 0, 0
	for _, it := range items {
		if !keep(it) {
			continue
		}
		m.Items++
		lat = append(lat, time.Duration(it.Latency))
		if it.Error != "" {
			m.Errors++
		}
		if it.Valid {
			valid++
		}
		if it.Refused {
			m.Refused++
		}
		if it.ScriptMatch != nil {
			script = append(script, b2f(*it.ScriptMatch))
		}
		if it.OutOfScope {
			m.OutOfScope++
			if it.Refused {
				refusedOOS++
			}
			continue
		}
		m.Answerable++
		if it.Refused {
			refusedAnswerable++
		}
		if len(it.Facts) > 0 && it.Lang.IsChinese() {
			cover = append(cover, it.FactCoverage)
		}
		if it.CitationPrecision != nil {
			prec = append(prec, *it.CitationPrecision)
		}
		if it.FirstGold != nil {
			firstGold = append(firstGold, b2f(*it.FirstGold))
		}
		if !it.Refused && it.Error == "" {
			runes = append(runes, float64(it.Runes))
			cites = append(cites, float64(len(it.Cited)))
		}
		if it.CitationRecall != nil {
			rec = append(rec, *it.CitationRecall)
		}
	}
	m.FactItems, m.FactCoverage = len(cover), mean(cover)
	m.CitedItems, m.CitationPrecision = len(prec), mean(prec)
	m.CitationRecall = mean(rec)
	m.FirstGold = mean(firstGold)
	m.Given, m.Runes, m.Citations = len(runes), mean(runes), mean(cites)
	m.CitationValidity = ratio(valid, m.Items)
	m.RefusalPrecision = ratio(refusedOOS, m.Refused)
	m.RefusalRecall = ratio(refusedOOS, m.OutOfScope)
	m.FalseRefusal = ratio(refusedAnswerable, m.Answerable)
	m.ScriptItems, m.ScriptMatch = len(script), mean(script)
	m.LatencyP50 = Millis(Percentile(lat, 50))
	m.LatencyP95 = Millis(Percentile(lat, 95))
	return m
}

// modes returns the modes seen, most frequent first.
func (r *AnswerReport) modes() []bot.Mode {
	out := slices.Collect(maps.Keys(r.Modes))
	slices.SortFunc(out, func(a, b bot.Mode) int {
		if d := r.Modes[b] - r.Modes[a]; d != 0 {
			return d
		}
		return strings.Compare(string(a), string(b))
	})
	return out
}
