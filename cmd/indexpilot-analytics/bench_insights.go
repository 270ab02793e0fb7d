package main

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
)

// insights times the insights endpoints over --dashboard-reports reports
// of a simulated fleet of 20,000 installations with the demo's structure,
// on PostgreSQL, beside the overview (the dashboard's own figure) as the
// baseline of the same run. Forecasts are timed twice: repeated (the
// answer for an unchanged history is kept) and cold (each request asks for
// another as_of, so each computes its back-tests).
func (b *benchRun) insights(ctx context.Context) error {
	return b.filledService(ctx, bench.FillFleet, func(c *child, token string) error {
		for _, path := range []string{"/api/v1/dashboard/overview?days=30", "/api/v1/insights/features?days=30", "/api/v1/insights/algorithms?days=30",
			"/api/v1/insights/patterns?days=30", "/api/v1/insights/patterns?days=90&min_support=0.01", "/api/v1/insights/forecasts",
			"/insights"} {
			if err := b.timePath(ctx, c, fmt.Sprintf("GET %s, %d fleet reports", path, b.dashN), token, func(int) string { return path }); err != nil {
				return err
			}
		}
		yesterday := time.Now().UTC().AddDate(0, 0, -1)
		return b.timePath(ctx, c, fmt.Sprintf("GET /api/v1/insights/forecasts?as_of= (a day not asked before), %d fleet reports", b.dashN), token,
			func(i int) string {
				return "/api/v1/insights/forecasts?as_of=" + yesterday.AddDate(0, 0, -1-i%60).Format(time.DateOnly)
			})
	})
}
