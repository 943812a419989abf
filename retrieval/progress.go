package retrieval

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progressBar draws "embedding passages [#####.....]  640/1000" on one
// terminal line, redrawn in place. It draws nothing unless its writer is a
// terminal: logs and pipes get no carriage-return noise.
type progressBar struct {
	w     io.Writer
	label string
	total int
	done  int
	drawn int // last percentage drawn, to redraw at most 100 times
}

// newProgressBar returns nil (a no-op bar) unless w is a terminal.
func newProgressBar(w io.Writer, label string, total int) *progressBar {
	if !isTerminal(w) || total <= 0 {
		return nil
	}
	return &progressBar{w: w, label: label, total: total, drawn: -1}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progressBar) add(n int) {
	if p == nil {
		return
	}
	p.done = min(p.done+n, p.total)
	pct := 100 * p.done / p.total
	if pct == p.drawn {
		return
	}
	p.drawn = pct
	const width = 30
	fill := width * p.done / p.total
	fmt.Fprintf(p.w, "\r%s [%s%s] %*d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), len(fmt.Sprint(p.total)), p.done, p.total)
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p == nil {
		return
	}
	fmt.Fprintln(p.w)
}
