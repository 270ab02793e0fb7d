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
