// Package sqlite is the embedded store: one SQLite file in WAL mode,
// through the pure-Go modernc.org/sqlite driver (no cgo). Commits are
// synchronous=FULL, so an acknowledged report survives a crash of the
// process or the machine.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on one SQLite file.
type Store struct {
	store.Records         // keys, installations, sessions, audit log, sent ledger
	store.Writes          // error reports and feedback: a shared function in inTx
	db            *sql.DB // writes: every transaction takes the write lock at BEGIN
	rdb           *sql.DB // reads: deferred transactions, each one consistent snapshot
	now           func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
		}
	}
	db, err := openDB(path, "immediate")
	if err != nil {
		return nil, err
	}
	rdb, err := openDB(path, "deferred")
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{Records: store.Records{DB: records{db}, Read: records{rdb}}, db: db, rdb: rdb, now: time.Now}
	s.Writes = store.Writes{InTx: s.inTxn, Now: func() time.Time { return s.now() }}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openDB(path, txlock string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	return db, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.rdb.Close(), s.db.Close()) }

// Migrate applies the embedded migrations not yet recorded, each in its
// own transaction.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	return store.ApplyMigrations(ctx, migrations, s.migrate)
}

func (s *Store) migrate(ctx context.Context, m store.Migration) error {
	version, name := m.Version, m.Name
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin %s: %w", name, err)
	}
	defer tx.Rollback()
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil {
		return fmt.Errorf("sqlite: check %s: %w", name, err)
	}
	if applied > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: apply %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		version, formatTime(s.now())); err != nil {
		return fmt.Errorf("sqlite: record %s: %w", name, err)
	}
	return tx.Commit()
}

// timeLayout has a fixed-width fraction so that stored times sort as text
// in time order; microseconds, as PostgreSQL keeps them.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
