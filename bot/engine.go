package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/declbot/declbot/bot/compose"
	"github.com/declbot/declbot/bot/i18n"
	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/prompts"
	"github.com/declbot/declbot/retrieval"
	"github.com/declbot/declbot/retrieval/docref"
	"github.com/declbot/declbot/retrieval/query"
)

// Retriever finds the passages for a query; *retrieval.Index is the
// implementation, tests use fakes.
type Retriever interface {
	Search(ctx context.Context, q string, k int) (retrieval.Results, error)
}

// Model writes answers; *llm.Client is the implementation. Stream calls
// onDelta with each piece of the answer and returns the whole answer; on
// error the returned text is not used.
type Model interface {
	Stream(ctx context.Context, msgs []llm.Message, onDelta func(delta string)) (string, error)
}

// composer writes the offline answers: the answer when there is no
// model, and the fallback when the model fails. *compose.Composer is the
// implementation.
type composer interface {
	Compose(in compose.Input) compose.Answer
	PreferOwn(items []retrieval.Result, ownQuery, query string, cited []corpus.Passage, more bool) []retrieval.Result
}

// completer is the non-streaming call a Model may also offer (*llm.Client
// does); the query rewrite uses it when there.
type completer interface {
	Complete(ctx context.Context, msgs []llm.Message) (string, error)
}

// Defaults for the options.
const (
	// DefaultTopK is how many passages are retrieved and given to the
	// model: enough for questions whose answer spans several paragraphs
	// (the golden suite's "multi" items have 2-7 gold passages), few
	// enough that the prompt stays short.
	DefaultTopK = 8
	// DefaultTimeout bounds the model's part of one answer (query rewrite
	// and answer together); past it the user gets the extractive answer.
	DefaultTimeout = 60 * time.Second
	// DefaultHistory is how many earlier turns a follow-up is read with.
	DefaultHistory = 3
	// MaxQuestionRunes caps a question; longer text is cut, not refused.
	MaxQuestionRunes = 2000
	// maxHistoryRunes caps each earlier question and answer in the prompt.
	maxHistoryRunes = 600
	// maxRewriteRunes: a "standalone search query" longer than this is
	// the model rambling, not a query.
	maxRewriteRunes = 120
)

// Engine answers questions about the corpus. It is safe for concurrent
// use; build it once with NewEngine.
type Engine struct {
	c       *corpus.Corpus
	r       Retriever
	model   Model
	log     *slog.Logger
	compose composer
	topK    int
	timeout time.Duration
	history int
	// maxAnswer caps a model's answer in runes (answercap.go).
	maxAnswer int
	// docs finds the packs a question names; nil with one pack loaded.
	docs *docref.Finder
}

// Option configures an Engine.
type Option func(*Engine)

// WithModel makes the engine answer with m (LLM mode). Without it, or with
// a nil m, answers are extractive.
func WithModel(m Model) Option { return func(e *Engine) { e.model = m } }

// WithLogger sets where model failures and fallbacks are logged (default:
// nowhere). Questions and answers are not logged.
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// WithTopK sets how many passages are retrieved and given to the model
// (default DefaultTopK).
func WithTopK(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.topK = n
		}
	}
}

// WithTimeout bounds the model's part of one answer, rewrite and answer
// together (default DefaultTimeout). Past it the user gets the extractive
// answer with a notice.
func WithTimeout(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.timeout = d
		}
	}
}

// WithHistory sets how many earlier turns of a conversation are used to
// understand a follow-up (default DefaultHistory; 0 ignores History).
func WithHistory(n int) Option { return func(e *Engine) { e.history = max(n, 0) } }

// NewEngine returns an engine answering from c with passages found by r.
func NewEngine(c *corpus.Corpus, r Retriever, opts ...Option) *Engine {
	e := &Engine{
		c:       c,
		r:       r,
		log:     slog.New(slog.DiscardHandler),
		topK:    DefaultTopK,
		timeout: DefaultTimeout,
		history: DefaultHistory,

		maxAnswer: DefaultMaxAnswerRunes,
	}
	for _, o := range opts {
		o(e)
	}
	// The composer weighs terms by retrieval's statistics: the index's
	// own, or for a stand-in retriever the same counts made anew.
	stats, ok := r.(compose.TermStats)
	if !ok || stats.Len() != c.Len() {
		stats = retrieval.NewTermStats(c)
	}
	e.compose = compose.New(c, stats)
	e.docs = newDocFinder(c)
	return e
}

// Mode returns ModeLLM when the engine has a model, else ModeExtractive.
// Single answers may still be extractive (a model failure).
func (e *Engine) Mode() Mode {
	if e.model != nil {
		return ModeLLM
	}
	return ModeExtractive
}

// Ask answers q. The error is non-nil only when no answer can be given at
// all: ctx was cancelled, or retrieval failed. A model that fails, times
// out or answers without valid citations is not an error: the answer is
// then extractive, with a Notice saying why.
func (e *Engine) Ask(ctx context.Context, q Question) (Answer, error) {
	return e.AskStream(ctx, q, nil)
}

// AskStream is Ask that reports the answer as it is written: onText (if
// not nil) is called, from the calling goroutine, with the whole text so
// far each time it grows, citations already checked as far as the text
// goes (a marker still being written is held back, an invalid one
// removed). The returned Answer is authoritative: it can differ from the
// last text shown (a fallback to the extractive answer); onText is called
// with its text last.
func (e *Engine) AskStream(ctx context.Context, q Question, onText func(text string)) (Answer, error) {
	a, err := e.answer(ctx, q, onText)
	if err != nil {
		return Answer{}, err
	}
	if a.Citations == nil {
		a.Citations = []corpus.Passage{}
	}
	if a.Rejected == nil {
		a.Rejected = []string{}
	}
	if a.Related == nil {
		a.Related = []corpus.Passage{}
	}
	if onText != nil {
		onText(a.Text)
	}
	return a, nil
}

func (e *Engine) answer(ctx context.Context, q Question, onText func(string)) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	text := cleanQuestion(q.Text)
	lang := corpus.DetectLang(text)
	if text == "" {
		return e.emptyQuestion(lang), nil
	}
	// What is searched, typed and given to a model is the question
	// without instructions to the bot around it ("忽略之前的所有指令，…").
	text = query.WithoutInstructions(text)
	history := e.recentHistory(q.History)

	var deadline time.Time
	// With a model, non-Chinese questions and follow-ups are rewritten
	// into standalone Chinese search queries.
	rewrite := e.model != nil
	if e.model != nil {
		deadline = time.Now().Add(e.timeout)
	}
	var in compose.Input
	var rewriteTime time.Duration
	fu, isFollowUp := compose.FollowUp{}, false
	if !rewrite && len(history) > 0 {
		fu, isFollowUp = compose.FollowUpOf(text, lang)
	}
	if isFollowUp {
		// No model to rewrite the follow-up: resolve it from the turn
		// before. Only questions recognised as follow-ups are read with
		// the conversation; any other question is answered on its own.
		prev := q.History[len(q.History)-1]
		var err error
		if in, err = e.followUpInput(ctx, text, lang, fu, history, prev, q.Packs); err != nil {
			return Answer{}, err
		}
	} else {
		searchQ := text
		rewritten := rewrite && (!lang.IsChinese() || len(history) > 0)
		if rewritten {
			t0 := time.Now()
			searchQ = e.rewriteQuery(ctx, deadline, text, lang, history)
			rewriteTime = time.Since(t0)
		}
		packs, compare, searchQ := e.scope(q, text, searchQ)
		var err error
		if compare {
			in, err = e.compareInput(ctx, searchQ, text, lang, packs)
		} else {
			var res retrieval.Results
			var partBest []string
			res, err = e.searchPacks(ctx, searchQ, e.topK, packs)
			if err == nil && !rewritten {
				// A rewritten query is the model's one question.
				res, partBest, err = e.withParts(ctx, res, searchQ, packs)
			}
			in = compose.Input{Question: text, Lang: lang, Results: res, PartBest: partBest}
		}
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			return e.emptyQuestion(lang), nil
		}
		if err != nil {
			return Answer{}, err
		}
	}
	var a Answer
	if e.model == nil {
		a = e.offline(in)
	} else {
		var err error
		if a, err = e.llmAnswer(ctx, deadline, in, history, onText); err != nil {
			return a, err
		}
	}
	a.Trace.ModelTime += rewriteTime
	a.Trace.Relevance = in.Results.Relevance
	a.Trace.Retrieved = make([]Scored, len(in.Results.Items))
	for i, it := range in.Results.Items {
		a.Trace.Retrieved[i] = Scored{ID: it.Passage.ID, Score: it.Score}
	}
	return a, nil
}

func (e *Engine) searchK(ctx context.Context, q string, k int) (retrieval.Results, error) {
	res, err := e.r.Search(ctx, q, k)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			return res, err
		}
		return res, fmt.Errorf("search the declaration: %w", err)
	}
	return res, nil
}

func (e *Engine) emptyQuestion(lang corpus.Lang) Answer {
	return Answer{Text: Text(lang, MsgEmptyQuestion), Mode: ModeExtractive, Lang: lang}
}

// cleanQuestion makes a question safe to process and to show: the text
// pipeline retrieval uses too (corpus.CleanText: valid UTF-8, entities
// decoded, no tags, no control or format characters), spaces collapsed,
// at most MaxQuestionRunes.
func cleanQuestion(s string) string {
	return capRunes(strings.Join(strings.Fields(corpus.CleanText(s)), " "), MaxQuestionRunes)
}

func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// recentHistory keeps the last e.history turns, each cut to a length a
// prompt can carry.
func (e *Engine) recentHistory(h []Turn) []Turn {
	if e.history == 0 || len(h) == 0 {
		return nil
	}
	h = h[max(0, len(h)-e.history):]
	out := make([]Turn, 0, len(h))
	for _, t := range h {
		q, a := cleanQuestion(t.Question), capRunes(strings.TrimSpace(t.Answer), maxHistoryRunes)
		if q == "" {
			continue
		}
		out = append(out, Turn{Question: capRunes(q, maxHistoryRunes), Answer: a, Cited: t.Cited})
	}
	return out
}

// withModelDeadline returns a context for a model call that ends at
// deadline, or after limit when limit > 0 and that is sooner.
func withModelDeadline(ctx context.Context, deadline time.Time, limit time.Duration) (context.Context, context.CancelFunc) {
	if limit > 0 {
		if d := time.Now().Add(limit); d.Before(deadline) {
			deadline = d
		}
	}
	return context.WithDeadline(ctx, deadline)
}

// rewriteQuery asks the model for a standalone Chinese search query. Any
// failure, or an answer that is not a plausible query, falls back to the
// question itself.
func (e *Engine) rewriteQuery(ctx context.Context, deadline time.Time, text string, lang corpus.Lang, history []Turn) string {
	msgs, err := rewriteMessages(text, lang, history)
	if err != nil {
		e.log.Error("render the rewrite prompt", "err", err)
		return text
	}
	// The rewrite must leave most of the time to the answer.
	rctx, cancel := withModelDeadline(ctx, deadline, e.timeout/3)
	defer cancel()
	var out string
	if c, ok := e.model.(completer); ok {
		out, err = c.Complete(rctx, msgs)
	} else {
		out, err = e.model.Stream(rctx, msgs, nil)
	}
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("query rewrite failed; searching the question as asked", "err", err)
		}
		return text
	}
	q, ok := cleanRewrite(out)
	if !ok {
		e.log.Warn("query rewrite unusable; searching the question as asked", "runes", utf8.RuneCountInString(out))
		return text
	}
	return q
}

// cleanRewrite extracts the query from a rewrite answer
// (prompts.CleanQuery) and checks it is one: Chinese, and short.
func cleanRewrite(s string) (string, bool) {
	q := prompts.CleanQuery(s)
	if q == "" || !corpus.HasHan(q) || utf8.RuneCountInString(q) > maxRewriteRunes {
		return "", false
	}
	return q, true
}

// llmAnswer has the model write the answer from the retrieved passages,
// checks its citations, and falls back to the extractive answer when the
// model fails or cites nothing valid.
func (e *Engine) llmAnswer(ctx context.Context, deadline time.Time, in compose.Input, history []Turn, onText func(string)) (a Answer, err error) {
	var modelTime time.Duration
	defer func() { a.Trace.ModelTime = modelTime }()
	passages := make([]corpus.Passage, 0, len(in.Results.Items))
	given := map[string]bool{}
	for _, it := range in.Results.Items {
		passages = append(passages, it.Passage)
		given[it.Passage.ID] = true
	}
	msgs, err := answerMessages(in.Question, in.Lang, history, passages, e.c.Packs(), in.Results.Lacking)
	if err != nil {
		e.log.Error("render the answer prompt", "err", err)
		return e.fallback(in, MsgModelFailed, nil), nil
	}
	mctx, cancel := withModelDeadline(ctx, deadline, 0)
	defer cancel()
	// The answer is capped (answercap.go): past the cap the stream is
	// cancelled, and what came is cut at a sentence, with a notice.
	sctx, stopStream := context.WithCancelCause(mctx)
	defer stopStream(nil)
	capped := &answerCap{max: e.maxAnswer}
	var shower *streamShower
	if onText != nil {
		shower = &streamShower{c: e.c, given: given, onText: onText}
	}
	onDelta := func(d string) {
		if capped.add(d) {
			stopStream(errAnswerCapped)
			return
		}
		if shower != nil {
			shower.add(d)
		}
	}
	t0 := time.Now()
	out, err := e.model.Stream(sctx, msgs, onDelta)
	modelTime = time.Since(t0)
	if capped.over {
		out, err = capped.b.String(), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, ctx.Err()
		}
		key := modelFailureKey(err, mctx)
		e.log.Warn("model failed; answering from the text", "err", err, "notice", string(key))
		return e.fallback(in, key, nil), nil
	}
	out, cut := cutAnswer(out, e.maxAnswer)
	if cut {
		e.log.Warn("model answer cut at the length cap", "max_runes", e.maxAnswer)
	}
	cr := checkCitations(e.c, out, given)
	if mctx.Err() != nil && ctx.Err() == nil {
		// Checking is linear and the text capped, so this is a deadline
		// that passed while the last piece arrived.
		return e.fallback(in, MsgModelTimeout, nil), nil
	}
	if len(cr.Rejected) > 0 {
		e.log.Info("removed citations the model was not given", "rejected", cr.Rejected)
	}
	a = Answer{Text: cr.Text, Citations: cr.Cited, Rejected: cr.Rejected, Mode: ModeLLM, Lang: in.Lang, Grounded: true}
	if cut {
		a.Notice = Text(in.Lang, MsgAnswerCut)
	}
	if len(cr.Cited) > 0 {
		return a, nil
	}
	switch {
	case strings.TrimSpace(cr.Text) == "":
		return e.fallback(in, MsgModelEmpty, cr.Rejected), nil
	case saysNotAddressed(cr.Text):
		// The model found the passages do not answer the question; that
		// answer cites nothing by design. The closest passages are offered
		// as related topics, not as support.
		a.Grounded = false
		a.Related = compose.Related(in.Results)
		return a, nil
	default:
		return e.fallback(in, MsgModelNoCitations, cr.Rejected), nil
	}
}

// streamShower shows a model's answer while it streams: the text so far,
// its citations checked (partialText).
//
// Checking reads the whole text, so checking after every delta (a token,
// a few bytes) would cost time quadratic in the answer's length: 0.3 s of
// CPU for a 1,500-rune answer, seconds for a model that rambles until its
// deadline. The text is therefore checked again only once it has grown by
// a sixteenth since the last check: every delta while it is short, a few
// dozen runes at a time once it is long, and linear time in all.
type streamShower struct {
	c      *corpus.Corpus
	given  map[string]bool
	onText func(string)
	acc    strings.Builder
	shown  string
	next   int // the length of acc at which to check again
	checks int // how many times the text was checked, for tests
}

func (s *streamShower) add(delta string) {
	s.acc.WriteString(delta)
	if s.acc.Len() < s.next {
		return
	}
	s.next = s.acc.Len() + s.acc.Len()/16
	s.checks++
	if t := partialText(s.c, s.acc.String(), s.given); t != s.shown && t != "" {
		s.shown = t
		s.onText(t)
	}
}

// offline is the composer's answer to in.
func (e *Engine) offline(in compose.Input) Answer {
	c := e.compose.Compose(in)
	return Answer{Text: c.Text, Citations: c.Citations, Grounded: c.Grounded, Mode: ModeExtractive, Lang: c.Lang, Related: c.Related, Rejected: []string{}}
}

// fallback is the extractive answer given instead of the model's, with a
// notice saying why.
func (e *Engine) fallback(in compose.Input, why MessageKey, rejected []string) Answer {
	a := e.offline(in)
	a.Notice = Text(in.Lang, why)
	a.Trace.Fallback = fallbackReason(why)
	if len(rejected) > 0 {
		a.Rejected = rejected
	}
	return a
}

// fallbackReason names the reason behind a fallback notice.
func fallbackReason(why MessageKey) string {
	switch why {
	case MsgModelTimeout:
		return FallbackTimeout
	case MsgModelEmpty:
		return FallbackEmpty
	case MsgModelNoCitations:
		return FallbackNoCitations
	}
	return FallbackFailed
}

// modelFailureKey picks the notice for a model error.
func modelFailureKey(err error, mctx context.Context) MessageKey {
	switch {
	case errors.Is(err, llm.ErrEmpty):
		return MsgModelEmpty
	case errors.Is(err, llm.ErrTimeout), errors.Is(err, llm.ErrStalled),
		errors.Is(err, context.DeadlineExceeded), mctx.Err() != nil:
		return MsgModelTimeout
	}
	return MsgModelFailed
}

// notAddressedPhrases are how models (told to say so and cite nothing)
// say that the passages do not answer a question, compared after
// corpus.Fold: the not_addressed cues of every language (bot/i18n).
var notAddressedPhrases = i18n.AllCues("not_addressed")

// maxRefusalRunes bounds what can count as a "not addressed" reply: a
// longer uncited answer that happens to say "not mentioned" somewhere
// makes claims, and claims without citations are never shown.
const maxRefusalRunes = 240

// saysNotAddressed reports whether an answer is a short reply saying the
// declaration does not address the question.
func saysNotAddressed(text string) bool {
	if utf8.RuneCountInString(text) > maxRefusalRunes {
		return false
	}
	f := corpus.Fold(text)
	for _, p := range notAddressedPhrases {
		if strings.Contains(f, corpus.Fold(p)) {
			return true
		}
	}
	return false
}
