package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// CreateInstallation records a registered installation.
func (s *Store) CreateInstallation(ctx context.Context, in store.Installation) error {
	// query: create-installation
	_, err := s.db.ExecContext(ctx, `INSERT INTO installations (installation_id, key_id, key_hash, created_at)
		VALUES (?, ?, ?, ?)`, in.ID, in.KeyID, in.KeyHash, formatTime(in.Created))
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create installation: %w", err)
	}
	return nil
}

// InstallationByKeyID returns the installation owning keyID.
func (s *Store) InstallationByKeyID(ctx context.Context, keyID string) (store.Installation, error) {
	in := store.Installation{KeyID: keyID}
	var created string
	// query: installation-by-key
	err := s.db.QueryRowContext(ctx, `SELECT installation_id, key_hash, created_at FROM installations WHERE key_id = ?`,
		keyID).Scan(&in.ID, &in.KeyHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return in, store.ErrNotFound
	}
	if err != nil {
		return in, fmt.Errorf("sqlite: installation by key: %w", err)
	}
	in.Created, err = parseTime(created)
	return in, err
}

// CreateKey stores an operator key.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	// query: create-key
	_, err := s.db.ExecContext(ctx, `INSERT INTO keys (id, kind, name, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Kind, k.Name, k.Hash, formatTime(k.Created))
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create key: %w", err)
	}
	return nil
}

const keyColumns = `id, kind, name, hash, created_at, revoked_at`

// Key returns one operator key.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	// query: key-by-id
	k, err := scanKey(s.db.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, store.ErrNotFound
	}
	return k, err
}

// Keys lists operator keys, oldest first.
func (s *Store) Keys(ctx context.Context) ([]store.Key, error) {
	// query: list-keys
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	defer rows.Close()
	var keys []store.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeKey marks a key revoked.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	// query: revoke-key
	res, err := s.db.ExecContext(ctx, `UPDATE keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, formatTime(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: revoke key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return store.ErrNotFound
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanKey(row scanner) (store.Key, error) {
	var k store.Key
	var created string
	var revoked sql.NullString
	if err := row.Scan(&k.ID, &k.Kind, &k.Name, &k.Hash, &created, &revoked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return k, err
		}
		return k, fmt.Errorf("sqlite: scan key: %w", err)
	}
	var err error
	if k.Created, err = parseTime(created); err != nil {
		return k, fmt.Errorf("sqlite: key %s created_at: %w", k.ID, err)
	}
	if revoked.Valid {
		t, err := parseTime(revoked.String)
		if err != nil {
			return k, fmt.Errorf("sqlite: key %s revoked_at: %w", k.ID, err)
		}
		k.Revoked = &t
	}
	return k, nil
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
