package store

import (
	"context"
	"time"
)

// Sessions keeps the dashboard's admin sessions, so that a session made by
// one process is known to all of them and signing out ends it everywhere.
type Sessions interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session whose secret hashes to hash, expired or
	// not; ErrNotFound when there is none.
	Session(ctx context.Context, hash []byte) (Session, error)
	// DeleteSession ends a session; ending one that is gone is no error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteExpiredSessions deletes the sessions expired before t and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error)
}

// Session is one admin session. The cookie holds a random secret; the
// store keeps only its SHA-256.
type Session struct {
	Hash    []byte
	KeyID   string // the admin key signed in with, or a tag of the configured token
	Created time.Time
	Expires time.Time
}

// CreateSession stores a new session.
func (r Records) CreateSession(ctx context.Context, se Session) error {
	// query: create-session
	_, err := r.DB.Exec(ctx, `INSERT INTO sessions (hash, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		se.Hash, se.KeyID, se.Created, se.Expires)
	return wrapRecord("create session", err)
}

// Session returns the session with the given hash.
func (r Records) Session(ctx context.Context, hash []byte) (Session, error) {
	se := Session{Hash: hash}
	// query: session-by-hash
	err := queryOne(ctx, r.reader(), `SELECT key_id, created_at, expires_at FROM sessions WHERE hash = ?`, []any{hash},
		func(scan func(...any) error) error { return scan(&se.KeyID, Time{&se.Created}, Time{&se.Expires}) })
	return se, wrapRecord("session", err)
}

// DeleteSession ends a session (its trigger tells every process).
func (r Records) DeleteSession(ctx context.Context, hash []byte) error {
	// query: delete-session
	_, err := r.DB.Exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	return wrapRecord("delete session", err)
}

// DeleteExpiredSessions deletes the sessions expired before t.
func (r Records) DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error) {
	// query: delete-expired-sessions
	n, err := r.DB.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, t)
	return n, wrapRecord("delete expired sessions", err)
}
