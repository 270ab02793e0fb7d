package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// benchMetrics is a report's metrics as the client sends them, with its
// variant of the benchmark's experiment; i is the installation number.
const benchMetrics = `jsonb_build_object('features_used', jsonb_build_array('auto_indexing','stats_collection','mutation_logging','expression_checks'),
	'indexes_created', 3, 'indexes_recommended', 4, 'queries_analyzed', 12345, 'performance_improvement_pct', (i % 40) + 0.5,
	'explain_coverage_pct', 71.2, 'algorithm_usage', '{"cert":4,"qpg":2,"predictive_indexing":9}'::jsonb,
	'errors', '{"OperationalError":1}'::jsonb, 'query_latency_ms', '{"p50":1.5,"p95":9,"p99":20}'::jsonb,
	'algorithm_decisions', '{"cert":2}'::jsonb, 'tenants_bucket', '2-10',
	'experiments', jsonb_build_object('` + storetest.BenchExperiment + `', CASE i % 2 WHEN 0 THEN 'control' ELSE 'treatment' END, 'other_one', 'control'))`

// BenchmarkExperimentAnalysis: docs/experiments.md and BENCHMARKS.md.
func BenchmarkExperimentAnalysis(b *testing.B) {
	s := open(b, nil)
	ctx := context.Background()
	today := rollup.DayOf(storetest.Now)
	// query: bench-fill-experiment
	_, err := s.pool.Exec(ctx, `INSERT INTO reports (report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment)
		SELECT '\x74'::bytea || convert_to('bench-' || i || '-' || d, 'UTF8'), i, $3 - d, $4, $4, '1.1.0', 3, `+benchPacked+`
		FROM generate_series(1, $1::int) i, generate_series(0, $2::int) d WHERE (i + d) % 10 < 7`,
		storetest.BenchInstallations, storetest.BenchDays-1, int32(today), storetest.Now)
	if err == nil {
		_, err = s.pool.Exec(ctx, `VACUUM ANALYZE reports`)
	}
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchExperimentAnalysis(b, s, func(n int) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO reports (report_key, installation_num, day, ts, received_at, version,
			schema_version, metrics, environment) SELECT $1, i, $2, $3, $3, '1.1.0', 3, `+benchPacked+`
			FROM (SELECT $4::int AS i) x`, pack.Key(fmt.Sprintf("bench-new-%d", n)), int32(today), storetest.Now, n%storetest.BenchInstallations+1)
		return err
	})
}

// benchPacked is benchMetrics and an environment as stored documents, in
// the JSON format of package pack (readers take it as they take packed).
const benchPacked = `'\x00'::bytea || convert_to((` + benchMetrics + `)::text, 'UTF8'), '\x00'::bytea || convert_to('{"os":"linux"}', 'UTF8')`
