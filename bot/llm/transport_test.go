package llm

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDoneWatcher(t *testing.T) {
	tests := []struct {
		stream string
		done   bool
	}{
		{"data: {\"a\":1}\n\ndata: [DONE]\n\n", true},
		{"data: {\"a\":1}\r\n\r\ndata:[DONE]\r\n\r\n", true},
		{"data: [DONE]", true}, // no final newline
		{"data: {\"a\":1}\n\n", false},
		{"data: {\"content\":\"data: [DONE]\"}\n\n", false},
		{": data: [DONE]\n\n", false},
		{strings.Repeat("x", 100) + "data: [DONE]\n", false},
		{"data: [DONE] trailing\n", false},
	}
	for _, tc := range tests {
		for _, oneByte := range []bool{false, true} {
			info := &attemptInfo{}
			var r io.Reader = strings.NewReader(tc.stream)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			w := &doneWatcher{ReadCloser: io.NopCloser(r), info: info}
			got, err := io.ReadAll(w)
			if err != nil || string(got) != tc.stream {
				t.Fatalf("passthrough changed the stream: %q, %v", got, err)
			}
			if info.sawDone != tc.done {
				t.Errorf("%q (one byte at a time: %v): sawDone = %v, want %v", tc.stream, oneByte, info.sawDone, tc.done)
			}
		}
	}
}

func FuzzDoneWatcher(f *testing.F) {
	f.Add("data: [DONE]\n\n", 3)
	f.Add("data: {}\r\ndata:  [DONE]  \n", 1)
	f.Add(strings.Repeat(" ", 30)+"data: [DONE]\n", 2)
	f.Fuzz(func(t *testing.T, s string, chunk int) {
		want := false
		for _, l := range strings.Split(s, "\n") {
			if len(l) > maxLine {
				continue // only short lines are examined
			}
			l = strings.TrimSpace(l)
			if rest, ok := strings.CutPrefix(l, "data:"); ok && strings.TrimSpace(rest) == "[DONE]" {
				want = true
			}
		}
		info := &attemptInfo{}
		r := iotest.HalfReader(strings.NewReader(s))
		if chunk%2 == 0 {
			r = iotest.OneByteReader(strings.NewReader(s))
		}
		got, _ := io.ReadAll(&doneWatcher{ReadCloser: io.NopCloser(r), info: info})
		if string(got) != s {
			t.Fatal("stream changed")
		}
		if info.sawDone != want {
			t.Errorf("sawDone = %v, want %v", info.sawDone, want)
		}
	})
}
