package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/declbot/declbot/bot/telegram/tgtest"
)

// BenchmarkServeIdleRSS runs `declbot serve --offline` as its own process
// against the fake Bot API, has it answer one question in Chinese, English
// and Russian (so that the translations and every language's fields are
// loaded and built), lets it idle for two seconds and reports its resident
// set (VmRSS) and peak (VmHWM) in MiB.
//
//	go test ./cmd/declbot -run '^$' -bench BenchmarkServeIdleRSS -benchtime 1x
func BenchmarkServeIdleRSS(b *testing.B) {
	dir, bin := buildForBench(b)
	for b.Loop() {
		srv := tgtest.NewServer(b)
		cmd := exec.Command(bin, "serve", "--offline")
		cmd.Env = []string{"HOME=" + dir, "DATA_DIR=" + filepath.Join(dir, "data"), "TELEGRAM_BOT_TOKEN=" + srv.Token(), "TELEGRAM_API_URL=" + srv.URL()}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for i, q := range []string{"宣言对外空武器化持什么立场？", "What does the declaration say about outer space?", "Что говорится о терроризме?"} {
			u := tgtest.NewUser(int64(2000+i), "U", "en")
			chat := tgtest.PrivateChat(u)
			srv.SendText(chat, u, q)
			srv.Wait(30*time.Second, "the answer", func() bool { return len(srv.BotMessages(chat.ID)) >= 1 })
		}
		time.Sleep(2 * time.Second)
		rss, hwm := procStatusMiB(b, cmd.Process.Pid)
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		b.ReportMetric(rss, "rss-MiB")
		b.ReportMetric(hwm, "peak-rss-MiB")
	}
}

// procStatusMiB reads VmRSS and VmHWM of process pid.
func procStatusMiB(tb testing.TB, pid int) (rss, hwm float64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return rss, hwm
}
