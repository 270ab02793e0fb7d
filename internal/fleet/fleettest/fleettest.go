// Package fleettest stores a simulated fleet's reports straight into a
// store, as the server's handler stores them, for tests that need the
// rows without sending thousands of requests over HTTP. It is for tests
// only.
package fleettest

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// batch is how many reports one Ingest stores.
const batch = 1000

// Store ingests the reports into st as received at now: each from the
// JSON the fleet would send, decoded and keyed as the handler does, in
// batches. It returns the first error, naming the report it concerns.
func Store(ctx context.Context, st store.Store, reports []fleet.Planned, now time.Time) error {
	items := make([]store.Item, 0, len(reports))
	for _, pl := range reports {
		d, err := pl.Decoded(now)
		if err != nil {
			return fmt.Errorf("fleettest: %w", err)
		}
		it := store.Item{Key: d.Key(), Report: &d.Report, Time: d.Time, Received: now}
		it.Prepare()
		items = append(items, it)
	}
	for len(items) > 0 {
		n := min(len(items), batch)
		if _, err := st.Ingest(ctx, items[:n]); err != nil {
			return fmt.Errorf("fleettest: ingest: %w", err)
		}
		items = items[n:]
	}
	return nil
}
