package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// ClaimSend reserves a key of the sent ledger (see store.Ledger).
func (s *Store) ClaimSend(ctx context.Context, c store.SendClaim) (bool, error) {
	// query: claim-send
	rows, err := s.db.QueryContext(ctx, `INSERT INTO sent_ledger (key, kind, claimed_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET claimed_at = excluded.claimed_at
		WHERE (sent_ledger.last_sent IS NULL OR sent_ledger.last_sent <= ?)
		  AND (sent_ledger.claimed_at IS NULL OR sent_ledger.claimed_at <= ?)
		RETURNING key`, c.Key, c.Kind, formatTime(c.Now), formatTime(c.SuppressedUntil()), formatTime(c.Now.Add(-c.Lease)))
	if err != nil {
		return false, fmt.Errorf("sqlite: claim send: %w", err)
	}
	defer rows.Close()
	claimed := rows.Next()
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return false, fmt.Errorf("sqlite: claim send: %w", err)
	}
	return claimed, nil
}

// MarkSent records a sent key and drops its claim.
func (s *Store) MarkSent(ctx context.Context, key, kind string, at time.Time) error {
	// query: mark-sent
	_, err := s.db.ExecContext(ctx, `INSERT INTO sent_ledger (key, kind, first_sent, last_sent, sends) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET first_sent = COALESCE(sent_ledger.first_sent, excluded.first_sent),
			last_sent = excluded.last_sent, sends = sent_ledger.sends + 1, claimed_at = NULL`,
		key, kind, formatTime(at), formatTime(at))
	if err != nil {
		return fmt.Errorf("sqlite: mark sent: %w", err)
	}
	return nil
}

// ReleaseSend drops the claim on key.
func (s *Store) ReleaseSend(ctx context.Context, key string) error {
	// query: release-send
	if _, err := s.db.ExecContext(ctx, `UPDATE sent_ledger SET claimed_at = NULL WHERE key = ?`, key); err != nil {
		return fmt.Errorf("sqlite: release send: %w", err)
	}
	return nil
}

// Sent returns the ledger's record of key.
func (s *Store) Sent(ctx context.Context, key string) (store.SentRecord, error) {
	r := store.SentRecord{Key: key}
	var first, last, claimed sql.NullString
	// query: sent-record
	err := s.rdb.QueryRowContext(ctx, `SELECT kind, first_sent, last_sent, sends, claimed_at FROM sent_ledger WHERE key = ?`,
		key).Scan(&r.Kind, &first, &last, &r.Sends, &claimed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: sent record: %w", err)
	}
	r.Claimed = claimed.Valid
	for _, f := range []struct {
		s  sql.NullString
		to *time.Time
	}{{first, &r.FirstSent}, {last, &r.LastSent}} {
		if f.s.Valid {
			if *f.to, err = parseTime(f.s.String); err != nil {
				return r, fmt.Errorf("sqlite: sent record: %w", err)
			}
		}
	}
	return r, nil
}
