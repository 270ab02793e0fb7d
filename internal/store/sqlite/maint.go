package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Compact folds pending deltas into the rollup rows.
func (s *Store) Compact(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = store.CompactTx(ctx, txn{tx})
		return err
	})
	return n, err
}

// Recompute rebuilds the rollup rows of every day that has raw reports.
func (s *Store) Recompute(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Fold pending deltas first: those of days being rebuilt are
		// replaced with the rest, those of older days must be kept.
		if _, err := store.CompactTx(ctx, txn{tx}); err != nil {
			return err
		}
		var minDay sql.NullInt64
		// query: first-raw-day
		if err := tx.QueryRowContext(ctx, `SELECT min(day) FROM reports`).Scan(&minDay); err != nil {
			return fmt.Errorf("sqlite: recompute: %w", err)
		}
		if !minDay.Valid {
			return nil
		}
		// query: recompute-read
		rows, err := tx.QueryContext(ctx, `SELECT r.`+rawColumns+`, i.installation_id
			FROM reports r JOIN installations i ON i.num = r.installation_num ORDER BY r.rowid`)
		if err != nil {
			return fmt.Errorf("sqlite: recompute: %w", err)
		}
		defer rows.Close()
		return store.RecomputeTx(ctx, txn{tx}, rows, scanRaw, func() error {
			// query: recompute-clear
			if _, err := tx.ExecContext(ctx, `DELETE FROM rollups WHERE day >= ?`, minDay.Int64); err != nil {
				return fmt.Errorf("sqlite: recompute: clear: %w", err)
			}
			return nil
		})
	})
}

// Retain deletes raw reports and rollup rows older than the given days.
func (s *Store) Retain(ctx context.Context, rawBefore, rollupBefore rollup.Day) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		// query: retain-reports
		if n, err = execCount(ctx, tx, "retain reports", `DELETE FROM reports WHERE day < ?`, rawBefore); err != nil {
			return err
		}
		// query: retain-rollups
		for _, table := range []string{"rollups", "rollup_deltas"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE day < ?`, rollupBefore); err != nil {
				return fmt.Errorf("sqlite: retain %s: %w", table, err)
			}
		}
		return nil
	})
	return n, err
}

// DeleteInstallation deletes an installation and its reports, and takes
// the reports out of the rollups.
func (s *Store) DeleteInstallation(ctx context.Context, installationID string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var num uint32
		// query: installation-num
		err := tx.QueryRowContext(ctx, `SELECT num FROM installations WHERE installation_id = ?`, installationID).Scan(&num)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("sqlite: delete installation: %w", err)
		}
		// The reports' own deltas may be pending: fold them in before
		// taking the reports out.
		if _, err := store.CompactTx(ctx, txn{tx}); err != nil {
			return err
		}
		raws, err := reportsOf(ctx, tx, num)
		if err != nil {
			return err
		}
		deltas, err := store.Contributions(raws, installationID)
		if err != nil {
			return err
		}
		// query: delete-installation
		for _, q := range []string{`DELETE FROM reports WHERE installation_num = ?`, `DELETE FROM installations WHERE num = ?`} {
			if _, err := tx.ExecContext(ctx, q, num); err != nil {
				return fmt.Errorf("sqlite: delete installation: %w", err)
			}
		}
		n = int64(len(raws))
		return store.ApplyDeltas(ctx, txn{tx}, deltas, true)
	})
	return n, err
}
