package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// releases times release health and anomalies on --dashboard-reports
// reports from 20,000 installations whose releases roll out over 88 days,
// one of them a regression; the overview of 90 days on the same data is
// the baseline of the same run.
func (b *benchRun) releases(ctx context.Context) error {
	fill := func(ctx context.Context, st store.Store, n, installations int, log func(string)) error {
		return bench.FillWith(ctx, st, n, func(rng *mrand.Rand, now time.Time) []byte {
			return bench.ReleaseBody(rng, installations, now)
		}, log)
	}
	return b.filledService(ctx, fill, func(c *child, token string) error {
		for _, path := range []string{"/api/v1/dashboard/overview?days=90", "/api/v1/insights/releases?days=30",
			"/api/v1/insights/releases?days=90", "/api/v1/insights/anomalies?days=30", "/api/v1/insights/anomalies?days=90", "/releases?days=30"} {
			if err := b.timePath(ctx, c, fmt.Sprintf("GET %s, %d stored reports with releases", path, b.dashN), token,
				func(int) string { return path }); err != nil {
				return err
			}
		}
		return nil
	})
}
