package postgres

import (
	"encoding/json"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// TestUnionsAcrossProcesses: the dashboard's stats and overviews read
// through a store that keeps bitmaps and their unions between reads are
// byte for byte those read through a store that keeps none, while another
// store on the same database adds late reports to past days, compacts,
// erases an installation and recomputes.
func TestUnionsAcrossProcesses(t *testing.T) {
	dsn := pgtest.New(t)
	writer := openOn(t, dsn, nil)
	if err := writer.Migrate(ctx(t)); err != nil {
		t.Fatal(err)
	}
	cached := openOn(t, dsn, nil)
	uncached := openOn(t, dsn, nil)
	uncached.SetBitmapCache(0)
	answers := func(s *Store) string {
		t.Helper()
		d := &dashboard.Service{Store: s, AggregateDays: 90}
		var out []any
		st, err := d.Stats(ctx(t), storetest.Now)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
		for _, q := range []dashboard.OverviewQuery{
			{Period: dashboard.LastDays(storetest.Now, 7)},
			{Period: dashboard.LastDays(storetest.Now, 30)},
			{Period: dashboard.LastDays(storetest.Now, 30), Version: "1.0.0"},
		} {
			ov, err := d.Overview(ctx(t), storetest.Now, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ov)
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	check := func(what string) {
		t.Helper()
		for range 2 { // built, then served from the cache
			if got, want := answers(cached), answers(uncached); got != want {
				t.Fatalf("%s: through the caching store\n%s\nwant\n%s", what, got, want)
			}
		}
		if cached.Unions().Len() == 0 {
			t.Fatalf("%s: no union kept", what)
		}
	}
	if _, err := writer.Ingest(ctx(t), batch(0, 400, 40, 20, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	compactAll(t, writer)
	check("first reads")

	// Late reports to past days, of known and new installations: pending
	// first, then compacted into the rows the unions were built from.
	if _, err := writer.Ingest(ctx(t), batch(1000, 60, 70, 20, "1.1.0")); err != nil {
		t.Fatal(err)
	}
	check("late reports pending")
	compactAll(t, writer)
	check("late reports compacted")

	if _, err := writer.DeleteInstallation(ctx(t), storetest.Item(3, 0, 0, "").Report.InstallationID); err != nil {
		t.Fatal(err)
	}
	check("after an erasure")
	if _, err := writer.Ingest(ctx(t), batch(2000, 30, 90, 15, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := writer.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	check("after Recompute")

	cached.SetBitmapCache(0)
	if n := cached.Unions().Len(); n != 0 {
		t.Fatalf("a cache turned off keeps %d unions", n)
	}
}

// compactAll folds every pending delta of s into its rollup rows.
func compactAll(t *testing.T, s *Store) {
	t.Helper()
	for {
		n, err := s.Compact(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}
