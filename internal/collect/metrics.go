package collect

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// reader fills one group of report fields from one table. A reader that
// returns an error leaves its fields untouched; Collect notes why.
type reader struct {
	fields []string // report paths it fills, for notes
	table  string
	ranged bool // reads the report's id range of table (else the whole table)
	read   func(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error
}

// readers lists every metric the database provides, in the order they run.
var readers = []reader{
	{[]string{"metrics.indexes_created", "metrics.indexes_recommended", "metrics.performance_improvement_pct"}, tableMutationLog, true, readIndexOutcomes},
	{[]string{"metrics.queries_analyzed"}, tableQueryStats, true, readQueriesAnalyzed},
	{[]string{"metrics.query_latency_ms"}, tableQueryStats, true, readQueryLatency},
	{[]string{"metrics.algorithm_usage", "metrics.algorithm_decisions"}, tableAlgorithmUsage, true, readAlgorithmUsage},
	{[]string{"metrics.errors"}, tableMutationLog, true, readErrors},
	{[]string{"metrics.ab_experiments"}, tableABResults, true, readABExperiments},
	{[]string{"metrics.tenants_bucket"}, tableTenants, false, readTenantsBucket},
}

func readIndexOutcomes(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	var created, recommended int64
	var improvement *float64
	err := tx.QueryRow(ctx, qIndexOutcomes, ids.after, ids.last).Scan(&created, &recommended, &improvement)
	if err != nil {
		return err
	}
	m := &c.result.Metrics
	m.IndexesCreated, m.IndexesRecommended, m.PerformanceImprovementPct = created, recommended, improvement
	return nil
}

func readQueriesAnalyzed(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	return tx.QueryRow(ctx, qQueriesAnalyzed, ids.after, ids.last).Scan(&c.result.Metrics.QueriesAnalyzed)
}

func readQueryLatency(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	var p []float64
	if err := tx.QueryRow(ctx, qQueryLatency, ids.after, ids.last).Scan(&p); err != nil {
		return err
	}
	switch {
	case len(p) != 3: // no query in the period: not measured
	case !inRange(p[0], 0, report.MaxLatencyMS) || !inRange(p[2], 0, report.MaxLatencyMS):
		c.note("metrics.query_latency_ms left out: latencies outside 0 to %d ms", report.MaxLatencyMS)
	default:
		c.result.Metrics.QueryLatencyMS = &report.Latency{P50: p[0], P95: p[1], P99: p[2]}
	}
	return nil
}

func readAlgorithmUsage(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	rows, err := tx.Query(ctx, qAlgorithmUsage, ids.after, ids.last, knownAlgorithms)
	if err != nil {
		return err
	}
	usage, decisions := map[string]int64{}, map[string]int64{}
	var name string
	var used, decided int64
	_, err = pgx.ForEachRow(rows, []any{&name, &used, &decided}, func() error {
		usage[name] = used
		if decided > 0 {
			decisions[name] = decided
		}
		return nil
	})
	if err != nil {
		return err
	}
	m := &c.result.Metrics
	m.AlgorithmUsage, m.AlgorithmDecisions = nilIfEmpty(usage), nilIfEmpty(decisions)
	return nil
}

func readErrors(ctx context.Context, tx pgx.Tx, ids idRange, c *collection) error {
	rows, err := tx.Query(ctx, qErrorCounts, ids.after, ids.last, knownMutationTypes)
	if err != nil {
		return err
	}
	counts := map[string]int64{}
	var kind string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&kind, &n}, func() error { counts[kind] = n; return nil }); err != nil {
		return err
	}
	c.result.Metrics.Errors = nilIfEmpty(counts)
	return nil
}

func readTenantsBucket(ctx context.Context, tx pgx.Tx, _ idRange, c *collection) error {
	var n int64
	if err := tx.QueryRow(ctx, qTenantCount).Scan(&n); err != nil {
		return err
	}
	c.result.Metrics.TenantsBucket = tenantsBucket(n)
	return nil
}

// tenantsBucket coarsens a tenant count to one of report.TenantBuckets;
// "" (left out) for none.
func tenantsBucket(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "1"
	case n <= 10:
		return "2-10"
	case n <= 100:
		return "11-100"
	case n <= 1000:
		return "101-1000"
	default:
		return ">1000"
	}
}

// inRange is lo <= v <= hi, false for NaN (duration_ms is NUMERIC, which
// can hold NaN and infinities).
func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }

func nilIfEmpty(m map[string]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	return m
}
