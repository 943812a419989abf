package history

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// legacyFixture is a database written by the store at c37818b, one record
// per conversation (framed, and one JSON array as stores before ed03e2d
// wrote them), with every conversation's turns as that store read them
// back in the JSON file; testdata/framed-c37818b.md says how it was made.
const legacyFixture = "testdata/framed-c37818b"

// legacyNow is a time when the fixture's turns are fresh, except those of
// conversation 1003, a day and a half old.
var legacyNow = time.Date(2025, 9, 1, 12, 30, 0, 0, time.UTC)

func loadLegacy(t *testing.T) (path string, want map[string][]Turn) {
	t.Helper()
	db, err := os.ReadFile(legacyFixture + ".db")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "history.db")
	if err := os.WriteFile(path, db, 0o600); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(legacyFixture + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &want); err != nil {
		t.Fatal(err)
	}
	return path, want
}

func sameTurns(a, b []Turn) bool {
	return slices.EqualFunc(a, b, func(x, y Turn) bool {
		return x.Question == y.Question && x.Answer == y.Answer && slices.Equal(x.Cited, y.Cited) && x.At.Equal(y.At)
	})
}

func checkTurns(t *testing.T, s *Store, key string, want []Turn, when string) {
	t.Helper()
	got, err := s.Turns(key)
	if err != nil {
		t.Fatalf("%s: Turns(%q): %v", when, key, err)
	}
	if !sameTurns(got, want) {
		t.Fatalf("%s: conversation %q has %d turns %q, want %d %q", when, key, len(got), questions(got), len(want), questions(want))
	}
}

// A database written by an older store keeps every turn: each one reads
// as it was written, an append adds to it (the oldest dropping out past
// the maximum), and all of it survives a reopen and a prune.
func TestOldDatabaseKeepsEveryTurn(t *testing.T) {
	path, want := loadLegacy(t)
	if len(want) != 5 || len(want["1001"]) != 6 || len(want["1002"]) != 3 || len(want["1004"]) != 6 {
		t.Fatalf("fixture holds %d conversations: %v", len(want), want)
	}
	now := func() time.Time { return legacyNow }
	s, err := Open(path, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if s.Recovered() != "" {
		t.Fatalf("the old database was taken for damaged and moved to %s", s.Recovered())
	}
	fresh := map[string][]Turn{}
	for key, turns := range want {
		if key != "1003" { // expired at legacyNow
			fresh[key] = turns
		}
	}
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "opened")
	}
	checkTurns(t, s, "1003", nil, "opened")

	// Two conversations are appended to; the others are left as they were.
	for _, key := range []string{"1001", "1002"} {
		turn := Turn{Question: "new " + key, Answer: "answer", Cited: []string{"0.1"}, At: legacyNow}
		if err := s.Append(key, turn); err != nil {
			t.Fatal(err)
		}
		fresh[key] = append(slices.Clone(fresh[key]), turn)
		if len(fresh[key]) > DefaultMaxTurns {
			fresh[key] = fresh[key][1:]
		}
	}
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "after appends")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path, WithClock(now))
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "reopened")
	}
	if n, err := s.Prune(); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 (conversation 1003)", n, err)
	}
	if n, err := s.Len(); err != nil || n != len(fresh) {
		t.Fatalf("Len = %d, %v; want %d", n, err, len(fresh))
	}
	for key, turns := range fresh {
		checkTurns(t, s, key, turns, "pruned")
	}
	if err := s.Clear("1004"); err != nil {
		t.Fatal(err)
	}
	checkTurns(t, s, "1004", nil, "cleared")
	if n, _ := s.Len(); n != len(fresh)-1 {
		t.Fatalf("Len after Clear = %d, want %d", n, len(fresh)-1)
	}
	for _, key := range []string{"1001", "1002", "-1001234567890/42"} {
		checkTurns(t, s, key, fresh[key], "after clearing another")
	}
}
