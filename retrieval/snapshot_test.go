package retrieval

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/declbot/declbot/corpus"
)

// snapshotQuestions are searched on indexes built and loaded from
// snapshots: every language, so that every part is used.
var snapshotQuestions = []string{
	"上合组织开发银行", "成员国对外空武器化的立场是什么？", "宣言對阿富汗問題都說了些什麼？",
	"What does the declaration say about outer space?", "sanctions and unilateral coercive measures",
	"Что говорится о терроризме и экстремизме?", "Как страны ШОС относятся к санкциям?",
	"下一次元首理事会会议在哪里举行", "人工智能合作", "比特币现在多少钱", "Who won the World Cup?",
}

// searchAll returns the JSON of x's results for snapshotQuestions, k 5
// and 10.
func searchAll(t *testing.T, x *Index) string {
	t.Helper()
	var b strings.Builder
	for _, q := range snapshotQuestions {
		for _, k := range []int{5, 10} {
			res, err := x.Search(context.Background(), q, k)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			j, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var allParts = []string{"alt-en", "alt-ru", "alt-zh-Hans", "idf", "lex"}

// TestSnapshotRoundTrip builds an index (which writes its snapshots),
// then another from them, and checks that both, and an index built
// without a cache directory, give the same results and the same
// embedder name, and that the second built nothing.
func TestSnapshotRoundTrip(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	plain, err := New(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := searchAll(t, plain)
	dir := t.TempDir()
	cold, err := New(ctx, c, WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := searchAll(t, cold); got != want {
		t.Fatal("the index that wrote the snapshots searches differently from one without a cache")
	}
	if got := cold.snaps.parts(); len(got) != 0 {
		t.Fatalf("a fresh directory gave parts %v", got)
	}
	for _, p := range allParts {
		if _, err := os.Stat(filepath.Join(dir, snapshotFileName(p))); err != nil {
			t.Errorf("part %s not saved: %v", p, err)
		}
	}
	var logs logBuffer
	warm, err := New(ctx, c, WithCacheDir(dir), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	if got := warm.snaps.parts(); !slices.Equal(got, []string{"alt-zh-Hans", "idf", "lex"}) {
		t.Errorf("parts read at start: %v, want those a Chinese question needs", got)
	}
	if got := searchAll(t, warm); got != want {
		t.Fatal("the index read from snapshots searches differently")
	}
	if got := warm.snaps.parts(); !slices.Equal(got, allParts) {
		t.Errorf("parts read from snapshots: %v, want %v", got, allParts)
	}
	if warm.Embedder().Name() != plain.Embedder().Name() {
		t.Errorf("embedder %q from the snapshot, %q built", warm.Embedder().Name(), plain.Embedder().Name())
	}
	if logs.String() != "" {
		t.Errorf("a start from good snapshots logged:\n%s", logs.String())
	}
	mapped, err := New(ctx, c, WithCacheDir(dir), WithMappedSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	if got := searchAll(t, mapped); got != want {
		t.Fatal("the index mapping its snapshots searches differently")
	}
	if got := mapped.snaps.parts(); !slices.Equal(got, allParts) {
		t.Errorf("parts mapped: %v, want %v", got, allParts)
	}
	for _, term := range []string{"外空", "合作", "开发银行", "x", "阿富汗"} {
		if warm.DocFreq(term) != plain.DocFreq(term) {
			t.Errorf("DocFreq(%s) = %d from the snapshot, %d built", term, warm.DocFreq(term), plain.DocFreq(term))
		}
	}
}

// TestSnapshotDamaged damages each snapshot file in turn: the index is
// built as without it, with the same results, a damaged file is
// reported once, a stale one (another program or corpus) not at all,
// and either is rewritten so that the next start reads it again.
func TestSnapshotDamaged(t *testing.T) {
	c := loadCorpus(t)
	ctx := context.Background()
	plain, err := New(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := searchAll(t, plain)
	// Good snapshots of every part, copied into each case's directory.
	good := t.TempDir()
	first, err := New(ctx, c, WithCacheDir(good))
	if err != nil {
		t.Fatal(err)
	}
	searchAll(t, first) // every part built, and saved
	ents, err := os.ReadDir(good)
	if err != nil {
		t.Fatal(err)
	}
	type damage struct {
		name    string
		f       func(data []byte) []byte
		wantLog string // "" for no warning
	}
	damages := []damage{
		{"truncated", func(d []byte) []byte { return d[:len(d)*2/3] }, "truncated"},
		{"header only", func(d []byte) []byte { return d[:100] }, "truncated"},
		{"bit flip in a section", func(d []byte) []byte { d[len(d)-9] ^= 0x10; return d }, "checksum mismatch"},
		{"bit flip in the header", func(d []byte) []byte { d[len(snapshotMagic)+8+32+3] ^= 1; return d }, "checksum mismatch"},
		{"empty", func([]byte) []byte { return nil }, ""}, // nothing to map: built quietly
		{"foreign file", func([]byte) []byte {
			return []byte("PK\x03\x04 not ours, and long enough to hold a header.........................")
		}, "bad magic"},
		{"another program", func(d []byte) []byte { d[len(snapshotMagic)+8] ^= 1; return d }, ""},
		{"future version", func(d []byte) []byte {
			binary.LittleEndian.PutUint32(d[len(snapshotMagic):], snapshotVersion+1)
			return d
		}, ""},
	}
	for _, part := range allParts {
		for i, dm := range damages {
			// Every damage on one part, the first three on every part
			// (each is read by its own code).
			if part != "lex" && i >= 3 {
				continue
			}
			t.Run(part+"/"+dm.name, func(t *testing.T) {
				dir := t.TempDir()
				for _, e := range ents {
					data, err := os.ReadFile(filepath.Join(good, e.Name()))
					if err != nil {
						t.Fatal(err)
					}
					writeFile(t, filepath.Join(dir, e.Name()), data)
				}
				path := filepath.Join(dir, snapshotFileName(part))
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, dm.f(data))

				var logs logBuffer
				opts := []Option{WithCacheDir(dir), WithLogger(logs.logger())}
				if dm.name == "truncated" {
					opts = append(opts, WithMappedSnapshots()) // read and mapped alike
				}
				x, err := New(ctx, c, opts...)
				if err != nil {
					t.Fatalf("New with a damaged %s snapshot: %v", part, err)
				}
				if got := searchAll(t, x); got != want {
					t.Fatal("results differ from an index built without snapshots")
				}
				if slices.Contains(x.snaps.parts(), part) {
					t.Errorf("the damaged %s snapshot was used", part)
				}
				switch {
				case dm.wantLog == "" && logs.String() != "":
					t.Errorf("logged:\n%s\nwant nothing", logs.String())
				case dm.wantLog != "" && (logLines(logs.String()) != 1 || !strings.Contains(logs.String(), dm.wantLog) || !strings.Contains(logs.String(), "snapshot")):
					t.Errorf("logged:\n%s\nwant one line about the snapshot saying %q", logs.String(), dm.wantLog)
				}
				next, err := New(ctx, c, WithCacheDir(dir))
				if err != nil {
					t.Fatal(err)
				}
				searchAll(t, next) // every part loaded
				if got := next.snaps.parts(); !slices.Equal(got, allParts) {
					t.Errorf("after the rebuild, parts read from snapshots: %v, want %v", got, allParts)
				}
			})
		}
	}
}

// TestSnapshotOtherCorpus checks that a snapshot of one corpus is not
// used for another: a changed passage, translation or question list
// changes the key.
func TestSnapshotOtherCorpus(t *testing.T) {
	c := loadCorpus(t)
	ps := c.Passages()
	key := func(c *corpus.Corpus, ps []corpus.Passage) [32]byte {
		t.Helper()
		k, ok := snapshotKey(c, ps)
		if !ok {
			t.Fatal("no snapshot key on this machine")
		}
		return k
	}
	base := key(c, ps)
	if key(c, ps) != base {
		t.Fatal("the key changes between calls")
	}
	edit := func(f func(p *corpus.Passage)) []corpus.Passage {
		out := slices.Clone(ps)
		f(&out[len(out)/2])
		return out
	}
	for name, other := range map[string]([32]byte){
		"text":        key(c, edit(func(p *corpus.Passage) { p.TextHans += "。" })),
		"id":          key(c, edit(func(p *corpus.Passage) { p.ID = "pack:" + p.ID })),
		"translation": key(c, edit(func(p *corpus.Passage) { p.TextEn += " " })),
		"fewer":       key(c, ps[:len(ps)-1]),
		"no lists":    key(nil, ps),
	} {
		if other == base {
			t.Errorf("a different %s gives the same key", name)
		}
	}

	// End to end: an index of other passages in the same directory is
	// built from them, not read from the first one's snapshots.
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := newIndex(ctx, ps, WithCacheDir(dir)); err != nil {
		t.Fatal(err)
	}
	changed := slices.Clone(ps)
	changed[0].TextHans = "比特币价格"
	x, err := newIndex(ctx, changed, WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := x.snaps.parts(); len(got) != 0 {
		t.Errorf("parts %v read from another corpus's snapshots", got)
	}
	res, err := x.Search(ctx, "比特币", 1)
	if err != nil || len(res.Items) == 0 || res.Items[0].Passage.ID != ps[0].ID {
		t.Errorf("search on the changed corpus: %v %+v", err, res.Items)
	}
}

// TestSearchTopKPrefix checks that fuse's two ways of selecting the best
// k (insertion up to 16, a sort above) agree: the first 10 of 30 are the
// 10 best.
func TestSearchTopKPrefix(t *testing.T) {
	x := corpusIndex(t)
	for _, q := range snapshotQuestions {
		ten, err := x.Search(context.Background(), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		thirty, err := x.Search(context.Background(), q, 30)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(ten.Items)
		b, _ := json.Marshal(thirty.Items[:min(10, len(thirty.Items))])
		if string(a) != string(b) {
			t.Errorf("%q: the first 10 of 30 are not the best 10", q)
		}
	}
}
