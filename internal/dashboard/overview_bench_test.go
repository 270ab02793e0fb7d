package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	simfleet "github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/postgres"
)

// BenchmarkOverview times the stats and overview computations, in process, on the
// store named by INDEXPILOT_BENCH_DATABASE, or else on a fresh SQLite
// store. INDEXPILOT_BENCH_FILL reports (default 50,000 for the fresh
// store, none for a named one) from INDEXPILOT_BENCH_INSTALLATIONS
// installations (default 20,000) are generated first, the way
// `indexpilot-analytics bench` does; with INDEXPILOT_BENCH_FLEET=1 they
// are a simulated fleet's over 90 days, as the scale case's seed. On
// PostgreSQL each case is timed without the store's bitmap cache (the
// baseline) and with it:
//
//	INDEXPILOT_BENCH_DATABASE=postgres://…/db INDEXPILOT_BENCH_FILL=1000000 \
//	  go test -run '^$' -bench Overview ./internal/dashboard/
func BenchmarkOverview(b *testing.B) {
	ctx := context.Background()
	dsn := os.Getenv("INDEXPILOT_BENCH_DATABASE")
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	}
	st, err := database.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fill := 0
	if os.Getenv("INDEXPILOT_BENCH_DATABASE") == "" {
		fill = 50_000
	}
	if v := os.Getenv("INDEXPILOT_BENCH_FILL"); v != "" {
		if fill, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	installations := 20_000
	if v := os.Getenv("INDEXPILOT_BENCH_INSTALLATIONS"); v != "" {
		if installations, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	if err := fillBench(ctx, st, fill, installations, os.Getenv("INDEXPILOT_BENCH_FLEET") == "1", func(s string) { b.Log(s) }); err != nil {
		b.Fatal(err)
	}
	for n, err := st.Compact(ctx); n > 0 || err != nil; n, err = st.Compact(ctx) {
		if err != nil {
			b.Fatal(err)
		}
	}
	s := &dashboard.Service{Store: st, AggregateDays: 365}
	now := time.Now()
	// A store that keeps rollup bitmaps between reads (PostgreSQL) is
	// timed without them too, as the baseline of the same run.
	caches := []struct {
		name  string
		bytes int
	}{{"", 0}}
	cache, cached := st.(interface{ SetBitmapCache(int) })
	if cached {
		caches = []struct {
			name  string
			bytes int
		}{{"uncached/", 0}, {"cached/", postgres.DefaultBitmapCache}}
	}
	for _, c := range caches {
		if cached {
			cache.SetBitmapCache(c.bytes)
		}
		benchmarkOverview(b, s, now, c.name)
	}
}

// benchmarkOverview times stats and the overview on s, each a
// sub-benchmark named with prefix.
func benchmarkOverview(b *testing.B, s *dashboard.Service, now time.Time, prefix string) {
	ctx := context.Background()
	b.Run(prefix+"stats", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Stats(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name    string
		days    int
		version string
	}{{"30d", 30, ""}, {"90d", 90, ""}, {"90d-version", 90, "1.1.1"}} {
		b.Run(prefix+c.name, func(b *testing.B) {
			q := dashboard.OverviewQuery{Period: dashboard.LastDays(now, c.days), Version: c.version}
			for b.Loop() {
				if _, err := s.Overview(ctx, now, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fillBench stores n generated reports of installations in st, a
// simulated fleet's when simulated is set.
func fillBench(ctx context.Context, st store.Store, n, installations int, simulated bool, log func(string)) error {
	if !simulated || n == 0 {
		return bench.Fill(ctx, st, n, installations, log)
	}
	if err := bench.PreparePartitions(ctx, st, time.Now(), simfleet.MaxDays); err != nil {
		return err
	}
	return bench.FillFleet(ctx, st, n, installations, log)
}
