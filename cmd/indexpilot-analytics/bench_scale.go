package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// scaleSeed is how many reports of a simulated fleet the scale case
// ingests through the store before copying them up to --scale-reports: its
// baseline, measured in the same run on the same database.
const scaleSeed = 100_000

// scaleInstallations is the seed's fleet: its scaleSeed reports cover the
// 90 days, and its copies make as many more installations, each about
// one report a day.
const scaleInstallations = 1_500

// scale measures, on one database, the dashboard's p95, ingest and
// storage at scaleSeed reports and again at --scale-reports, and the
// retention of the oldest day's partition against deleting a day's rows.
//
// With --scale-database the case keeps its database: a database of that
// name already there is measured as it is (no seed round, no build, no
// ingest, no retention), so the 10-million figures can be taken again in seconds; a
// new one is built and kept, without the retention step that would drop
// two of its days.
func (b *benchRun) scale(ctx context.Context) error {
	st, dsn, drop, existed, err := b.scaleStore(ctx)
	if err != nil {
		return err
	}
	defer drop()
	defer st.Close()
	if existed {
		b.logf("measuring the kept database %s as it is (no ingest)", b.scaleDB)
		return b.scaleRound(ctx, dsn, false)
	}
	now := time.Now()
	seed := min(b.scaleN, scaleSeed)
	if err := bench.PreparePartitions(ctx, st, now, fleet.MaxDays); err != nil {
		return err
	}
	if err := bench.FillFleet(ctx, st, seed, scaleInstallations, func(s string) { b.logf("%s", s) }); err != nil {
		return err
	}
	if _, err := st.Compact(ctx); err != nil {
		return err
	}
	if err := b.scaleRound(ctx, dsn, true); err != nil {
		return err
	}
	dropped, err := bench.DropLoadReports(ctx, dsn)
	if err != nil {
		return err
	}
	b.logf("dropped the baseline ingest's %d reports: the copies are of the fleet only", dropped)
	t0 := time.Now()
	if err := bench.MultiplyReports(ctx, dsn, int64(b.scaleN), func(s string) { b.logf("%s", s) }); err != nil {
		return err
	}
	fill := time.Since(t0)
	t0 = time.Now()
	if err := st.Recompute(ctx); err != nil {
		return err
	}
	b.add(fmt.Sprintf("scale: made %d reports", b.scaleN), fmt.Sprintf("copies in SQL %s; Recompute of the rollups %s",
		fill.Round(time.Second), time.Since(t0).Round(time.Second)))
	if err := b.scaleRound(ctx, dsn, true); err != nil {
		return err
	}
	if b.scaleDB != "" {
		b.logf("kept database %s: retention not measured", b.scaleDB)
		return nil
	}
	return b.scaleRetention(ctx, dsn, st.Retain)
}

// scaleStore opens the scale case's database: a fresh one dropped at the
// end, or the --scale-database one, kept (existed: it was already there).
func (b *benchRun) scaleStore(ctx context.Context) (st store.Store, dsn string, drop func(), existed bool, err error) {
	if b.scaleDB == "" {
		st, dsn, drop, err = b.freshStore(ctx)
		return st, dsn, drop, false, err
	}
	if dsn, existed, err = bench.NamedDatabase(ctx, b.admin, b.scaleDB); err != nil {
		return nil, "", nil, false, err
	}
	if st, err = database.Open(ctx, dsn); err != nil {
		return nil, "", nil, false, fmt.Errorf("bench: open %s: %w", b.scaleDB, err)
	}
	return st, dsn, func() {}, existed, nil
}

// scaleRound adds the scale case's figures at the database's current size,
// and with ingest the closed-loop ingest's (which adds reports).
// The database is vacuumed first, as autovacuum would have left it.
func (b *benchRun) scaleRound(ctx context.Context, dsn string, ingest bool) error {
	t0 := time.Now()
	if err := bench.Vacuum(ctx, dsn); err != nil {
		return err
	}
	b.logf("vacuumed in %s", time.Since(t0).Round(time.Second))
	bytes, rows, err := bench.ReportBytes(ctx, dsn, "reports")
	if err != nil {
		return err
	}
	b.add(fmt.Sprintf("scale: storage at %d reports", rows), fmt.Sprintf("%d bytes per report with its indexes (%.0f MB)",
		bytes/max(rows, 1), float64(bytes)/1e6))
	// The service as configured, and, as the baseline, without its bitmap
	// cache (every request reads every bitmap from PostgreSQL).
	for _, c := range []struct{ label, cacheMB string }{{"no bitmap cache", "0"}, {"bitmap cache", "512"}} {
		err = b.adminService(dsn, func(ch *child, token string) error {
			for _, path := range []string{"/api/v1/dashboard/stats", "/api/v1/dashboard/trends?days=30", "/api/v1/dashboard/trends?days=90",
				"/api/v1/dashboard/overview?days=30", "/api/v1/dashboard/overview?days=90"} {
				label := fmt.Sprintf("scale: GET %s, %d stored reports, %s", path, rows, c.label)
				if err := b.timePath(ctx, ch, label, token, func(int) string { return path }); err != nil {
					return err
				}
			}
			return nil
		}, "--bitmap-cache-mb", c.cacheMB)
		if err != nil {
			return err
		}
	}
	if !ingest {
		return nil
	}
	return b.closedLoop(ctx, fmt.Sprintf("scale: ingest into PostgreSQL holding %d reports", rows), dsn)
}

// scaleRetention times Retain dropping one day's partition, a day in the
// middle of the stored ones (the days before it are dropped first,
// untimed), and, as the baseline, deleting the next day's rows as
// retention did before partitions (migration 015).
func (b *benchRun) scaleRetention(ctx context.Context, dsn string, retain func(context.Context, rollup.Day, rollup.Day) (int64, error)) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// query: bench-stored-days
	rows, err := conn.Query(ctx, `SELECT DISTINCT day FROM reports ORDER BY day`)
	if err != nil {
		return err
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return err
	}
	if len(days) < 3 {
		return fmt.Errorf("bench: %d days of reports, want 3 or more", len(days))
	}
	day := rollup.Day(days[len(days)/2])
	if _, err := retain(ctx, day, 0); err != nil {
		return err
	}
	t0 := time.Now()
	n, err := retain(ctx, day+1, 0)
	if err != nil {
		return err
	}
	dropped := time.Since(t0)
	t0 = time.Now()
	// query: bench-delete-day (the retention before partitions)
	tag, err := conn.Exec(ctx, `DELETE FROM reports WHERE day = $1`, int32(day)+1)
	if err != nil {
		return err
	}
	b.add("scale: retention of one day", fmt.Sprintf("dropping its partition (Retain, %d reports) %s; baseline: deleting the next day's %d rows %s",
		n, dropped.Round(time.Millisecond), tag.RowsAffected(), time.Since(t0).Round(time.Millisecond)))
	return nil
}
