package bench

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

//go:embed wrk/report.lua
var wrkScript []byte

// WrkAvailable reports whether wrk is on PATH.
func WrkAvailable() bool {
	_, err := exec.LookPath("wrk")
	return err == nil
}

var (
	wrkRate    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal   = regexp.MustCompile(`(\d+) requests in ([0-9.]+)(\w+)`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkErrors  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkPercent = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

// WrkClosedLoop runs wrk (2 threads, conns connections, d) against t with
// the embedded report script: the load generator the peer figures in
// BENCHMARKS.md were measured with. retryShare is as for ClosedLoop.
func WrkClosedLoop(ctx context.Context, t Target, conns int, d time.Duration, retryShare float64) (Result, error) {
	f, err := os.CreateTemp("", "report-*.lua")
	if err != nil {
		return Result{}, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(wrkScript); err != nil {
		return Result{}, err
	}
	f.Close()
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+d.String(), "--latency",
		"-s", f.Name(), t.URL, "--", t.Key, strconv.FormatFloat(retryShare, 'f', -1, 64)).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("bench: wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (Result, error) {
	var r Result
	m := wrkTotal.FindStringSubmatch(out)
	if m == nil || wrkRate.FindStringSubmatch(out) == nil {
		return r, fmt.Errorf("bench: cannot read wrk's output:\n%s", out)
	}
	r.Requests, _ = strconv.Atoi(m[1])
	r.Elapsed = parseDur(m[2], m[3])
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.Errors, _ = strconv.Atoi(m[1])
	}
	if m := wrkErrors.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.Errors += n
		}
	}
	r.OK = r.Requests - r.Errors
	for _, m := range wrkPercent.FindAllStringSubmatch(out, -1) {
		d := parseDur(m[2], m[3])
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	return r, nil
}

func parseDur(num, unit string) time.Duration {
	f, _ := strconv.ParseFloat(num, 64)
	switch unit {
	case "us":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	case "m":
		return time.Duration(f * float64(time.Minute))
	}
	return time.Duration(f * float64(time.Second))
}
