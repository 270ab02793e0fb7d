package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// env is one installation: its variables and folders.
type env struct {
	t    *testing.T
	dir  string
	vars map[string]string
}

func newEnv(t *testing.T, endpoint string) *env {
	dir := t.TempDir()
	return &env{t: t, dir: dir, vars: map[string]string{
		"XDG_STATE_HOME":                filepath.Join(dir, "state"),
		"INDEXPILOT_CONFIG_FILE":        filepath.Join(dir, "indexpilot_config.yaml"),
		"INDEXPILOT_TELEMETRY_ENDPOINT": endpoint,
		"INDEXPILOT_VERSION":            "1.2.0",
		"DB_HOST":                       "127.0.0.1", // nothing listens: the report is config-only
		"DB_PORT":                       "1",
	}}
}

func (e *env) stateDir() string { return filepath.Join(e.dir, "state", "indexpilot", "telemetry") }

// run runs the command line in-process and returns its exit code, stdout
// and stderr.
func (e *env) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	o := telemetry.Options{Getenv: func(k string) string { return e.vars[k] }, Timeout: time.Second}
	code := run(context.Background(), args, o, &out, &errOut)
	return code, out.String(), errOut.String()
}

func (e *env) mustRun(args ...string) string {
	e.t.Helper()
	code, out, errOut := e.run(args...)
	if code != 0 {
		e.t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// closedEndpoint is a loopback address nothing listens on.
func closedEndpoint(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

func TestUsage(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "Usage: indexpilot-telemetry COMMAND"},
		{[]string{"help"}, exitOK, "DO_NOT_TRACK=1"},
		{[]string{"--help"}, exitOK, "forget"},
		{[]string{"send", "-h"}, exitOK, "--strict"},
		{[]string{"help", "preview"}, exitOK, "exact bytes"},
		{[]string{"sometimes"}, exitUsage, `unknown command "sometimes"`},
		{[]string{"send", "--loud"}, exitUsage, "flag provided but not defined"},
		{[]string{"on", "now"}, exitUsage, `unexpected argument "now"`},
		{[]string{"log", "show"}, exitUsage, "expected nothing or show ID"},
	} {
		code, out, errOut := e.run(tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tt.args, code, tt.code, tt.want, out, errOut)
		}
	}
	if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
		t.Fatal("usage errors wrote state")
	}
}

// TestArgumentsRefused: every command but log takes no argument after its
// flags and refuses one, naming it and the command, before doing
// anything. The context is cancelled so that a command that does run
// (run itself, say) returns at once and fails the test.
func TestArgumentsRefused(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := telemetry.Options{Getenv: func(k string) string { return e.vars[k] }, Timeout: time.Second}
	for _, cmd := range commands() {
		if cmd.args {
			continue
		}
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{cmd.name, "extra"}, o, &stdout, &stderr)
		out, errOut := stdout.String(), stderr.String()
		want := fmt.Sprintf("indexpilot-telemetry %s: unexpected argument \"extra\"", cmd.name)
		if code != exitUsage || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("%s extra: exit %d, want %d with %q\n%s%s", cmd.name, code, exitUsage, want, out, errOut)
		}
	}
	if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
		t.Fatal("a refused command wrote state")
	}
}

// TestBadInput: a clear message naming the problem and the fix, exit 2,
// state untouched.
func TestBadInput(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(notDir, nil, 0o600)
	tests := []struct {
		name   string
		vars   map[string]string
		config string
		args   []string
		want   []string // in stderr
	}{
		{name: "malformed config", config: "telemetry:\n  enabled: [\n", args: []string{"on"},
			want: []string{"indexpilot_config.yaml is not valid YAML", "correct it"}},
		{name: "not a boolean", config: "telemetry:\n  enabled: sure\n", args: []string{"local"},
			want: []string{"telemetry.enabled", "neither true nor false"}},
		{name: "endpoint not http", vars: map[string]string{"INDEXPILOT_TELEMETRY_ENDPOINT": "ftp://telemetry.example"}, args: []string{"on"},
			want: []string{`"ftp://telemetry.example"`, "INDEXPILOT_TELEMETRY_ENDPOINT", "is not an http or https URL", "give the service's http:// or https:// address"}},
		{name: "endpoint in the config", config: "telemetry:\n  endpoint: telemetry.example\n", args: []string{"status"},
			vars: map[string]string{"INDEXPILOT_TELEMETRY_ENDPOINT": ""},
			want: []string{"telemetry.endpoint in", "is not an http or https URL"}},
		{name: "unknown word in the environment", vars: map[string]string{"INDEXPILOT_TELEMETRY_ENABLED": "sometimes"}, args: []string{"preview"},
			want: []string{"INDEXPILOT_TELEMETRY_ENABLED=sometimes is neither true nor false", "set it to true or false"}},
		{name: "unwritable state folder", vars: map[string]string{"XDG_STATE_HOME": notDir}, args: []string{"on"},
			want: []string{"cannot be written", "set XDG_STATE_HOME to a writable folder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, closedEndpoint(t))
			if tt.config != "" {
				os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte(tt.config), 0o600)
			}
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			code, _, errOut := e.run(tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
				t.Error("bad input wrote state")
			}
		})
	}
}

// TestSendNeverFails: a broken config and an unreachable server are one
// line on stderr and exit 0, unless --strict.
func TestSendNeverFails(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	e.mustRun("on")

	code, _, errOut := e.run("send", "-q")
	if code != exitOK || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "connection refused") {
		t.Fatalf("unreachable server: exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, _ := e.run("send", "--strict", "-q"); code != exitFailure {
		t.Fatalf("--strict with an unreachable server: exit %d, want 1", code)
	}
	if out := e.mustRun("status"); !strings.Contains(out, "2 report(s) waiting") || !strings.Contains(out, "failed: ") {
		t.Fatalf("the reports did not stay in the spool:\n%s", out)
	}

	os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte("telemetry: {\n"), 0o600)
	code, _, errOut = e.run("send", "-q")
	if code != exitOK || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not valid YAML") {
		t.Fatalf("broken config: exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, _ := e.run("send", "--strict"); code != exitUsage {
		t.Fatalf("--strict with a broken config: exit %d, want 2", code)
	}

	os.Remove(e.vars["INDEXPILOT_CONFIG_FILE"])
	e.vars["DO_NOT_TRACK"] = "1"
	if code, out, errOut := e.run("send", "--strict"); code != exitOK || errOut != "" || !strings.Contains(out, "Telemetry is off (DO_NOT_TRACK=1)") {
		t.Fatalf("send while off: exit %d\n%s%s", code, out, errOut)
	}
}

func TestModeMessages(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	out := e.mustRun("on")
	for _, w := range []string{"What is collected", "Never: host names", e.vars["INDEXPILOT_TELEMETRY_ENDPOINT"], "indexpilot-telemetry preview", "indexpilot-telemetry off", "indexpilot-telemetry forget", "Telemetry is on"} {
		if !strings.Contains(out, w) {
			t.Errorf("the first on lacks %q:\n%s", w, out)
		}
	}
	if out := e.mustRun("on"); strings.Contains(out, "What is collected") {
		t.Errorf("the notice was printed twice:\n%s", out)
	}
	e.vars["DO_NOT_TRACK"] = "1"
	if out := e.mustRun("local"); !strings.Contains(out, "telemetry is off: DO_NOT_TRACK=1 decides") {
		t.Errorf("local under DO_NOT_TRACK:\n%s", out)
	}
	if out := e.mustRun("status"); !strings.Contains(out, "Telemetry is off") || !strings.Contains(out, "decided by     DO_NOT_TRACK=1") {
		t.Errorf("status:\n%s", out)
	}
}

func TestPreviewOutput(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	code, out, errOut := e.run("preview")
	var r map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("preview: exit %d, stdout is not one JSON object:\n%s", code, out)
	}
	if r["version"] != "1.2.0" || r["installation_id"] != "not-registered-yet" || !strings.Contains(errOut, "cannot reach the IndexPilot database") {
		t.Fatalf("preview:\n%s\n%s", out, errOut)
	}
	e.vars["INDEXPILOT_TELEMETRY_ENABLED"] = "true" // consents to schema version 1
	if code, out, _ := e.run("preview", "--diff"); code != exitOK || strings.TrimSpace(out) != "{}" {
		t.Fatalf("preview --diff of a config-only report: %d\n%s", code, out)
	}
	if out := e.mustRun("status"); !strings.Contains(out, "newer fields are held back (metrics.algorithm_decisions") {
		t.Fatalf("status does not say fields are held back:\n%s", out)
	}
}

// TestCommandsAgainstTheServer: on, send, log, log show, export, forget
// through the command line, against the real service.
func TestCommandsAgainstTheServer(t *testing.T) {
	url := startServer(t)
	e := newEnv(t, url)
	e.mustRun("on")
	if out := e.mustRun("send"); !strings.Contains(out, "Uploaded report") || !strings.Contains(out, "stored") {
		t.Fatalf("send:\n%s", out)
	}
	out := e.mustRun("log")
	if !strings.Contains(out, "200") || !strings.Contains(out, "stored") {
		t.Fatalf("log:\n%s", out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	copy := e.mustRun("log", "show", id)
	var exp struct {
		InstallationID string `json:"installation_id"`
		Reports        []struct {
			Key string `json:"report_key"`
		} `json:"reports"`
	}
	if err := json.Unmarshal([]byte(e.mustRun("export")), &exp); err != nil || len(exp.Reports) != 1 ||
		!strings.HasPrefix(exp.Reports[0].Key, id) || !strings.Contains(copy, exp.InstallationID) {
		t.Fatalf("export: %v %+v\nlocal copy:\n%s", err, exp, copy)
	}
	if out := e.mustRun("status"); !strings.Contains(out, exp.InstallationID) || !strings.Contains(out, "0 report(s) waiting") {
		t.Fatalf("status:\n%s", out)
	}
	if out := e.mustRun("forget"); !strings.Contains(out, "deleted this installation and its 1 report(s)") {
		t.Fatalf("forget:\n%s", out)
	}
	if code, _, errOut := e.run("export"); code != exitFailure || !strings.Contains(errOut, "has not uploaded anything") {
		t.Fatalf("export after forget: %d %s", code, errOut)
	}
}

// TestClientLinksNoServerCode: the users' binary carries no server, store
// or SQLite code.
func TestClientLinksNoServerCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, bad := range []string{"/internal/server", "/internal/store", "modernc.org/sqlite", "/internal/fleet", "gonum.org"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("indexpilot-telemetry depends on %s", bad)
		}
	}
}

func startServer(t *testing.T) string {
	t.Helper()
	url, _ := startServerWith(t, nil)
	return url
}

// startServerWith starts the real service behind tap (when not nil) and
// returns its URL and store.
func startServerWith(t *testing.T, tap func(http.Handler) http.Handler) (string, store.Store) {
	t.Helper()
	st, _ := sqlitetest.Open(t)
	h := servertest.New(t, st, servertest.Options{}).Handler()
	if tap != nil {
		h = tap(h)
	}
	return servertest.Serve(t, h), st
}
