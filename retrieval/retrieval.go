// Package retrieval finds the paragraphs of the corpus that answer a
// question, offline by default.
//
// Two rankings are fused. The vector side is a chromem-go collection of
// every passage, embedded by an Embedder: HashEmbedder (hashed character
// n-grams; no network) unless an OpenAI-compatible embeddings model is
// configured. The lexical side is BM25 over folded character unigrams and
// bigrams. A weighted sum of each ranking's scores, relative to its best,
// combines them (fuse), and a relevance signal
// says whether the best passages really address the question, so that the
// answer step can say "the declaration does not address this".
//
// Questions go through package query first: folding (traditional and
// simplified retrieve the same passages), stop phrases, and the glossary
// that turns English and Russian terms into the declaration's Chinese.
package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	chromem "github.com/philippgille/chromem-go"

	"github.com/declbot/declbot/corpus"
	"github.com/declbot/declbot/retrieval/query"
)

// Constants of the search; DefaultBatchSize and DefaultQueryCacheSize are
// the defaults of options.
const (
	// DefaultCandidates is how many passages each ranking contributes to
	// the fusion.
	DefaultCandidates = 50
	// DefaultRRFK is the k of the reciprocal rank each ranking adds in the
	// fusion, 1/(k+rank). Cormack et al. (2009) use 60 for fusing many
	// rankings of a large collection; on this 150-paragraph corpus 10 did
	// as well or better on the golden suite (docs/BENCHMARKS.md): the top
	// of each ranking should count.
	DefaultRRFK = 10
	// DefaultBatchSize is how many passages go to the embedder at once.
	DefaultBatchSize = 64
	// DefaultQueryCacheSize is how many query embeddings are remembered.
	DefaultQueryCacheSize = 1024
)

// Option configures an Index.
type Option func(*options)

type options struct {
	embedder Embedder
	cacheDir string
	logger   *slog.Logger
	progress io.Writer
	batch    int
	lruSize  int
	// corpus gives the question lists (set by New; nil in tests that
	// index bare passages).
	corpus       *corpus.Corpus
	mapSnapshots bool
}

// WithEmbedder sets the embedder of the vector side (default: a
// HashEmbedder of DefaultHashDim dimensions).
func WithEmbedder(e Embedder) Option {
	return func(o *options) {
		if e != nil {
			o.embedder = e
		}
	}
}

// WithCacheDir keeps passage embeddings in dir across restarts (default:
// no disk cache). The directory is created if missing; if it cannot be
// created or written, the index works without the cache and logs why once.
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithMappedSnapshots maps the index snapshots of the cache directory
// (snapshot.go) into memory instead of reading them: a start takes their
// pages from the page cache instead of copying them into fresh memory,
// several milliseconds less for a process that answers one question and
// exits. A long-running process should read them (the default): a mapped
// file truncated or overwritten in place while the process runs, which
// declbot never does, would reach it.
func WithMappedSnapshots() Option { return func(o *options) { o.mapSnapshots = true } }

// WithLogger sets the logger for cache problems and embedder retries
// (default: slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithProgress draws a progress bar on w while passages are embedded, if w
// is a terminal (typically os.Stderr).
func WithProgress(w io.Writer) Option { return func(o *options) { o.progress = w } }

// WithBatchSize sets how many passages are sent to the embedder per call
// (default DefaultBatchSize).
func WithBatchSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.batch = n
		}
	}
}

// characterVectorWeight is the vector ranking's weight in the fusion when
// the embedder matches characters (HashEmbedder): its ranking mostly repeats
// BM25's with more noise, so it breaks ties and rescues near misses rather
// than outvoting BM25. On the golden suite weights 0.3-0.5 gave the best
// hit@5; 1 lost hit@1 to BM25 alone.
const characterVectorWeight = 0.3

// translatedVectorScale scales the vector ranking's weight for an English
// or Russian question when the embedder embeds the processed query (the
// glossary's Chinese terms, as HashEmbedder does): that ranking then
// repeats the lexical ranking of the same terms and, at full weight, gave
// the glossary's reading two votes against the translation's and the
// question lists' one. Set with translatedQuestionsWeight (alt.go): 0.3
// and 0.5 were within 0.003 hit@1 of each other, 1 lost 0.02 to 0.03; set
// again with it at 1.1 on forty-three suites, where 0.25-0.35 did best. An
// embeddings model reads the question itself, across languages, and keeps
// its full weight.
const translatedVectorScale = 0.35

// WithQueryCacheSize sets how many query embeddings the in-memory LRU keeps
// (default DefaultQueryCacheSize; 0 disables it).
func WithQueryCacheSize(n int) Option { return func(o *options) { o.lruSize = max(n, 0) } }

// Index searches one corpus. It is immutable after New and safe for
// concurrent use.
type Index struct {
	foldState
	passages []corpus.Passage
	byID     map[string]int32
	coll     *chromem.Collection
	// vecs scores the collection's vectors directly (vecscan.go).
	vecs vecScan
	nvec int // passages in coll (those with a non-zero vector)
	dim  int // length of the passages' vectors
	lex  *bm25
	// alt are the alternative fields by language (alt.go).
	alt      map[corpus.Lang]*altFields
	embedder Embedder
	qp       *query.Processor
	queries  *lru
	logger   *slog.Logger
	opt      options
	// vecWeight multiplies the vector ranking's 1/(k+rank) in the fusion
	// (the lexical ranking's weight is 1): see characterVectorWeight.
	vecWeight float64
	scratch   sync.Pool // *scratch (scratch.go)
	// snaps are the index's snapshot files (snapshot.go), nil without a
	// cache directory.
	snaps   *snapshots
	zhNames zhNames    // for the relevance signal
	places  placeNames // for the relevance signal
	// docs finds the statements a question names (docscope.go).
	docs docNamer

	// vecDownUntil (unix nanoseconds) is set when embedding a query failed:
	// until then queries skip the vector side instead of each waiting out
	// the embedder's retries against an API that is down.
	vecDownUntil atomic.Int64
}

// Query embeddings get a short budget and, after a failure, a pause: an
// answer from BM25 alone now is better than a better one in 10 seconds.
const (
	queryEmbedTimeout = 3 * time.Second
	vectorPause       = 30 * time.Second
)

// ErrEmptyQuery is returned by Search for a query with nothing to search.
var ErrEmptyQuery = errors.New("empty query: ask a question or give a few words to search for")

// New embeds every passage of c (from the cache where possible) and builds
// the vector and lexical indexes. With an embeddings API it fails if the
// API does: the caller decides whether to fall back to the offline
// embedder.
func New(ctx context.Context, c *corpus.Corpus, opts ...Option) (*Index, error) {
	return newIndex(ctx, c.Passages(), append(opts, func(o *options) { o.corpus = c })...)
}

func newIndex(ctx context.Context, passages []corpus.Passage, opts ...Option) (*Index, error) {
	o := options{batch: DefaultBatchSize, lruSize: DefaultQueryCacheSize}
	for _, f := range opts {
		f(&o)
	}
	vecWeight := 1.0
	if _, ok := o.embedder.(ProcessedQueryEmbedder); ok || o.embedder == nil {
		vecWeight = characterVectorWeight
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if len(passages) == 0 {
		return nil, errors.New("retrieval: no passages to index")
	}
	snaps := openSnapshots(o.cacheDir, o.corpus, passages, o.mapSnapshots, o.logger)
	if o.embedder == nil {
		o.embedder = defaultEmbedder(passages, snaps)
	}
	x := &Index{
		passages:  passages,
		byID:      make(map[string]int32, len(passages)),
		embedder:  o.embedder,
		queries:   newLRU(o.lruSize),
		logger:    o.logger,
		opt:       o,
		vecWeight: vecWeight,
		zhNames:   loadZhNames(),
		places:    loadPlaces(),
		snaps:     snaps,
	}
	x.alt = altIndexes(o.corpus, passages, snaps)
	if o.corpus != nil {
		x.docs = newDocNamer(o.corpus.Packs())
	}

	// The query processor, the lexical index and the fields every
	// Chinese question searches do not depend on the vectors: they are
	// built (or read from their snapshots) on a second core while this
	// one reads or computes the vectors. The translations' fields stay
	// lazy: only English or Russian questions need them.
	var qpErr error
	built := make(chan struct{})
	go func() {
		defer close(built)
		if x.qp, qpErr = query.New(query.WithVocabulary(func() []string { return vocabulary(passages) })); qpErr != nil {
			return
		}
		x.lex = lexicalIndex(passages, snaps)
		x.alt[altLang(corpus.LangHans)].get()
	}()
	vecs, err := x.embedPassages(ctx)
	<-built
	if qpErr != nil {
		return nil, fmt.Errorf("query processor: %w", qpErr)
	}
	if err != nil {
		return nil, err
	}
	x.dim = len(vecs[0])

	// chromem-go falls back to OpenAI when given a nil embedding function;
	// ours only ever runs our Embedder, though every document arrives with
	// its vector and every query is made with one.
	db := chromem.NewDB()
	coll, err := db.CreateCollection("passages", nil, x.chromemEmbed)
	if err != nil {
		return nil, fmt.Errorf("create vector collection: %w", err)
	}
	x.coll = coll
	for i, p := range passages {
		if _, dup := x.byID[p.ID]; dup {
			return nil, fmt.Errorf("retrieval: duplicate passage ID %s", p.ID)
		}
		x.byID[p.ID] = int32(i)
		if isZero(vecs[i]) {
			// No letters to embed (never in the real corpus); the
			// passage is still found lexically.
			continue
		}
		// chromem-go keeps the Document; its Embedding is the vector.
		// The text stays in x.passages, not a second time in chromem.
		if err := coll.AddDocument(ctx, chromem.Document{ID: p.ID, Embedding: vecs[i]}); err != nil {
			return nil, fmt.Errorf("add paragraph %s to the vector collection: %w", p.ID, err)
		}
		x.nvec++
	}
	if x.vecs, err = newVecScan(ctx, coll, x.nvec, x.dim, x.byID); err != nil {
		return nil, err
	}
	return x, nil
}

// chromemEmbed adapts the Embedder to chromem-go's EmbeddingFunc.
func (x *Index) chromemEmbed(ctx context.Context, text string) ([]float32, error) {
	vs, err := x.embedder.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("embedder %s returned %d vectors for 1 text", x.embedder.Name(), len(vs))
	}
	return vs[0], nil
}

// embedPassages returns one vector per passage, from the disk cache where
// possible, embedding the rest in batches.
func (x *Index) embedPassages(ctx context.Context) ([][]float32, error) {
	name := x.embedder.Name()
	cache := openDiskCache(x.opt.cacheDir, name, x.logger)
	n := len(x.passages)
	keys := make([]textKey, n)
	vecs := make([][]float32, n)
	var missing, cached []int
	for i, p := range x.passages {
		keys[i] = keyOf(p.TextHans)
		if v, ok := cache.get(keys[i]); ok {
			vecs[i] = v
			cached = append(cached, i)
		} else {
			missing = append(missing, i)
		}
	}
	if err := x.embedBatches(ctx, missing, vecs); err != nil {
		return nil, err
	}
	if len(missing) > 0 && len(cached) > 0 && len(vecs[missing[0]]) != cache.dim {
		// The model behind the name changed: its old vectors cannot be
		// compared with the new ones.
		x.logger.Warn("embedding cache dropped: the embedder now returns vectors of another length; embedding every passage again",
			"embedder", name, "dimensions", len(vecs[missing[0]]), "cached_dimensions", cache.dim)
		if err := x.embedBatches(ctx, cached, vecs); err != nil {
			return nil, err
		}
		missing = append(missing, cached...)
	}
	dim := len(vecs[0])
	for i, v := range vecs {
		if len(v) != dim || dim == 0 {
			return nil, fmt.Errorf("embedder %s: paragraph %s has a vector of %d dimensions, paragraph %s of %d", name, x.passages[i].ID, len(v), x.passages[0].ID, dim)
		}
		if !finite(v) {
			return nil, fmt.Errorf("embedder %s: paragraph %s has a vector with NaN or Inf", name, x.passages[i].ID)
		}
	}
	if len(missing) > 0 || len(cache.entries) != n {
		cache.save(keys, vecs)
	}
	return vecs, nil
}

// embedBatches embeds the passages at the indexes idx, in batches, into
// vecs, drawing the progress bar.
func (x *Index) embedBatches(ctx context.Context, idx []int, vecs [][]float32) error {
	if len(idx) == 0 {
		return nil
	}
	name := x.embedder.Name()
	bar := newProgressBar(x.opt.progress, "embedding passages", len(idx))
	defer bar.finish()
	texts := make([]string, 0, x.opt.batch)
	for start := 0; start < len(idx); start += x.opt.batch {
		batch := idx[start:min(start+x.opt.batch, len(idx))]
		texts = texts[:0]
		for _, i := range batch {
			texts = append(texts, x.passages[i].TextHans)
		}
		vs, err := x.embedder.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed paragraphs %s..%s with %s: %w", x.passages[batch[0]].ID, x.passages[batch[len(batch)-1]].ID, name, err)
		}
		if len(vs) != len(batch) {
			return fmt.Errorf("embedder %s returned %d vectors for %d paragraphs", name, len(vs), len(batch))
		}
		for j, i := range batch {
			vecs[i] = vs[j]
		}
		bar.add(len(batch))
	}
	return nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// Len returns the number of passages indexed.
func (x *Index) Len() int { return len(x.passages) }

// Embedder returns the embedder of the vector side.
func (x *Index) Embedder() Embedder { return x.embedder }

// Search returns up to k passages for q, best first, with the relevance
// signal. k <= 0 means 5. A query with nothing searchable (only
// punctuation) returns ErrEmptyQuery; a query nothing in the corpus matches
// returns no items and InScope false.
func (x *Index) Search(ctx context.Context, q string, k int) (Results, error) {
	return x.search(ctx, q, k, nil)
}

// search is Search within the passages in (all when in is nil).
func (x *Index) search(ctx context.Context, q string, k int, in []bool) (Results, error) {
	if k <= 0 {
		k = 5
	}
	asked := q
	if refs, rest := x.docs.find(q); len(refs) > 0 && hasUnits(corpus.Fold(rest)) {
		// A question naming a statement searches it for the rest; if the
		// rest finds nothing there, the question is searched as asked.
		named := x.docMask(refs)
		if in != nil {
			for i := range named {
				named[i] = named[i] && in[i]
			}
		}
		if res, err := x.searchIn(ctx, asked, rest, k, named); err != nil || len(res.Items) > 0 {
			return res, err
		}
	}
	return x.searchIn(ctx, asked, q, k, in)
}

// searchIn is search for q, which is the question asked or what of it is
// left to search, within the passages in (all when in is nil).
func (x *Index) searchIn(ctx context.Context, asked, q string, k int, in []bool) (Results, error) {
	pq := x.qp.Process(q)
	// Each text is folded once here; what reads it below reads the
	// folded form.
	origF := corpus.Fold(pq.Original)
	if !hasUnits(origF) {
		return Results{}, ErrEmptyQuery
	}
	textF := corpus.Fold(pq.Text)
	if !hasUnits(textF) && pq.Lang.IsChinese() {
		// Stop-phrase removal left nothing ("天津宣言说了什么？"): the
		// question is about the text as a whole, so search its own words
		// rather than return nothing.
		pq.Text = origF
		textF = corpus.Fold(pq.Text)
	}
	res := Results{Query: pq.Text}
	for _, m := range pq.Mapped {
		if corpus.HasHan(m) {
			res.StandIns = append(res.StandIns, m)
		}
	}
	c := max(DefaultCandidates, k)
	keep := c
	if in != nil {
		// Every ranking whole, then cut to the scope and to the usual
		// depth: the scope's passages rank among themselves as if the
		// index held them alone.
		c = len(x.passages)
	}
	s := x.getScratch()
	defer x.putScratch(s)

	qterms := s.queryTerms(textF)
	var lex []docScore
	if len(qterms) > 0 {
		x.lex.resolve(qterms)
		x.lex.accumulateResolved(qterms, s.acc)
		lex = topScores(s.lex, s.acc, c, &s.sel)
		s.lex = lex
		clear(s.acc)
	}

	vec, err := x.vectorSearch(ctx, pq, hasUnits(textF), c, s)
	if err != nil {
		if ctx.Err() != nil {
			return Results{}, ctx.Err()
		}
		// An embeddings API that fails mid-run should not take answers
		// down with it: the lexical side still works.
		x.logger.Warn("vector search failed; using the lexical ranking only", "embedder", x.embedder.Name(), "err", err)
		vec = nil
	}

	altTerms := s.altQueryTerms(pq, origF, altLang(pq.Lang))
	alts := x.altRankings(pq, altTerms, c, s)
	if in != nil {
		lex, vec, alts = within(in, keep, lex, vec, alts)
	}
	lexW, vecW := 1.0, x.vecWeight
	_, processed := x.embedder.(ProcessedQueryEmbedder)
	if processed && !pq.Lang.IsChinese() {
		vecW *= translatedVectorScale
	}
	w := mappedWeight(pq)
	if pq.Lang.IsChinese() {
		w = x.textWeight(pq, s)
	}
	if w < 1 {
		lexW *= w
		if processed {
			vecW *= w
		}
	}
	var years []string
	if x.opt.corpus != nil {
		years = corpus.QuestionYears(pq.Original, func() []string { return x.searchedYears(in) })
	}
	if len(years) == 0 {
		res.Items = x.fuse(s, vec, lex, alts, qterms, k, lexW, vecW)
	} else {
		res.Items = x.fuse(s, vec, lex, alts, qterms, max(k, yearCandidates), lexW, vecW)
		x.preferYears(res.Items, s.top, years)
		res.Items, s.top = res.Items[:min(k, len(res.Items))], s.top[:min(k, len(s.top))]
	}
	if asked == q && namesDeclarationOnly(pq.Original) {
		x.preferDeclaration(res.Items, s.top)
	}
	// Whether the texts address the question is judged on all of it: a
	// statement's name is the corpus's own vocabulary. How well the
	// passages match is judged on what was searched.
	rel := pq
	if asked != q {
		rel = x.qp.Process(asked)
	}
	res.Relevance = x.relevance(rel, qterms, altTerms, res.Items, s.top, s)
	res.InScope = res.Relevance >= DefaultRelevanceThreshold
	if !res.InScope {
		res.Unmentioned = x.unmentioned(rel)
	} else if rel.Lang.IsChinese() {
		res.Lacking = x.lacking(rel)
	}
	return res, nil
}

// vectorSearch ranks passages by cosine similarity to the query's vector
// (in s.vec). textUnits says whether pq.Text has a unit (pq.Original has
// one, or there is no search).
func (x *Index) vectorSearch(ctx context.Context, pq query.Query, textUnits bool, c int, s *scratch) ([]docScore, error) {
	text, units := pq.Original, true
	if _, ok := x.embedder.(ProcessedQueryEmbedder); ok {
		text, units = pq.Text, textUnits
	}
	if !units || x.nvec == 0 {
		return nil, nil
	}
	v, ok := x.queries.get(text)
	if !ok {
		if until := x.vecDownUntil.Load(); until != 0 && time.Now().UnixNano() < until {
			return nil, nil
		}
		qctx, cancel := context.WithTimeout(ctx, queryEmbedTimeout)
		vs, err := x.embedder.Embed(qctx, []string{text})
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				x.vecDownUntil.Store(time.Now().Add(vectorPause).UnixNano())
			}
			return nil, fmt.Errorf("embed query (vector search paused for %s): %w", vectorPause, err)
		}
		x.vecDownUntil.Store(0)
		if len(vs) != 1 || len(vs[0]) == 0 {
			return nil, fmt.Errorf("embedder %s returned no vector for the query", x.embedder.Name())
		}
		if len(vs[0]) != x.dim {
			// Only when every passage came from the cache: the model
			// behind the name changed since the cache was written.
			return nil, fmt.Errorf("embedder %s returned a query vector of %d dimensions, the cached passages have %d: the model behind the name has changed; delete the embeddings-*.bin files in the data directory and restart", x.embedder.Name(), len(vs[0]), x.dim)
		}
		if !finite(vs[0]) {
			return nil, fmt.Errorf("embedder %s returned a query vector with NaN or Inf", x.embedder.Name())
		}
		v = vs[0]
		x.queries.put(text, v)
	}
	if isZero(v) {
		return nil, nil
	}
	s.vec = x.vecs.search(s.vec, &s.nz, v, c, &s.sel)
	return s.vec, nil
}

// fuse merges the rankings and returns the best k, with both components'
// ranks and scores.
//
// Each ranking adds, for each of its candidates, its weight times the
// candidate's score as a share of the ranking's best (share) plus its
// reciprocal rank 1/(DefaultRRFK+rank): a weighted CombSUM with reciprocal
// rank fusion as the tie-breaker. Rank alone, as reciprocal rank fusion
// had it, treats a ranking whose first two passages score 30 and 8 like
// one where they score 30 and 29; with the scores, the ranking that
// clearly prefers a passage decides. On the eleven suites, 1,761
// answerable questions, hit@1 rose from 0.856 to 0.888 (Chinese 0.879 ->
// 0.915, English 0.846 -> 0.864, Russian 0.829 -> 0.870), the same from a
// quarter to five times the shares' weight against the ranks'
// (docs/BENCHMARKS.md).
//
// Candidates are plain values in one slice (sc's, reused), found through
// a passage-indexed slot table, and only the best k become Results (with
// their passage, fields and alternative ranks): a map entry, a pointer and
// a map of alternative ranks for each of ~150 candidates were a quarter of
// a search. lexW and vecW are what the lexical and vector rankings weigh
// for this query (mappedWeight, textWeight).
func (x *Index) fuse(sc *scratch, vec, lex []docScore, alts []altRanking, qterms []weightedTerm, k int, lexW, vecW float64) []Result {
	total := len(vec) + len(lex)
	for _, a := range alts {
		total += len(a.ranked)
	}
	// Capacity for every candidate: get's pointers stay valid.
	if cap(sc.cands) < total {
		sc.cands = make([]cand, 0, total)
	}
	cands := sc.cands[:0]
	slot := sc.slot // passage -> 1 + its position in cands, 0 if none
	get := func(d int32) *cand {
		if s := slot[d]; s > 0 {
			return &cands[s-1]
		}
		cands = append(cands, cand{index: d})
		slot[d] = int32(len(cands))
		return &cands[len(cands)-1]
	}
	// add adds a ranking's share to c and keeps the field's largest share
	// (the lexical and vector rankings, and each alternative field, are
	// fields of their own), for ordering Result.Fields.
	add := func(c *cand, f int, w float64, sh share, score float64, rank int) {
		v := w * (sh.of(score) + 1/(DefaultRRFK+float64(rank)))
		c.score += v
		c.field[f] = max(c.field[f], float32(v))
	}
	// Each candidate's score adds its rankings' shares in this order:
	// vector, lexical, then the alternative fields.
	sh := shareOf(vec, true)
	for i, v := range vec {
		c := get(v.doc)
		c.vecRank = int32(i + 1)
		c.vecScore = float32(v.score)
		add(c, fieldVector, vecW, sh, v.score, i+1)
	}
	sh = shareOf(lex, false)
	for i, l := range lex {
		c := get(l.doc)
		c.lexRank = int32(i + 1)
		c.lexScore = l.score
		add(c, fieldText, lexW, sh, l.score, i+1)
	}
	for _, a := range alts {
		f := fieldOf(a.field)
		sh := shareOf(a.ranked, false)
		for i, l := range a.ranked {
			c := get(l.doc)
			c.inAlt = true
			c.altRank[f] = int32(i + 1)
			add(c, f, a.weight, sh, l.score, i+1)
		}
	}
	for _, c := range cands {
		slot[c.index] = 0
	}
	sc.cands = cands
	// The best k in order. The order is total (corpus order breaks the
	// last ties), so selecting them gives what sorting all would.
	var top []*cand
	if k <= 16 {
		top = sc.top0[:0]
		for i := range cands {
			c := &cands[i]
			if len(top) == k && !candBefore(c, top[k-1]) {
				continue
			}
			j := len(top)
			if j < k {
				top = append(top, nil)
			} else {
				j = k - 1
			}
			for j > 0 && candBefore(c, top[j-1]) {
				top[j] = top[j-1]
				j--
			}
			top[j] = c
		}
		sc.top0 = top
	} else {
		top = make([]*cand, len(cands))
		for i := range cands {
			top[i] = &cands[i]
		}
		slices.SortFunc(top, func(a, b *cand) int {
			switch {
			case candBefore(a, b):
				return -1
			case candBefore(b, a):
				return 1
			}
			return 0
		})
		top = top[:min(k, len(top))]
	}
	out := make([]Result, 0, len(top))
	// Every Result's Fields in one array: one allocation, not one each.
	fields := make([]string, 0, len(top)*len(fieldNames))
	sc.top = sc.top[:0]
	for _, c := range top {
		sc.top = append(sc.top, c.index)
		r := Result{
			Passage:      x.passages[c.index],
			Score:        c.score,
			VectorRank:   int(c.vecRank),
			VectorScore:  c.vecScore,
			LexicalRank:  int(c.lexRank),
			LexicalScore: c.lexScore,
		}
		if r.LexicalRank == 0 && len(qterms) > 0 {
			// Outside the lexical candidates; its score still informs.
			r.LexicalScore = x.lex.score(qterms, c.index)
		}
		if c.inAlt {
			r.AltRanks = AltRanks{Translation: int(c.altRank[fieldTranslation]), Questions: int(c.altRank[fieldQuestions])}
		}
		// Each field's share, as the score added it; the largest where
		// rankings share a field.
		best := c.field
		var order [len(fieldNames)]int
		n := 0
		for f, s := range best {
			if s > 0 {
				// Strongest first; ties in the fixed order of
				// fieldNames (an insertion sort, stable).
				j := n
				for j > 0 && best[order[j-1]] < s {
					order[j] = order[j-1]
					j--
				}
				order[j] = f
				n++
			}
		}
		start := len(fields)
		for _, f := range order[:n] {
			fields = append(fields, fieldNames[f])
		}
		r.Fields = fields[start:len(fields):len(fields)]
		out = append(out, r)
	}
	return out
}

// candBefore reports whether a ranks before b in the fused ranking: the
// higher fused score, on equal scores the stronger lexical match, then
// corpus order, so that rankings are deterministic.
func candBefore(a, b *cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.lexScore != b.lexScore {
		return a.lexScore > b.lexScore
	}
	return a.index < b.index
}

// cand is a passage fuse has seen in a ranking, with what each ranking
// said of it.
type cand struct {
	index    int32
	vecRank  int32
	lexRank  int32
	vecScore float32
	score    float64
	lexScore float64
	altRank  [len(fieldNames)]int32
	// field is each field's largest share of score (fuse's add).
	field [len(fieldNames)]float32
	inAlt bool
}

// share turns a ranking's scores into shares of its best, 0 to 1:
// (score - lo) * scale, or 1 when scale is 0.
type share struct{ lo, scale float64 }

// shareOf returns the shares of ranking d, best first. A BM25 score of 0
// means nothing shared with the query, so BM25 rankings are shares of
// their best; a cosine similarity has no such zero (an embeddings model
// puts unrelated texts at 0.2-0.5), so a vector ranking (fromWorst) is
// spread between its worst candidate and its best.
func shareOf(d []docScore, fromWorst bool) share {
	if len(d) == 0 {
		return share{}
	}
	hi, lo := d[0].score, 0.0
	if fromWorst {
		lo = d[len(d)-1].score
	}
	if hi <= lo {
		// All equal (or all 0): they cannot be told apart, and each
		// gets the full share.
		return share{}
	}
	return share{lo: lo, scale: 1 / (hi - lo)}
}

// of returns score's share (1 for a ranking of equal scores).
func (s share) of(score float64) float64 {
	if s.scale == 0 {
		return 1
	}
	return (score - s.lo) * s.scale
}

// defaultBigramWeight weights a query's bigrams against its unigrams in
// BM25: a shared word says more than a shared character.
const defaultBigramWeight = 1.0

// queryTerms returns the distinct unigrams and bigrams of the processed
// query text, folded (corpus.Fold), bigrams weighted, in the order they
// first occur (the order BM25 adds their scores in).
func (s *scratch) queryTerms(folded string) []weightedTerm {
	s.units = appendUnits(s.units[:0], folded)
	s.terms = appendTerms(s.terms[:0], s.units)
	out := s.qterms[:0]
	for _, t := range s.terms {
		if !s.seen.add(t.h) {
			continue
		}
		w := 1.0
		if t.bi {
			w = defaultBigramWeight
		}
		out = append(out, weightedTerm{h: t.h, w: w, bi: t.bi})
	}
	s.seen.reset()
	s.qterms = out
	return out
}

// hasUnits reports whether folded text has a unit (appendUnits): a Han
// character, letter or digit.
func hasUnits(folded string) bool {
	for _, r := range folded {
		if corpus.IsHan(r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// mappedWeight is what the Chinese text's lexical ranking (and the offline
// vectors, which embed the same processed query) weigh in the fusion for
// an English or Russian question, relative to a Chinese one: they see only
// the words the glossary mapped to the declaration's Chinese terms, so a
// question whose words were mostly not mapped ("their own lender to fund
// projects in the region" searches 地区 alone) is ranked by them on a
// fraction of what it asks, while the working translation and the question
// lists see all of it. The weight grows with the mapped share of the
// question's content words, from mappedFloor (nothing mapped) to 1.
func mappedWeight(pq query.Query) float64 {
	if pq.Lang.IsChinese() {
		return 1 // see textWeight
	}
	mapped := 0
	for _, m := range pq.Mapped {
		if !corpus.HasHan(m) {
			mapped += len(strings.Fields(m))
		}
	}
	unmapped := len(pq.Unmatched)
	if mapped+unmapped == 0 {
		return 1
	}
	return mappedFloor + (1-mappedFloor)*float64(mapped)/float64(mapped+unmapped)
}

// mappedFloor is mappedWeight when the glossary mapped none of a
// question's words: the Chinese ranking still sees its names and numbers.
// 0.3, the translation's own weight, was chosen before measuring; on the
// golden and held-out suites 0.1 lost held-out items and 0.6 gained less
// (docs/BENCHMARKS.md).
const mappedFloor = 0.3

// textWeight is mappedWeight for a Chinese question: the share of its
// content (idf-weighted characters, particles aside) that the Chinese
// ranking can match, a character counting when it forms a bigram of the
// text with a neighbour or lies in a word the glossary mapped. Everyday
// words the text does not use ("网购", "打仗") reach the passages only
// through the question lists, so a question made mostly of them is ranked
// mostly by those.
func (x *Index) textWeight(pq query.Query, sc *scratch) float64 {
	seen, all := 0.0, 0.0
	for _, piece := range pq.Pieces {
		units := appendUnitRunes(sc.unitRunes[:0], piece)
		sc.unitRunes = units
		mapped := slices.Contains(pq.Mapped, piece)
		for i, u := range units {
			if u.function {
				continue
			}
			w := x.unitIDF(u.h)
			all += w
			if mapped || x.unitKnown(units, i, false) {
				seen += w
			}
		}
	}
	if all == 0 {
		return 1
	}
	return mappedFloor + (1-mappedFloor)*seen/all
}

// Prepare builds now what the index otherwise builds on the first question
// that needs it: every language's alternative fields and the folded text.
// A server, which will meet every language, calls it once at start, so
// that its first English or Russian question does not pay for them and
// what building them allocates can be handed back before it idles.
func (x *Index) Prepare() {
	for _, a := range x.alt {
		a.get()
	}
	x.foldedText()
}

// A question that gives a year ("2026年有哪些会议", "the tourism capital
// for 2025-2026") is answered by a paragraph that gives it: on the
// thirteen seen suites, where the best paragraph lacked the year and one
// of the next scoring at least 0.7 of it had it, the one with the year
// was a gold paragraph in 12 of 12 questions, the best in 2.
const (
	// yearCandidates is how many passages are looked at for one that
	// gives the question's years.
	yearCandidates = 6
	// yearRatio: a passage that gives the years goes first only if it
	// scored at least yearRatio of the best. Under it the passage shares
	// the year and little else.
	yearRatio = 0.6
)

// searchedYears are the years of the packs searched (in; all when nil):
// a question that gives one names that text (corpus.QuestionYears).
func (x *Index) searchedYears(in []bool) []string {
	if in == nil {
		return x.opt.corpus.PackYears(x.passages)
	}
	var ps []corpus.Passage
	seen := map[string]bool{}
	for i, ok := range in {
		if ok && !seen[x.passages[i].Pack] {
			seen[x.passages[i].Pack] = true
			ps = append(ps, x.passages[i])
		}
	}
	return x.opt.corpus.PackYears(ps)
}

// preferYears moves first, in order, the items that give every one of
// years and score at least yearRatio of the best; docs (the items'
// passage indexes) is reordered alike.
func (x *Index) preferYears(items []Result, docs []int32, years []string) {
	if len(items) == 0 || items[0].Passage.GivesYears(years) {
		return
	}
	floor := yearRatio * items[0].Score
	var first, rest []int
	for i, it := range items {
		if it.Score >= floor && it.Passage.GivesYears(years) {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	if len(first) == 0 {
		return
	}
	order := append(first, rest...)
	its := slices.Clone(items)
	ds := slices.Clone(docs)
	for to, from := range order {
		items[to] = its[from]
		if from < len(ds) && to < len(docs) {
			docs[to] = ds[from]
		}
	}
}

// vocabulary holds the names a misspelt English or Russian word of a
// question may be corrected to (query.WithVocabulary): the working
// translations.
func vocabulary(passages []corpus.Passage) []string {
	var out []string
	for _, l := range []corpus.Lang{corpus.LangEn, corpus.LangRu} {
		for _, p := range passages {
			if p.Translated(l) {
				out = append(out, p.TextIn(l))
			}
		}
	}
	return out
}
