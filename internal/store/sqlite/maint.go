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
	return s.inTx(ctx, func(tx *sql.Tx) error { return store.RecomputeTx(ctx, txn{tx}) })
}

// EachReport reads every stored report, as stored, and its
// installation's id.
func (t txn) EachReport(ctx context.Context, fn func(store.Raw, string) error) error {
	// query: recompute-read
	rows, err := t.tx.QueryContext(ctx, `SELECT r.`+rawColumns+`, i.installation_id
		FROM reports r JOIN installations i ON i.num = r.installation_num ORDER BY r.rowid`)
	if err != nil {
		return fmt.Errorf("sqlite: recompute: %w", err)
	}
	defer rows.Close()
	return store.EachRaw(rows, "sqlite: recompute", scanRaw, fn)
}

// ClearRecomputed deletes the rollup rows that Recompute rebuilds.
func (t txn) ClearRecomputed(ctx context.Context) error {
	// query: recompute-clear
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM rollups WHERE day >= (SELECT min(day) FROM reports)`); err != nil {
		return fmt.Errorf("sqlite: recompute: clear: %w", err)
	}
	return nil
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
		n, err = store.DeleteInstallationTx(ctx, txn{tx}, num, installationID)
		return err
	})
	return n, err
}

// ReportsOf returns the stored reports of installation num, oldest first.
func (t txn) ReportsOf(ctx context.Context, num uint32) ([]store.Raw, error) {
	return reportsOf(ctx, t.tx, num)
}

// DeleteInstallationRows deletes installation num and its reports.
func (t txn) DeleteInstallationRows(ctx context.Context, num uint32) error {
	// query: delete-installation
	for _, q := range []string{`DELETE FROM reports WHERE installation_num = ?`, `DELETE FROM installations WHERE num = ?`} {
		if _, err := t.tx.ExecContext(ctx, q, num); err != nil {
			return fmt.Errorf("sqlite: delete installation: %w", err)
		}
	}
	return nil
}
