package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tracebackWithSecrets has secrets planted in its message, its paths and
// a source line; plantedSecrets lists them.
const tracebackWithSecrets = `Traceback (most recent call last):
  File "/home/alice/indexpilot/src/db.py", line 88, in get_connection
    conn = psycopg2.connect("password=SourceLineSecret")
  File "/home/alice/indexpilot/.venv/lib/python3.11/site-packages/psycopg2/__init__.py", line 122, in connect
    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
psycopg2.OperationalError: connection to server at "db.internal.example.com" (10.1.2.3), port 5432 failed: FATAL:  password authentication failed for user "alice"
DETAIL:  dsn postgresql://alice:Hunter2Secret@db.internal.example.com/prod, ask carol@example.org
QUERY:  SELECT * FROM customer_orders WHERE note = 'lit-XYZZY-77'
`

var plantedSecrets = []string{"alice", "SourceLineSecret", "db.internal.example.com", "10.1.2.3", "Hunter2Secret",
	"carol@example.org", "lit-XYZZY-77", "customer_orders"}

func noSecrets(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range plantedSecrets {
		if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
			t.Errorf("%s holds the planted secret %q:\n%s", where, s, text)
		}
	}
}

// withStdin makes text the process's stdin for the test.
func withStdin(t *testing.T, text string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = old; f.Close() })
}

var reportIDOrTime = regexp.MustCompile(`"(report_id|timestamp)": "[^"]*"`)

// TestReportErrorFromStdin: a traceback on stdin is scrubbed, uploaded and
// stored; the dry run prints the bytes that were uploaded (but for
// report_id and timestamp); log lists it as an error report.
func TestReportErrorFromStdin(t *testing.T) {
	e := newEnv(t, startServer(t))
	e.mustRun("on")
	e.mustRun("send", "-q") // registers, so the dry run shows the real installation id
	args := []string{"report-error", "--context", "component=db", "--context", "postgresql_version=15.4", "--table", "customer_orders"}

	withStdin(t, tracebackWithSecrets)
	dry := e.mustRun(append(args, "--dry-run")...)
	noSecrets(t, "the dry run", dry)
	if _, err := os.Stat(filepath.Join(e.stateDir(), "spool")); err == nil {
		if es, _ := os.ReadDir(filepath.Join(e.stateDir(), "spool")); len(es) != 0 {
			t.Fatalf("the dry run spooled %d report(s)", len(es))
		}
	}

	withStdin(t, tracebackWithSecrets)
	out := e.mustRun(args...)
	if !strings.Contains(out, "error report stored, group ") {
		t.Fatalf("report-error:\n%s", out)
	}
	logOut := e.mustRun("log")
	lines := strings.Split(strings.TrimSpace(logOut), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "error report stored") {
		t.Fatalf("log does not list the error report:\n%s", logOut)
	}
	sent := e.mustRun("log", "show", strings.Fields(last)[0])
	noSecrets(t, "the upload", sent)
	if reportIDOrTime.ReplaceAllString(sent, "") != reportIDOrTime.ReplaceAllString(dry, "") {
		t.Fatalf("the dry run differs from the upload:\ndry run %s\nsent    %s", dry, sent)
	}

	var exp struct {
		ErrorReports []struct {
			Report struct {
				ErrorType string `json:"error_type"`
				Message   string `json:"message"`
				Frames    []struct {
					InApp bool `json:"in_app"`
				} `json:"frames"`
			} `json:"report"`
		} `json:"error_reports"`
	}
	export := e.mustRun("export")
	if err := json.Unmarshal([]byte(export), &exp); err != nil || len(exp.ErrorReports) != 1 {
		t.Fatalf("export: %v\n%s", err, export)
	}
	noSecrets(t, "what the server stored", export)
	r := exp.ErrorReports[0].Report
	if r.ErrorType != "psycopg2.OperationalError" || len(r.Frames) != 2 || !r.Frames[0].InApp || r.Frames[1].InApp ||
		!strings.Contains(r.Message, "[table]") {
		t.Fatalf("stored %+v", r)
	}
}

// TestReportErrorSettings: off and collect_error_reports: false write and
// send nothing, with one line (none with -q); local keeps the report.
func TestReportErrorSettings(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	args := []string{"report-error", "--type", "psycopg2.OperationalError", "--message", "server closed the connection"}

	code, out, errOut := e.run(args...)
	if code != exitOK || errOut != "" || strings.Count(out, "\n") != 1 || !strings.Contains(out, "Error reports are off (the default)") {
		t.Fatalf("off: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := e.run(append(args, "-q")...); code != exitOK || out+errOut != "" {
		t.Fatalf("off, -q: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
		t.Fatal("report-error while off wrote state")
	}

	e.mustRun("on")
	os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte("telemetry:\n  collect_error_reports: false\n"), 0o600)
	if out := e.mustRun(args...); !strings.Contains(out, "Error reports are off (collect_error_reports: false in") {
		t.Fatalf("collect_error_reports: false:\n%s", out)
	}
	if out := e.mustRun("status"); !strings.Contains(out, "0 report(s) waiting") {
		t.Fatalf("collect_error_reports: false spooled a report:\n%s", out)
	}

	os.Remove(e.vars["INDEXPILOT_CONFIG_FILE"])
	e.mustRun("local")
	if out := e.mustRun(args...); !strings.Contains(out, "kept on this machine (local mode: never sent)") {
		t.Fatalf("local:\n%s", out)
	}

	e.mustRun("on") // the endpoint is closed: the report waits, exit 0 unless --strict
	code, out, errOut = e.run(args...)
	if code != exitOK || strings.Count(errOut, "\n") != 1 || !strings.Contains(out, "1 report(s) wait in the spool") {
		t.Fatalf("unreachable server: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := e.run(append(args, "--strict", "-q")...); code != exitFailure {
		t.Fatalf("--strict with an unreachable server: exit %d, want 1", code)
	}
}

// TestReportErrorBadInput: input that cannot be reported exits 2 with a
// message naming the problem, and writes nothing.
func TestReportErrorBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.txt")
	os.WriteFile(garbage, []byte("it broke, password hunter2\n"), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a context key outside the contract", []string{"--type", "E", "--context", "hostname=db01"},
			`"hostname" is not a context key; the allowed keys are component, operation, postgresql_version, indexpilot_version`},
		{"a context value outside the contract", []string{"--type", "E", "--context", "component=Auto Indexer"}, "context.component: must match"},
		{"context without a value", []string{"--type", "E", "--context", "component"}, "want KEY=VALUE"},
		{"not a traceback", []string{"--traceback", garbage}, "not a Python traceback"},
		{"not a traceback, dry run", []string{"--traceback", garbage, "--dry-run"}, "not a Python traceback"},
		{"a type that is no name", []string{"--type", "it broke", "--message", "m"}, "qualified name"},
		{"a message without a type", []string{"--message", "m"}, "--message needs --type"},
		{"a bad SQLSTATE", []string{"--type", "E", "--sqlstate", "oops"}, "SQLSTATE is five"},
		{"a missing file", []string{"--traceback", filepath.Join(dir, "missing")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, closedEndpoint(t))
			e.vars["INDEXPILOT_TELEMETRY_ENABLED"] = "true"
			code, out, errOut := e.run(append([]string{"report-error"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "hunter2") {
				t.Fatalf("exit %d, want 2 with %q\n%s%s", code, tt.want, out, errOut)
			}
			if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
				t.Error("bad input wrote state")
			}
		})
	}
}
