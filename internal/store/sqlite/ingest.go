package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Ingest stores a batch of reports and their rollup deltas in one
// transaction.
func (s *Store) Ingest(ctx context.Context, items []store.Item) ([]bool, error) {
	var inserted []bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		inserted, err = store.IngestTx(ctx, txn{tx}, items, s.now())
		return err
	})
	return inserted, err
}

// inTxn is inTx on the transaction's txn, for store.Writes.
func (s *Store) inTxn(ctx context.Context, fn func(store.WriteTx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(txn{tx}) })
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// txn implements store.Tx on one SQLite transaction.
type txn struct{ tx *sql.Tx }

func (t txn) InstallationNums(ctx context.Context, ids []string, now time.Time) (map[string]uint32, error) {
	nums := make(map[string]uint32, len(ids))
	for _, id := range ids {
		var num uint32
		// query: installation-num
		err := t.tx.QueryRowContext(ctx, `SELECT num FROM installations WHERE installation_id = ?`, id).Scan(&num)
		if errors.Is(err, sql.ErrNoRows) {
			// query: create-fleet-installation
			err = t.tx.QueryRowContext(ctx, `INSERT INTO installations (installation_id, created_at) VALUES (?, ?)
				RETURNING num`, id, formatTime(now)).Scan(&num)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: installation number: %w", err)
		}
		nums[id] = num
	}
	return nums, nil
}

func (t txn) InsertReports(ctx context.Context, rows []store.Raw, now time.Time) ([]bool, error) {
	var ids []string
	seen := make(map[string]bool)
	for _, r := range rows {
		if !seen[r.InstallationID] {
			seen[r.InstallationID] = true
			ids = append(ids, r.InstallationID)
		}
	}
	nums, err := t.InstallationNums(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	// query: insert-report
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO reports (report_key, installation_num, day, ts, received_at,
		version, schema_version, metrics, environment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (installation_num, report_key, day) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare insert report: %w", err)
	}
	defer stmt.Close()
	inserted := make([]bool, len(rows))
	for i := range rows {
		r := &rows[i]
		r.Num = nums[r.InstallationID]
		res, err := stmt.ExecContext(ctx, r.Key, r.Num, r.Day, formatTime(r.Time), formatTime(r.Received),
			r.Version, r.SchemaVersion, string(r.Metrics), string(r.Environment))
		if err != nil {
			return nil, fmt.Errorf("sqlite: insert report: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("sqlite: insert report: %w", err)
		}
		inserted[i] = n == 1
	}
	return inserted, nil
}

// rollupColumns are the columns of a rollup row but its bitmap: the
// rollup's counters as package rollup lists them.
var rollupColumns = "day, dim, key, " + strings.Join(rollup.CounterColumns(), ", ") + ", installs_n"

// LoadRollups returns the stored rows of keys (SQLite's write lock is held
// for the whole transaction, so they are locked already).
func (t txn) LoadRollups(ctx context.Context, keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
	return loadRollups(ctx, t.tx, keys)
}

func loadRollups(ctx context.Context, tx *sql.Tx, keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
	// query: load-rollup
	stmt, err := tx.PrepareContext(ctx, `SELECT `+rollupColumns+`, installs FROM rollups WHERE day = ? AND dim = ? AND key = ?`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare load rollup: %w", err)
	}
	defer stmt.Close()
	rows := make(map[rollup.Key]*rollup.Row, len(keys))
	for _, k := range keys {
		r, err := scanRollup(stmt.QueryRowContext(ctx, k.Day, k.Dim, k.Key), true)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows[k] = r
	}
	return rows, nil
}

// SaveCounters writes stored rows whose bitmaps did not change; SQLite
// rewrites them whole (a local write, without the WAL traffic that made
// PostgreSQL keep the bitmap).
func (t txn) SaveCounters(ctx context.Context, rows []*rollup.Row) error {
	return t.SaveRollups(ctx, rows)
}

// SaveRollups writes rows, replacing stored ones.
func (t txn) SaveRollups(ctx context.Context, rows []*rollup.Row) error {
	// query: save-rollup
	return t.writeRollups(ctx, `INSERT OR REPLACE INTO rollups`, rows)
}

// InsertDeltas appends pending deltas.
func (t txn) InsertDeltas(ctx context.Context, rows []*rollup.Row) error {
	// query: insert-deltas
	return t.writeRollups(ctx, `INSERT INTO rollup_deltas`, rows)
}

// TakeDeltas deletes and returns the pending deltas.
func (t txn) TakeDeltas(ctx context.Context) ([]*rollup.Row, error) {
	// query: take-deltas
	rows, err := t.tx.QueryContext(ctx, `DELETE FROM rollup_deltas RETURNING `+rollupColumns+`, installs`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: take deltas: %w", err)
	}
	return scanRollupRows(rows, true)
}

func (t txn) writeRollups(ctx context.Context, insert string, rows []*rollup.Row) error {
	stmt, err := t.tx.PrepareContext(ctx, insert+` (`+rollupColumns+`, installs)
		VALUES (?`+strings.Repeat(", ?", rollup.NumCounters+4)+`)`) // day, dim, key, the counters, installs_n, installs
	if err != nil {
		return fmt.Errorf("sqlite: prepare %s: %w", insert, err)
	}
	defer stmt.Close()
	for _, r := range rows {
		r.Installs.RunOptimize()
		b, err := r.Installs.ToBytes()
		if err != nil {
			return fmt.Errorf("sqlite: encode bitmap: %w", err)
		}
		args := []any{r.Day, r.Dim, r.Key.Key}
		for _, p := range r.Counters.Fields() {
			args = append(args, *p)
		}
		args = append(args, int64(r.Installs.GetCardinality()), b)
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("sqlite: %s: %w", insert, err)
		}
	}
	return nil
}

// scanRollupRows scans every row and closes rows.
func scanRollupRows(rows *sql.Rows, bitmap bool) ([]*rollup.Row, error) {
	return scanList(rows, "read rollups", func(row store.Scanner) (*rollup.Row, error) { return scanRollup(row, bitmap) })
}

func scanRollup(row store.Scanner, bitmap bool) (*rollup.Row, error) {
	r := &rollup.Row{}
	dest := []any{&r.Day, &r.Dim, &r.Key.Key}
	for _, p := range r.Counters.Fields() {
		dest = append(dest, p)
	}
	dest = append(dest, &r.InstallsN)
	var b []byte
	if bitmap {
		dest = append(dest, &b)
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("sqlite: scan rollup: %w", err)
	}
	if bitmap {
		r.Installs = roaring.New()
		if err := r.Installs.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("sqlite: decode bitmap of %v: %w", r.Key, err)
		}
	}
	return r, nil
}
