package client

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

type uses = map[string]report.FeatureUse

// TestFeatureUsageReachesTheService: counts added in several calls are
// summed, carried by the next report to the real service exactly, and
// gone from the state afterwards, so the report after carries only what
// was counted since.
func TestFeatureUsageReachesTheService(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	add(t, c, uses{"auto_indexing": {Uses: 100, Successes: 97}, "qpg": {Uses: 2}})
	add(t, c, uses{"auto_indexing": {Uses: 20, Successes: 20}})
	if got := c.PendingFeatureUsage(); !maps.Equal(got, uses{"auto_indexing": {Uses: 120, Successes: 117}, "qpg": {Uses: 2}}) {
		t.Fatalf("pending = %v", got)
	}
	p, err := c.Preview(ctx)
	if err != nil || !json.Valid(p.Report) || len(c.PendingFeatureUsage()) != 2 {
		t.Fatalf("preview: %v; it must take nothing", err)
	}
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	got := storedUsage(t, ts, e.installationID())
	if want := (uses{"auto_indexing": {Uses: 120, Successes: 117}, "qpg": {Uses: 2}}); len(got) != 1 || !maps.Equal(got[0], want) {
		t.Fatalf("stored feature usage %v, want one report with %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(e.stateDir(), usageFile)); !os.IsNotExist(err) || len(c.PendingFeatureUsage()) != 0 {
		t.Fatalf("after the report the counts are still there (%v)", err)
	}
	e.tick()
	add(t, c, uses{"qpg": {Uses: 1, Successes: 1}})
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if got := storedUsage(t, ts, e.installationID()); len(got) != 2 || !maps.Equal(got[1], uses{"qpg": {Uses: 1, Successes: 1}}) {
		t.Fatalf("the second report carries %v", got)
	}
}

// TestFeatureUsageNotCounted: with telemetry off, without consent to
// schema version 3 and with collect_usage_stats: false nothing is written;
// turning off drops what was counted.
func TestFeatureUsageNotCounted(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:9")
	c := e.client()
	res, err := c.AddFeatureUsage(ctx, uses{"auto_indexing": {Uses: 1}})
	if err != nil || res.Counting || res.Mode != Off {
		t.Fatalf("off: %+v, %v", res, err)
	}
	if _, err := os.Stat(e.dir + "/state"); !os.IsNotExist(err) {
		t.Fatalf("off wrote the state folder: %v", err)
	}

	e.vars["INDEXPILOT_TELEMETRY_ENABLED"] = "true" // consents to schema version 1 only
	if res, _ := c.AddFeatureUsage(ctx, uses{"auto_indexing": {Uses: 1}}); res.Counting {
		t.Fatalf("without consent to version 3: %+v", res)
	}
	if _, err := os.Stat(e.dir + "/state"); !os.IsNotExist(err) {
		t.Fatalf("without consent to version 3 the state folder was written: %v", err)
	}
	delete(e.vars, "INDEXPILOT_TELEMETRY_ENABLED")

	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	e.writeConfig("telemetry:\n  collect_usage_stats: false\n")
	if res, _ := c.AddFeatureUsage(ctx, uses{"auto_indexing": {Uses: 1}}); res.Counting || len(c.PendingFeatureUsage()) != 0 {
		t.Fatalf("collect_usage_stats: false: %+v", res)
	}
	e.writeConfig("")
	add(t, c, uses{"auto_indexing": {Uses: 1}})
	if _, err := c.SetMode(ctx, Off, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.stateDir(), usageFile)); !os.IsNotExist(err) {
		t.Fatalf("off kept the counts: %v", err)
	}
}

// TestFeatureUsageBounds: names outside the pattern, impossible counts and
// features past 64 are dropped and named; counts stop at MaxCount.
func TestFeatureUsageBounds(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:9")
	c := e.client()
	if _, err := c.SetMode(ctx, Local, false); err != nil {
		t.Fatal(err)
	}
	many := uses{"Bad Name": {Uses: 1}, "x-y": {Uses: 1}, "neg": {Uses: -1}, "more_successes": {Uses: 1, Successes: 2},
		"big": {Uses: report.MaxCount, Successes: report.MaxCount}}
	for i := range report.MaxListEntries {
		many[string(rune('a'+i/26))+string(rune('a'+i%26))] = report.FeatureUse{Uses: 1}
	}
	res, err := c.AddFeatureUsage(ctx, many)
	if err != nil || !res.Counting {
		t.Fatal(res, err)
	}
	// In name order the 65 valid features are aa…bh, big, bi…cl: cl is
	// past 64.
	want := []string{"Bad Name", "cl", "more_successes", "neg", "x-y"}
	if !slices.Equal(res.Dropped, want) {
		t.Errorf("dropped %q, want %q", res.Dropped, want)
	}
	add(t, c, uses{"aa": {Uses: report.MaxCount, Successes: 5}})
	if got := c.PendingFeatureUsage(); len(got) != report.MaxListEntries || got["aa"] != (report.FeatureUse{Uses: report.MaxCount, Successes: 5}) {
		t.Errorf("%d features, aa = %+v", len(got), got["aa"])
	}
	// A report the contract accepts: Send builds and keeps it locally.
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if len(c.PendingFeatureUsage()) != 0 {
		t.Error("the local report did not take the counts")
	}
}

// TestFeatureUsageAfterACrash: a mark left by a report that was being kept
// is settled by whether the report was kept, so no count is lost or sent
// twice.
func TestFeatureUsageAfterACrash(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:9")
	c := e.client()
	if _, err := c.SetMode(ctx, Local, false); err != nil {
		t.Fatal(err)
	}
	add(t, c, uses{"qpg": {Uses: 3, Successes: 3}})
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	f := folder{e.stateDir()}
	es, err := box{f.path(localDir)}.list()
	if err != nil || len(es) != 1 {
		t.Fatalf("local reports: %v, %v", es, err)
	}
	keptID := es[0].id
	for _, tc := range []struct {
		takenBy string
		want    uses
	}{
		{keptID, uses{"auto_indexing": {Uses: 5}}},                                                   // the report was kept: its counts went with it
		{"00000000-0000-4000-8000-000000000001", uses{"qpg": {Uses: 7}, "auto_indexing": {Uses: 5}}}, // it was not
	} {
		if err := f.saveUsage(&usageCounts{Features: uses{"qpg": {Uses: 7}}, TakenBy: tc.takenBy}); err != nil {
			t.Fatal(err)
		}
		add(t, c, uses{"auto_indexing": {Uses: 5}})
		if got := c.PendingFeatureUsage(); !maps.Equal(got, tc.want) {
			t.Errorf("taken by %s: pending %v, want %v", tc.takenBy, got, tc.want)
		}
		f.removeUsage()
	}
}

func add(t *testing.T, c *Client, counts uses) {
	t.Helper()
	res, err := c.AddFeatureUsage(ctx, counts)
	if err != nil || !res.Counting || len(res.Dropped) > 0 {
		t.Fatalf("AddFeatureUsage(%v) = %+v, %v", counts, res, err)
	}
}

// storedUsage returns the feature usage of each report the service holds
// for the installation, in the order received.
func storedUsage(t *testing.T, ts *testServer, id string) []uses {
	t.Helper()
	exp, err := ts.store.ExportInstallation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []uses
	for _, r := range exp.Reports {
		out = append(out, r.Report.Metrics.FeatureUsage)
	}
	return out
}
