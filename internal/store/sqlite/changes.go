package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Watch timing: the changes table is read every pollEvery (so a change
// made by another process, such as `keys revoke`, is seen within a
// second), and rows older than keepChanges are deleted every pruneEvery.
const (
	pollEvery   = 250 * time.Millisecond
	pruneEvery  = time.Minute
	keepChanges = 10 * time.Minute
)

// WatchChanges polls the changes table that migration 020's triggers
// fill, until ctx ends.
func (s *Store) WatchChanges(ctx context.Context, fn func(store.Change)) error {
	poll, prune := time.NewTicker(pollEvery), time.NewTicker(pruneEvery)
	defer poll.Stop()
	defer prune.Stop()
	last, watching := int64(-1), false
	for {
		var err error
		if !watching {
			// query: last-change
			err = s.rdb.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&last)
			if err == nil {
				watching = true
				fn(store.Change{Kind: store.ChangeResync})
			}
		} else {
			last, err = s.changesSince(ctx, last, fn)
		}
		if err != nil && ctx.Err() == nil && watching {
			watching = false
			fn(store.Change{Kind: store.ChangeBlind, Err: err})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-prune.C:
			// query: prune-changes
			s.db.ExecContext(ctx, `DELETE FROM changes WHERE at < ?`, time.Now().Add(-keepChanges).Unix()) //nolint:errcheck // pruning again in a minute
		case <-poll.C:
		}
	}
}

// changesSince calls fn with the changes after seq and returns the last
// one's seq.
func (s *Store) changesSince(ctx context.Context, seq int64, fn func(store.Change)) (int64, error) {
	// query: changes-since
	rows, err := s.rdb.QueryContext(ctx, `SELECT seq, kind, id FROM changes WHERE seq > ? ORDER BY seq`, seq)
	if err != nil {
		return seq, fmt.Errorf("sqlite: watch changes: %w", err)
	}
	defer rows.Close()
	var found []store.Change
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&seq, &kind, &id); err != nil {
			return seq, fmt.Errorf("sqlite: watch changes: %w", err)
		}
		if c, ok := store.ParseChange(kind + " " + id); ok {
			found = append(found, c)
		}
	}
	if err := rows.Err(); err != nil {
		return seq, fmt.Errorf("sqlite: watch changes: %w", err)
	}
	rows.Close() // before fn, which may read the store
	for _, c := range found {
		fn(c)
	}
	return seq, nil
}
