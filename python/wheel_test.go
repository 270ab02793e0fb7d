// Package python tests the Python package indexpilot_telemetry as a user
// gets it: scripts/build-wheel.sh builds the wheel, pip installs it with
// --no-index into a fresh virtual environment, and the package's tests
// (tests/test_package.py) run in that environment against a real service
// on loopback. Python is not part of this Go module: only this test is.
package python

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
)

const adminToken = "python-test-admin-token-0123456789"

// minTests is how many tests tests/test_package.py holds: fewer ran means
// some were not found, which must fail rather than pass quietly.
const minTests = 20

func TestWheelInAFreshVenv(t *testing.T) {
	python := requirePython(t)
	dir := t.TempDir()
	wheel := buildWheel(t, filepath.Join(dir, "dist"))
	venv := filepath.Join(dir, "venv")
	run(t, python, "-m", "venv", venv)
	pip := filepath.Join(venv, "bin", "pip")
	run(t, pip, "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check", "--quiet", wheel)

	cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "unittest", "discover", "-s", "tests", "-v")
	cmd.Env = append(cleanEnv(),
		"INDEXPILOT_TEST_ENDPOINT="+startService(t),
		"INDEXPILOT_TEST_ADMIN="+adminToken,
		"INDEXPILOT_TEST_HANGING="+hangingEndpoint(t),
		"PYTHONDONTWRITEBYTECODE=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the package's tests failed: %v\n%s", err, out)
	}
	ran := regexp.MustCompile(`(?m)^Ran (\d+) tests?`).FindSubmatch(out)
	if n, _ := strconv.Atoi(string(ran[1])); len(ran) < 2 || n < minTests || strings.Contains(string(out), "skipped") {
		t.Fatalf("the package's tests ran %s of at least %d, or skipped some:\n%s", ran, minTests, out)
	}
	t.Logf("%s", out)
}

// requirePython returns python3, which must be able to make a virtual
// environment with pip. Missing, it fails the test where a Python is
// required (CI, INDEXPILOT_TEST_REQUIRE_PYTHON) and skips it elsewhere.
func requirePython(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import venv, ensurepip").Run()
	}
	if err == nil {
		return python
	}
	if os.Getenv("CI") != "" || os.Getenv("INDEXPILOT_TEST_REQUIRE_PYTHON") != "" {
		t.Fatalf("python3 with venv and ensurepip is required (Debian: apt-get install python3-venv): %v", err)
	}
	t.Skipf("no python3 with venv and ensurepip (%v); scripts/test.sh requires it", err)
	return ""
}

// buildWheel runs scripts/build-wheel.sh into dist and returns the wheel.
func buildWheel(t *testing.T, dist string) string {
	t.Helper()
	run(t, "bash", filepath.Join("..", "scripts", "build-wheel.sh"), dist)
	wheels, _ := filepath.Glob(filepath.Join(dist, "indexpilot_telemetry-*.whl"))
	if len(wheels) != 1 {
		t.Fatalf("build-wheel.sh wrote %v, want one wheel", wheels)
	}
	return wheels[0]
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// cleanEnv is this process's environment without the settings that would
// decide telemetry for the package's tests; they set their own.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "INDEXPILOT_") && name != "DO_NOT_TRACK" && name != "XDG_STATE_HOME" &&
			!strings.HasPrefix(name, "DB_") && name != "SUPABASE_DB_URL" {
			out = append(out, kv)
		}
	}
	return out
}

// startService runs the analytics service as it is deployed
// (service.Run) on loopback, on SQLite, with the admin token, and returns
// its URL.
func startService(t *testing.T) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	cfg := server.DefaultConfig()
	cfg.AdminToken = adminToken
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- service.Run(ctx, service.Options{Listen: "127.0.0.1:0", Database: "sqlite:" + filepath.Join(t.TempDir(), "analytics.db"),
			Server: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(url string) { ready <- url }})
	}()
	select {
	case url := <-ready:
		t.Cleanup(func() { stop(); <-done })
		return url
	case err := <-done:
		stop()
		t.Fatalf("the service did not start: %v", err)
		return ""
	}
}

// hangingEndpoint returns the URL of a server that accepts connections
// and never answers.
func hangingEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, unread, until the test ends
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}
