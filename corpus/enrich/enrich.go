// Package enrich makes the corpus's enrichment, the working translations
// and question lists (package corpus), with an OpenAI-compatible model:
// for any passages, in batches, each output held to the same checks as
// the shipped files (corpus.CheckTranslation, corpus.CheckQuestions)
// before it is used. An output that fails them is reported and its
// passage left as it was.
//
// Every validated output is cached on disk, keyed by the model and the
// prompt as it concerns that passage (system message and the passage's
// part of the request), so that a run that was interrupted, or that
// failed on some passages, asks again only for what it does not have:
// re-running is how it resumes.
package enrich

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/declbot/declbot/bot/llm"
	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/prompts"
)

// Kind is what is made: translations or question lists.
type Kind string

// The kinds of enrichment.
const (
	Translations Kind = "translations"
	Questions    Kind = "questions"
)

// Langs returns the languages kind is made for.
func (k Kind) Langs() []corpus.Lang {
	if k == Translations {
		return corpus.TranslationLangs()
	}
	return corpus.QuestionLangs()
}

// Output is what the model made for one passage: a translation or a
// question list, by kind.
type Output struct {
	Text      string   `json:"text,omitempty"`
	Questions []string `json:"questions,omitempty"`
}

// Model is the chat call enrichment makes (*llm.Client).
type Model interface {
	Complete(ctx context.Context, msgs []llm.Message) (string, error)
}

// DefaultBatch is how many passages one request carries: few enough that
// a batch of the longest paragraphs fits a 4,096-token answer, and that a
// failed answer costs little; enough to save most of the repeated rules.
const DefaultBatch = 5

// Enricher makes enrichment for one corpus with one model.
type Enricher struct {
	c        *corpus.Corpus
	model    Model
	modelID  string // base URL and model name, for the cache key
	cacheDir string
	batch    int
	progress func(Event)
}

// Option configures an Enricher.
type Option func(*Enricher)

// WithCacheDir keeps validated outputs in dir (created when first
// written); without it nothing is cached and nothing resumes.
func WithCacheDir(dir string) Option { return func(e *Enricher) { e.cacheDir = dir } }

// WithBatch sets how many passages a request carries (default
// DefaultBatch; n < 1 keeps it).
func WithBatch(n int) Option {
	return func(e *Enricher) {
		if n >= 1 {
			e.batch = n
		}
	}
}

// WithModelID names the model in cache keys: its server's base URL and
// its name. Outputs of different models are never mixed up.
func WithModelID(baseURL, model string) Option {
	return func(e *Enricher) { e.modelID = baseURL + " " + model }
}

// WithProgress calls f with every passage's outcome as it is known, from
// the calling goroutine.
func WithProgress(f func(Event)) Option { return func(e *Enricher) { e.progress = f } }

// New returns an Enricher of c's passages that asks model.
func New(c *corpus.Corpus, model Model, opts ...Option) *Enricher {
	e := &Enricher{c: c, model: model, batch: DefaultBatch}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Job is one run: kind in Lang for the passages IDs.
type Job struct {
	Kind Kind
	Lang corpus.Lang
	IDs  []string
	// Translation returns a passage's working translation into Lang, given
	// to the model with English and Russian questions (nil: none).
	Translation func(id string) string
}

// Event is one passage's outcome.
type Event struct {
	ID string
	// Output is set when the passage got a validated output.
	Output *Output
	// Cached is true when the output came from the cache.
	Cached bool
	// Err says why the passage got no output: the request failed, the
	// answer was not the JSON asked for, or the output failed the checks.
	Err error
}

// Result is what a run made.
type Result struct {
	// Outputs are the validated outputs by passage ID.
	Outputs map[string]Output
	// Failed are the passages without an output, and why.
	Failed map[string]error
	// Cached counts outputs taken from the cache; Requests counts model
	// calls.
	Cached, Requests int
}

// Plan is what a run would do: the passages whose validated output is
// cached, and the batches the rest would be asked in.
type Plan struct {
	Cached  []string
	Batches [][]string
	// First is the first request, as it would be sent (nil when there is
	// none).
	First []llm.Message
}

type item struct {
	p     corpus.Passage
	input prompts.EnrichPassage
	key   string
}

// Plan returns what Run would do for job, without asking the model.
func (e *Enricher) Plan(job Job) (Plan, error) {
	items, sys, err := e.items(job)
	if err != nil {
		return Plan{}, err
	}
	var pl Plan
	var todo []item
	for _, it := range items {
		if _, ok := e.cached(job, it); ok {
			pl.Cached = append(pl.Cached, it.p.ID)
		} else {
			todo = append(todo, it)
		}
	}
	for _, b := range e.batches(todo) {
		ids := make([]string, len(b))
		for i, it := range b {
			ids[i] = it.p.ID
		}
		pl.Batches = append(pl.Batches, ids)
		if pl.First == nil {
			if pl.First, err = e.messages(job, sys, b); err != nil {
				return Plan{}, err
			}
		}
	}
	return pl, nil
}

// Run makes job's outputs: cached ones from the cache, the rest from the
// model in batches. A batch whose request fails or whose answer cannot be
// read fails all its passages; a passage whose output fails the checks
// fails alone. Run returns the result so far and ctx's error when ctx
// ends; other failures are in Result.Failed.
func (e *Enricher) Run(ctx context.Context, job Job) (Result, error) {
	res := Result{Outputs: map[string]Output{}, Failed: map[string]error{}}
	items, sys, err := e.items(job)
	if err != nil {
		return res, err
	}
	var todo []item
	for _, it := range items {
		if out, ok := e.cached(job, it); ok {
			res.Outputs[it.p.ID] = out
			res.Cached++
			e.report(Event{ID: it.p.ID, Output: &out, Cached: true})
		} else {
			todo = append(todo, it)
		}
	}
	for _, b := range e.batches(todo) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		msgs, err := e.messages(job, sys, b)
		if err != nil {
			return res, err
		}
		res.Requests++
		reply, err := e.model.Complete(ctx, msgs)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		var outs map[string]Output
		if err == nil {
			outs, err = parseReply(job.Kind, reply)
		}
		for _, it := range b {
			out, perr := e.accept(job, it, outs, err)
			if perr != nil {
				res.Failed[it.p.ID] = perr
				e.report(Event{ID: it.p.ID, Err: perr})
				continue
			}
			res.Outputs[it.p.ID] = out
			e.store(job, it, out)
			e.report(Event{ID: it.p.ID, Output: &out})
		}
	}
	return res, nil
}

// accept returns it's output from the batch's answer, checked.
func (e *Enricher) accept(job Job, it item, outs map[string]Output, batchErr error) (Output, error) {
	if batchErr != nil {
		return Output{}, batchErr
	}
	out, ok := outs[it.p.ID]
	if !ok {
		return Output{}, errors.New("the model's answer has no entry for this passage")
	}
	if err := check(job, it.p, out); err != nil {
		return Output{}, fmt.Errorf("the model's output fails the checks: %w", err)
	}
	return out, nil
}

func check(job Job, p corpus.Passage, out Output) error {
	if job.Kind == Translations {
		return corpus.CheckTranslation(p, job.Lang, out.Text)
	}
	return corpus.CheckQuestions(p, job.Lang, out.Questions)
}

func (e *Enricher) report(ev Event) {
	if e.progress != nil {
		e.progress(ev)
	}
}

func (e *Enricher) batches(items []item) [][]item {
	var out [][]item
	for len(items) > 0 {
		n := min(e.batch, len(items))
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

// askQuestionsMin and askQuestionsMax are how many questions a model is
// asked for a passage: about what the shipped lists hold (3-5 written
// first, six more in everyday words), inside the band CheckQuestions
// accepts (corpus.MinQuestions..MaxQuestions).
const askQuestionsMin, askQuestionsMax = 6, 10

// items prepares job's passages and the system message, and keys each
// passage by the model and the prompt as it concerns that passage.
func (e *Enricher) items(job Job) ([]item, string, error) {
	info, ok := job.Lang.Info()
	if !ok || !validLang(job.Kind, job.Lang) {
		return nil, "", fmt.Errorf("no %s are made for %s", job.Kind, job.Lang)
	}
	base := prompts.EnrichInput{Language: info.Name, Chinese: info.Chinese, Min: askQuestionsMin, Max: askQuestionsMax}
	sys, err := e.system(job.Kind, base)
	if err != nil {
		return nil, "", err
	}
	var items []item
	for _, id := range job.IDs {
		p, ok := e.c.Get(id)
		if !ok {
			return nil, "", fmt.Errorf("unknown paragraph ID %q", id)
		}
		names, err := corpus.NamesIn(p.TextHans)
		if err != nil {
			return nil, "", err
		}
		in := prompts.EnrichPassage{ID: p.ID, Text: p.TextHans}
		for _, n := range names {
			if r := n.Rendering(job.Lang); r != "" {
				in.Names = append(in.Names, prompts.EnrichName{Zh: n.Zh, Rendering: r})
			}
		}
		if job.Kind == Questions && job.Translation != nil && !info.Chinese {
			in.Translation = job.Translation(p.ID)
		}
		it := item{p: p, input: in}
		one := base
		one.Passages = []prompts.EnrichPassage{in}
		user, err := e.user(job.Kind, one)
		if err != nil {
			return nil, "", err
		}
		it.key = cacheKey(job, e.modelID, sys, user)
		items = append(items, it)
	}
	return items, sys, nil
}

func validLang(k Kind, l corpus.Lang) bool {
	for _, x := range k.Langs() {
		if x == l {
			return true
		}
	}
	return false
}

func (e *Enricher) system(k Kind, in prompts.EnrichInput) (string, error) {
	if k == Translations {
		return prompts.TranslateSystem(in)
	}
	return prompts.QuestionsSystem(in)
}

func (e *Enricher) user(k Kind, in prompts.EnrichInput) (string, error) {
	if k == Translations {
		return prompts.Translate(in)
	}
	return prompts.Questions(in)
}

func (e *Enricher) messages(job Job, sys string, b []item) ([]llm.Message, error) {
	info, _ := job.Lang.Info()
	in := prompts.EnrichInput{Language: info.Name, Chinese: info.Chinese, Min: askQuestionsMin, Max: askQuestionsMax}
	for _, it := range b {
		in.Passages = append(in.Passages, it.input)
	}
	user, err := e.user(job.Kind, in)
	if err != nil {
		return nil, err
	}
	return []llm.Message{{Role: llm.RoleSystem, Content: sys}, {Role: llm.RoleUser, Content: user}}, nil
}

// parseReply reads the model's answer: one JSON object, forgiving code
// fences and words around it, with an entry per passage. A passage that
// appears twice gets no output: which one was meant is anyone's guess.
func parseReply(k Kind, reply string) (map[string]Output, error) {
	start, end := strings.Index(reply, "{"), strings.LastIndex(reply, "}")
	if start < 0 {
		return nil, fmt.Errorf("the model's answer is not JSON: %q", clip(strings.TrimSpace(reply)))
	}
	if end < start {
		end = len(reply) - 1 // cut off: let the decoder say where
	}
	var r struct {
		Translations []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"translations"`
		Questions []struct {
			ID        string   `json:"id"`
			Questions []string `json:"questions"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(reply[start:end+1]), &r); err != nil {
		return nil, fmt.Errorf("the model's answer is not the JSON asked for (cut off?): %v", err)
	}
	out := map[string]Output{}
	dup := map[string]bool{}
	add := func(id string, o Output) {
		id = strings.TrimSpace(id)
		if _, ok := out[id]; ok {
			dup[id] = true
		}
		out[id] = o
	}
	if k == Translations {
		for _, t := range r.Translations {
			add(t.ID, Output{Text: strings.TrimSpace(t.Text)})
		}
	} else {
		for _, q := range r.Questions {
			qs := make([]string, len(q.Questions))
			for i, s := range q.Questions {
				qs[i] = strings.TrimSpace(s)
			}
			add(q.ID, Output{Questions: qs})
		}
	}
	for id := range dup {
		delete(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the model's answer has no %s", k)
	}
	return out, nil
}

// cacheVersion changes when the key's recipe or the entry's format does.
const cacheVersion = 1

func cacheKey(job Job, modelID, system, user string) string {
	b, _ := json.Marshal([]any{cacheVersion, job.Kind, job.Lang, modelID, system, user})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type cacheEntry struct {
	Version int         `json:"version"`
	Kind    Kind        `json:"kind"`
	Lang    corpus.Lang `json:"lang"`
	ID      string      `json:"id"`
	Output  Output      `json:"output"`
}

func (e *Enricher) cachePath(key string) string {
	return filepath.Join(e.cacheDir, key[:2], key+".json")
}

// cached returns it's cached output. An entry that cannot be read, is for
// another passage or fails today's checks counts as missing.
func (e *Enricher) cached(job Job, it item) (Output, bool) {
	if e.cacheDir == "" {
		return Output{}, false
	}
	b, err := os.ReadFile(e.cachePath(it.key))
	if err != nil {
		return Output{}, false
	}
	var c cacheEntry
	if json.Unmarshal(b, &c) != nil || c.Version != cacheVersion || c.Kind != job.Kind || c.Lang != job.Lang || c.ID != it.p.ID {
		return Output{}, false
	}
	if check(job, it.p, c.Output) != nil {
		return Output{}, false
	}
	return c.Output, true
}

// store caches a validated output. A failed write costs a model call on
// the next run, nothing more.
func (e *Enricher) store(job Job, it item, out Output) {
	if e.cacheDir == "" {
		return
	}
	b, err := json.Marshal(cacheEntry{Version: cacheVersion, Kind: job.Kind, Lang: job.Lang, ID: it.p.ID, Output: out})
	if err != nil {
		return
	}
	_ = WriteAtomic(e.cachePath(it.key), b)
}
