package main

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

// storage measures the bytes a stored report takes in PostgreSQL, with
// its indexes: a fresh database filled with --storage-reports reports of
// a realistic simulated fleet (internal/fleet), straight through the
// store's Ingest as the service stores them.
func (b *benchRun) storage(ctx context.Context) error {
	st, dsn, drop, err := b.freshStore(ctx)
	if err != nil {
		return err
	}
	defer drop()
	err = bench.PreparePartitions(ctx, st, time.Now(), fleet.MaxDays)
	if err == nil {
		err = bench.FillFleet(ctx, st, b.storageN, b.storageN/storageReportsPerInstallation, func(s string) { b.logf("%s", s) })
	}
	st.Close()
	if err != nil {
		return err
	}
	bytes, rows, err := bench.ReportBytes(ctx, dsn, "reports")
	if err != nil {
		return err
	}
	old, err := bench.OldLayoutBytes(ctx, dsn)
	if err != nil {
		return err
	}
	b.add(fmt.Sprintf("storage, %d reports of a simulated fleet", rows),
		fmt.Sprintf("%d bytes per report with its indexes (%.1f MB in reports); baseline, the same reports in the layout before migration 015: %d bytes (ratio %.2f)",
			bytes/max(rows, 1), float64(bytes)/1e6, old/max(rows, 1), float64(bytes)/float64(max(old, 1))))
	return nil
}

// storageReportsPerInstallation sizes the storage case's fleet: about as
// many reports per installation as the 90 days of a daily reporter hold
// when not every installation reports every day.
const storageReportsPerInstallation = 50
