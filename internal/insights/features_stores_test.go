package insights_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet/fleettest"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// testNow pins the clock of every test here: the simulated fleets end on
// it and the windows are counted back from it.
var testNow = time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)

// eachStore runs fn against a fresh SQLite store and a fresh PostgreSQL
// database, as subtests.
func eachStore(t *testing.T, fn func(t *testing.T, st store.Store)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "insights.db")
			if name == "postgres" {
				dsn = pgtest.New(t)
			}
			fn(t, databasetest.Open(t, dsn))
		})
	}
}

// ingest stores reports as the server would: decoded from their JSON,
// keyed by their report id, in batches.
func ingest(t *testing.T, st store.Store, reports []fleet.Planned) {
	t.Helper()
	if err := fleettest.Store(context.Background(), st, reports, testNow); err != nil {
		t.Fatal(err)
	}
}

// simulatedFleet is the reports of a fleet with the demo's structure (a
// popular pair of features, a feature with value): the raw reports the
// brute-force oracles read.
func simulatedFleet() []fleet.Planned {
	var out []fleet.Planned
	for _, p := range fleet.Generate(fleet.Config{Installations: 140, Days: 45, Seed: 21, Structure: true, Now: testNow}) {
		if !p.Resend {
			out = append(out, p)
		}
	}
	return out
}

// inWindow returns the reports of w's days.
func inWindow(reports []fleet.Planned, w dashboard.Period) []fleet.Planned {
	var out []fleet.Planned
	for _, p := range reports {
		if d := rollup.DayOf(p.Time); d >= w.From && d <= w.To {
			out = append(out, p)
		}
	}
	return out
}
