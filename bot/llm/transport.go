package llm

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"

	openai "github.com/sashabaranov/go-openai"

	"github.com/declbot/declbot/bot/llm/retry"
)

var errEOF = io.EOF

// attemptInfo carries what go-openai does not expose about one streaming
// attempt: whether the stream really ended with "data: [DONE]" (go-openai
// reports a clean end and a cut connection both as io.EOF). The
// watchingDoer fills it in; it travels in the request's context.
// (Retry-After is noted by retry.Watch, under it.)
type attemptInfo struct {
	sawDone bool
	stalled atomic.Bool
}

type infoKey struct{}

// watchingDoer is the openai.HTTPDoer go-openai sends requests through.
type watchingDoer struct{ inner retry.Doer }

var _ openai.HTTPDoer = (*watchingDoer)(nil)

func (d *watchingDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.inner.Do(req)
	info, _ := req.Context().Value(infoKey{}).(*attemptInfo)
	if err != nil || info == nil {
		return resp, err
	}
	if resp.StatusCode < 300 {
		resp.Body = &doneWatcher{ReadCloser: resp.Body, info: info}
	}
	return resp, nil
}

// doneWatcher passes a stream through, noting a "data: [DONE]" line.
type doneWatcher struct {
	io.ReadCloser
	info *attemptInfo
	line []byte // the current line's start, up to maxLine bytes
	long bool   // the current line is longer than maxLine
}

const maxLine = 32

var doneLine = []byte("[DONE]")

func (w *doneWatcher) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			w.check()
			w.line, w.long = w.line[:0], false
			continue
		}
		if len(w.line) < maxLine {
			w.line = append(w.line, b)
		} else {
			w.long = true
		}
	}
	if err == io.EOF {
		w.check()
	}
	return n, err
}

func (w *doneWatcher) check() {
	if w.long {
		return
	}
	l := bytes.TrimSpace(w.line)
	if rest, ok := bytes.CutPrefix(l, []byte("data:")); ok && bytes.Equal(bytes.TrimSpace(rest), doneLine) {
		w.info.sawDone = true
	}
}
