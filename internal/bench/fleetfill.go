package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// FillFleet ingests the first n reports of a simulated fleet of
// installations installations over the last 90 days, with the demo's
// structure, straight into st: what the insights benchmark reads, since
// their patterns and forecasts need real feature sets and adoption curves
// (Fill's reports all carry the same two features).
func FillFleet(ctx context.Context, st store.Store, n, installations int, log func(string)) error {
	now := time.Now()
	c := fleet.Config{Installations: installations, Days: fleet.MaxDays, Seed: 1, Structure: true, Now: now}
	items := make([]store.Item, 0, fillBatch)
	done, start := 0, time.Now()
	flush := func() error {
		if _, err := st.Ingest(ctx, items); err != nil {
			return err
		}
		done += len(items)
		items = items[:0]
		if done%100000 < fillBatch || done == n {
			log(fmt.Sprintf("filled %d fleet reports (%.0f/s)", done, float64(done)/time.Since(start).Seconds()))
		}
		return nil
	}
	for p := range fleet.Reports(c) {
		if done+len(items) == n {
			break
		}
		if p.Resend {
			continue
		}
		d, err := p.Decoded(now)
		if err != nil {
			return fmt.Errorf("bench: the simulator built an invalid report: %w", err)
		}
		items = append(items, store.Item{Key: d.Key(), Report: &d.Report, Time: d.Time, Received: now})
		if len(items) == fillBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(items) > 0 {
		return flush()
	}
	return nil
}

// fillBatch is how many reports one Ingest call stores.
const fillBatch = 5000
