package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// item is a report of installation inst made at t.
func item(inst int, t time.Time) store.Item {
	r := &report.Report{SchemaVersion: 1, ReportID: fmt.Sprintf("00000000-0000-4000-8000-%012d", inst),
		InstallationID: fmt.Sprintf("installation-%04d", inst), Version: "1.1.0", Timestamp: t.Format(time.RFC3339)}
	return store.Item{Key: r.ReportID, Report: r, Time: t, Received: t}
}

// TestRetentionAtStart runs the service at a clock five months ahead of
// the reports in its store: at start, before any request, it deletes the
// raw reports older than the raw retention and the rollups older than the
// aggregate retention, counting from its own clock (not the machine's:
// the reports are days old by that one), keeps what is younger, and stops
// cleanly when its context ends.
func TestRetentionAtStart(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	st, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wall := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
	now := wall.Add(150 * 24 * time.Hour) // the service's clock
	old, recent, ancient := wall.Add(-10*24*time.Hour), now.Add(-24*time.Hour), now.Add(-400*24*time.Hour)
	if _, err := st.Ingest(ctx, []store.Item{item(1, old), item(2, recent), item(3, ancient)}); err != nil {
		t.Fatal(err)
	}
	for n, err := st.Compact(ctx); n > 0 || err != nil; n, err = st.Compact(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Run(runCtx, Options{Listen: "127.0.0.1:0", Database: dsn, Server: server.DefaultConfig(),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	}()
	reports := func(inst int) int {
		exp, err := st.ExportInstallation(ctx, fmt.Sprintf("installation-%04d", inst))
		if err != nil {
			t.Fatal(err)
		}
		return len(exp.Reports)
	}
	deadline := time.Now().Add(30 * time.Second) // a bound for a busy machine, not a speed goal
	for reports(1) != 0 || reports(3) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("retention did not delete the expired reports (reports left: %d, %d)", reports(1), reports(3))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if reports(2) != 1 {
		t.Error("retention deleted a report within the raw retention")
	}
	rows := func(at time.Time) int {
		d := rollup.DayOf(at)
		rs, err := st.Rollups(ctx, store.RollupQuery{From: d, To: d})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	for rows(ancient) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("retention did not delete the rollups older than the aggregate retention")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rows(old) == 0 || rows(recent) == 0 {
		t.Error("retention deleted rollups within the aggregate retention")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
