package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/review"
	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// serve with METRICS_LISTEN answers GET /metrics in the text format, keeps
// the review log in DATA_DIR (and the votes), and with REVIEW_LOG=off keeps
// nothing and shows no vote buttons.
func TestServeReviewLogAndMetrics(t *testing.T) {
	srv := tgtest.NewServer(t)
	env := serveEnv(t, srv)
	addr := freeAddr(t)
	env["METRICS_LISTEN"] = addr
	s := startServe(t, env)
	u := tgtest.NewUser(1301, "R", "en")
	chat := tgtest.PrivateChat(u)
	srv.SendText(chat, u, "What does the declaration say about outer space?")
	ans := lastBotMessage(t, srv, chat.ID, 1)
	data := markupData(ans)
	down := data[len(data)-1]
	if !strings.HasPrefix(down, "f:") || !strings.HasSuffix(down, ":d") {
		t.Fatalf("buttons %v: want 👎 last", data)
	}
	q := srv.PressButton(chat, u, ans.ID, down)
	srv.Wait(serveWait, "the vote answered", func() bool { _, ok := srv.CallbackAnswer(q); return ok })

	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`declbot_questions_total{lang="en",mode="offline"} 1`, `declbot_feedback_total{verdict="down"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d\n%s", code, s.stderr.String())
	}
	r, err := review.OpenReader(env["DATA_DIR"])
	if err != nil {
		t.Fatal(err)
	}
	recs, err := r.List(time.Time{}, time.Time{})
	r.Close()
	if err != nil || len(recs) != 1 || recs[0].Down() != 1 || recs[0].Question != "What does the declaration say about outer space?" {
		t.Fatalf("review log after serve: %+v, %v", recs, err)
	}

	// REVIEW_LOG=off: no file, no buttons.
	srv2 := tgtest.NewServer(t)
	env2 := serveEnv(t, srv2)
	env2["REVIEW_LOG"] = "off"
	s2 := startServe(t, env2)
	srv2.SendText(chat, u, "What does the declaration say about outer space?")
	for _, d := range markupData(lastBotMessage(t, srv2, chat.ID, 1)) {
		if strings.HasPrefix(d, "f:") {
			t.Errorf("REVIEW_LOG=off still shows vote buttons: %v", d)
		}
	}
	if code := s2.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(env2["DATA_DIR"], review.DBFile)); !os.IsNotExist(err) {
		t.Errorf("REVIEW_LOG=off made %s (%v)", review.DBFile, err)
	}
}
