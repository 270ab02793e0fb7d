// Package collecttest builds IndexPilot databases for tests: IndexPilot's
// schema exactly as IndexPilot creates it, and generated rows in which
// every text column holds a planted secret that must never reach a report.
// It is used by the collector's tests and by the client's end-to-end tests.
package collecttest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
)

// Schema is the DDL of IndexPilot's own tables, as IndexPilot creates
// them: every table, column, type and index, and no other index.
const Schema = `
CREATE TABLE tenants (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE mutation_log (
    id SERIAL PRIMARY KEY,
    tenant_id INTEGER,
    mutation_type TEXT NOT NULL,
    table_name TEXT,
    field_name TEXT,
    details_json JSONB,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE query_stats (
    id SERIAL PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenants(id) ON DELETE SET NULL,
    table_name TEXT NOT NULL,
    field_name TEXT,
    query_type TEXT NOT NULL,
    duration_ms NUMERIC NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE algorithm_usage (
    id SERIAL PRIMARY KEY,
    table_name TEXT NOT NULL,
    field_name TEXT,
    algorithm_name TEXT NOT NULL,
    recommendation_json JSONB,
    used_in_decision BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_algorithm_usage_lookup
    ON algorithm_usage (table_name, field_name, algorithm_name, created_at DESC);
CREATE TABLE index_versions (
    id SERIAL PRIMARY KEY,
    index_name TEXT NOT NULL,
    table_name TEXT NOT NULL,
    index_definition TEXT NOT NULL,
    created_by TEXT DEFAULT 'auto_indexer',
    metadata_json JSONB,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_index_versions_name ON index_versions (index_name, created_at DESC);
CREATE TABLE ab_experiments (
    id SERIAL PRIMARY KEY,
    experiment_name TEXT NOT NULL UNIQUE,
    table_name TEXT NOT NULL,
    field_name TEXT,
    variant_a_config JSONB NOT NULL,
    variant_b_config JSONB NOT NULL,
    traffic_split_pct NUMERIC DEFAULT 50.0,
    status TEXT DEFAULT 'active',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_ab_experiments_status ON ab_experiments (status);
CREATE TABLE ab_experiment_results (
    id SERIAL PRIMARY KEY,
    experiment_name TEXT NOT NULL REFERENCES ab_experiments(experiment_name) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    query_duration_ms NUMERIC NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE genome_catalog (
    id SERIAL PRIMARY KEY,
    table_name TEXT NOT NULL,
    field_name TEXT NOT NULL,
    field_type TEXT NOT NULL,
    is_required BOOLEAN DEFAULT FALSE,
    is_indexable BOOLEAN DEFAULT TRUE,
    default_expression BOOLEAN DEFAULT TRUE,
    feature_group TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (table_name, field_name)
);
CREATE TABLE expression_profile (
    id SERIAL PRIMARY KEY,
    tenant_id INTEGER,
    table_name TEXT NOT NULL,
    field_name TEXT NOT NULL,
    is_enabled BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, table_name, field_name)
);
CREATE TABLE ml_model_metadata (
    id SERIAL PRIMARY KEY,
    model_name TEXT NOT NULL UNIQUE,
    model_type TEXT NOT NULL,
    version INTEGER DEFAULT 1,
    accuracy NUMERIC,
    training_samples INTEGER,
    model_config_json JSONB,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);`

// Values planted in the fixture that must never appear in a report. Every
// planted name contains "secret", which hex digests cannot contain.
const (
	PlantedIP     = "203.0.113.7"
	PlantedUserID = "user-4242"
)

// Table names, as IndexPilot spells them.
const (
	tableTenants        = "tenants"
	tableQueryStats     = "query_stats"
	tableMutationLog    = "mutation_log"
	tableAlgorithmUsage = "algorithm_usage"
	tableABResults      = "ab_experiment_results"
)

// Size says how many rows each table gets, spread evenly over Span and
// ending now, in id order.
type Size struct {
	QueryStats, MutationLog, AlgorithmUsage, ABResults, Tenants int
	Span                                                        time.Duration
}

// TestSize keeps functional tests fast.
var TestSize = Size{QueryStats: 30_000, MutationLog: 6_000, AlgorithmUsage: 8_000, ABResults: 3_000, Tenants: 37, Span: 30 * 24 * time.Hour}

// fixtureRows generates the rows server-side. $1 is the row count and $2
// the span in seconds; row g is created (n-g)/n of the span ago, so ids
// follow time. Every text column holds a planted secret.
var fixtureRows = []struct{ table, sql string }{
	{tableTenants, `INSERT INTO tenants (name, created_at)
SELECT 'Acme Secret Corp ' || g, localtimestamp - make_interval(secs => ($1 - g) * $2::float8 / $1)
FROM generate_series(1, $1::int) AS g`},
	{tableQueryStats, `INSERT INTO query_stats (tenant_id, table_name, field_name, query_type, duration_ms, created_at)
SELECT 1 + g % 37, 'customers_secret', 'ssn_secret', CASE WHEN g % 5 = 0 THEN 'WRITE' ELSE 'READ' END,
       round(((g::bigint * 7919) % 100000)::numeric / 100 * (1 + (g % 11 = 0)::int * 9), 3),
       localtimestamp - make_interval(secs => ($1 - g) * $2::float8 / $1)
FROM generate_series(1, $1::int) AS g`},
	{tableMutationLog, `INSERT INTO mutation_log (tenant_id, mutation_type, table_name, field_name, details_json, created_at)
SELECT 1 + g % 37, t.type, 'customers_secret', 'email_secret',
       CASE WHEN g % 53 = 0 THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object(
           'severity', (ARRAY['info', 'warning', 'error', 'critical'])[1 + g % 4],
           'logged_at', to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'user_id', 'user-4242', 'ip_address', '203.0.113.7',
           'index_name', 'idx_customers_secret_email',
           'reason', 'the CFO asked for customers_secret (confidential)',
           'mode', CASE WHEN t.type <> 'CREATE_INDEX' THEN NULL WHEN g % 3 = 0 THEN 'advisory' ELSE 'apply' END,
           'index_sql', CASE WHEN g % 3 = 0 THEN 'CREATE INDEX idx_customers_secret_email ON customers_secret (email_secret)' END,
           'improvement_pct', CASE WHEN t.type <> 'CREATE_INDEX' OR g % 3 = 0 THEN NULL
                                   WHEN g % 41 = 1 THEN to_jsonb('n/a secret'::text)
                                   WHEN g % 43 = 1 THEN to_jsonb(5000)
                                   ELSE to_jsonb((g % 90) - 10 + 0.25) END)) END,
       localtimestamp - make_interval(secs => ($1 - g) * $2::float8 / $1)
FROM generate_series(1, $1::int) AS g,
     LATERAL (SELECT (ARRAY['CREATE_INDEX', 'CREATE_INDEX', 'CREATE_INDEX', 'DROP_INDEX', 'INDEX_CREATION_FAILED',
                            'CONNECTION_ERROR', 'CRITICAL_ERROR', 'SECURITY_VIOLATION', 'REINDEX',
                            'SECRET_CUSTOM_customers_secret', 'ENABLE_FIELD'])[1 + (g * 7) % 11] AS type) AS t`},
	{tableAlgorithmUsage, `INSERT INTO algorithm_usage (table_name, field_name, algorithm_name, recommendation_json, used_in_decision, created_at)
SELECT 'customers_secret', 'ssn_secret',
       (ARRAY['predictive_indexing', 'constraint_optimizer', 'xgboost_classifier', 'cert', 'cortex',
              'radix_string_spline', 'fractal_tree', 'alex', 'pgm_index', 'idistance', 'bx_tree', 'qpg',
              'secret_algo_customers'])[1 + g % 13],
       jsonb_build_object('index_sql', 'CREATE INDEX secret_idx ON customers_secret (ssn_secret)'),
       g % 3 = 0,
       localtimestamp - make_interval(secs => ($1 - g) * $2::float8 / $1)
FROM generate_series(1, $1::int) AS g`},
	{tableABResults, `INSERT INTO ab_experiment_results (experiment_name, variant, query_duration_ms, created_at)
SELECT (ARRAY['exp_secret_pricing', 'exp_secret_checkout', 'exp_secret_search'])[1 + g % 3],
       CASE WHEN g % 7 = 0 THEN 'B-Secret' WHEN g % 2 = 0 THEN 'a' ELSE 'b' END,
       ((g::bigint * 31) % 5000)::numeric / 10 + (g % 2) * 3,
       localtimestamp - make_interval(secs => ($1 - g) * $2::float8 / $1)
FROM generate_series(1, $1::int) AS g`},
}

// fixtureSeed fills the tables the collector must not read.
const fixtureSeed = `
INSERT INTO ab_experiments (experiment_name, table_name, field_name, variant_a_config, variant_b_config)
SELECT name, 'customers_secret', 'ssn_secret', '{"index": "secret_a"}', '{"index": "secret_b"}'
FROM unnest(ARRAY['exp_secret_pricing', 'exp_secret_checkout', 'exp_secret_search']) AS name;
INSERT INTO index_versions (index_name, table_name, index_definition)
VALUES ('idx_customers_secret_email', 'customers_secret', 'CREATE INDEX idx_customers_secret_email ON customers_secret (email_secret)');
INSERT INTO genome_catalog (table_name, field_name, field_type) VALUES ('customers_secret', 'ssn_secret', 'TEXT');
INSERT INTO expression_profile (tenant_id, table_name, field_name) VALUES (1, 'customers_secret', 'ssn_secret');`

// fixtureHoles punches holes in the id sequences the way deletes and
// rolled-back inserts do.
const fixtureHoles = `
DELETE FROM query_stats WHERE id % 97 = 0;
DELETE FROM mutation_log WHERE id % 89 = 0;
SELECT setval('algorithm_usage_id_seq', (SELECT max(id) + 1000 FROM algorithm_usage));`

// NewIndexPilotDB returns the URL of a fresh database holding IndexPilot's
// schema and a generated fixture of the given size, vacuumed and analysed
// as autovacuum would leave it.
func NewIndexPilotDB(t testing.TB, size Size) string {
	t.Helper()
	url := pgtest.New(t)
	ctx := context.Background()
	conn := Connect(t, url)
	MustExec(t, conn, Schema)
	MustExec(t, conn, fixtureSeed)
	for _, f := range fixtureRows {
		n := map[string]int{tableTenants: size.Tenants, tableQueryStats: size.QueryStats, tableMutationLog: size.MutationLog,
			tableAlgorithmUsage: size.AlgorithmUsage, tableABResults: size.ABResults}[f.table]
		if _, err := conn.Exec(ctx, f.sql, n, size.Span.Seconds()); err != nil {
			t.Fatalf("fixture %s: %v", f.table, err)
		}
	}
	MustExec(t, conn, fixtureHoles)
	MustExec(t, conn, "VACUUM ANALYZE")
	return url
}

// AppendRows adds n rows to each tracking table, created now.
func AppendRows(t testing.TB, conn *pgx.Conn, n int) {
	t.Helper()
	for _, f := range fixtureRows {
		if f.table == tableTenants {
			continue
		}
		if _, err := conn.Exec(context.Background(), f.sql, n, 0.0); err != nil {
			t.Fatalf("append %s: %v", f.table, err)
		}
	}
}

// Connect opens a connection closed when t ends.
func Connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// MustExec runs sql or fails t.
func MustExec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %.60q: %v", sql, err)
	}
}
