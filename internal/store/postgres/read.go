package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

// Rollups returns the rollup rows q selects, pending deltas included, all
// read in one REPEATABLE READ snapshot so that a compaction running
// meanwhile is seen either wholly or not at all.
func (s *Store) Rollups(ctx context.Context, q store.RollupQuery) ([]*rollup.Row, error) {
	var out []*rollup.Row
	err := s.inTxOpts(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var base []*rollup.Row
		var err error
		if q.Bitmaps && s.bitmaps.enabled() {
			base, err = s.selectRollupsCached(ctx, tx, q)
		} else {
			base, err = selectRollups(ctx, tx, "rollups", q, q.Bitmaps)
		}
		if err != nil {
			return err
		}
		pending, err := pendingDeltas(ctx, tx, q)
		if err != nil {
			return err
		}
		out, err = store.MergePending(base, pending, q.Bitmaps, func(keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
			return readRollups(ctx, tx, keys)
		})
		return err
	})
	return out, err
}

// pendingDeltas returns the pending deltas that q selects.
func pendingDeltas(ctx context.Context, tx pgx.Tx, q store.RollupQuery) ([]*rollup.Row, error) {
	// query: read-delta-batches
	rows, err := tx.Query(ctx, `SELECT rows FROM rollup_delta_batches`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read delta batches: %w", err)
	}
	all, err := readDeltas(rows)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r *rollup.Row) bool { return !q.Selects(r.Key) }), nil
}

// selectRollups reads the rows of table that q selects, in key order.
func selectRollups(ctx context.Context, tx pgx.Tx, table string, q store.RollupQuery, bitmaps bool) ([]*rollup.Row, error) {
	cols := rollupColumns
	if bitmaps {
		cols += ", installs"
	}
	// query: read-rollups
	query, args := rollupsQuery(cols, table, q)
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read %s: %w", table, err)
	}
	var out []*rollup.Row
	err = scanRollups(rows, bitmaps, func(r *rollup.Row) { out = append(out, r) })
	return out, err
}

// readRollups returns the stored rows of keys, with bitmaps, unlocked.
func readRollups(ctx context.Context, tx pgx.Tx, keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
	days, dims, names := keyArrays(keys)
	// query: read-rollups-by-key
	rows, err := tx.Query(ctx, `SELECT `+rollupColumns+`, installs FROM rollups
		WHERE (day, dim, key) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))`, days, dims, names)
	if err != nil {
		return nil, fmt.Errorf("postgres: read rollups by key: %w", err)
	}
	out := make(map[rollup.Key]*rollup.Row, len(keys))
	err = scanRollups(rows, true, func(r *rollup.Row) { out[r.Key] = r })
	return out, err
}

// ExportInstallation returns everything stored about an installation.
func (s *Store) ExportInstallation(ctx context.Context, installationID string) (*store.Export, error) {
	return s.ExportReports(ctx, installationID, func(ctx context.Context, num uint32) ([]store.Raw, error) {
		return reportsOf(ctx, s.pool, num)
	})
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const rawColumns = `report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment`

// reportsOf returns the stored reports of one installation, oldest first.
func reportsOf(ctx context.Context, q querier, num uint32) ([]store.Raw, error) {
	// query: reports-of-installation
	rows, err := q.Query(ctx, `SELECT `+rawColumns+` FROM reports WHERE installation_num = $1
		ORDER BY ts, report_key`, num)
	if err != nil {
		return nil, fmt.Errorf("postgres: reports of installation: %w", err)
	}
	return scanList(rows, "reports of installation", func(row store.Scanner) (store.Raw, error) { return scanRaw(row) })
}

// scanRaw scans rawColumns, then any extra columns into extra.
func scanRaw(row store.Scanner, extra ...any) (store.Raw, error) {
	var r store.Raw
	var day int32
	var key, metrics, env []byte
	dest := append([]any{&key, &r.Num, &day, &r.Time, &r.Received, &r.Version, &r.SchemaVersion,
		&metrics, &env}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, fmt.Errorf("postgres: scan report: %w", err)
	}
	var err error
	if r.Key, err = pack.KeyString(key); err != nil {
		return r, fmt.Errorf("postgres: scan report: %w", err)
	}
	if r.Metrics, err = pack.Decode(nil, metrics); err != nil {
		return r, fmt.Errorf("postgres: metrics of report %s: %w", r.Key, err)
	}
	if r.Environment, err = pack.Decode(nil, env); err != nil {
		return r, fmt.Errorf("postgres: environment of report %s: %w", r.Key, err)
	}
	r.Day, r.Time, r.Received = rollup.Day(day), r.Time.UTC(), r.Received.UTC()
	return r, nil
}
