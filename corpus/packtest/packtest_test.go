package packtest

import (
	"testing"

	"github.com/declbot/declbot/corpus"
)

func TestWrittenPacksLoad(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, 3, 150); err != nil {
		t.Fatal(err)
	}
	c, err := corpus.Load(corpus.WithPackDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	builtin, _ := c.Pack(corpus.BuiltinPack)
	if len(c.Packs()) != 4 || c.Len() != builtin.Passages+450 {
		t.Fatalf("%d packs, %d passages", len(c.Packs()), c.Len())
	}
	if p, ok := c.Get("synth2003:5.30"); !ok || p.TextEn == "" {
		t.Errorf("synth2003:5.30: %+v %v", p, ok)
	}
}
