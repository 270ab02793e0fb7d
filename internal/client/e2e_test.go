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

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

var ctx = context.Background()

// TestPrecedence walks the settings table row by row: the mode, the
// setting status names, and whether Send uploads to the real server.
func TestPrecedence(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	tests := []struct {
		name    string
		env     map[string]string
		stored  Mode   // set with SetMode first
		config  string // indexpilot_config.yaml
		mode    Mode
		reason  string
		consent int
	}{
		{name: "row 4: nothing set", mode: Off, reason: "the default"},
		{name: "row 3: config on", config: "telemetry:\n  enabled: true\n", mode: On, reason: "telemetry.enabled: true in", consent: 1},
		{name: "row 3: config off", config: "telemetry:\n  enabled: false\n", mode: Off, reason: "telemetry.enabled: false in"},
		{name: "row 3: config yes (PyYAML bool)", config: "telemetry:\n  enabled: yes\n", mode: On, reason: "telemetry.enabled: true", consent: 1},
		{name: "row 4: CI keeps the default off despite the config", env: map[string]string{"CI": "true"},
			config: "telemetry:\n  enabled: true\n", mode: Off, reason: "CI is set"},
		{name: "row 2: CI yields to the environment variable", env: map[string]string{"CI": "1", "INDEXPILOT_TELEMETRY_ENABLED": "true"},
			config: "telemetry:\n  enabled: true\n", mode: On, reason: "INDEXPILOT_TELEMETRY_ENABLED=true", consent: 1},
		{name: "row 2 beats row 3: variable true, config false", env: map[string]string{"INDEXPILOT_TELEMETRY_ENABLED": "true"},
			config: "telemetry:\n  enabled: false\n", mode: On, reason: "INDEXPILOT_TELEMETRY_ENABLED=true", consent: 1},
		{name: "row 2 beats row 3: stored off, config on", stored: Off, config: "telemetry:\n  enabled: true\n",
			mode: Off, reason: "the mode set with `indexpilot-telemetry off`"},
		{name: "row 2 beats row 3: stored on, config off", stored: On, config: "telemetry:\n  enabled: false\n",
			mode: On, reason: "the mode set with `indexpilot-telemetry on`", consent: report.CurrentSchema},
		{name: "row 2: stored local is more private than the variable", stored: Local,
			env: map[string]string{"INDEXPILOT_TELEMETRY_ENABLED": "true"}, mode: Local, reason: "more private", consent: report.CurrentSchema},
		{name: "row 2: stored off is more private than the variable", stored: Off,
			env: map[string]string{"INDEXPILOT_TELEMETRY_ENABLED": "1"}, mode: Off, reason: "more private"},
		{name: "row 1: variable false beats stored on", stored: On,
			env: map[string]string{"INDEXPILOT_TELEMETRY_ENABLED": "false"}, mode: Off, reason: "INDEXPILOT_TELEMETRY_ENABLED=false"},
		{name: "row 1: DO_NOT_TRACK beats stored on", stored: On,
			env: map[string]string{"DO_NOT_TRACK": "1"}, mode: Off, reason: "DO_NOT_TRACK=1"},
		{name: "row 1: DO_NOT_TRACK beats the variable and the config",
			env:    map[string]string{"DO_NOT_TRACK": "1", "INDEXPILOT_TELEMETRY_ENABLED": "true"},
			config: "telemetry:\n  enabled: true\n", mode: Off, reason: "DO_NOT_TRACK=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, ts.url)
			if tt.config != "" {
				e.writeConfig(tt.config)
			}
			if tt.stored != "" {
				if _, err := e.client().SetMode(ctx, tt.stored, false); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				e.vars[k] = v
			}
			c := e.client()
			st, err := c.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode != tt.mode || !strings.Contains(st.Reason, tt.reason) || st.Consented != tt.consent {
				t.Fatalf("status: mode %s (%q), consent %d; want %s (%q), consent %d", st.Mode, st.Reason, st.Consented, tt.mode, tt.reason, tt.consent)
			}
			before := len(ts.received())
			res, err := c.Send(ctx)
			if err != nil {
				t.Fatal(err)
			}
			uploaded := len(ts.received()) - before
			switch tt.mode {
			case On:
				if uploaded != 1 || len(res.Uploaded) != 1 {
					t.Errorf("on: %d reports reached the server, want 1", uploaded)
				}
			case Local:
				if uploaded != 0 || !res.KeptLocally {
					t.Errorf("local: %d reports reached the server, kept locally %v", uploaded, res.KeptLocally)
				}
			case Off:
				if uploaded != 0 || res.Built != "" {
					t.Errorf("off: %d reports reached the server, built %q", uploaded, res.Built)
				}
			}
		})
	}
}

// TestOffWritesNothing: with telemetry off every command but on/off/local
// leaves the disk as it was and opens no connection.
func TestOffWritesNothing(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	exercise := func(t *testing.T, c *Client) {
		t.Helper()
		if _, err := c.Status(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Preview(ctx); err != nil {
			t.Fatal(err)
		}
		if res, err := c.Send(ctx); err != nil || res.Mode != Off {
			t.Fatalf("send: %v, %+v", err, res)
		}
		if _, err := c.Log(); err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if err := c.Run(rctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("never turned on", func(t *testing.T) {
		e := newEnv(t, ts.url)
		e.writeConfig("telemetry:\n  enabled: true\n")
		e.vars["DO_NOT_TRACK"] = "1"
		c := e.client()
		c.http = noDialing(t)
		exercise(t, c)
		if _, err := os.Stat(filepath.Join(e.dir, "state")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("off created the state folder: %v", err)
		}
	})
	t.Run("turned off after on", func(t *testing.T) {
		e := newEnv(t, ts.url)
		c := e.clientOn()
		if _, err := c.Send(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SetMode(ctx, Off, false); err != nil {
			t.Fatal(err)
		}
		before, conns := tree(t, e.stateDir()), ts.conns.Load()
		time.Sleep(20 * time.Millisecond) // a write would show in a modification time
		c = e.client()
		c.http = noDialing(t)
		exercise(t, c)
		if after := tree(t, e.stateDir()); !mapsEqual(before, after) {
			t.Fatalf("off changed the state folder:\nbefore %v\nafter  %v", keys(before), keys(after))
		}
		if n := ts.conns.Load(); n != conns {
			t.Fatalf("off opened %d connections", n-conns)
		}
	})
}

// TestLocalNeverOpensASocket: local mode builds and keeps reports without
// dialling anything, and a later on never sends them.
func TestLocalNeverOpensASocket(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.client()
	c.http = noDialing(t)
	if _, err := c.SetMode(ctx, Local, false); err != nil {
		t.Fatal(err)
	}
	local := box{filepath.Join(e.stateDir(), localDir)}
	runUntil(t, c, func() bool { es, _ := local.list(); return len(es) == 1 }) // the first report is due now
	for range 2 {
		e.tick()
		res, err := c.Send(ctx)
		if err != nil || !res.KeptLocally {
			t.Fatalf("send in local mode: %v, %+v", err, res)
		}
	}
	if n := ts.conns.Load(); n != 0 {
		t.Fatalf("local mode: the endpoint accepted %d connections", n)
	}
	if es, _ := local.list(); len(es) != 3 {
		t.Fatalf("%d reports kept locally, want 3", len(es))
	}

	e.tick()
	c = e.client()
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := ts.stored(e.installationID())
	if len(ids) != 1 || ids[0] != res.Built {
		t.Fatalf("after on the server holds %v, want only the new report %s", ids, res.Built)
	}
	if after, _ := local.list(); len(after) != 3 {
		t.Fatalf("local reports: %d after on, want the 3 untouched", len(after))
	}
}

// TestPreviewIsWhatIsSent: the bytes preview prints are the bytes the
// server receives, and the local copy is those bytes too.
func TestPreviewIsWhatIsSent(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	fixedID := func(id string) func() string { return func() string { return id } }

	// Before registration: the placeholder is the only difference.
	c.newID = fixedID("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
	p, err := c.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Registered || !bytes.Contains(p.Report, []byte(placeholderID)) {
		t.Fatalf("preview before registration: registered %v\n%s", p.Registered, p.Report)
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	want := bytes.Replace(p.Report, []byte(placeholderID), []byte(e.installationID()), 1)
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("first upload differs from the preview beyond the installation id:\npreview %s\nsent    %s", p.Report, got)
	}

	// Registered: byte for byte.
	e.tick()
	c.newID = fixedID("7ca7b810-9dad-41d1-80b4-00c04fd430c9")
	p, err = c.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	got = ts.received()
	if !bytes.Equal(got[1], p.Report) {
		t.Fatalf("upload differs from the preview:\npreview %s\nsent    %s", p.Report, got[1])
	}
	copy, err := c.Uploaded("7ca7b810")
	if err != nil || !bytes.Equal(copy, got[1]) {
		t.Fatalf("log show: %v\n%s", err, copy)
	}
	if !slices.Contains(ts.stored(e.installationID()), "7ca7b810-9dad-41d1-80b4-00c04fd430c9") {
		t.Fatal("the server did not store the previewed report")
	}
	var r map[string]any
	if err := json.Unmarshal(p.Report, &r); err != nil || !bytes.HasPrefix(p.Report, []byte("{\n  \"")) {
		t.Fatalf("preview is not indented JSON: %v", err)
	}
}

// TestRetryAfter503DeliversOnce: a 503, then a 503 after the server stored
// the report (a lost answer): the client retries with the same bytes and
// the report is stored once.
func TestRetryAfter503DeliversOnce(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	ts.setFault(lostAnswer)
	e := newEnv(t, ts.url)
	c := e.clientOn()
	start := time.Now()
	res, err := c.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wait := time.Since(start); wait < 2*time.Second {
		t.Errorf("Retry-After: 1 was not honoured: two retries took %s", wait)
	}
	got := ts.received()
	if len(got) != 3 || !bytes.Equal(got[0], got[1]) || !bytes.Equal(got[1], got[2]) {
		t.Fatalf("%d attempts, want 3 with the same bytes", len(got))
	}
	if ids := ts.stored(e.installationID()); len(ids) != 1 || ids[0] != res.Built {
		t.Fatalf("stored %v, want once %s", ids, res.Built)
	}
	if len(res.Uploaded) != 1 || !strings.Contains(res.Uploaded[0].Result, "duplicate") || res.Pending != 0 {
		t.Fatalf("result %+v", res)
	}
	if ups, _ := c.Log(); len(ups) != 1 {
		t.Fatalf("log lists %d uploads, want 1", len(ups))
	}
}

// TestServerDownForAWhile: reports spooled while nothing listens are all
// delivered, once each, when the server comes back on the same address.
func TestServerDownForAWhile(t *testing.T) {
	addr := closedAddr(t)
	e := newEnv(t, "http://"+addr)
	c := e.clientOn()
	var built []string
	for range 3 {
		res, err := c.Send(ctx)
		if err == nil {
			t.Fatal("send succeeded with nothing listening")
		}
		built = append(built, res.Built)
		e.tick()
	}
	if st, _ := c.Status(ctx); st.Pending != 3 || st.LastAttempt == nil || st.LastAttempt.OK {
		t.Fatalf("status while down: %+v", st)
	}

	ts := startServer(t, addr)
	res, err := c.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	built = append(built, res.Built)
	stored := ts.stored(e.installationID())
	slices.Sort(stored)
	slices.Sort(built)
	if !slices.Equal(stored, built) || res.Pending != 0 || len(res.Uploaded) != 4 {
		t.Fatalf("stored %v, want each of %v once; pending %d", stored, built, res.Pending)
	}
	// Oldest first.
	got := ts.received()
	for i := 1; i < len(got); i++ {
		if timestampOf(t, got[i-1]) > timestampOf(t, got[i]) {
			t.Fatal("the spool was not uploaded oldest first")
		}
	}
}

// TestForgetRemovesRows: forget deletes the installation's rows on the
// server and the local identity; the next upload registers afresh.
func TestForgetRemovesRows(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	for range 2 {
		if _, err := c.Send(ctx); err != nil {
			t.Fatal(err)
		}
		e.tick()
	}
	id := e.installationID()
	if n := len(ts.stored(id)); n != 2 {
		t.Fatalf("%d reports stored, want 2", n)
	}
	exported, err := c.Export(ctx)
	if err != nil || !bytes.Contains(exported, []byte(id)) {
		t.Fatalf("export: %v\n%s", err, exported)
	}
	f, err := c.Forget(ctx)
	if err != nil || f.ReportsDeleted != 2 {
		t.Fatalf("forget: %v, %+v", err, f)
	}
	if _, err := ts.store.ExportInstallation(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the installation is still on the server: %v", err)
	}
	st, _ := c.Status(ctx)
	if st.InstallationID != "" || st.Pending != 0 || st.Mode != On {
		t.Fatalf("status after forget: %+v", st)
	}
	for _, dir := range []string{spoolDir, sentDir, saltFile} {
		if _, err := os.Stat(filepath.Join(e.stateDir(), dir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived forget", dir)
		}
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if e.installationID() == id {
		t.Fatal("the next upload reused the forgotten id")
	}
}

// TestNewerFieldsHeldBack: with consent to schema 1, the schema 2 fields
// never reach the server; on consents to them.
func TestNewerFieldsHeldBack(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	e.vars["INDEXPILOT_TELEMETRY_ENABLED"] = "true" // consents to the first client's fields
	c := e.client()
	v2 := []string{"metrics.ab_experiments", "metrics.algorithm_decisions", "metrics.tenants_bucket"}
	st, _ := c.Status(ctx)
	if st.Consented != 1 || !slices.Equal(st.HeldBack, []string{"metrics.algorithm_decisions", "metrics.ab_experiments", "metrics.tenants_bucket",
		"metrics.experiments", "metrics.feature_usage"}) {
		t.Fatalf("status: consent %d, held back %v", st.Consented, st.HeldBack)
	}
	p, err := c.Preview(ctx)
	if err != nil || !slices.Equal(p.Held, v2) || !bytes.Contains(p.Diff, []byte(`"tenants_bucket": ">1000"`)) || bytes.Contains(p.Diff, []byte("indexes_created")) {
		t.Fatalf("preview: %v, held %v, diff\n%s", err, p.Held, p.Diff)
	}
	res, err := c.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body := ts.received()[0]
	for _, f := range []string{"algorithm_decisions", "ab_experiments", "tenants_bucket"} {
		if bytes.Contains(body, []byte(f)) {
			t.Errorf("%s was uploaded without consent", f)
		}
	}
	if !bytes.Contains(body, []byte(`"schema_version": 1`)) || !bytes.Contains(body, []byte("algorithm_usage")) {
		t.Fatalf("upload:\n%s", body)
	}
	var ack struct {
		Ignored []string `json:"ignored_fields"`
	}
	if json.Unmarshal(res.Uploaded[0].Response, &ack); len(ack.Ignored) != 0 {
		t.Fatalf("the server ignored %v", ack.Ignored)
	}

	e.tick()
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	body = ts.received()[1]
	if !bytes.Contains(body, []byte(fmt.Sprintf(`"schema_version": %d`, report.CurrentSchema))) ||
		!bytes.Contains(body, []byte(`"tenants_bucket": ">1000"`)) {
		t.Fatalf("after on:\n%s", body)
	}
}

func timestampOf(t *testing.T, body []byte) string {
	var r struct {
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r.Timestamp
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// runUntil runs c.Run until done reports true (at most 20 s), then stops
// it and checks that it returns promptly.
func runUntil(t *testing.T, c *Client, done func() bool) {
	t.Helper()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan error, 1)
	go func() { ended <- c.Run(rctx) }()
	for deadline := time.Now().Add(20 * time.Second); !done(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Run did not do what was due within 20 s")
		}
	}
	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
