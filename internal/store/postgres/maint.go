package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// lockRollups takes the advisory lock that serialises writers of rollup
// rows, for the rest of tx.
func lockRollups(ctx context.Context, tx pgx.Tx) error {
	// query: lock-rollups
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, rollupLock); err != nil {
		return fmt.Errorf("postgres: lock rollups: %w", err)
	}
	return nil
}

// Compact folds pending deltas into the rollup rows.
func (s *Store) Compact(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockRollups(ctx, tx); err != nil {
			return err
		}
		var err error
		n, err = store.CompactTx(ctx, txn{tx})
		return err
	})
	return n, err
}

// Recompute rebuilds the rollup rows of every day that has raw reports.
//
// It runs in one REPEATABLE READ snapshot: the deltas it folds and the
// reports it reads are the same set, so a batch committed before the
// snapshot is counted through its report, and a batch committed after it
// keeps its pending delta, which a later compaction adds to the rebuilt
// rows. Either way once.
func (s *Store) Recompute(ctx context.Context) error {
	return s.inTxOpts(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		if err := lockRollups(ctx, tx); err != nil {
			return err
		}
		return store.RecomputeTx(ctx, txn{tx})
	})
}

// EachReport reads every stored report, by day, and its installation's id.
func (t txn) EachReport(ctx context.Context, fn func(store.Raw, string) error) error {
	// query: recompute-read
	rows, err := t.tx.Query(ctx, `SELECT r.`+rawColumns+`, i.installation_id
		FROM reports r JOIN installations i ON i.num = r.installation_num ORDER BY r.day`)
	if err != nil {
		return fmt.Errorf("postgres: recompute: %w", err)
	}
	defer rows.Close()
	return store.EachRaw(rows, "postgres: recompute", scanRaw, fn)
}

// ClearRecomputed deletes the rollup rows that Recompute rebuilds.
func (t txn) ClearRecomputed(ctx context.Context) error {
	// query: recompute-clear
	if _, err := t.tx.Exec(ctx, `DELETE FROM rollups WHERE day >= (SELECT min(day) FROM reports)`); err != nil {
		return fmt.Errorf("postgres: recompute: clear: %w", err)
	}
	return nil
}

// Retain deletes raw reports and rollup rows older than the given days:
// the reports' partitions of those days are dropped whole (partitions.go).
// Pending deltas are folded in first: a batch's deltas are stored together
// whatever their days, so only rollup rows can be deleted by day. Retain
// is the service's hourly maintenance, so it also makes the coming days'
// partitions.
func (s *Store) Retain(ctx context.Context, rawBefore, rollupBefore rollup.Day) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockRollups(ctx, tx); err != nil {
			return err
		}
		if _, err := store.CompactTx(ctx, txn{tx}); err != nil {
			return err
		}
		var err error
		if n, err = dropPartitions(ctx, tx, "reports", rawBefore); err != nil {
			return err
		}
		// query: retain-rollups
		if _, err := tx.Exec(ctx, `DELETE FROM rollups WHERE day < $1`, int32(rollupBefore)); err != nil {
			return fmt.Errorf("postgres: retain rollups: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, s.keepPartitions(ctx)
}

// DeleteInstallation deletes an installation and its reports, and takes
// the reports out of the rollups.
//
// Report batches are kept out first (deleteLock) and the installation
// row is locked (error reports hold it, see InstallationNums): batches in
// flight commit before the reports are read, and batches that come later
// find the installation gone and create it afresh.
func (s *Store) DeleteInstallation(ctx context.Context, installationID string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// query: lock-out-batches
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, deleteLock); err != nil {
			return fmt.Errorf("postgres: delete installation: %w", err)
		}
		var num uint32
		// query: lock-installation
		err := tx.QueryRow(ctx, `SELECT num FROM installations WHERE installation_id = $1 FOR UPDATE`,
			installationID).Scan(&num)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("postgres: delete installation: %w", err)
		}
		// With the installation locked no batch adds to it any more.
		if err := lockRollups(ctx, tx); err != nil {
			return err
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
	for _, q := range []string{`DELETE FROM reports WHERE installation_num = $1`, `DELETE FROM installations WHERE num = $1`} {
		if _, err := t.tx.Exec(ctx, q, num); err != nil {
			return fmt.Errorf("postgres: delete installation: %w", err)
		}
	}
	return nil
}
