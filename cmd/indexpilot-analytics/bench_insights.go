package main

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
)

// insightsBench times the insights endpoints over --dashboard-reports
// reports of a simulated fleet of 20,000 installations with the demo's
// structure, on PostgreSQL, beside the overview (the dashboard's own
// figure) as the baseline of the same run. Forecasts are timed twice:
// repeated (the answer for an unchanged history is kept) and cold (each
// request asks for another as_of, so each computes its back-tests).
func (b *benchRun) insights(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = bench.FillFleet(ctx, st, b.dashN, 20000, func(s string) { logf("%s", s) })
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
	paths := []string{"/api/v1/dashboard/overview?days=30", "/api/v1/insights/features?days=30", "/api/v1/insights/algorithms?days=30",
		"/api/v1/insights/patterns?days=30", "/api/v1/insights/patterns?days=90&min_support=0.01", "/api/v1/insights/forecasts",
		"/insights"}
	for _, path := range paths {
		if err := b.timePath(ctx, c.url, path, token, func(int) string { return path }); err != nil {
			return err
		}
	}
	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	return b.timePath(ctx, c.url, "/api/v1/insights/forecasts?as_of=(a different day each time)", token, func(i int) string {
		return "/api/v1/insights/forecasts?as_of=" + yesterday.AddDate(0, 0, -1-i%60).Format(time.DateOnly)
	})
}

// timePath times b.queries GETs of the paths pathOf gives and adds the
// row.
func (b *benchRun) timePath(ctx context.Context, base, name, token string, pathOf func(i int) string) error {
	lat, err := timeGetsOf(ctx, base, token, b.queries, pathOf)
	if err != nil {
		return err
	}
	b.add(fmt.Sprintf("GET %s, %d stored fleet reports", name, b.dashN),
		fmt.Sprintf("p50 %s, p95 %s over %d requests", bench.Percentile(lat, .5).Round(10*time.Microsecond),
			bench.Percentile(lat, .95).Round(10*time.Microsecond), len(lat)))
	return nil
}
