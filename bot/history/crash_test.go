package history

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// crashChildEnv, when set to a database path, makes TestMain's child run
// crashChild instead of the tests.
const crashChildEnv = "HISTORY_CRASH_CHILD"

// crashRunEnv names the child's run, which its questions carry.
const crashRunEnv = "HISTORY_CRASH_RUN"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashRunEnv))
		return
	}
	os.Exit(m.Run())
}

// crashChild has 200 users append turns to the store at path until it is
// killed, printing "user turn" for every turn Append acknowledged as
// recorded, after it returned, on standard output.
func crashChild(path, run string) {
	s, err := Open(path, WithMaxTurns(1_000_000))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var out sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	for u := range 200 {
		go func() {
			for n := 0; ; n++ {
				if err := s.Append(fmt.Sprintf("user%d", u), Turn{Question: fmt.Sprintf("%s-q%d", run, n), Answer: strings.Repeat("答", 300)}); err != nil {
					continue
				}
				out.Lock()
				fmt.Fprintf(w, "%d %d\n", u, n)
				w.Flush()
				out.Unlock()
			}
		}()
	}
	select {}
}

// TestCrashKeepsAcknowledgedTurns kills a process mid-load with SIGKILL
// and checks that every turn it acknowledged as recorded is in the
// database after reopening it.
func TestCrashKeepsAcknowledgedTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s=r%d", crashRunEnv, round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[int]int{} // user -> highest acknowledged turn
		sc := bufio.NewScanner(stdout)
		lines := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				t.Fatalf("child: %s", sc.Text())
			}
			u, _ := strconv.Atoi(f[0])
			n, _ := strconv.Atoi(f[1])
			acked[u] = max(acked[u], n+1)
			if lines++; lines == 1500*(round+1) {
				// Mid-load: hundreds of appends are queued or committing.
				cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		cmd.Wait()
		if lines < 1500*(round+1) {
			t.Fatalf("round %d: child stopped after %d acknowledgements", round, lines)
		}
		s, err := Open(path, WithMaxTurns(1_000_000))
		if err != nil {
			t.Fatalf("round %d: reopen after the kill: %v", round, err)
		}
		for u, n := range acked {
			turns, err := s.Turns(fmt.Sprintf("user%d", u))
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, tr := range turns {
				have[tr.Question] = true
			}
			for i := range n {
				if !have[fmt.Sprintf("r%d-q%d", round, i)] {
					t.Fatalf("round %d: user%d's acknowledged turn q%d is missing after the kill (%d turns stored)", round, u, i, len(turns))
				}
			}
		}
		s.Close()
		t.Logf("round %d: killed after %d acknowledged turns; all there after reopening", round, lines)
	}
}
