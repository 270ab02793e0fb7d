package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
)

// releases times release health and anomalies on --dashboard-reports reports
// from 20,000 installations whose releases roll out over 88 days, one of
// them a regression; the overview of 90 days on the same data is the
// baseline of the same run.
func (b *benchRun) releases(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = bench.FillWith(ctx, st, b.dashN, func(rng *mrand.Rand, now time.Time) []byte {
		return bench.ReleaseBody(rng, 20000, now)
	}, func(s string) { logf("%s", s) })
	st.Close()
	if err != nil {
		return err
	}
	token := "bench-admin-token-0123456789"
	c, err := startChild([]string{"INDEXPILOT_ANALYTICS_ADMIN_TOKEN=" + token}, "serve", "--listen", "127.0.0.1:0", "--database", dsn)
	if err != nil {
		return err
	}
	defer c.stop()
	for _, path := range []string{"/api/v1/dashboard/overview?days=90", "/api/v1/insights/releases?days=30",
		"/api/v1/insights/releases?days=90", "/api/v1/insights/anomalies?days=30", "/api/v1/insights/anomalies?days=90", "/releases?days=30"} {
		lat, err := timeGets(ctx, c.url+path, token, b.queries)
		if err != nil {
			return err
		}
		b.add(fmt.Sprintf("GET %s, %d stored reports with releases", path, b.dashN),
			fmt.Sprintf("p50 %s, p95 %s over %d requests", bench.Percentile(lat, .5).Round(10*time.Microsecond),
				bench.Percentile(lat, .95).Round(10*time.Microsecond), len(lat)))
	}
	return nil
}
