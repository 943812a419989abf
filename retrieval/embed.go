package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"

	"github.com/declbot/declbot/corpus"
)

// Embedder turns texts into vectors. The vectors of one Embedder must be
// comparable by cosine similarity; their length is the Embedder's choice.
type Embedder interface {
	// Name identifies the embedder and its model ("hash-ngram-v1-d256",
	// "openai:http://localhost:11434/v1:nomic-embed-text"). It keys the
	// embedding cache, so it must change whenever the vectors would.
	Name() string
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ProcessedQueryEmbedder is an Embedder that matches the corpus's
// characters rather than meaning, like HashEmbedder. Index embeds the
// processed query for it (folded Chinese, with the English and Russian
// terms the glossary knows translated), where a multilingual model is given
// the user's own words.
type ProcessedQueryEmbedder interface {
	Embedder
	EmbedsProcessedQuery()
}

// DefaultHashDim is HashEmbedder's default dimension: 128 float32s are 512
// bytes per paragraph. 256 ranked no better on the three evaluation suites
// (hit@5 equal on golden and blind, one item apart on held-out) and made
// chromem-go's exhaustive scan, which is most of a search at 100,000
// paragraphs, twice as long.
const DefaultHashDim = 128

// HashEmbedder is the offline embedder: deterministic, no network, no model
// file. A text's vector is the sum of its folded character n-grams (one to
// three units; see appendUnits) hashed into Dim signed buckets, each n-gram
// weighted by its order and by 1+ln(tf), then L2-normalised. Signed hashing
// makes bucket collisions cancel out on average instead of inflating every
// similarity.
//
// Because traditional and simplified text fold to the same characters, both
// scripts of a question get the same vector.
type HashEmbedder struct {
	dim    int
	weight [3]float64 // of unigrams, bigrams, trigrams
	// idf weights n-grams by rarity in the texts given to
	// WithHashIDF (idfOf): n-gram ids in idfIDs, their weights in idf.
	// Without it (hasIDF false) every n-gram weighs the same. unseen is
	// the weight of an n-gram those texts lack. fingerprint names the
	// texts.
	hasIDF      bool
	idfIDs      termTable
	idf         []float32
	unseen      float32
	fingerprint string
}

// HashOption configures a HashEmbedder.
type HashOption func(*HashEmbedder)

// WithHashIDF weights each n-gram by its inverse document frequency in
// texts (ln(1 + N/df)), the classic TF-IDF vector: without it, characters
// in every paragraph (国, 合, 作) dominate every vector. The texts'
// fingerprint becomes part of Name, so vectors fitted to another corpus are
// never mixed in from the cache.
func WithHashIDF(texts []string) HashOption {
	return func(e *HashEmbedder) {
		var ids termTable
		var df []float32 // by n-gram id: passages with it, then its weight
		var units []unit
		var grams []uint64
		h := sha256.New()
		for _, s := range texts {
			h.Write([]byte(s))
			h.Write([]byte{0})
			units = appendUnits(units[:0], corpus.Fold(s))
			grams = appendNgrams(grams[:0], units)
			slices.Sort(grams)
			for _, g := range slices.Compact(grams) {
				id, added := ids.add(g)
				if added {
					df = append(df, 0)
				}
				df[id]++
			}
		}
		n := float64(len(texts))
		for id, d := range df {
			df[id] = float32(math.Log(1 + n/float64(d)))
		}
		e.hasIDF, e.idfIDs, e.idf = true, ids, df
		e.unseen = float32(math.Log(1 + n))
		e.fingerprint = hex.EncodeToString(h.Sum(nil)[:6])
	}
}

// NewHashEmbedder returns a HashEmbedder with dim buckets (DefaultHashDim if
// dim <= 0).
func NewHashEmbedder(dim int, opts ...HashOption) *HashEmbedder {
	if dim <= 0 {
		dim = DefaultHashDim
	}
	e := &HashEmbedder{dim: dim, weight: hashOrderWeight}
	for _, o := range opts {
		o(e)
	}
	return e
}

// hashOrderWeight weights unigrams, bigrams and trigrams. Single characters
// carry little meaning in Chinese (合, 作, 国 are in most paragraphs); words
// are mostly two or more characters.
var hashOrderWeight = [3]float64{0.4, 1, 0.8}

// Name includes the version of the scheme and the dimension.
func (e *HashEmbedder) Name() string {
	if e.hasIDF {
		return fmt.Sprintf("hash-ngram-v1-d%d-idf-%s", e.dim, e.fingerprint)
	}
	return fmt.Sprintf("hash-ngram-v1-d%d", e.dim)
}

// EmbedsProcessedQuery marks HashEmbedder as character-based.
func (e *HashEmbedder) EmbedsProcessedQuery() {}

// Embed never fails except when ctx is done.
func (e *HashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var units []unit
	var grams []uint64
	for i, s := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		units = appendUnits(units[:0], corpus.Fold(s))
		grams = appendNgrams(grams[:0], units)
		out[i] = e.vector(grams)
	}
	return out, nil
}

// appendNgrams appends the hashes of the 1-, 2- and 3-grams of units, with
// the order (0, 1, 2) in the two low bits.
func appendNgrams(dst []uint64, units []unit) []uint64 {
	for i, u := range units {
		dst = append(dst, u.h&^3)
		if i >= 1 && !u.brk {
			dst = append(dst, bigram(units[i-1].h, u.h)&^3|1)
			if i >= 2 && !units[i-1].brk {
				dst = append(dst, trigram(units[i-2].h, units[i-1].h, u.h)&^3|2)
			}
		}
	}
	return dst
}

func (e *HashEmbedder) vector(grams []uint64) []float32 {
	v := make([]float32, e.dim)
	slices.Sort(grams)
	var norm float64
	acc := make([]float64, e.dim)
	for i := 0; i < len(grams); {
		j := i + 1
		for j < len(grams) && grams[j] == grams[i] {
			j++
		}
		h := grams[i]
		w := e.weight[h&3] * (1 + math.Log(float64(j-i)))
		if e.hasIDF {
			idf := e.unseen
			if id, ok := e.idfIDs.get(h); ok {
				idf = e.idf[id]
			}
			w *= float64(idf)
		}
		// The bucket and the sign come from bits the order tag left alone.
		b := (h >> 2) % uint64(e.dim)
		if h>>63 == 1 {
			w = -w
		}
		acc[b] += w
		i = j
	}
	for _, x := range acc {
		norm += x * x
	}
	if norm == 0 {
		return v // no letters: a zero vector, which Index never queries with
	}
	inv := 1 / math.Sqrt(norm)
	for i, x := range acc {
		v[i] = float32(x * inv)
	}
	return v
}
