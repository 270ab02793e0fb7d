package collect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
)

// TestSessionIsReadOnlyAndNamed checks the session's settings from inside
// and that a write is refused.
func TestSessionIsReadOnlyAndNamed(t *testing.T) {
	url := newIndexPilotDB(t, fixtureSize{Tenants: 37})
	ctx := context.Background()
	s, err := openSession(ctx, url, DefaultStatementTimeout, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close(ctx)
	for setting, want := range map[string]string{
		"SHOW transaction_read_only": "on",
		"SHOW transaction_isolation": "repeatable read",
		"SHOW statement_timeout":     "2s",
		"SHOW lock_timeout":          "500ms",
		"SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()": ApplicationName,
	} {
		var got string
		if err := s.tx.QueryRow(ctx, setting).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", setting, got, err, want)
		}
	}
	err = s.step(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tenants (name) VALUES ('x')")
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" { // read_only_sql_transaction
		t.Errorf("insert in the collector's transaction: %v, want SQLSTATE 25006", err)
	}
	var one int
	if err := s.tx.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Errorf("the transaction did not survive a failed step: %v", err)
	}
}

// TestCollectCreatesNothing compares the catalog before and after.
func TestCollectCreatesNothing(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	conn := connect(t, url)
	catalog := func() (rels string) {
		query(t, conn, `SELECT string_agg(oid::text || ':' || relname, ',' ORDER BY oid) FROM pg_class`, nil, &rels)
		return rels
	}
	before := catalog()
	collect(t, testOptions(t, url, time.Now()))
	if after := catalog(); after != before {
		t.Errorf("pg_class changed during Collect")
	}
}

// TestCollectMissingTables drops tracking tables: their metrics are left
// out with a note, the others are still read.
func TestCollectMissingTables(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	mustExec(t, connect(t, url), `DROP TABLE algorithm_usage; DROP TABLE ab_experiment_results`)
	res := collect(t, testOptions(t, url, time.Now()))
	m := res.Metrics
	if m.AlgorithmUsage != nil || m.AlgorithmDecisions != nil || m.ABExperiments != nil {
		t.Errorf("metrics of dropped tables: %+v", m)
	}
	if m.QueriesAnalyzed == 0 || m.Errors == nil || m.TenantsBucket == "" {
		t.Errorf("other metrics missing: %+v", m)
	}
	wantNotes(t, res, []string{
		"metrics.algorithm_usage, metrics.algorithm_decisions left out: table algorithm_usage does not exist",
		"metrics.ab_experiments left out: table ab_experiment_results does not exist",
	})
	if res.Cursor.AlgorithmUsageID != 0 || res.Cursor.ABResultsID != 0 || res.Cursor.QueryStatsID == 0 {
		t.Errorf("cursor = %+v", res.Cursor)
	}
}

// TestCollectNoIndexPilotTables is IndexPilot's review CLI, which creates
// no tables: every database metric is a note, none an error.
func TestCollectNoIndexPilotTables(t *testing.T) {
	res := collect(t, testOptions(t, pgtest.New(t), time.Now()))
	if len(res.Notes) != len(readers) {
		t.Errorf("notes = %q, want one per reader", res.Notes)
	}
	if res.Environment.PostgreSQLVersion == "" || len(res.Metrics.FeaturesUsed) == 0 {
		t.Errorf("result = %+v", res)
	}
	checkValidReport(t, res)
}

// TestCollectLockedTable holds an ACCESS EXCLUSIVE lock on query_stats, as
// a migration would: lock_timeout gives up on its metrics only, and the
// collector waits for the lock once, not once per metric of the table.
func TestCollectLockedTable(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	holdLock(t, url, tableQueryStats)
	o := testOptions(t, url, time.Now())
	waits := &lockWaits{}
	o.tracer = waits
	res := collect(t, o)
	if res.Metrics.QueriesAnalyzed != 0 || res.Metrics.QueryLatencyMS != nil {
		t.Errorf("query_stats metrics despite the lock: %+v", res.Metrics)
	}
	if res.Metrics.IndexesCreated == 0 || res.Metrics.AlgorithmUsage == nil {
		t.Errorf("other metrics missing: %+v", res.Metrics)
	}
	wantNotes(t, res, []string{
		"metrics.queries_analyzed left out: table query_stats is locked by another session (waited 500ms)",
		"metrics.query_latency_ms left out: table query_stats is locked by another session (waited 500ms)",
	})
	if n := waits.count.Load(); n != 1 {
		t.Errorf("the collector waited for the lock %d times; it should wait once, for lock_timeout", n)
	}
}

// lockWaits counts the statements that gave up waiting for a lock.
type lockWaits struct{ count atomic.Int64 }

func (l *lockWaits) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (l *lockWaits) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	var pgErr *pgconn.PgError
	if errors.As(d.Err, &pgErr) && pgErr.Code == codeLockNotAvail {
		l.count.Add(1)
	}
}

// TestCollectStatementTimeout makes a query outlast statement_timeout (set
// below lock_timeout, behind a lock): its metrics are left out.
func TestCollectStatementTimeout(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	holdLock(t, url, tableMutationLog)
	o := testOptions(t, url, time.Now())
	o.StatementTimeout = 100 * time.Millisecond
	res := collect(t, o)
	if res.Metrics.IndexesCreated != 0 || res.Metrics.Errors != nil {
		t.Errorf("mutation_log metrics despite the timeout: %+v", res.Metrics)
	}
	if res.Metrics.QueriesAnalyzed == 0 {
		t.Errorf("other metrics missing: %+v", res.Metrics)
	}
	wantNotes(t, res, []string{
		"metrics.indexes_created, metrics.indexes_recommended, metrics.performance_improvement_pct left out: mutation_log query timed out after 100ms",
		"metrics.errors left out: mutation_log query timed out after 100ms",
	})
}

// TestCollectUnreachable checks that a connection failure is the one
// error, and that the config-only part of the result survives it.
func TestCollectUnreachable(t *testing.T) {
	o := testOptions(t, "postgres://indexpilot@127.0.0.1:1/indexpilot?connect_timeout=2", time.Now())
	res, err := Collect(context.Background(), o)
	if err == nil {
		t.Fatal("Collect succeeded without a database")
	}
	if strings.Contains(err.Error(), "password") {
		t.Errorf("error = %v", err)
	}
	if res == nil || res.Version != "1.1.0a8" || !slices.Equal(res.Metrics.FeaturesUsed, testFeatures) || res.Environment.OS == "" {
		t.Errorf("config-only result = %+v", res)
	}
}

func TestCollectRefusesShortSalt(t *testing.T) {
	o := testOptions(t, "postgres://unused", time.Now())
	o.Salt = []byte("short")
	if _, err := Collect(context.Background(), o); err == nil {
		t.Error("Collect accepted a 5-byte salt")
	}
}

// holdLock takes an ACCESS EXCLUSIVE lock on table in another session until
// the test ends.
func holdLock(t *testing.T, url, table string) {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
}

func wantNotes(t *testing.T, res *Result, want []string) {
	t.Helper()
	if !slices.Equal(res.Notes, want) {
		t.Errorf("notes:\n got %q\nwant %q", res.Notes, want)
	}
}
