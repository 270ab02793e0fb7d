package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SQL is what a backend gives the statements that are the same in both
// dialects, written once in this package (Records): it runs them with
// its driver. Statements use ? placeholders, which a backend whose driver
// wants others rewrites.
type SQL interface {
	// Exec runs a statement and returns how many rows it changed; a unique
	// violation is ErrConflict.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query and calls row once per row with its Scan, until
	// an error.
	Query(ctx context.Context, query string, args []any, row func(scan func(dest ...any) error) error) error
}

// Records are what both backends do with the same statements: operator
// keys, registered and erased installations (here), admin sessions, the
// audit log and the sent ledger, an installation's feedback and error
// reports, and the report counts of days (each next to its types). Each
// backend embeds Records, built on its SQL, to implement those methods of
// Store.
type Records struct {
	DB SQL
	// Read runs the reads that need no write connection (SQLite's read
	// pool): all but those of keys and installations; nil means DB.
	Read SQL
}

// reader is where r runs its reads that need no write connection.
func (r Records) reader() SQL {
	if r.Read != nil {
		return r.Read
	}
	return r.DB
}

// CreateInstallation records a registered installation.
func (r Records) CreateInstallation(ctx context.Context, in Installation) error {
	// query: create-installation
	_, err := r.DB.Exec(ctx, `INSERT INTO installations (installation_id, key_id, key_hash, created_at)
		VALUES (?, ?, ?, ?)`, in.ID, in.KeyID, in.KeyHash, in.Created)
	return wrapRecord("create installation", err)
}

// InstallationByKeyID returns the installation owning keyID.
func (r Records) InstallationByKeyID(ctx context.Context, keyID string) (Installation, error) {
	in := Installation{KeyID: keyID}
	// query: installation-by-key
	err := r.one(ctx, `SELECT installation_id, key_hash, created_at FROM installations WHERE key_id = ?`, []any{keyID},
		func(scan func(...any) error) error { return scan(&in.ID, &in.KeyHash, Time{&in.Created}) })
	return in, wrapRecord("installation by key", err)
}

// CreateKey stores an operator key.
func (r Records) CreateKey(ctx context.Context, k Key) error {
	// query: create-key
	_, err := r.DB.Exec(ctx, `INSERT INTO keys (id, kind, name, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Kind, k.Name, k.Hash, k.Created)
	return wrapRecord("create key", err)
}

const keyColumns = `id, kind, name, hash, created_at, revoked_at`

// Key returns one operator key.
func (r Records) Key(ctx context.Context, id string) (Key, error) {
	var k Key
	// query: key-by-id
	err := r.one(ctx, `SELECT `+keyColumns+` FROM keys WHERE id = ?`, []any{id},
		func(scan func(...any) error) error { return scanKey(scan, &k) })
	return k, wrapRecord("key", err)
}

// Keys lists operator keys, oldest first.
func (r Records) Keys(ctx context.Context) ([]Key, error) {
	var keys []Key
	// query: list-keys
	err := r.DB.Query(ctx, `SELECT `+keyColumns+` FROM keys ORDER BY created_at, id`, nil,
		func(scan func(...any) error) error {
			var k Key
			keys = append(keys, k)
			return scanKey(scan, &keys[len(keys)-1])
		})
	return keys, wrapRecord("list keys", err)
}

// RevokeKey marks a key revoked; revoking it again keeps the first time.
func (r Records) RevokeKey(ctx context.Context, id string, at time.Time) error {
	// query: revoke-key
	n, err := r.DB.Exec(ctx, `UPDATE keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, at, id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return wrapRecord("revoke key", err)
}

// ErasedInstallations returns the ids of every erased installation.
func (r Records) ErasedInstallations(ctx context.Context) ([]string, error) {
	var ids []string
	// query: erased-installations
	err := r.reader().Query(ctx, `SELECT installation_id FROM erased_installations`, nil,
		func(scan func(...any) error) error {
			var id string
			err := scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, wrapRecord("erased installations", err)
	}
	return ids, nil
}

func scanKey(scan func(...any) error, k *Key) error {
	return scan(&k.ID, &k.Kind, &k.Name, &k.Hash, Time{&k.Created}, OptTime{&k.Revoked})
}

// one runs a query for one row on r.DB; none is ErrNotFound.
func (r Records) one(ctx context.Context, query string, args []any, row func(func(...any) error) error) error {
	return queryOne(ctx, r.DB, query, args, row)
}

// queryOne runs a query for one row on db; none is ErrNotFound.
func queryOne(ctx context.Context, db SQL, query string, args []any, row func(func(...any) error) error) error {
	found := false
	err := db.Query(ctx, query, args, func(scan func(...any) error) error {
		found = true
		return row(scan)
	})
	if err == nil && !found {
		return ErrNotFound
	}
	return err
}

// wrapRecord names what failed, leaving ErrNotFound and ErrConflict as
// they are for callers to test.
func wrapRecord(doing string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	return fmt.Errorf("store: %s: %w", doing, err)
}

// Time scans a timestamp into the time it points to, in UTC, whichever
// way the driver gives it: a time (PostgreSQL) or RFC 3339 text (SQLite).
type Time struct{ T *time.Time }

// Scan implements sql.Scanner.
func (t Time) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t.T = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("store: a timestamp cannot be %T", src)
}

func (t Time) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: timestamp %q: %w", s, err)
	}
	*t.T = v.UTC()
	return nil
}

// OptTime is Time for a timestamp that may be NULL, which leaves the
// pointer nil.
type OptTime struct{ T **time.Time }

// Scan implements sql.Scanner.
func (t OptTime) Scan(src any) error {
	if src == nil {
		*t.T = nil
		return nil
	}
	v := new(time.Time)
	if err := (Time{v}).Scan(src); err != nil {
		return err
	}
	*t.T = v
	return nil
}

var _, _ sql.Scanner = Time{}, OptTime{}
