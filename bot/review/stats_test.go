package review

import (
	"reflect"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	vote := func(vs ...string) map[string]Vote {
		m := map[string]Vote{}
		for i, v := range vs {
			m[string(rune('a'+i))] = Vote{Verdict: v}
		}
		return m
	}
	recs := []Record{
		{Chat: "c1", Mode: ModeModel, Votes: vote(Up, Up, Down)},
		{Chat: "c1", Mode: ModeOffline, Refused: true},
		{Chat: "c2", Mode: ModeFallback, Fallback: "timeout", Votes: vote(Down)},
		{Chat: "c3", Mode: ModeFallback, Fallback: "timeout"},
		{Chat: "c3", Mode: ModeFallback, Fallback: "no_citations", Refused: true},
	}
	got := Summarize(recs)
	want := Summary{Questions: 5, Model: 1, Offline: 1, Fallback: 3,
		Fallbacks: map[string]int{"timeout": 2, "no_citations": 1}, Refusals: 2, Up: 2, Down: 2, Chats: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if s := Summarize(nil); s.Questions != 0 || s.Chats != 0 || s.Fallbacks == nil {
		t.Errorf("Summarize(nil) = %+v", s)
	}
}

func TestTopRefused(t *testing.T) {
	r := func(q string, refused bool) Record { return Record{Question: q, Refused: refused} }
	long := strings.Repeat("word ", 40)
	// Newest first, as List returns them.
	recs := []Record{
		r("What about the weather?", true),
		r("what  about the WEATHER", true),
		r("Who won the football?", true),
		r("台灣的天氣如何？", true),
		r("台湾的天气如何", true),
		r("What about outer space?", false),
		r("What about outer space?", false),
		r("Who won the football?", true),
		r("What about the weather ?", true),
		r(long, true),
		r("  ", true),
	}
	got := TopRefused(recs, 3, 20)
	want := []Refused{
		{Question: "What about the weat…", Count: 3},
		{Question: "Who won the footbal…", Count: 2},
		{Question: "台灣的天氣如何？", Count: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TopRefused = %+v\nwant %+v", got, want)
	}
	all := TopRefused(recs, 10, 20)
	if len(all) != 4 || all[3].Count != 1 || len([]rune(all[3].Question)) > 20 {
		t.Errorf("TopRefused(10) = %+v: want the four distinct refused questions, the long one cut to 20 runes", all)
	}
}
