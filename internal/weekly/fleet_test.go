package weekly_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet/fleettest"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// now is the fixed clock: a Tuesday, after the turn of the year, so that
// 2026-W53 (2026-12-28 to 2027-01-03) and 2027-W01 are complete.
var now = time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC)

// fleetConfig is the fixed fleet: 90 days to now, with a release 1.2.0
// early in 2026-W53 that errs three times as often as the one before.
var fleetConfig = fleet.Config{Installations: 200, Days: 90, Seed: 14, Now: now, Scenario: fleet.Scenario{Releases: []fleet.Release{
	{Version: "1.2.0", At: 0.85, ErrorMultiplier: 3, Improvement: 12, MedianLagDays: 1.5, LagSpread: 0.7, Share: 0.8}}},
	Experiments: []fleet.Experiment{experimentRun}}

// experimentRun is a fleet experiment from 2026-11-02 whose treatment
// raises the improvement by 15 points: decided within weeks.
var experimentRun = fleet.Experiment{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"},
	Split: []float64{0.5, 0.5}, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Effect: map[string]float64{"treatment": 15}}

// fleetDB is the sqlite file the fleet was stored in, once for the
// package (TestMain); tests open it read-only in spirit.
var fleetDB string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "weekly-fleet-")
	if err != nil {
		panic(err)
	}
	fleetDB = "sqlite:" + filepath.Join(dir, "fleet.db")
	if err := storeFleet(context.Background(), fleetDB); err != nil {
		fmt.Fprintln(os.Stderr, "storing the fleet:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// storeFleet stores the fleet's reports as the server's handler does
// (Decode, Ingest), and error reports of two groups: one new in
// 2027-W01, one that grows from 2026-W53 to 2027-W01.
func storeFleet(ctx context.Context, dsn string) error {
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	exp := &experiment.Service{Store: st, Now: func() time.Time { return experimentRun.Start }, RawRetention: report.DefaultRetention}
	start := experimentRun.Start
	if _, err := exp.Create(ctx, experiment.Spec{Name: experimentRun.Name, Variants: experimentRun.Variants, Split: experimentRun.Split,
		Metric: store.MetricPerformance, MinEffect: 2, Start: &start}); err != nil {
		return err
	}
	if err := fleettest.Store(ctx, st, fleet.Generate(fleetConfig), now); err != nil {
		return err
	}
	for i, e := range plantedErrors() {
		r := &report.ErrorReport{SchemaVersion: 1, ReportID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i),
			InstallationID: fmt.Sprintf("error-installation-%d", i%5), Version: "1.2.0", Timestamp: e.at.Format(time.RFC3339Nano),
			ErrorType: e.typ, Message: e.message}
		if _, err := st.IngestError(ctx, store.ErrorItem{Key: r.ReportID, Fingerprint: e.fingerprint, Report: r, Time: e.at, Received: now}); err != nil {
			return err
		}
	}
	_, err = st.Compact(ctx)
	return err
}

type plantedError struct {
	fingerprint, typ, message string
	at                        time.Time
}

func plantedErrors() []plantedError {
	var out []plantedError
	day := func(d int, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	for i := range 2 { // the timeout group, in 2026-W53
		out = append(out, plantedError{"fp-timeout", "psycopg2.errors.QueryCanceled", "canceling statement due to statement timeout", day(29, 9+i)})
	}
	for i := range 6 { // and three times as often in 2027-W01
		out = append(out, plantedError{"fp-timeout", "psycopg2.errors.QueryCanceled", "canceling statement due to statement timeout", day(36+i%3, 9+i)})
	}
	for i := range 4 { // the deadlock group, new in 2027-W01
		out = append(out, plantedError{"fp-deadlock", "psycopg2.errors.DeadlockDetected", "deadlock detected", day(37, 8+i)})
	}
	return out
}

// open opens the fleet's store for one test.
func open(t testing.TB) store.Store {
	t.Helper()
	return databasetest.Open(t, fleetDB)
}

// builder is the report's builder with the server's default settings.
func builder(st store.Store) *weekly.Builder {
	cfg := server.DefaultConfig()
	return weekly.New(st, cfg.AggregateRetention, cfg.RawRetention, insights.DefaultSettings())
}
