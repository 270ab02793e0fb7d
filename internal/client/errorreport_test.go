package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// tbSecrets is a traceback with secrets planted in its message, its
// frames' paths and its source lines; secrets lists them.
const tbSecrets = `Traceback (most recent call last):
  File "/home/alice/indexpilot/src/auto_indexer.py", line 212, in create_index
    cursor.execute(sql, {"password": "SourceLineSecret"})
  File "/home/alice/indexpilot/.venv/lib/python3.11/site-packages/psycopg2/extras.py", line 146, in execute
    return super().execute(query, vars)
psycopg2.OperationalError: could not connect with postgresql://indexpilot:Hunter2Secret@db.internal.example.com:5432/prod
STATEMENT:  INSERT INTO users (email, note) VALUES ('lit-XYZZY-77', 'n')
DETAIL:  Key (email)=(alice@example.com) already exists.
HINT:  ask bob.jones@example.org, from 192.168.7.9 or 10.1.2.3
`

var secrets = []string{"alice", "SourceLineSecret", "Hunter2Secret", "db.internal.example.com", "lit-XYZZY-77",
	"bob.jones@example.org", "192.168.7.9", "10.1.2.3"}

func checkNoSecrets(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(s))) {
			t.Errorf("%s holds the planted secret %q:\n%s", where, s, data)
		}
	}
}

// TestErrorReportIsScrubbedEndToEnd: a traceback with planted secrets is
// uploaded and stored, and no secret is in the bytes the server received
// nor in any file the client kept.
func TestErrorReportIsScrubbedEndToEnd(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	e.vars["INDEXPILOT_VERSION"] = "1.2.0"
	c := e.clientOn()
	res, err := c.SendError(ctx, ErrorEvent{Traceback: tbSecrets, Context: ErrorContext{Component: "auto_indexer", Operation: "create_index"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploaded) != 1 || res.Uploaded[0].Kind != KindError || !strings.HasPrefix(res.Uploaded[0].Result, "error report stored, group ") || res.Pending != 0 {
		t.Fatalf("result %+v", res)
	}
	got := ts.receivedErrors()
	if len(got) != 1 {
		t.Fatalf("%d error reports received, want 1", len(got))
	}
	checkNoSecrets(t, "the upload", got[0])
	stored, err := ts.store.ErrorReports(ctx, e.installationID())
	if err != nil || len(stored) != 1 || stored[0].Key != res.Built {
		t.Fatalf("the store holds %+v (%v), want report %s", stored, err, res.Built)
	}
	r := stored[0].Report
	if r.ErrorType != "psycopg2.OperationalError" || len(r.Frames) != 2 || !r.Frames[0].InApp || r.Frames[1].InApp ||
		r.Frames[0].File != "/home/[user]/indexpilot/src/auto_indexer.py" || r.Context.Component != "auto_indexer" || r.Version != "1.2.0" {
		t.Fatalf("stored %+v", r)
	}
	filepath.Walk(e.stateDir(), func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(path)
			checkNoSecrets(t, path, data)
		}
		return nil
	})
	ups, err := c.Log()
	if err != nil || len(ups) != 1 || ups[0].Kind != KindError || !strings.Contains(ups[0].Result, "error report stored") {
		t.Fatalf("log: %+v, %v", ups, err)
	}
}

// TestErrorReportsOff: off, and on with collect_error_reports: false,
// write and send nothing, and ReportError returns nil.
func TestErrorReportsOff(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	check := func(t *testing.T, e *testEnv, reason string) {
		t.Helper()
		before, conns := tree(t, e.stateDir()), ts.conns.Load()
		time.Sleep(20 * time.Millisecond) // a write would show in a modification time
		c := e.client()
		c.http = noDialing(t)
		res, err := c.SendError(ctx, ErrorEvent{Traceback: tbUnique})
		if err != nil || res.Mode != Off || !strings.Contains(res.Reason, reason) || res.Built != "" {
			t.Fatalf("send: %v, %+v", err, res)
		}
		if err := c.ReportError(ctx, errors.New("boom"), ErrorContext{}); err != nil {
			t.Fatalf("ReportError while off: %v", err)
		}
		if p, err := c.PreviewError(ctx, ErrorEvent{Type: "ValueError", Message: "m"}); err != nil || p.Mode != Off || !strings.Contains(p.Reason, reason) {
			t.Fatalf("preview: %v, %+v", err, p)
		}
		if after := tree(t, e.stateDir()); !mapsEqual(before, after) {
			t.Fatalf("the state folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
		}
		if n := ts.conns.Load(); n != conns || len(ts.receivedErrors()) != 0 {
			t.Fatalf("%d connections, %d error reports", n-conns, len(ts.receivedErrors()))
		}
	}
	t.Run("never turned on", func(t *testing.T) {
		e := newEnv(t, ts.url)
		check(t, e, "the default")
		if _, err := os.Stat(filepath.Join(e.dir, "state")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("off created the state folder: %v", err)
		}
	})
	t.Run("DO_NOT_TRACK beats on", func(t *testing.T) {
		e := newEnv(t, ts.url)
		e.clientOn()
		e.vars["DO_NOT_TRACK"] = "1"
		check(t, e, "DO_NOT_TRACK=1")
	})
	for _, m := range []Mode{On, Local} {
		t.Run("collect_error_reports false, "+string(m), func(t *testing.T) {
			e := newEnv(t, ts.url)
			e.writeConfig("telemetry:\n  collect_error_reports: false\n")
			if _, err := e.client().SetMode(ctx, m, false); err != nil {
				t.Fatal(err)
			}
			check(t, e, "collect_error_reports: false in "+e.vars["INDEXPILOT_CONFIG_FILE"])
		})
	}
}

// TestErrorReportRetriedDeliversOnce: a 503, then a 503 after the server
// stored the report (a lost answer), then success: the same bytes each
// time, stored once.
func TestErrorReportRetriedDeliversOnce(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	ts.setFault(lostAnswer)
	e := newEnv(t, ts.url)
	c := e.client()
	c.timeout = 5 * time.Second // the whole call fits in one deadline: two Retry-After: 1 waits
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	res, err := c.SendError(ctx, ErrorEvent{Traceback: tbUnique})
	if err != nil {
		t.Fatal(err)
	}
	got := ts.receivedErrors()
	if len(got) != 3 || !bytes.Equal(got[0], got[1]) || !bytes.Equal(got[1], got[2]) {
		t.Fatalf("%d attempts, want 3 with the same bytes", len(got))
	}
	stored, err := ts.store.ErrorReports(ctx, e.installationID())
	if err != nil || len(stored) != 1 || stored[0].Key != res.Built {
		t.Fatalf("stored %+v (%v), want %s once", stored, err, res.Built)
	}
	if len(res.Uploaded) != 1 || !strings.Contains(res.Uploaded[0].Result, "duplicate") {
		t.Fatalf("result %+v", res)
	}
	if stored[0].Report.SQLState != "23505" {
		t.Fatalf("sqlstate %q, want 23505 (inferred from UniqueViolation)", stored[0].Report.SQLState)
	}
}

// TestErrorReportWaitsInTheSpool: with the server down the report stays
// in the spool; the next send delivers it with the telemetry report; a
// report the server refuses (400) is set aside and listed.
func TestErrorReportWaitsInTheSpool(t *testing.T) {
	addr := closedAddr(t)
	e := newEnv(t, "http://"+addr)
	c := e.clientOn()
	res, err := c.SendError(ctx, ErrorEvent{Type: "psycopg2.OperationalError", Message: "server closed the connection unexpectedly"})
	if err == nil || res.Pending != 1 || res.Built == "" {
		t.Fatalf("with the server down: %v, %+v", err, res)
	}
	if st, _ := c.Status(ctx); st.Pending != 1 {
		t.Fatalf("status: %d pending, want 1", st.Pending)
	}

	ts := startServer(t, addr)
	e.tick()
	sent, err := c.Send(ctx)
	if err != nil || len(sent.Uploaded) != 2 || sent.Pending != 0 {
		t.Fatalf("send: %v, %+v", err, sent)
	}
	if got := ts.receivedErrors(); len(got) != 1 || len(ts.received()) != 1 {
		t.Fatalf("received %d error and %d telemetry reports, want 1 and 1", len(got), len(ts.received()))
	}

	ts.setFault(func(n int) (int, bool) { return 400, false })
	e.tick()
	res, err = c.SendError(ctx, ErrorEvent{Type: "ValueError", Message: "refused"})
	if err != nil || len(res.Rejected) != 1 || res.Pending != 0 {
		t.Fatalf("a 400: %v, %+v", err, res)
	}
	ups, _ := c.Log()
	var kinds []string
	for _, u := range ups {
		kinds = append(kinds, fmt.Sprintf("%s %v", u.Kind, u.Rejected))
	}
	slices.Sort(kinds[:min(2, len(kinds))]) // answered at the same time
	if strings.Join(kinds, ",") != "error false,telemetry false,error true" || !strings.HasPrefix(ups[2].Result, "error report rejected: ") {
		t.Fatalf("log: %v\n%+v", kinds, ups)
	}
}

// TestPreviewErrorIsWhatIsSent: the dry run's bytes are the bytes the
// server receives and the local copy holds.
func TestPreviewErrorIsWhatIsSent(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	c.newID = func() string { return "6ba7b810-9dad-41d1-80b4-00c04fd430c8" }
	ev := ErrorEvent{Traceback: tbSecrets, Context: ErrorContext{Component: "auto_indexer", PostgreSQLVersion: "15.4"}}
	p, err := c.PreviewError(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if p.Registered || !bytes.Contains(p.Report, []byte(placeholderID)) {
		t.Fatalf("preview before registration:\n%s", p.Report)
	}
	if _, err := c.SendError(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got := ts.receivedErrors()
	want := bytes.Replace(p.Report, []byte(placeholderID), []byte(e.installationID()), 1)
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("the upload differs from the preview beyond the installation id:\npreview %s\nsent    %s", p.Report, got)
	}

	e.tick()
	c.newID = func() string { return "7ca7b810-9dad-41d1-80b4-00c04fd430c9" }
	if p, err = c.PreviewError(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendError(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got = ts.receivedErrors()
	if !bytes.Equal(got[1], p.Report) {
		t.Fatalf("the upload differs from the preview:\npreview %s\nsent    %s", p.Report, got[1])
	}
	if copy, err := c.Uploaded("7ca7b810"); err != nil || !bytes.Equal(copy, got[1]) {
		t.Fatalf("log show: %v\n%s", err, copy)
	}
}

// TestOversizedTracebackIsTruncated: a traceback of 2 MiB with a long
// message and long paths is cut to the contract's limits and accepted.
func TestOversizedTracebackIsTruncated(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	var tb strings.Builder
	tb.WriteString("Traceback (most recent call last):\n")
	long := "/opt/venv/lib/python3.11/site-packages/indexpilot/" + strings.Repeat("deep/", 150) + "mod.py"
	for i := 0; tb.Len() < 2<<20; i++ {
		fmt.Fprintf(&tb, "  File %q, line %d, in f%d\n    f%d()\n", long, i+1, i, i+1)
	}
	tb.WriteString("RecursionError: maximum recursion depth exceeded " + strings.Repeat("while calling a Python object ", 1000) + "\n")

	res, err := c.SendError(ctx, ErrorEvent{Traceback: tb.String()})
	if err != nil || len(res.Uploaded) != 1 {
		t.Fatalf("%v, %+v", err, res)
	}
	got := ts.receivedErrors()
	if len(got) != 1 || len(got[0]) > report.MaxBodyBytes {
		t.Fatalf("received %d reports; body of %d bytes", len(got), len(got[0]))
	}
	var r report.ErrorReport
	if err := json.Unmarshal(got[0], &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Frames) != report.MaxFrames || !strings.HasSuffix(r.Message, report.TruncationMarker) || len(r.Message) > report.MaxMessageBytes ||
		!strings.HasPrefix(r.Frames[0].File, report.TruncationMarker) || r.ErrorType != "RecursionError" {
		t.Fatalf("%d frames, message of %d bytes, first file %q", len(r.Frames), len(r.Message), r.Frames[0].File)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, w := range []string{"only its end was read", "message: truncated", "frames.file", "outermost"} {
		if !strings.Contains(notes, w) {
			t.Errorf("the notes lack %q:\n%s", w, notes)
		}
	}
}

// TestScrubberFailureDropsTheReport: a panicking scrubber drops the
// report: nothing is kept or sent.
func TestScrubberFailureDropsTheReport(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	c.scrubber.text = func(string) string { panic("scrubber bug") }
	res, err := c.SendError(ctx, ErrorEvent{Traceback: tbSecrets})
	if !errors.Is(err, ErrScrubFailed) || res.Built != "" {
		t.Fatalf("%v, %+v", err, res)
	}
	if es, _ := (box{filepath.Join(e.stateDir(), spoolDir)}).list(); len(es) != 0 || len(ts.receivedErrors()) != 0 {
		t.Fatalf("%d reports spooled, %d sent", len(es), len(ts.receivedErrors()))
	}
	if _, err := c.PreviewError(ctx, ErrorEvent{Traceback: tbSecrets}); !errors.Is(err, ErrScrubFailed) {
		t.Fatalf("preview: %v", err)
	}
}

// pgError is an error with a SQLSTATE, as pgconn.PgError has.
type pgError struct{ code string }

func (e *pgError) Error() string    { return "ERROR: deadlock detected (SQLSTATE " + e.code + ")" }
func (e *pgError) SQLState() string { return e.code }

type panickyError struct{}

func (panickyError) Error() string { panic("Error panics") }

// TestReportError: the Go API reports a wrapped error by its innermost
// type, never panics and never blocks longer than the deadline.
func TestReportError(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	err := fmt.Errorf("creating index on alice@example.com's table: %w", &pgError{code: "40P01"})
	if err := c.ReportError(ctx, err, ErrorContext{Component: "auto_indexer", Operation: "create_index"}); err != nil {
		t.Fatal(err)
	}
	stored, serr := ts.store.ErrorReports(ctx, e.installationID())
	if serr != nil || len(stored) != 1 {
		t.Fatalf("stored %+v, %v", stored, serr)
	}
	r := stored[0].Report
	if r.ErrorType != "client.pgError" || r.SQLState != "40P01" || strings.Contains(r.Message, "alice") || r.Context.Operation != "create_index" {
		t.Fatalf("stored %+v", r)
	}

	if err := c.ReportError(ctx, panickyError{}, ErrorContext{}); err == nil {
		t.Fatal("an Error method that panics was reported")
	}
	if err := c.ReportError(ctx, errors.New("x"), ErrorContext{Component: "Not A Word"}); !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("a context word outside the contract: %v", err)
	}

	// A server that accepts connections and never answers: the upload ends
	// at the call's deadline (the client hangs up; its HTTP client alone
	// would wait a minute) and the report waits in the spool for the next
	// Send.
	silent := newSilentServer(t)
	e.vars["INDEXPILOT_TELEMETRY_ENDPOINT"] = silent.url()
	c = e.client()
	c.timeout, c.http = 300*time.Millisecond, defaultHTTPClient(time.Minute)
	pending := func() int {
		st, err := c.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Pending
	}
	before := pending()
	if err := c.ReportError(context.Background(), errors.New("slow"), ErrorContext{}); err == nil {
		t.Fatal("no error from a server that never answers")
	}
	silent.waitHungUp(t, 1)
	if after := pending(); after != before+1 {
		t.Errorf("pending reports: %d before, %d after; the unsent error report should wait in the spool", before, after)
	}
}

// TestContextAllowList: only the contract's context keys are accepted.
func TestContextAllowList(t *testing.T) {
	var x ErrorContext
	for _, kv := range [][2]string{{"component", "auto_indexer"}, {"operation", "create_index"}, {"postgresql_version", "15.4"}, {"indexpilot_version", "1.2.0"}} {
		if err := x.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if x.Component != "auto_indexer" || x.IndexPilotVersion != "1.2.0" {
		t.Fatalf("%+v", x)
	}
	err := x.Set("hostname", "db01")
	if !errors.Is(err, ErrInvalidEvent) || !strings.Contains(err.Error(), "component, operation, postgresql_version, indexpilot_version") {
		t.Fatalf("an unknown key: %v", err)
	}
	if err := x.Set("component", "Auto Indexer"); !errors.Is(err, ErrInvalidEvent) || x.Component != "auto_indexer" {
		t.Fatalf("a value outside the pattern: %v (%+v)", err, x)
	}
}

// TestTableAndIndexNamesNeverSent: names given as tables and indexes are
// neither sent nor hashed: they become [table] and [index].
func TestTableAndIndexNamesNeverSent(t *testing.T) {
	c := New(Options{Getenv: func(string) string { return "" }, StateDir: t.TempDir()})
	ev := ErrorEvent{Type: "psycopg2.errors.LockNotAvailable",
		Message: `canceling statement due to lock timeout while locking "Customer_Orders" for index idx_customer_orders_email; customer_orders_archive is fine`,
		Context: ErrorContext{Tables: []string{"customer_orders"}, Indexes: []string{"idx_customer_orders_email"}}}
	b, err := c.buildError(ev, placeholderID)
	if err != nil {
		t.Fatal(err)
	}
	var r report.ErrorReport
	json.Unmarshal(b.data, &r)
	want := `canceling statement due to lock timeout while locking "[table]" for index [index]; customer_orders_archive is fine`
	if r.Message != want || r.SQLState != "55P03" {
		t.Fatalf("message %q, sqlstate %q; want %q", r.Message, r.SQLState, want)
	}

	// A name cannot hide a key from the scrubber.
	ev = ErrorEvent{Type: "E", Message: "could not connect: password=Hunter2Secret", Context: ErrorContext{Tables: []string{"password"}}}
	if b, err = c.buildError(ev, placeholderID); err != nil || bytes.Contains(b.data, []byte("Hunter2Secret")) {
		t.Fatalf("%v\n%s", err, b.data)
	}
}

// TestErrorReportsCannotCrowdOutTelemetry: the spool (here local/) holds
// at most maxSpooledErrors error reports, the oldest dropped first, and
// keeps the telemetry reports.
func TestErrorReportsCannotCrowdOutTelemetry(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:1")
	c := e.client()
	c.http = noDialing(t)
	if _, err := c.SetMode(ctx, Local, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range maxSpooledErrors + 10 {
		e.now = e.now.Add(time.Second)
		if res, err := c.SendError(ctx, ErrorEvent{Type: "ValueError", Message: fmt.Sprint(i)}); err != nil || !res.KeptLocally {
			t.Fatalf("%v, %+v", err, res)
		}
	}
	local := box{filepath.Join(e.stateDir(), localDir)}
	es, _ := local.list()
	kinds := map[string]int{}
	for _, en := range es {
		data, _ := local.read(en.name)
		kinds[kindOf(data)]++
	}
	if kinds[KindTelemetry] != 1 || kinds[KindError] != maxSpooledErrors {
		t.Fatalf("local/ holds %v", kinds)
	}
}
