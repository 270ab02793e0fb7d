package testkit

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartServe starts cmd, a built `indexpilot-analytics serve --listen
// 127.0.0.1:0 …`, copies each line of its log to logs while it runs, and
// returns the URL it logs once listening. Without one within limit it
// kills the process and fails the test, showing logs when it can.
func StartServe(t testing.TB, cmd *exec.Cmd, logs io.Writer, limit time.Duration) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logs, line)
			if i := strings.Index(line, "url=http://"); i >= 0 {
				select { // the first one; the log goes on being copied
				case urls <- strings.Fields(line[i+4:])[0]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(limit):
		cmd.Process.Kill()
		shown := ""
		if s, ok := logs.(fmt.Stringer); ok {
			shown = ":\n" + s.String()
		}
		t.Fatalf("serve did not report its address within %s%s", limit, shown)
	}
	return ""
}

// Stop ends a process the test started as an operator would, with
// SIGTERM, and waits for it: nil when it exited cleanly.
func Stop(cmd *exec.Cmd) error {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return cmd.Wait()
}
