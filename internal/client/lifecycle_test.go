package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
)

// TestConcurrentSendsUploadOnce: a `run` daemon and a cron `send` at the
// same moment never upload one spooled report twice (the state lock).
func TestConcurrentSendsUploadOnce(t *testing.T) {
	addr := closedAddr(t)
	e := newEnv(t, "http://"+addr)
	e.clientOn()
	for range 3 { // spooled while the server is down
		e.client().Send(ctx)
		e.tick()
	}
	ts := startServer(t, addr)
	var wg sync.WaitGroup
	for range 2 {
		c := e.client()
		wg.Go(func() {
			if _, err := c.Send(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := ts.received()
	seen := map[string]bool{}
	for _, b := range got {
		if seen[string(b)] {
			t.Fatalf("a report was uploaded twice:\n%s", b)
		}
		seen[string(b)] = true
	}
	if len(got) != 5 || len(ts.stored(e.installationID())) != 5 {
		t.Fatalf("%d uploads, want 5 (3 spooled, 1 per send)", len(got))
	}
}

// TestFullSpoolIsCounted: with the spool full the oldest report goes, and
// status counts it.
func TestFullSpoolIsCounted(t *testing.T) {
	e := newEnv(t, "http://"+closedAddr(t))
	c := e.clientOn()
	spool := box{filepath.Join(e.stateDir(), spoolDir)}
	for i := range maxReports {
		name := reportName(e.now.Add(-time.Duration(maxReports-i)*time.Minute), fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
		if _, err := spool.add(name, []byte("{}\n")); err != nil {
			t.Fatal(err)
		}
	}
	c.policy.attempts = 1
	res, err := c.Send(ctx)
	if err == nil || res.Dropped != 1 || res.Pending != maxReports {
		t.Fatalf("err %v, dropped %d, pending %d", err, res.Dropped, res.Pending)
	}
	st, _ := c.Status(ctx)
	if st.Dropped != 1 || st.Pending != maxReports {
		t.Fatalf("status: dropped %d, pending %d", st.Dropped, st.Pending)
	}
	if es, _ := spool.list(); es[0].id != "00000000-0000-4000-8000-000000000001" {
		t.Fatalf("the oldest kept is %s: the oldest was not the one dropped", es[0].id)
	}
}

// TestDebugPrintsAndSendsNothing: INDEXPILOT_TELEMETRY_DEBUG prints the
// report and neither keeps nor sends it.
func TestDebugPrintsAndSendsNothing(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	e.clientOn()
	before := tree(t, e.stateDir())
	e.vars["INDEXPILOT_TELEMETRY_DEBUG"] = "1"
	c := e.client()
	c.http = noDialing(t)
	res, err := c.Send(ctx)
	if err != nil || !res.Debug || !bytes.Contains(e.stderr.Bytes(), []byte(`"queries_analyzed": 12345`)) {
		t.Fatalf("debug: %v, %+v\n%s", err, res, e.stderr)
	}
	if !mapsEqual(before, tree(t, e.stateDir())) || ts.conns.Load() != 0 {
		t.Fatal("debug mode wrote state or opened a connection")
	}
}

// TestNewID: on --new-id drops the identity and the salt; the next upload
// registers a new installation.
func TestNewID(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.client()
	c.SetMode(ctx, On, false)
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	id := e.installationID()
	salt, _ := os.ReadFile(filepath.Join(e.stateDir(), saltFile))
	if _, err := c.SetMode(ctx, On, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status(ctx); st.InstallationID != "" {
		t.Fatal("on --new-id kept the installation id")
	}
	e.tick()
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	newSalt, _ := os.ReadFile(filepath.Join(e.stateDir(), saltFile))
	if e.installationID() == id || bytes.Equal(salt, newSalt) {
		t.Fatal("on --new-id: the same id or salt after the next upload")
	}
	if n := len(ts.stored(id)); n != 1 {
		t.Fatalf("the old installation has %d reports, want its 1", n)
	}
}

// TestFirstReportAfterOnCoversThePreview: preview while off and the first
// report after on read the same period (the collector's cursor), even when
// an earlier period of telemetry left a cursor behind.
func TestFirstReportAfterOnCoversThePreview(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	var cursors []collect.Cursor
	record := func(ctx context.Context, o collect.Options) (*collect.Result, error) {
		cursors = append(cursors, o.Cursor)
		return fakeCollect(ctx, o)
	}
	c := e.client()
	c.collect = record
	c.SetMode(ctx, On, false)
	if _, err := c.Send(ctx); err != nil { // leaves a cursor
		t.Fatal(err)
	}
	c.SetMode(ctx, Off, false)
	e.tick()
	if _, err := c.Preview(ctx); err != nil {
		t.Fatal(err)
	}
	c.SetMode(ctx, On, false)
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if len(cursors) != 4 || !cursors[1].Until.IsZero() || cursors[2] != cursors[1] || cursors[3].Until.IsZero() {
		t.Fatalf("cursors: %+v; want the preview and the first report after on to start a new period, the next to follow on", cursors)
	}
}

// TestRunSendsAndStops: Run uploads what is due, follows the server's
// next_collection, and returns when its context ends.
func TestRunSendsAndStops(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.client()
	c.now = time.Now
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, func() bool {
		st, _ := c.Status(ctx)
		return len(ts.received()) > 0 && st.LastAttempt != nil // the upload and its state are done
	})
	if n := len(ts.received()); n != 1 {
		t.Fatalf("Run uploaded %d reports, want 1", n)
	}
	st, _ := c.Status(ctx)
	if wait := time.Until(st.NextReport); wait < 24*time.Hour-time.Minute || wait > 25*time.Hour+time.Minute {
		t.Fatalf("next report in %s, want the server's next_collection (24 h to 25 h)", wait)
	}
}

// TestCorruptedState: send and run neither crash nor write; status says
// why; on repairs it.
func TestCorruptedState(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	os.MkdirAll(e.stateDir(), 0o700)
	path := filepath.Join(e.stateDir(), stateFile)
	os.WriteFile(path, []byte(`{"mode": "on", "api_k`), 0o600)
	c := e.client()
	res, err := c.Send(ctx)
	var ce *ConfigError
	if !errors.As(err, &ce) || res.Mode != Off || len(ts.received()) != 0 {
		t.Fatalf("send with a corrupted state: %v, %+v", err, res)
	}
	if data, _ := os.ReadFile(path); string(data) != `{"mode": "on", "api_k` {
		t.Fatal("send rewrote the corrupted state file")
	}
	if st, err := c.Status(ctx); err == nil || st.Mode != Off {
		t.Fatalf("status: %v", err)
	}
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatalf("on does not repair: %v", err)
	}
	if _, err := c.Send(ctx); err != nil || len(ts.received()) != 1 {
		t.Fatalf("send after repair: %v", err)
	}
}
