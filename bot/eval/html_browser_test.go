package eval_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/declbot/declbot/bot"
	"github.com/declbot/declbot/bot/eval"
)

// chromium finds Debian's chromium. CI installs it (.ci/run), so there a
// missing browser fails the test; a developer without it gets a skip that
// says how to run it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: .ci/run should have installed it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: apt-get install -y --no-install-recommends chromium to run the browser check")
	return ""
}

// runChromium runs headless chromium on the page with a phone-width window
// and returns its output (stdout then stderr).
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--window-size=390,2000",
		"--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String() + "\n" + errb.String()
}

var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// TestHTMLReportInBrowser opens the report of an offline golden run in
// headless Chromium at phone width: the page's script runs without a
// console message or error, its self-check (item count, the failed-only
// filter, every paragraph link has a target) passes, and the screenshot
// is not blank.
func TestHTMLReportInBrowser(t *testing.T) {
	bin := chromium(t)
	ctx := context.Background()
	c, s, x := goldenSetup(t)
	rr, err := eval.EvaluateRetrieval(ctx, s, x, eval.DefaultK)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := eval.EvaluateAnswers(ctx, s, bot.NewEngine(c, x))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := eval.NewReport(s, rr, ar).WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file

	dom := runChromium(t, bin, "--dump-dom", url)
	if m := consoleLine.FindAllString(dom, -1); len(m) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(m, "\n"))
	}
	if e := regexp.MustCompile(`data-jserror="[^"]*"`).FindString(dom); e != "" {
		t.Errorf("script error: %s", e)
	}
	if !strings.Contains(dom, `data-selfcheck="ok"`) {
		t.Errorf("the page's self-check did not pass: %s", regexp.MustCompile(`data-selfcheck="[^"]*"`).FindString(dom))
	}

	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, "--screenshot="+shot, "--hide-scrollbars", url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != 390 {
		t.Errorf("screenshot is %d px wide, want 390", w)
	}
	ink, colors := inkAndColors(img)
	// A blank or unstyled page has almost no ink and no colour; the report
	// has text, coloured badges and bars.
	if ink < 0.03 || colors < 5 {
		t.Errorf("screenshot looks blank: %.3f of pixels inked, %d distinct colours", ink, colors)
	}
}

// TestMultiHTMLInBrowser opens the side-by-side page of two configurations
// in headless Chromium: no script error, and its self-check (item count,
// the failed and the differs filters, paragraph links) passes.
func TestMultiHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	var page bytes.Buffer
	if err := eval.TwoConfigs(t).WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "multi.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, bin, "--dump-dom", "file://"+file)
	if m := consoleLine.FindAllString(dom, -1); len(m) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(m, "\n"))
	}
	if e := regexp.MustCompile(`data-jserror="[^"]*"`).FindString(dom); e != "" {
		t.Errorf("script error: %s", e)
	}
	if !strings.Contains(dom, `data-selfcheck="ok"`) {
		t.Errorf("the page's self-check did not pass: %s", regexp.MustCompile(`data-selfcheck="[^"]*"`).FindString(dom))
	}
}

// inkAndColors returns the fraction of pixels that are not the background
// (the top-left pixel's colour) and the number of distinct colours that
// cover at least 0.1% of the image.
func inkAndColors(img image.Image) (float64, int) {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgG, bb, _ := bg.RGBA()
	counts := map[[3]uint32]int{}
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != br || g != bgG || bl != bb {
				ink++
			}
			counts[[3]uint32{r >> 12, g >> 12, bl >> 12}]++
		}
	}
	total := b.Dx() * b.Dy()
	colors := 0
	for _, n := range counts {
		if n*1000 >= total {
			colors++
		}
	}
	return float64(ink) / float64(total), colors
}
