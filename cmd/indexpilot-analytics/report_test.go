package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet/fleettest"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// fleetStore stores two weeks of a small fleet, to now, in a fresh
// SQLite store.
func fleetStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "report.db")
	st := openStore(t, dsn)
	defer st.Close()
	now := time.Now().UTC()
	if err := fleettest.Store(ctx, st, fleet.Generate(fleet.Config{Installations: 12, Days: 15, Seed: 3, Now: now}), now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// reportRun runs `report weekly` and returns its output, errors and exit
// code.
func reportRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	code, out, errs := runCmd(t, append([]string{"report", "weekly"}, args...)...)
	return out, errs, code
}

// TestReportWeeklyCommand: the real binary prints the last complete
// week's report as JSON and Markdown, refuses a bad week or --send
// without a channel as a usage error, and delivers with --send.
func TestReportWeeklyCommand(t *testing.T) {
	dsn := fleetStore(t)
	week := weekly.Name(weekly.LastComplete(time.Now()))
	out, errs, code := reportRun(t, "--database", dsn, "--format", "json")
	var r weekly.Report
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.Week != week || r.Summary.Reports == 0 {
		t.Fatalf("--format json (exit %d, %v): week %q, %d reports\n%s", code, err, r.Week, r.Summary.Reports, errs)
	}
	out, _, code = reportRun(t, "--database", dsn, "--week", week)
	if code != 0 || !strings.HasPrefix(out, "# IndexPilot weekly report: "+week+"\n") || !strings.Contains(out, "## Summary") {
		t.Errorf("Markdown (exit %d):\n%.300s", code, out)
	}
	for _, args := range [][]string{{"--week", "2026-W99"}, {"--format", "pdf"}, {"--send"}} {
		_, errs, code := reportRun(t, append([]string{"--database", dsn}, args...)...)
		if code != exitUsage || !strings.Contains(errs, strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v: exit %d, want %d naming the flag:\n%s", args, code, exitUsage, errs)
		}
	}
	hook := notifytest.StartWebhook(t)
	out, errs, code = reportRun(t, "--database", dsn, "--send", "--webhook", hook.URL)
	if code != 0 || !strings.Contains(out, "Delivered the report of "+week+" to webhook") || strings.Contains(out, "XXXXsecretXXXX") {
		t.Fatalf("--send (exit %d):\n%s%s", code, out, errs)
	}
	var body struct{ Text, Week string }
	if err := json.Unmarshal(hook.Bodies()[0], &body); err != nil || body.Week != week || !strings.HasPrefix(body.Text, "# IndexPilot weekly report: "+week) {
		t.Errorf("the webhook got %q %.200q (%v)", body.Week, body.Text, err)
	}
}
