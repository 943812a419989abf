package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/declbot/declbot/corpus/packtest"
)

// BenchmarkAskProcessPacks is BenchmarkAskProcess with the built-in texts
// alone and with three synthetic packs of 150 paragraphs added through
// CORPUS_DIR (issue 14: start-up stays under twice the built-in's). The
// two are run alternately, so that a machine's load falls on both alike;
// it reports each one's median wall and CPU time.
//
//	go test ./cmd/declbot -run '^$' -bench BenchmarkAskProcessPacks -benchtime 20x
func BenchmarkAskProcessPacks(b *testing.B) {
	dir, bin := buildForBench(b)
	packs := filepath.Join(dir, "packs")
	if err := packtest.Write(packs, 3, 150); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, text string }{
		{"zh", "宣言对外空武器化持什么立场？"},
		{"en", "What does the declaration say about outer space?"},
	} {
		b.Run(q.name, func(b *testing.B) {
			type variant struct {
				name      string
				env       []string
				wall, cpu []time.Duration
			}
			vs := []*variant{
				{name: "builtin", env: []string{"DATA_DIR=" + filepath.Join(dir, "d0"), "HOME=" + dir}},
				{name: "3packs", env: []string{"DATA_DIR=" + filepath.Join(dir, "d3"), "HOME=" + dir, "CORPUS_DIR=" + packs}},
			}
			run := func(v *variant) *os.ProcessState {
				cmd := exec.Command(bin, "ask", q.text)
				cmd.Env = v.env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("declbot ask: %v\n%s", err, out)
				}
				return cmd.ProcessState
			}
			for _, v := range vs {
				run(v) // warm the embedding cache
			}
			for b.Loop() {
				for _, v := range vs {
					start := time.Now()
					ps := run(v)
					v.wall = append(v.wall, time.Since(start))
					v.cpu = append(v.cpu, ps.UserTime()+ps.SystemTime())
				}
			}
			for _, v := range vs {
				slices.Sort(v.wall)
				slices.Sort(v.cpu)
				b.ReportMetric(float64(v.wall[len(v.wall)/2].Microseconds())/1000, fmt.Sprintf("%s-p50-ms", v.name))
				b.ReportMetric(float64(v.cpu[len(v.cpu)/2].Microseconds())/1000, fmt.Sprintf("%s-cpu-ms", v.name))
			}
		})
	}
}
