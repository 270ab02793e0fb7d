// Package postgres is the production store: PostgreSQL through a native
// pgx v5 pool. It behaves exactly like the SQLite store; only the SQL
// differs.
//
// Ingest is written for throughput: a batch of reports costs two round
// trips whatever its size and however many of its reports are retries
// (pipeline.go; docs/ingest.md): arrays passed with unnest, pipelined
// statements, and the batch's rollup deltas as one value. Concurrent
// writers, in one process or several, stay exact: compaction folds the
// deltas into rollup rows under an advisory lock, rows are claimed and
// locked in rollup.Key order, and transactions that PostgreSQL aborts as
// deadlocked or unserializable are retried whole after a jittered backoff
// (retry.go).
//
// The package must never log or return a report's payload or a key's
// hash in an error.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// maxConns bounds the pool when the URL does not (pool_max_conns): enough
// to keep two cores busy while some connections wait on the network.
const maxConns = 8

// migrateLock is the pg_advisory_xact_lock key that serialises Migrate
// between processes starting at once.
const migrateLock int64 = 0x1d3_7e1e_3e7a

// rollupLock is the pg_advisory_xact_lock key that serialises the writers
// of rollup rows (compaction, recompute, deletion) between processes.
// Ingest does not take it: it only appends deltas.
const rollupLock int64 = 0x1d3_7e1e_0011

// deleteLock is the pg_advisory_xact_lock key that keeps report batches
// and installation deletions apart: every batch holds it shared, a
// deletion exclusive. A batch therefore never adds a report to an
// installation that a deletion is taking out, and without writing a row
// lock per installation (which costs WAL and, under concurrent batches,
// multixacts).
const deleteLock int64 = 0x1d3_7e1e_0012

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	store.Records // keys, installations, sessions, audit log, sent ledger
	store.Writes  // error reports and feedback: a shared function in inTx
	pool          *pgxpool.Pool
	now           func() time.Time
	bitmaps       bitmapCache // rollup bitmaps read before
	unions        rollup.Unions
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error can quote the URL, password included.
		return nil, errors.New("postgres: parse connection URL: invalid")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = maxConns
	}
	return openConfig(ctx, cfg)
}

// openConfig opens a pool from cfg; tests use it to attach a tracer.
func openConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	s := &Store{Records: store.Records{DB: records{pool}}, pool: pool, now: time.Now}
	s.Writes = store.Writes{InTx: s.inTxn, Now: func() time.Time { return s.now() }}
	s.SetBitmapCache(DefaultBitmapCache)
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Migrate applies the embedded migrations not yet recorded, each in its
// own transaction under an advisory lock, so that two processes migrating
// at once apply each migration exactly once; then it makes the coming
// days' partitions (partitions.go).
func (s *Store) Migrate(ctx context.Context) error {
	if err := store.ApplyMigrations(ctx, migrations, s.migrate); err != nil {
		return err
	}
	return s.keepPartitions(ctx)
}

func (s *Store) migrate(ctx context.Context, m store.Migration) error {
	version, name := m.Version, m.Name
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// query: migrate-lock
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("postgres: lock for %s: %w", name, err)
		}
		// query: create-schema-migrations
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("postgres: create schema_migrations: %w", err)
		}
		var applied bool
		// query: migration-applied
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`,
			version).Scan(&applied); err != nil {
			return fmt.Errorf("postgres: check %s: %w", name, err)
		}
		if applied {
			return nil
		}
		// Without arguments pgx uses the simple protocol, which runs a
		// file of several statements.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("postgres: apply %s: %w", name, err)
		}
		// query: record-migration
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			version, s.now()); err != nil {
			return fmt.Errorf("postgres: record %s: %w", name, err)
		}
		return nil
	})
}

// inTx runs fn in a read-committed transaction and commits it, running it
// again when PostgreSQL aborted it as deadlocked or unserializable.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.inTxOpts(ctx, pgx.TxOptions{}, fn)
}

// inTxn is inTx on the transaction's txn, for store.Writes.
func (s *Store) inTxn(ctx context.Context, fn func(store.WriteTx) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return fn(txn{tx}) })
}

// inTxOpts is inTx with transaction options (isolation level).
func (s *Store) inTxOpts(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	return withRetry(ctx, func() error { return s.tryTx(ctx, opts, fn) })
}

func (s *Store) tryTx(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit; a failed rollback closes the connection
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// SQLSTATE codes this package acts on.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func errCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// retryable tells whether a transaction that failed with err may simply
// run again: PostgreSQL aborted it as deadlocked or unserializable, or it
// failed before anything reached the server.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	c := errCode(err)
	return c == codeSerializationFailure || c == codeDeadlockDetected || pgconn.SafeToRetry(err)
}

func isUnique(err error) bool { return errCode(err) == codeUniqueViolation }
