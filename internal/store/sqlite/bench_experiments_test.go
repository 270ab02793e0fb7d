package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// benchMetrics is a report's metrics as the client sends them, with its
// variant of the benchmark's experiment; $1 is the installation number.
const benchMetrics = `json_object('features_used', json_array('auto_indexing','stats_collection','mutation_logging','expression_checks'),
	'indexes_created', 3, 'indexes_recommended', 4, 'queries_analyzed', 12345, 'performance_improvement_pct', (i % 40) + 0.5,
	'explain_coverage_pct', 71.2, 'algorithm_usage', json('{"cert":4,"qpg":2,"predictive_indexing":9}'),
	'errors', json('{"OperationalError":1}'), 'query_latency_ms', json('{"p50":1.5,"p95":9,"p99":20}'),
	'algorithm_decisions', json('{"cert":2}'), 'tenants_bucket', '2-10',
	'experiments', json_object('` + storetest.BenchExperiment + `', CASE i % 2 WHEN 0 THEN 'control' ELSE 'treatment' END, 'other_one', 'control'))`

// BenchmarkExperimentAnalysis: docs/experiments.md and BENCHMARKS.md.
func BenchmarkExperimentAnalysis(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	today := rollup.DayOf(storetest.Now)
	// query: bench-fill-experiment
	_, err := s.db.ExecContext(ctx, `WITH RECURSIVE inst(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM inst WHERE i < ?),
		d(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM d WHERE d < ?)
		INSERT INTO reports (report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment)
		SELECT 'bench-' || i || '-' || d, i, ? - d, '2026-11-20T12:00:00.000000Z', '2026-11-20T12:00:00.000000Z', '1.1.0', 3,
		       `+benchMetrics+`, '{"os":"linux"}'
		FROM inst, d WHERE (i + d) % 10 < 7`, storetest.BenchInstallations, storetest.BenchDays-1, today)
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchExperimentAnalysis(b, s, func(n int) error {
		_, err := s.db.ExecContext(ctx, `INSERT INTO reports (report_key, installation_num, day, ts, received_at, version,
			schema_version, metrics, environment) SELECT ?, i, ?, ?, ?, '1.1.0', 3, `+benchMetrics+`, '{"os":"linux"}'
			FROM (SELECT ? AS i)`, fmt.Sprintf("bench-new-%d", n), today, "2026-11-20T13:00:00.000000Z",
			fmt.Sprintf("2026-11-20T13:%02d:%02d.000000Z", n/60%60, n%60), n%storetest.BenchInstallations+1)
		return err
	})
}
