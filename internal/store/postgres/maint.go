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
		if _, err := store.CompactTx(ctx, txn{tx}); err != nil {
			return err
		}
		var minDay *int32
		// query: first-raw-day
		if err := tx.QueryRow(ctx, `SELECT min(day) FROM reports`).Scan(&minDay); err != nil {
			return fmt.Errorf("postgres: recompute: %w", err)
		}
		if minDay == nil {
			return nil
		}
		// query: recompute-read
		rows, err := tx.Query(ctx, `SELECT r.`+rawColumns+`, i.installation_id
			FROM reports r JOIN installations i ON i.num = r.installation_num ORDER BY r.day`)
		if err != nil {
			return fmt.Errorf("postgres: recompute: %w", err)
		}
		defer rows.Close()
		return store.RecomputeTx(ctx, txn{tx}, rows, scanRaw, func() error {
			// query: recompute-clear
			if _, err := tx.Exec(ctx, `DELETE FROM rollups WHERE day >= $1`, *minDay); err != nil {
				return fmt.Errorf("postgres: recompute: clear: %w", err)
			}
			return nil
		})
	})
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
		// With the installation locked no batch adds to it any more; fold
		// its pending deltas in before taking its reports out.
		if err := lockRollups(ctx, tx); err != nil {
			return err
		}
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
		for _, q := range []string{`DELETE FROM reports WHERE installation_num = $1`, `DELETE FROM installations WHERE num = $1`} {
			if _, err := tx.Exec(ctx, q, num); err != nil {
				return fmt.Errorf("postgres: delete installation: %w", err)
			}
		}
		n = int64(len(raws))
		return store.ApplyDeltas(ctx, txn{tx}, deltas, true)
	})
	return n, err
}
