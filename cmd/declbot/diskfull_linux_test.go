package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// A full disk is simulated with RLIMIT_FSIZE set to 0: from then on every
// write to a file fails in the kernel (EFBIG, where a full disk says
// ENOSPC), through the real write paths of bbolt and the embedding cache.
// It works for root, unlike a read-only folder. The limit is per process,
// so the serve that meets the full disk runs in a child process (this
// test binary again, running TestServeDiskFullChild).
const diskFullEnv = "DECLBOT_TEST_DISKFULL_DIR"

// The disk filling up while serve runs: the user still gets the answer;
// the turn that could not be saved is reported in the log; the history
// already on disk and the embedding cache are intact; once there is room
// again, history is written as before.
func TestServeDiskFull(t *testing.T) {
	t.Parallel()
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	dir := env["DATA_DIR"]
	u := tgtest.NewUser(2400, "D", "zh-hans")
	chat := tgtest.PrivateChat(u)

	s := startServe(t, env)
	srv.SendText(chat, u, "宣言对外空武器化持什么立场？")
	checkSources(t, lastBotMessage(t, srv, chat.ID, 1))
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	caches, _ := filepath.Glob(filepath.Join(dir, "embeddings-*.bin"))
	if len(caches) != 1 {
		t.Fatalf("embedding caches: %v", caches)
	}
	cacheBefore, _ := os.ReadFile(caches[0])

	cmd := exec.Command(os.Args[0], "-test.run=^TestServeDiskFullChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), diskFullEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestServeDiskFullChild")) {
		t.Fatalf("serve on a full disk (child process): %v\n%s", err, out)
	}

	turns := turnsOf(t, dir, chat.ID)
	if len(turns) != 1 || turns[0].Question != "宣言对外空武器化持什么立场？" {
		t.Errorf("history after the disk was full: %+v, want the first turn intact", turns)
	}
	if cacheAfter, _ := os.ReadFile(caches[0]); !bytes.Equal(cacheBefore, cacheAfter) {
		t.Error("the embedding cache changed while the disk was full")
	}

	s = startServe(t, env)
	srv.SendText(chat, u, "中吉乌铁路现在进展到哪一步了？")
	checkSources(t, lastBotMessage(t, srv, chat.ID, 2))
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if strings.Contains(s.stderr.String(), "damaged") {
		t.Errorf("the database was damaged by the full disk:\n%s", s.stderr.String())
	}
	if turns := turnsOf(t, dir, chat.ID); len(turns) != 2 || turns[1].Question != "中吉乌铁路现在进展到哪一步了？" {
		t.Errorf("history once there is room again: %+v", turns)
	}
}

// TestServeDiskFullChild is serve meeting a full disk; TestServeDiskFull
// runs it in a child process.
func TestServeDiskFullChild(t *testing.T) {
	dir := os.Getenv(diskFullEnv)
	if dir == "" {
		t.Skip("run by TestServeDiskFull in a child process")
	}
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	env["DATA_DIR"] = dir
	s := startServe(t, env)
	// The bot has started: the history database is open.
	srv.Wait(serveWait, "the bot to start", func() bool { return len(srv.CallsTo("deleteWebhook")) > 0 })
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = 0
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), []byte("x"), 0o600); err == nil {
		t.Fatal("writing a file still works: the simulated full disk is not in effect")
	}
	u := tgtest.NewUser(2400, "D", "zh-hans")
	chat := tgtest.PrivateChat(u)
	srv.SendText(chat, u, "上合组织开发银行有什么进展？")
	m := lastBotMessage(t, srv, chat.ID, 1)
	checkSources(t, m)
	if !strings.Contains(m.Text, "[3.21]") {
		t.Errorf("answer on a full disk: %q", m.Text)
	}
	srv.Wait(serveWait, "the failed save to be logged", func() bool {
		return strings.Contains(s.stderr.String(), "could not save history")
	})
	if code := s.stop(); code != exitOK {
		t.Errorf("serve exit %d on a full disk", code)
	}
	t.Log(s.stderr.String())
}
