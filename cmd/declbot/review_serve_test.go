package main

import (
	"encoding/json"
	"fmt"
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
	admin := tgtest.NewUser(1309, "Op", "en")
	env["ADMIN_USER_IDS"] = fmt.Sprint(admin.ID)
	s := startServe(t, env)
	u := tgtest.NewUser(1301, "R", "en")
	chat := tgtest.PrivateChat(u)
	srv.SendText(chat, u, "What does the declaration say about outer space?")
	ans := lastBotMessage(t, srv, chat.ID, 1)
	data := voteData(ans)
	if len(data) != 2 || len(markupData(ans)) == 0 {
		t.Fatalf("buttons %v %v: want the sources, then 👍 and 👎", markupData(ans), data)
	}
	down := data[1]
	if !strings.HasSuffix(down, ":d") {
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
	// ADMIN_USER_IDS reaches the bot: the admin's /stats is answered from
	// the review log (that others' is not answered at all is
	// TestStatsIgnoredForOthers, in bot/telegram).
	adminChat := tgtest.PrivateChat(admin)
	srv.SendText(adminChat, admin, "/stats")
	if m := lastBotMessage(t, srv, adminChat.ID, 1); !strings.Contains(m.Text, "Questions: 1\n") {
		t.Errorf("admin's /stats: %q", m.Text)
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
	if m := lastBotMessage(t, srv2, chat.ID, 1); len(voteData(m)) != 0 || len(markupData(m)) == 0 {
		t.Errorf("REVIEW_LOG=off: buttons %v %v, want the sources only", markupData(m), voteData(m))
	}
	if code := s2.stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(env2["DATA_DIR"], review.DBFile)); !os.IsNotExist(err) {
		t.Errorf("REVIEW_LOG=off made %s (%v)", review.DBFile, err)
	}
}

// declbot review lists what needs a look and exports it as draft items,
// which eval refuses until they are filled in (or --allow-drafts).
func TestReviewListAndExport(t *testing.T) {
	dir := t.TempDir()
	s, err := review.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := review.Record{ID: review.NewID(now.Add(-3 * time.Hour)), At: now.Add(-3 * time.Hour), Question: "What about outer space?", Lang: "en",
		Mode: review.ModeModel, Cited: []string{"2.36"}, Relevance: 0.9}
	disliked := review.Record{ID: review.NewID(now.Add(-2 * time.Hour)), At: now.Add(-2 * time.Hour), Question: "Что о торговле?", Lang: "ru",
		Mode: review.ModeModel, Cited: []string{"T3"}, Relevance: 0.8}
	refused := review.Record{ID: review.NewID(now.Add(-1 * time.Hour)), At: now.Add(-1 * time.Hour), Question: "宣言提到火星吗？", Lang: "zh-Hans",
		Mode: review.ModeFallback, Fallback: "timeout", Refused: true, Relevance: 0.1}
	old := review.Record{ID: review.NewID(now.Add(-72 * time.Hour)), At: now.Add(-72 * time.Hour), Question: "old refusal", Lang: "en", Refused: true}
	for _, r := range []review.Record{old, good, disliked, refused} {
		s.Add(7, r)
	}
	if _, err := s.Vote(disliked.ID, 7, 1, review.Down); err != nil {
		t.Fatal(err)
	}
	if err := s.Comment(disliked.ID, 7, 1, "wrong statement"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	env := map[string]string{"DATA_DIR": dir}

	out, errOut, code := run(t, env, "review", "--since", "2d")
	if code != exitOK {
		t.Fatalf("review: exit %d %s", code, errOut)
	}
	iRefused, iDisliked := strings.Index(out, "宣言提到火星吗？"), strings.Index(out, "Что о торговле?")
	if iRefused < 0 || iDisliked < 0 || iRefused > iDisliked || strings.Contains(out, "What about outer space?") || strings.Contains(out, "old refusal") {
		t.Errorf("review lists, newest first, only what needs a look since 2d:\n%s", out)
	}
	if !strings.Contains(out, "comment: wrong statement") || !strings.Contains(out, "refused, model_failure") {
		t.Errorf("review output lacks the comment or the kinds:\n%s", out)
	}

	out, _, code = run(t, env, "review", "--kind", "down", "--json")
	var recs []review.Record
	if code != exitOK || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 || recs[0].ID != disliked.ID {
		t.Errorf("review --kind down --json: exit %d, %s", code, out)
	}
	if _, errOut, code := run(t, env, "review", "--kind", "bad"); code != exitUsage || !strings.Contains(errOut, "down, refused") {
		t.Errorf("unknown kind: exit %d %q", code, errOut)
	}

	suite := filepath.Join(t.TempDir(), "drafts.jsonl")
	if _, errOut, code := run(t, env, "review", "export", "--suite", suite, "--since", "2d"); code != exitOK {
		t.Fatalf("export: exit %d %s", code, errOut)
	}
	b, _ := os.ReadFile(suite)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 {
		t.Fatalf("export wrote %d lines, want a header and 2 items:\n%s", len(lines), b)
	}
	var it map[string]any
	json.Unmarshal([]byte(lines[2]), &it)
	if it["question"] != "Что о торговле?" || it["lang"] != "ru" || it["draft"] != true || fmt.Sprint(it["gold"]) != "[]" || fmt.Sprint(it["cited"]) != "[T3]" {
		t.Errorf("draft item %v", it)
	}
	if _, errOut, code := run(t, env, "review", "export", "--suite", suite); code != exitUsage || !strings.Contains(errOut, "--force") {
		t.Errorf("export over an existing file: exit %d %q", code, errOut)
	}
	if _, errOut, code := run(t, env, "review", "export", "--suite", suite, "--force", "--kind", "down"); code != exitOK {
		t.Errorf("export --force: exit %d %s", code, errOut)
	}
	if out, errOut, code := run(t, env, "eval", "--check", suite); code != exitOK {
		t.Errorf("eval --check of the drafts: exit %d %s %s", code, out, errOut)
	}
	if _, errOut, code := run(t, env, "eval", "--suite", suite); code != exitUsage || !strings.Contains(errOut, "--allow-drafts") {
		t.Errorf("eval of a suite with drafts: exit %d %q, want a refusal naming --allow-drafts", code, errOut)
	}
	if _, errOut, code := run(t, env, "eval", "--suite", suite, "--allow-drafts"); code != exitUsage || !strings.Contains(errOut, "only draft items") {
		t.Errorf("eval --allow-drafts of drafts only: exit %d %q", code, errOut)
	}
}
