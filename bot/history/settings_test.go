package history

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Settings survive a reopen, live beside the conversations without
// touching them, and are not pruned with them.
func TestSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	c := &clock{t: time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)}
	s, err := Open(path, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	// A database without the settings bucket reads as no settings.
	if v, err := s.Setting("42", "pack"); v != "" || err != nil {
		t.Fatalf("before any write: %q, %v", v, err)
	}
	if err := s.Append("42", Turn{Question: "q", Answer: "a"}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ chat, name, value string }{
		{"42", "pack", "astana2024"},
		{"42", "lang", "en"},
		{"-1001", "pack", "qinghu2026"},
		{"42", "pack", "qinghu2026"}, // replaces
	} {
		if err := s.SetSetting(step.chat, step.name, step.value); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path, WithClock(c.now))
	for _, want := range []struct{ chat, name, value string }{
		{"42", "pack", "qinghu2026"}, {"42", "lang", "en"}, {"-1001", "pack", "qinghu2026"}, {"7", "pack", ""}, {"42", "other", ""},
	} {
		if v, err := s.Setting(want.chat, want.name); v != want.value || err != nil {
			t.Errorf("Setting(%s, %s) = %q, %v; want %q", want.chat, want.name, v, err, want.value)
		}
	}
	if n, err := s.Len(); n != 1 || err != nil {
		t.Errorf("conversations: %d, %v; settings must not count as one", n, err)
	}
	if got, _ := s.Turns("42"); len(got) != 1 || got[0].Question != "q" {
		t.Errorf("the conversation of a chat with settings: %+v", got)
	}
	// Pruning every conversation leaves the settings.
	c.add(2 * DefaultTTL)
	if n, err := s.Prune(); n != 1 || err != nil {
		t.Fatalf("Prune: %d, %v", n, err)
	}
	if v, _ := s.Setting("42", "pack"); v != "qinghu2026" {
		t.Errorf("after Prune: %q", v)
	}
	// "" removes a setting; a chat with none left has no record.
	for _, name := range []string{"pack", "lang"} {
		if err := s.SetSetting("42", name, ""); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := s.Setting("42", "pack"); v != "" {
		t.Errorf("after removal: %q", v)
	}
	keys := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		keys = tx.Bucket(settingsBucket).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if keys != 1 {
		t.Errorf("settings records: %d, want 1 (chat -1001)", keys)
	}
}

// A damaged record is reported when read and replaced when written; bad
// arguments are refused without touching the database.
func TestSettingsDamagedAndBadInput(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "history.db"))
	if err := s.SetSetting("9", "pack", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(settingsBucket).Put([]byte("9"), []byte("\x01garbage"))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setting("9", "pack"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged record read: %v", err)
	}
	if err := s.SetSetting("9", "pack", "y"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting("9", "pack"); v != "y" || err != nil {
		t.Errorf("after rewrite: %q, %v", v, err)
	}
	long := strings.Repeat("x", maxSetting+1)
	for _, bad := range [][3]string{{"", "pack", "v"}, {"9", "", "v"}, {long, "pack", "v"}, {"9", long, "v"}, {"9", "pack", long}} {
		if err := s.SetSetting(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("SetSetting(%.10q, %.10q, %.10q) accepted", bad[0], bad[1], bad[2])
		}
	}
	if v, _ := s.Setting("9", "pack"); v != "y" {
		t.Errorf("a refused write changed the setting: %q", v)
	}
}
