package main

import (
	"strings"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/prompts"
)

func TestChatPiped(t *testing.T) {
	in := strings.Join([]string{
		"宣言谴责了哪几起恐怖袭击？",
		"",
		"/cite 2.7",
		"/cite 9.99",
		"/cite",
		"/bogus",
		"/new",
		"/help",
		"/quit",
		"this line is never read",
	}, "\n")
	out, errOut, code := runIn(t, nil, in, "chat")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"> 宣言谴责了哪几起恐怖袭击？\n",
		"帕哈尔加姆",
		"Cited: 2.7",
		"> /cite 2.7\n[2.7] 上海合作组织成员国元首理事会天津宣言 · 第二部分\n成员国强烈谴责2025年4月22日在帕哈尔加姆发生的恐怖袭击事件。\n",
		"no paragraph 9.99",
		"Give paragraph IDs",
		"Unknown command /bogus",
		"New conversation",
		"/cite ID...",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "never read") {
		t.Errorf("/quit did not end the session")
	}
}

func TestChatEOFAndArgs(t *testing.T) {
	if _, _, code := runIn(t, nil, "", "chat"); code != exitOK {
		t.Errorf("EOF at once: exit %d", code)
	}
	if _, errOut, code := runIn(t, nil, "", "chat", "question"); code != exitUsage || !strings.Contains(errOut, "declbot ask") {
		t.Errorf("argument: exit %d %q", code, errOut)
	}
	// A line too long for the reader is reported, not a crash.
	_, errOut, code := runIn(t, nil, strings.Repeat("外", maxChatLine), "chat")
	if code != exitFail || !strings.Contains(errOut, "longer than") {
		t.Errorf("huge line: exit %d %q", code, errOut)
	}
}

// Follow-ups carry the conversation to the model; /new forgets it.
func TestChatHistoryWithModel(t *testing.T) {
	rewriteSys, err := prompts.RewriteSystem()
	if err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewServer(t, llmtest.WithHandler(func(r llmtest.Request) string {
		if r.System() == rewriteSys {
			return "贾法尔快车 恐怖袭击"
		}
		return "成员国强烈谴责对“贾法尔快车”的恐怖袭击[2.8]。"
	}))
	in := "宣言谴责了哪几起恐怖袭击？\n第二起是哪天？\n/new\n第二起是哪天？\n"
	out, errOut, code := runIn(t, llmEnv(t, srv), in, "chat")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var answers []llmtest.Request
	rewrites := 0
	for _, r := range srv.ChatRequests() {
		if r.System() == rewriteSys {
			rewrites++
			continue
		}
		answers = append(answers, r)
	}
	if len(answers) != 3 {
		t.Fatalf("%d answer requests, want 3\n%s", len(answers), out)
	}
	if strings.Contains(answers[0].LastUser(), "<history>") {
		t.Errorf("first question sent with history")
	}
	if u := answers[1].LastUser(); !strings.Contains(u, "<history>") || !strings.Contains(u, "宣言谴责了哪几起恐怖袭击？") {
		t.Errorf("follow-up sent without the earlier question:\n%s", u)
	}
	if strings.Contains(answers[2].LastUser(), "<history>") {
		t.Errorf("after /new the history was still sent")
	}
	if rewrites != 1 {
		t.Errorf("%d rewrites, want 1 (only the follow-up with history)", rewrites)
	}
	// After /new the follow-up has no context: 2.8 is not retrieved, so
	// the model's citation of it is removed and the offline answer shown.
	if strings.Count(out, "[2.8]") != 2 || !strings.Contains(out, "Removed citations the text does not support: 2.8") {
		t.Errorf("answers not printed as expected:\n%s", out)
	}
}

// Offline, a follow-up is read with the exchange before it: "the second
// one" is the second paragraph the previous answer cited, and "what about
// drugs there" keeps "there".
func TestChatFollowUpOffline(t *testing.T) {
	in := "宣言对阿富汗有什么表态？\n那第二个呢？\nAnd what about drugs there?\n"
	out, errOut, code := runIn(t, nil, in, "chat")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var cited [][]string
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "Cited: "); ok {
			list, _, _ := strings.Cut(rest, " (")
			cited = append(cited, strings.Split(list, ", "))
		}
	}
	if len(cited) != 3 || len(cited[0]) < 2 {
		t.Fatalf("want three answers, the first citing several paragraphs:\n%s", out)
	}
	if len(cited[1]) != 1 || cited[1][0] != cited[0][1] {
		t.Errorf("\"那第二个呢？\" cites %v, want the second of %v:\n%s", cited[1], cited[0], out)
	}
	if cited[2][0] != "2.24" {
		t.Errorf("\"And what about drugs there?\" cites %v, want 2.24 (Afghanistan free of drugs) first:\n%s", cited[2], out)
	}
}
