package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	// query: create-session
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (hash, key_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		se.Hash, se.KeyID, se.Created, se.Expires)
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// Session returns the session with the given hash.
func (s *Store) Session(ctx context.Context, hash []byte) (store.Session, error) {
	se := store.Session{Hash: hash}
	// query: session-by-hash
	err := s.pool.QueryRow(ctx, `SELECT key_id, created_at, expires_at FROM sessions WHERE hash = $1`, hash).
		Scan(&se.KeyID, &se.Created, &se.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return se, store.ErrNotFound
	}
	if err != nil {
		return se, fmt.Errorf("postgres: session: %w", err)
	}
	se.Created, se.Expires = se.Created.UTC(), se.Expires.UTC()
	return se, nil
}

// DeleteSession ends a session (its trigger tells every process).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	// query: delete-session
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions deletes the sessions expired before t.
func (s *Store) DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error) {
	// query: delete-expired-sessions
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
