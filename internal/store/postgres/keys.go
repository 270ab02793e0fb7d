package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// CreateInstallation records a registered installation.
func (s *Store) CreateInstallation(ctx context.Context, in store.Installation) error {
	// query: create-installation
	_, err := s.pool.Exec(ctx, `INSERT INTO installations (installation_id, key_id, key_hash, created_at)
		VALUES ($1, $2, $3, $4)`, in.ID, in.KeyID, in.KeyHash, in.Created)
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: create installation: %w", err)
	}
	return nil
}

// InstallationByKeyID returns the installation owning keyID.
func (s *Store) InstallationByKeyID(ctx context.Context, keyID string) (store.Installation, error) {
	in := store.Installation{KeyID: keyID}
	// query: installation-by-key
	err := s.pool.QueryRow(ctx, `SELECT installation_id, key_hash, created_at FROM installations WHERE key_id = $1`,
		keyID).Scan(&in.ID, &in.KeyHash, &in.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return in, store.ErrNotFound
	}
	if err != nil {
		return in, fmt.Errorf("postgres: installation by key: %w", err)
	}
	in.Created = in.Created.UTC()
	return in, nil
}

// CreateKey stores an operator key.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	// query: create-key
	_, err := s.pool.Exec(ctx, `INSERT INTO keys (id, kind, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Kind, k.Name, k.Hash, k.Created)
	if isUnique(err) {
		return store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: create key: %w", err)
	}
	return nil
}

const keyColumns = `id, kind, name, hash, created_at, revoked_at`

// Key returns one operator key.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	// query: key-by-id
	k, err := scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM keys WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, store.ErrNotFound
	}
	return k, err
}

// Keys lists operator keys, oldest first.
func (s *Store) Keys(ctx context.Context) ([]store.Key, error) {
	// query: list-keys
	rows, err := s.pool.Query(ctx, `SELECT `+keyColumns+` FROM keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	return keys, nil
}

// RevokeKey marks a key revoked; revoking it again keeps the first time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	// query: revoke-key
	tag, err := s.pool.Exec(ctx, `UPDATE keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, at, id)
	if err != nil {
		return fmt.Errorf("postgres: revoke key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanKey(row pgx.Row) (store.Key, error) {
	var k store.Key
	if err := row.Scan(&k.ID, &k.Kind, &k.Name, &k.Hash, &k.Created, &k.Revoked); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return k, err
		}
		return k, fmt.Errorf("postgres: scan key: %w", err)
	}
	k.Created = k.Created.UTC()
	if k.Revoked != nil {
		t := k.Revoked.UTC()
		k.Revoked = &t
	}
	return k, nil
}
