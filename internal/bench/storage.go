package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

// ReportBytes returns the bytes PostgreSQL uses for the table (reports or
// error_reports) of the database at dsn, with its indexes, TOAST and every
// partition, and how many rows it holds: the storage per report of
// docs/deploy.md's capacity model is their ratio.
func ReportBytes(ctx context.Context, dsn, table string) (bytes, rows int64, err error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: connect: %w", err)
	}
	defer conn.Close(ctx)
	// query: report-bytes (a partitioned table owns no storage: its
	// partitions do, so their sizes are added up)
	err = conn.QueryRow(ctx, `SELECT
			(SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint FROM pg_partition_tree($1::regclass)),
			(SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+`)`, table).Scan(&bytes, &rows)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: size of %s: %w", table, err)
	}
	return bytes, rows, nil
}

// Vacuum vacuums and analyses the whole database at dsn, as autovacuum
// keeps a live one. Benchmark servers may run without autovacuum (this
// project's does), and then the tables the service deletes from fill with
// dead rows that every read scans: after a 30-second ingest run the empty
// rollup_delta_batches held 26,737 dead rows in 88 MB, which each of the
// three rollup reads of a stats request scanned (13 ms apiece), and
// rollups 14,653. docs/deploy.md requires autovacuum on.
func Vacuum(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("bench: connect: %w", err)
	}
	defer conn.Close(ctx)
	// query: bench-vacuum
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	return nil
}

// OldLayoutBytes copies the reports of the database at dsn into a table
// of the layout before migration 015 (one table, the text key as primary
// key, installation and day indexes, JSONB documents as before migration
// 016 and text keys as before 017: unpacked here), measures it like ReportBytes and drops it: the
// baseline of the storage figures, on the same reports.
func OldLayoutBytes(ctx context.Context, dsn string) (int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("bench: connect: %w", err)
	}
	defer conn.Close(ctx)
	read, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("bench: connect: %w", err)
	}
	defer read.Close(ctx)
	// query: bench-old-layout (001_init.sql's reports)
	if _, err := conn.Exec(ctx, `CREATE TABLE reports_old_layout (
			report_key TEXT COLLATE "C" PRIMARY KEY, installation_num INTEGER NOT NULL, day INTEGER NOT NULL,
			ts TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, version TEXT NOT NULL,
			schema_version INTEGER NOT NULL, metrics JSONB NOT NULL, environment JSONB NOT NULL);
		CREATE INDEX reports_old_layout_installation ON reports_old_layout (installation_num);
		CREATE INDEX reports_old_layout_day ON reports_old_layout (day)`); err != nil {
		return 0, fmt.Errorf("bench: old layout: %w", err)
	}
	// The old key was unique across installations; the fleet's keys are.
	// query: bench-old-layout-rows
	rows, err := read.Query(ctx, `SELECT report_key, installation_num, day, ts, received_at, version,
			schema_version, metrics, environment FROM reports ORDER BY received_at`)
	if err != nil {
		return 0, fmt.Errorf("bench: old layout: %w", err)
	}
	defer rows.Close()
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"reports_old_layout"}, []string{"report_key", "installation_num",
		"day", "ts", "received_at", "version", "schema_version", "metrics", "environment"}, &unpacked{rows: rows})
	if err != nil {
		return 0, fmt.Errorf("bench: old layout: %w", err)
	}
	var bytes int64
	err = conn.QueryRow(ctx, `SELECT pg_total_relation_size('reports_old_layout')`).Scan(&bytes)
	if _, derr := conn.Exec(ctx, `DROP TABLE reports_old_layout`); err == nil && derr != nil {
		err = derr
	}
	if err != nil {
		return 0, fmt.Errorf("bench: old layout: %w", err)
	}
	return bytes, nil
}

// unpacked is a pgx.CopyFromSource of stored reports with their packed
// keys and documents (package pack) turned back into text and JSON.
type unpacked struct {
	rows pgx.Rows
	err  error
}

func (u *unpacked) Next() bool { return u.err == nil && u.rows.Next() }

func (u *unpacked) Values() ([]any, error) {
	vals, err := u.rows.Values()
	if err != nil {
		return nil, err
	}
	key, err := pack.KeyString(vals[0].([]byte))
	if err != nil {
		u.err = err
		return nil, err
	}
	vals[0] = key
	for _, i := range []int{7, 8} {
		doc, err := pack.Decode(nil, vals[i].([]byte))
		if err != nil {
			u.err = err
			return nil, err
		}
		vals[i] = json.RawMessage(doc)
	}
	return vals, nil
}

func (u *unpacked) Err() error {
	if u.err != nil {
		return u.err
	}
	return u.rows.Err()
}

// MultiplyReports copies the fleet of the database at dsn, in SQL, until
// it holds n reports (or more): copy k of an installation is a new
// installation, named after it with "~k", and sends copies of its reports
// (same days, timestamps and fields). It is how the large benchmark
// databases are made in minutes instead of hours of ingest; rollups are
// not touched (run Recompute after it).
func MultiplyReports(ctx context.Context, dsn string, n int64, log func(string)) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("bench: connect: %w", err)
	}
	defer conn.Close(ctx)
	// query: bench-seed-reports (the copies are made from the seed only)
	tag, err := conn.Exec(ctx, `CREATE TEMP TABLE seed AS SELECT * FROM reports`)
	if err != nil {
		return fmt.Errorf("bench: keep seed reports: %w", err)
	}
	seed := tag.RowsAffected()
	if seed == 0 {
		return fmt.Errorf("bench: no reports to multiply")
	}
	// query: bench-seed-installations
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE seed_installations AS SELECT num, installation_id, created_at
			FROM installations WHERE num IN (SELECT installation_num FROM seed);
		CREATE TEMP TABLE copy_nums (seed_num INTEGER PRIMARY KEY, num INTEGER NOT NULL);
		ANALYZE seed, seed_installations`); err != nil {
		return fmt.Errorf("bench: keep seed installations: %w", err)
	}
	start := time.Now()
	for k, have := 1, seed; have < n; k++ {
		// query: bench-copy-installations
		if _, err := conn.Exec(ctx, `TRUNCATE copy_nums;
			WITH copies AS (
				INSERT INTO installations (installation_id, created_at)
				SELECT installation_id || '~' || `+fmt.Sprint(k)+`, created_at FROM seed_installations
				RETURNING num, installation_id
			)
			INSERT INTO copy_nums SELECT i.num, c.num FROM copies c
			JOIN seed_installations i ON c.installation_id = i.installation_id || '~' || `+fmt.Sprint(k)+`;
			ANALYZE copy_nums`); err != nil {
			return fmt.Errorf("bench: copy %d of the installations: %w", k, err)
		}
		// query: bench-copy-reports
		tag, err := conn.Exec(ctx, `INSERT INTO reports (installation_num, day, ts, received_at, schema_version,
				report_key, version, metrics, environment)
			SELECT m.num, r.day, r.ts, r.received_at, r.schema_version, r.report_key, r.version, r.metrics, r.environment
			FROM seed r JOIN copy_nums m ON m.seed_num = r.installation_num
			LIMIT $1`, n-have)
		if err != nil {
			return fmt.Errorf("bench: copy %d of the reports: %w", k, err)
		}
		have += tag.RowsAffected()
		log(fmt.Sprintf("multiplied to %d reports (%.0f/s)", have, float64(have-seed)/time.Since(start).Seconds()))
	}
	// A live database's autovacuum keeps the visibility map and the
	// statistics current; the bulk copy has to ask.
	// query: bench-vacuum-reports
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE reports, installations`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	return nil
}

// DropLoadReports deletes the reports that the load generators sent (their
// installations are named "bench-…", by Body and by wrk/report.lua), so
// that MultiplyReports copies the simulated fleet only: a baseline ingest
// run leaves hundreds of thousands of reports of 10,000 installations on
// one day, whose copies would make most of a scaled database one day of
// the load generator's traffic. The installations stay (erasing them would
// tombstone the ids the next ingest run sends); the rollups are rebuilt by
// the Recompute that follows the copies.
func DropLoadReports(ctx context.Context, dsn string) (int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("bench: connect: %w", err)
	}
	defer conn.Close(ctx)
	// query: bench-drop-load-reports
	tag, err := conn.Exec(ctx, `DELETE FROM reports WHERE installation_num IN
		(SELECT num FROM installations WHERE installation_id LIKE 'bench-%')`)
	if err != nil {
		return 0, fmt.Errorf("bench: drop the load generator's reports: %w", err)
	}
	return tag.RowsAffected(), nil
}

// partitioner is a store that partitions reports by day (PostgreSQL).
type partitioner interface {
	PreparePartitions(ctx context.Context, from, to rollup.Day) error
}

// PreparePartitions makes the day partitions of the last days days, as a
// service running through them would have, when st has partitions.
func PreparePartitions(ctx context.Context, st store.Store, now time.Time, days int) error {
	p, ok := st.(partitioner)
	if !ok {
		return nil
	}
	today := rollup.DayOf(now)
	return p.PreparePartitions(ctx, today-rollup.Day(days), today)
}
