package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// ClaimSend reserves a key of the sent ledger (see store.Ledger).
func (s *Store) ClaimSend(ctx context.Context, c store.SendClaim) (bool, error) {
	var key string
	// query: claim-send
	err := s.pool.QueryRow(ctx, `INSERT INTO sent_ledger (key, kind, claimed_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
		WHERE (sent_ledger.last_sent IS NULL OR sent_ledger.last_sent <= $4)
		  AND (sent_ledger.claimed_at IS NULL OR sent_ledger.claimed_at <= $5)
		RETURNING key`, c.Key, c.Kind, c.Now, c.SuppressedUntil(), c.Now.Add(-c.Lease)).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("postgres: claim send: %w", err)
	}
	return true, nil
}

// MarkSent records a sent key and drops its claim.
func (s *Store) MarkSent(ctx context.Context, key, kind string, at time.Time) error {
	// query: mark-sent
	_, err := s.pool.Exec(ctx, `INSERT INTO sent_ledger (key, kind, first_sent, last_sent, sends) VALUES ($1, $2, $3, $3, 1)
		ON CONFLICT (key) DO UPDATE SET first_sent = COALESCE(sent_ledger.first_sent, EXCLUDED.first_sent),
			last_sent = EXCLUDED.last_sent, sends = sent_ledger.sends + 1, claimed_at = NULL`, key, kind, at)
	if err != nil {
		return fmt.Errorf("postgres: mark sent: %w", err)
	}
	return nil
}

// ReleaseSend drops the claim on key.
func (s *Store) ReleaseSend(ctx context.Context, key string) error {
	// query: release-send
	if _, err := s.pool.Exec(ctx, `UPDATE sent_ledger SET claimed_at = NULL WHERE key = $1`, key); err != nil {
		return fmt.Errorf("postgres: release send: %w", err)
	}
	return nil
}

// Sent returns the ledger's record of key.
func (s *Store) Sent(ctx context.Context, key string) (store.SentRecord, error) {
	r := store.SentRecord{Key: key}
	var first, last, claimed *time.Time
	// query: sent-record
	err := s.pool.QueryRow(ctx, `SELECT kind, first_sent, last_sent, sends, claimed_at FROM sent_ledger WHERE key = $1`,
		key).Scan(&r.Kind, &first, &last, &r.Sends, &claimed)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, store.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("postgres: sent record: %w", err)
	}
	if first != nil {
		r.FirstSent = first.UTC()
	}
	if last != nil {
		r.LastSent = last.UTC()
	}
	r.Claimed = claimed != nil
	return r, nil
}
