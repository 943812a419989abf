package retrieval

import (
	"math/rand/v2"
	"testing"
)

// TestTermTable checks the table against a map, with hashes that collide
// in their low bits and the hash 0.
func TestTermTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var tab termTable
	want := map[uint64]int32{}
	for range 20000 {
		var h uint64
		switch rng.IntN(4) {
		case 0:
			h = uint64(rng.IntN(64)) << 40 // same low bits
		case 1:
			h = uint64(rng.IntN(3)) // includes 0
		default:
			h = rng.Uint64()
		}
		id, added := tab.add(h)
		old, seen := want[h]
		if added == seen || seen && id != old || !seen && id != int32(len(want)) {
			t.Fatalf("add(%#x) = %d, %v; map had %d, %v (len %d)", h, id, added, old, seen, len(want))
		}
		if !seen {
			want[h] = id
		}
	}
	if tab.len() != len(want) {
		t.Fatalf("len = %d, want %d", tab.len(), len(want))
	}
	for h, id := range want {
		if got, ok := tab.get(h); !ok || got != id {
			t.Fatalf("get(%#x) = %d, %v, want %d", h, got, ok, id)
		}
	}
	for range 1000 {
		h := rng.Uint64() | 1<<63
		if _, in := want[h]; !in && tab.has(h) {
			t.Fatalf("has(%#x) for a hash never added", h)
		}
	}
	var empty termTable
	if empty.has(0) || empty.has(5) {
		t.Fatal("an empty table has a term")
	}

	var set hashSet
	for round := range 3 {
		seen := map[uint64]bool{}
		for range 500 {
			h := uint64(rng.IntN(300))
			if got := set.add(h); got == seen[h] {
				t.Fatalf("round %d: hashSet.add(%d) = %v, seen before: %v", round, h, got, seen[h])
			}
			seen[h] = true
		}
		set.reset()
	}
}
