package main

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// healthz reads GET /healthz.
func healthz(t *testing.T, addr string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// historyWrites reads how many history writes have returned from GET
// /metrics (declbot_store_write_seconds_count{store="history"}).
func historyWrites(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	const name = `declbot_store_write_seconds_count{store="history"} `
	for _, line := range strings.Split(string(body), "\n") {
		if n, ok := strings.CutPrefix(line, name); ok {
			return n
		}
	}
	return "0"
}

// The history database damaged under a running serve (overwritten with
// garbage, or truncated: bbolt panicked holding its locks, or the process
// died of SIGBUS): every question is still answered, without follow-up
// memory; the failure is logged once; /healthz says "degraded" with the
// reason; serve stops promptly with exit 0; and the next start opens a
// fresh database, the damaged file kept aside.
func TestServeHistoryDamagedWhileRunning(t *testing.T) {
	t.Parallel()
	for _, damage := range []string{"overwritten", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			t.Parallel()
			srv := tgtest.NewServer(t)
			env := serveEnv(t, srv)
			health := freeAddr(t)
			env["HEALTH_LISTEN"] = health
			metrics := freeAddr(t)
			env["METRICS_LISTEN"] = metrics
			path := filepath.Join(env["DATA_DIR"], "history.db")
			s := startServe(t, env)
			first := tgtest.NewUser(2400, "A", "zh-hans")
			srv.SendText(tgtest.PrivateChat(first), first, "宣言对外空武器化持什么立场？")
			checkSources(t, lastBotMessage(t, srv, first.ID, 1))
			// The turn is recorded after the answer is delivered. Damage
			// written while that commit runs is overwritten by it: its new
			// meta page and the pages it rewrites, every one a new user's
			// question reaches, are valid again, and nothing fails.
			srv.Wait(serveWait, "the first turn recorded", func() bool { return historyWrites(t, metrics) == "1" })

			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if damage == "truncated" {
				err = os.Truncate(path, 0)
			} else {
				garbage := make([]byte, fi.Size())
				rand.Read(garbage)
				var f *os.File
				if f, err = os.OpenFile(path, os.O_WRONLY, 0); err == nil {
					_, err = f.WriteAt(garbage, 0)
					f.Close()
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			// Ten users ask (one question each: the rate limit is not under test).
			for i := int64(0); i < 10; i++ {
				u := tgtest.NewUser(2410+i, "U", "zh-hans")
				srv.SendText(tgtest.PrivateChat(u), u, "上合组织开发银行有什么进展？")
			}
			for i := int64(0); i < 10; i++ {
				checkSources(t, lastBotMessage(t, srv, 2410+i, 1))
			}
			code, body := healthz(t, health)
			reason, _ := body["reason"].(string)
			if code != http.StatusOK || body["status"] != "degraded" || !strings.Contains(reason, "history") {
				t.Errorf("healthz after the damage: %d %v", code, body)
			}
			start := time.Now()
			if code := s.stop(); code != exitOK {
				t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
			}
			t.Logf("serve stopped in %s", time.Since(start))
			logs := s.stderr.String()
			if n := strings.Count(logs, "chat history database failed"); n != 1 {
				t.Errorf("the failure logged %d times, want once:\n%s", n, logs)
			}
			if strings.Contains(logs, "could not read history") || strings.Contains(logs, "could not save history") {
				t.Errorf("a failed store logged at every question:\n%s", logs)
			}
			if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
				t.Errorf("damaged database not kept aside: %v", aside)
			}

			// The next start opens a fresh database and keeps turns again.
			s = startServe(t, env)
			u := tgtest.NewUser(2430, "Z", "zh-hans")
			srv.SendText(tgtest.PrivateChat(u), u, "中吉乌铁路现在进展到哪一步了？")
			checkSources(t, lastBotMessage(t, srv, u.ID, 1))
			if code, body := healthz(t, health); code != http.StatusOK || body["status"] != "ok" {
				t.Errorf("healthz after restart: %d %v", code, body)
			}
			if code := s.stop(); code != exitOK {
				t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
			}
			if turns := turnsOf(t, env["DATA_DIR"], u.ID); len(turns) != 1 {
				t.Errorf("history after restart: %+v", turns)
			}
		})
	}
}

// A history.db that is a symbolic link (here to an empty file) is not
// followed: serve refuses to start, says why, and the target is untouched.
func TestServeHistorySymlinkNotFollowed(t *testing.T) {
	t.Parallel()
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(env["DATA_DIR"], "history.db")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, env, "serve")
	if code != exitFail || !strings.Contains(stderr, "symbolic link") || !strings.Contains(stderr, "DATA_DIR") {
		t.Errorf("serve with a linked history.db: exit %d, %s", code, stderr)
	}
	if fi, err := os.Stat(target); err != nil || fi.Size() != 0 {
		t.Errorf("the link's target was written: %v %v", fi, err)
	}
}
