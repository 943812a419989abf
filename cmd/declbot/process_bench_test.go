package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkAskProcess measures `declbot ask QUESTION` as a whole process,
// as a user runs it: process start, package initialisation, corpus,
// index (embedding cache in DATA_DIR warm), answer, output. The binary is
// built once, before timing. It reports the median wall time (p50-ms)
// and the median CPU time, user plus system (cpu-ms), which a machine
// shared with other jobs inflates less.
//
//	go test ./cmd/declbot -run '^$' -bench BenchmarkAskProcess -benchtime 40x
func BenchmarkAskProcess(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "declbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, bc := range []struct{ name, q string }{
		{"zh", "宣言对外空武器化持什么立场？"},
		{"en", "What does the declaration say about outer space?"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			run := func() *os.ProcessState {
				cmd := exec.Command(bin, "ask", bc.q)
				cmd.Env = []string{"DATA_DIR=" + dir, "HOME=" + dir}
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("declbot ask: %v\n%s", err, out)
				}
				return cmd.ProcessState
			}
			run() // warm the embedding cache
			var wall, cpu []time.Duration
			for b.Loop() {
				start := time.Now()
				ps := run()
				wall = append(wall, time.Since(start))
				cpu = append(cpu, ps.UserTime()+ps.SystemTime())
			}
			slices.Sort(wall)
			slices.Sort(cpu)
			b.ReportMetric(float64(wall[len(wall)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(wall[len(wall)/4].Microseconds())/1000, "p25-ms")
			b.ReportMetric(float64(wall[len(wall)*3/4].Microseconds())/1000, "p75-ms")
			b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-ms")
		})
	}
}

// buildForBench builds declbot into a temporary directory, before any
// timing, for the benchmarks that run it as a whole process; it returns
// the directory (for DATA_DIR and HOME) and the binary.
func buildForBench(b *testing.B) (dir, bin string) {
	b.Helper()
	dir = b.TempDir()
	bin = filepath.Join(dir, "declbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return dir, bin
}
