package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Rollups returns the rollup rows q selects, pending deltas included, all
// read in one snapshot.
func (s *Store) Rollups(ctx context.Context, q store.RollupQuery) ([]*rollup.Row, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: read rollups: %w", err)
	}
	defer tx.Rollback()
	base, err := selectRollups(ctx, tx, "rollups", q, q.Bitmaps)
	if err != nil {
		return nil, err
	}
	pending, err := selectRollups(ctx, tx, "rollup_deltas", q, true)
	if err != nil {
		return nil, err
	}
	return store.MergePending(base, pending, q.Bitmaps, func(keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
		return loadRollups(ctx, tx, keys)
	})
}

// selectRollups reads the rows of table (rollups or rollup_deltas) that q
// selects.
func selectRollups(ctx context.Context, q querier, table string, rq store.RollupQuery, bitmaps bool) ([]*rollup.Row, error) {
	cols := rollupColumns
	if bitmaps {
		cols += ", installs"
	}
	// query: read-rollups / read-deltas
	sqlText := `SELECT ` + cols + ` FROM ` + table + ` WHERE day BETWEEN ? AND ?`
	args := []any{rq.From, rq.To}
	if len(rq.Dims) > 0 {
		sqlText += ` AND dim IN (?` + strings.Repeat(", ?", len(rq.Dims)-1) + `)`
		for _, d := range rq.Dims {
			args = append(args, d)
		}
	}
	rows, err := q.QueryContext(ctx, sqlText+` ORDER BY day, dim, key`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read %s: %w", table, err)
	}
	return scanRollupRows(rows, bitmaps)
}

// ExportInstallation returns everything stored about an installation.
func (s *Store) ExportInstallation(ctx context.Context, installationID string) (*store.Export, error) {
	return s.ExportReports(ctx, installationID, func(ctx context.Context, num uint32) ([]store.Raw, error) {
		return reportsOf(ctx, s.db, num)
	})
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const rawColumns = `report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment`

// reportsOf returns the stored reports of one installation, oldest first.
func reportsOf(ctx context.Context, q querier, num uint32) ([]store.Raw, error) {
	// query: reports-of-installation
	rows, err := q.QueryContext(ctx, `SELECT `+rawColumns+` FROM reports WHERE installation_num = ? ORDER BY ts, report_key`, num)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reports of installation: %w", err)
	}
	return scanList(rows, "reports of installation", func(row store.Scanner) (store.Raw, error) { return scanRaw(row) })
}

// scanRaw scans rawColumns, then any extra columns into extra.
func scanRaw(row store.Scanner, extra ...any) (store.Raw, error) {
	var r store.Raw
	var ts, received, metrics, env string
	dest := append([]any{&r.Key, &r.Num, &r.Day, &ts, &received, &r.Version, &r.SchemaVersion, &metrics, &env}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, fmt.Errorf("sqlite: scan report: %w", err)
	}
	var err1, err2 error
	r.Time, err1 = parseTime(ts)
	r.Received, err2 = parseTime(received)
	if err := errors.Join(err1, err2); err != nil {
		return r, fmt.Errorf("sqlite: report %s times: %w", r.Key, err)
	}
	r.Metrics, r.Environment = []byte(metrics), []byte(env)
	return r, nil
}
