package collect

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// directMetrics computes the expected metrics the obvious way: whole rows
// filtered by created_at, names mapped to "other" in Go. It shares no SQL
// with the collector.
func directMetrics(t *testing.T, conn *pgx.Conn, since time.Time) report.Metrics {
	t.Helper()
	var m report.Metrics
	args := []any{since}
	query(t, conn, `SELECT count(*) FROM query_stats WHERE created_at >= $1::timestamptz`, args, &m.QueriesAnalyzed)
	var l report.Latency
	query(t, conn, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms),
		percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)
		FROM query_stats WHERE created_at >= $1::timestamptz`, args, &l.P50, &l.P95, &l.P99)
	m.QueryLatencyMS = &l
	query(t, conn, `SELECT count(*) FROM mutation_log
		WHERE created_at >= $1::timestamptz AND mutation_type = 'CREATE_INDEX' AND details_json @> '{"mode": "apply"}'`, args, &m.IndexesCreated)
	query(t, conn, `SELECT count(*) FROM mutation_log
		WHERE created_at >= $1::timestamptz AND mutation_type = 'CREATE_INDEX' AND details_json @> '{"mode": "advisory"}'`, args, &m.IndexesRecommended)
	var improvement float64
	query(t, conn, `SELECT avg((details_json->>'improvement_pct')::float8) FROM mutation_log
		WHERE created_at >= $1::timestamptz AND mutation_type = 'CREATE_INDEX' AND details_json @> '{"mode": "apply"}'
		  AND details_json->>'improvement_pct' ~ '^-?[0-9.]+$'
		  AND (details_json->>'improvement_pct')::float8 BETWEEN -1000 AND 100`, args, &improvement)
	m.PerformanceImprovementPct = &improvement

	m.Errors = directCounts(t, conn, `SELECT mutation_type, count(*) FROM mutation_log
		WHERE created_at >= $1::timestamptz
		  AND (details_json->>'severity' IN ('error', 'critical')
		       OR mutation_type IN ('INDEX_CREATION_FAILED', 'CONNECTION_ERROR', 'CRITICAL_ERROR'))
		GROUP BY 1`, since, knownMutationTypes)
	m.AlgorithmUsage = directCounts(t, conn, `SELECT algorithm_name, count(*) FROM algorithm_usage
		WHERE created_at >= $1::timestamptz GROUP BY 1`, since, knownAlgorithms)
	m.AlgorithmDecisions = directCounts(t, conn, `SELECT algorithm_name, count(*) FROM algorithm_usage
		WHERE created_at >= $1::timestamptz AND used_in_decision GROUP BY 1`, since, knownAlgorithms)
	m.ABExperiments = directAB(t, conn, since)

	var tenants int64
	query(t, conn, `SELECT count(*) FROM tenants`, nil, &tenants)
	m.TenantsBucket = map[bool]string{true: "11-100", false: "?"}[tenants > 10 && tenants <= 100]
	return m
}

// directCounts runs a (name, count) query and folds names outside known
// into "other".
func directCounts(t *testing.T, conn *pgx.Conn, sql string, since time.Time, known []string) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, since)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	var name string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &n}, func() error {
		if !slices.Contains(known, name) {
			name = "other"
		}
		counts[name] += n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return counts
}

// directAB summarises A/B rows with numeric arithmetic, hashing names with
// the test salt.
func directAB(t *testing.T, conn *pgx.Conn, since time.Time) []report.ABExperiment {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT experiment_name,
		CASE variant WHEN 'a' THEN 'a' WHEN 'b' THEN 'b' ELSE 'other' END,
		count(*), avg(query_duration_ms)::float8, var_samp(query_duration_ms)::float8
		FROM ab_experiment_results WHERE created_at >= $1::timestamptz GROUP BY 1, 2`, since)
	if err != nil {
		t.Fatal(err)
	}
	var out []report.ABExperiment
	var e report.ABExperiment
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&name, &e.Variant, &e.N, &e.MeanMS, &e.VarianceMS}, func() error {
		e.Experiment = Anonymize(testSalt, name)
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
