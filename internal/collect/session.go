package collect

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Connection settings that keep the collector harmless to the database.
const (
	// ApplicationName is the collector's application_name, so a DBA who sees
	// it in pg_stat_activity knows who it is.
	ApplicationName = "indexpilot-telemetry-collector"
	// DefaultStatementTimeout bounds each query when Options leaves it unset.
	DefaultStatementTimeout = 2 * time.Second
	// lockTimeout bounds the wait for a table lock, e.g. behind a migration.
	lockTimeout = 500 * time.Millisecond
	// idleTimeout ends the transaction server-side should the collector hang.
	idleTimeout = 30 * time.Second
	// defaultConnectTimeout is IndexPilot's DB_CONNECT_TIMEOUT default.
	defaultConnectTimeout = 10 * time.Second
)

// session is the collector's one connection and its one transaction.
type session struct {
	conn             *pgx.Conn
	tx               pgx.Tx
	statementTimeout time.Duration
	broken           error // set when a savepoint could not be rolled back
}

// openSession connects and starts a REPEATABLE READ READ ONLY transaction,
// so every metric sees one snapshot. The timeouts are set for the
// transaction (SET LOCAL) rather than as startup parameters, which
// connection poolers such as PgBouncer refuse.
func openSession(ctx context.Context, databaseURL string, statementTimeout time.Duration, tracer pgx.QueryTracer) (*session, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("collect: parsing the database URL: %w", err)
	}
	cfg.Tracer = tracer
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	cfg.RuntimeParams["application_name"] = ApplicationName
	// Unnamed statements only: nothing is left prepared on a pooled server,
	// and no query costs an extra round trip to prepare.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("collect: connecting: %w", err)
	}
	s := &session{conn: conn, statementTimeout: statementTimeout}
	if err := s.begin(ctx); err != nil {
		conn.Close(ctx) // the begin error is the one worth returning
		return nil, err
	}
	return s, nil
}

// qSessionLimits sets the transaction's limits (set_config with is_local
// true is SET LOCAL, which takes no parameters).
const qSessionLimits = `-- name: session-limits
SELECT set_config('statement_timeout', $1, true),
       set_config('lock_timeout', $2, true),
       set_config('idle_in_transaction_session_timeout', $3, true)`

func (s *session) begin(ctx context.Context) error {
	tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("collect: starting a read-only transaction: %w", err)
	}
	s.tx = tx
	_, err = tx.Exec(ctx, qSessionLimits, millis(s.statementTimeout), millis(lockTimeout), millis(idleTimeout))
	if err != nil {
		return fmt.Errorf("collect: setting timeouts: %w", err)
	}
	return nil
}

func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// step runs fn inside a savepoint, so that a statement that fails or times
// out is rolled back alone and the next metric can still run.
func (s *session) step(ctx context.Context, fn func(pgx.Tx) error) error {
	if s.broken != nil {
		return s.broken
	}
	sp, err := s.tx.Begin(ctx)
	if err != nil {
		s.broken = err
		return err
	}
	if err := fn(sp); err != nil {
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			s.broken = rbErr
		}
		return err
	}
	if err := sp.Commit(ctx); err != nil { // RELEASE SAVEPOINT
		s.broken = err
		return err
	}
	return nil
}

// close ends the transaction (there is nothing to commit) and the
// connection.
func (s *session) close(ctx context.Context) error {
	err := s.tx.Rollback(ctx)
	if errors.Is(err, pgx.ErrTxClosed) {
		err = nil
	}
	return errors.Join(err, s.conn.Close(ctx))
}

// serverVersion is the server's major.minor version, from the parameter
// the server reports at connection time (no query needed).
func (s *session) serverVersion() string {
	return postgresVersion(s.conn.PgConn().ParameterStatus("server_version"))
}

// PostgreSQL error codes the collector explains in notes.
const (
	codeUndefinedTable  = "42P01"
	codeUndefinedColumn = "42703"
	codeQueryCanceled   = "57014" // statement_timeout
	codeLockNotAvail    = "55P03" // lock_timeout
)

// why turns a query error into the end of a note: "table x does not exist",
// "x query timed out after 2s". It uses the SQLSTATE, never the server's
// message, which may quote a value.
func (s *session) why(ctx context.Context, table string, err error) string {
	var pgErr *pgconn.PgError
	switch {
	case ctx.Err() != nil:
		return "collection was cancelled"
	case !errors.As(err, &pgErr):
		return fmt.Sprintf("%s query failed: %v", table, err)
	case pgErr.Code == codeUndefinedTable:
		return "table " + table + " does not exist"
	case pgErr.Code == codeUndefinedColumn:
		return "table " + table + " lacks a column IndexPilot's schema has"
	case pgErr.Code == codeQueryCanceled:
		return fmt.Sprintf("%s query timed out after %s", table, s.statementTimeout)
	case pgErr.Code == codeLockNotAvail:
		return fmt.Sprintf("table %s is locked by another session (waited %s)", table, lockTimeout)
	default:
		return fmt.Sprintf("%s query failed (SQLSTATE %s)", table, pgErr.Code)
	}
}
