package main

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/declbot/declbot/bot/llm/llmtest"
	"github.com/declbot/declbot/bot/telegram/tgtest"
	"github.com/declbot/declbot/corpus"
)

// markerIDs are the IDs the citation markers of text name, in order,
// without repeats, read by the grammar the engine checks.
func markerIDs(text string) []string {
	var ids []string
	for _, m := range corpus.FindMarkers(text) {
		for _, r := range m.Refs {
			for _, id := range r.IDs() {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// shapesReply answers citing the first paragraph the model was given in
// three shapes ([2-36], 【二.36】, [2/36]), a paragraph that does not exist
// ([9-99]) and one that exists but was not given ([3-21] or the like), as
// models write them. It returns the reply, the given ID and the ID not
// given.
func shapesReply(r llmtest.Request) (reply, given, notGiven string) {
	var ids []string
	for _, m := range promptIDRE.FindAllStringSubmatch(r.LastUser(), -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 || !strings.Contains(ids[0], ".") {
		return "没有段落。", "", ""
	}
	for _, id := range []string{"3.21", "2.6", "4.16", "1.15"} {
		if !slices.Contains(ids, id) {
			notGiven = id
			break
		}
	}
	sec, seq, _ := strings.Cut(ids[0], ".")
	han := []string{"〇", "一", "二", "三", "四", "五"}[sec[0]-'0']
	ng := strings.Replace(notGiven, ".", "-", 1)
	return "甲[" + sec + "-" + seq + "]。乙【" + han + "." + seq + "】，丙[" + sec + "/" + seq + "]。丁[9-99]，戊[" + ng + "]。", ids[0], notGiven
}

// The same model answer, with citations in every shape, reaches the user
// checked in the same way through ask --json, the chat REPL and Telegram:
// the same text, the same citations (Telegram's source buttons), the same
// rejected references.
func TestCitationShapesAcrossFrontEnds(t *testing.T) {
	const q = "宣言对外空武器化持什么立场？"
	var mu sync.Mutex
	var lastGiven, lastNotGiven string
	srv := llmtest.NewServer(t, llmtest.WithAPIKey("sk-test"), llmtest.WithHandler(func(r llmtest.Request) string {
		reply, g, ng := shapesReply(r)
		mu.Lock()
		lastGiven, lastNotGiven = g, ng
		mu.Unlock()
		return reply
	}))

	out, errOut, code := run(t, llmEnv(t, srv), "ask", "--json", q)
	if code != exitOK {
		t.Fatalf("ask: exit %d: %s", code, errOut)
	}
	m := decodeAsk(t, out)
	mu.Lock()
	given, notGiven := lastGiven, lastNotGiven
	mu.Unlock()
	if given == "" {
		t.Fatalf("the model was given no declaration paragraph first: %s", out)
	}
	want := "甲[" + given + "]。乙[" + given + "]，丙[" + given + "]。丁，戊。"
	if m["mode"] != "llm" || m["answer"] != want {
		t.Errorf("ask --json: mode %v answer %q, want %q", m["mode"], m["answer"], want)
	}
	if ids := citedIDs(m); !slices.Equal(ids, []string{given}) {
		t.Errorf("ask --json: citations %v, want [%s]", ids, given)
	}
	var rejected []string
	for _, r := range m["rejected_citations"].([]any) {
		rejected = append(rejected, r.(string))
	}
	if !slices.Equal(rejected, []string{"9.99", notGiven}) {
		t.Errorf("ask --json: rejected %q, want [9.99 %s]", rejected, notGiven)
	}

	out, errOut, code = runIn(t, llmEnv(t, srv), q+"\n", "chat")
	if code != exitOK {
		t.Fatalf("chat: exit %d: %s", code, errOut)
	}
	for _, w := range []string{want + "\n", "Cited: " + given + " ", "Removed citations the text does not support: 9.99, " + notGiven} {
		if !strings.Contains(out, w) {
			t.Errorf("chat output lacks %q:\n%s", w, out)
		}
	}
	for _, bad := range []string{"9-99", "9.99]", "[" + strings.Replace(notGiven, ".", "-", 1)} {
		if strings.Contains(out, bad) {
			t.Errorf("chat shows %q:\n%s", bad, out)
		}
	}

	tg := tgtest.NewServer(t)
	env := serveEnv(t, tg)
	env["OPENAI_BASE_URL"], env["OPENAI_API_KEY"] = srv.URL, "sk-test"
	startServe(t, env)
	u := tgtest.NewUser(3001, "Shapes", "zh-hans")
	tg.SendText(tgtest.PrivateChat(u), u, q)
	msg := lastBotMessage(t, tg, u.ID, 1)
	if msg.Text != want {
		t.Errorf("Telegram text %q, want %q", msg.Text, want)
	}
	if got := markupData(msg); !slices.Equal(got, []string{"p:" + given + ":h"}) {
		t.Errorf("Telegram buttons %q, want one for %s", got, given)
	}
	checkSources(t, msg)
}
