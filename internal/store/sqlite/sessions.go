package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	// query: create-session
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		se.Hash, se.KeyID, formatTime(se.Created), formatTime(se.Expires))
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// Session returns the session with the given hash.
func (s *Store) Session(ctx context.Context, hash []byte) (store.Session, error) {
	se := store.Session{Hash: hash}
	var created, expires string
	// query: session-by-hash
	err := s.rdb.QueryRowContext(ctx, `SELECT key_id, created_at, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&se.KeyID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return se, store.ErrNotFound
	}
	if err != nil {
		return se, fmt.Errorf("sqlite: session: %w", err)
	}
	if se.Created, err = parseTime(created); err == nil {
		se.Expires, err = parseTime(expires)
	}
	if err != nil {
		return se, fmt.Errorf("sqlite: session: %w", err)
	}
	return se, nil
}

// DeleteSession ends a session (its trigger records the change).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	// query: delete-session
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions deletes the sessions expired before t.
func (s *Store) DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error) {
	// query: delete-expired-sessions
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, formatTime(t))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
