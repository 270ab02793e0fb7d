package collect

// The collector's SQL. Every query runs inside the read-only transaction,
// reads one of IndexPilot's tracking tables within a primary-key range
// (id > $1 AND id <= $2, see bounds.go) and returns only counts, statistics
// and fixed vocabulary words. JSON is read key by key; user_id, ip_address,
// index_sql, reason and the name columns are never selected.

// IndexPilot's tracking tables, as named in src/schema/initialization.py.
const (
	tableQueryStats     = "query_stats"
	tableMutationLog    = "mutation_log"
	tableAlgorithmUsage = "algorithm_usage"
	tableABResults      = "ab_experiment_results"
	tableTenants        = "tenants"
)

// qNewestID (%s: a table above) reads the last id, the upper bound of this
// report's range: a backward scan of the primary key that reads one row.
const qNewestID = `-- name: newest-id
SELECT coalesce(max(id), 0)::bigint FROM %s`

// qFirstIDSince (%s: a table above) finds where the period starts without
// an index on created_at. ids are SERIAL and rows are appended in time
// order, so it binary-searches the id space [0, $2] for the first row
// whose created_at is at or after $1, one primary-key probe per step
// (about 20 for a million rows), in one round trip. It returns the largest
// id before the period: the lower bound of the range, exclusive.
//
// A probe that finds no row at or after mid (only above the last id) counts
// as "after", and a NULL created_at as "before".
const qFirstIDSince = `-- name: first-id-since
WITH RECURSIVE search(lo, hi) AS (
    SELECT 0::bigint, $2::bigint + 1
  UNION ALL
    SELECT CASE WHEN probe.after IS NOT FALSE THEN s.lo ELSE probe.id + 1 END,
           CASE WHEN probe.after IS NOT FALSE THEN (s.lo + s.hi) / 2 ELSE s.hi END
    FROM search AS s
    LEFT JOIN LATERAL (
        SELECT t.id::bigint AS id, coalesce(t.created_at >= $1::timestamptz, false) AS after
        FROM %s AS t
        WHERE t.id >= (s.lo + s.hi) / 2
        ORDER BY t.id
        LIMIT 1
    ) AS probe ON true
    WHERE s.lo < s.hi
)
SELECT max(lo) - 1 FROM search`

// qQueriesAnalyzed counts query_stats rows: metrics.queries_analyzed.
const qQueriesAnalyzed = `-- name: queries-analyzed
SELECT count(*) FROM query_stats WHERE id > $1 AND id <= $2`

// qQueryLatency computes exact latency percentiles: metrics.query_latency_ms.
// NULL when the range is empty.
const qQueryLatency = `-- name: query-latency
SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms::float8)
FROM query_stats
WHERE id > $1 AND id <= $2`

// qIndexOutcomes counts CREATE_INDEX rows by mode and averages the measured
// improvement of applied ones: metrics.indexes_created,
// indexes_recommended and performance_improvement_pct. Improvements that
// are not JSON numbers or lie outside report's range are ignored.
const qIndexOutcomes = `-- name: index-outcomes
SELECT count(*) FILTER (WHERE mode = 'apply'),
       count(*) FILTER (WHERE mode = 'advisory'),
       (avg(improvement) FILTER (WHERE mode = 'apply' AND improvement BETWEEN -1000 AND 100))::float8
FROM (
    SELECT details_json->>'mode' AS mode,
           CASE WHEN jsonb_typeof(details_json->'improvement_pct') = 'number'
                THEN (details_json->'improvement_pct')::numeric END AS improvement
    FROM mutation_log
    WHERE id > $1 AND id <= $2 AND mutation_type = 'CREATE_INDEX'
) AS created`

// qErrorCounts counts error rows by mutation type: metrics.errors. $3 is
// the known mutation types; any other type is counted as 'other' here, so
// an unknown value never leaves the database.
const qErrorCounts = `-- name: error-counts
SELECT CASE WHEN mutation_type = ANY($3::text[]) THEN mutation_type ELSE 'other' END AS kind,
       count(*)
FROM mutation_log
WHERE id > $1 AND id <= $2
  AND (details_json->>'severity' IN ('error', 'critical')
       OR mutation_type IN ('INDEX_CREATION_FAILED', 'CONNECTION_ERROR', 'CRITICAL_ERROR'))
GROUP BY kind`

// qAlgorithmUsage counts consultations and deciding consultations per
// algorithm: metrics.algorithm_usage and algorithm_decisions. $3 is the
// known algorithm names; others are counted as 'other'.
const qAlgorithmUsage = `-- name: algorithm-usage
SELECT CASE WHEN algorithm_name = ANY($3::text[]) THEN algorithm_name ELSE 'other' END AS algorithm,
       count(*),
       count(*) FILTER (WHERE used_in_decision)
FROM algorithm_usage
WHERE id > $1 AND id <= $2
GROUP BY algorithm`

// qABVariants summarises each experiment's variants: metrics.ab_experiments.
// The experiment name is read only to be hashed with the installation's
// salt (anonymize.go); variants other than a and b are counted as 'other'.
const qABVariants = `-- name: ab-variants
SELECT experiment_name,
       CASE WHEN variant IN ('a', 'b') THEN variant ELSE 'other' END AS arm,
       count(*),
       avg(query_duration_ms::float8),
       coalesce(var_samp(query_duration_ms::float8), 0)
FROM ab_experiment_results
WHERE id > $1 AND id <= $2
GROUP BY experiment_name, arm`

// qTenantCount counts tenants, never reading a name: metrics.tenants_bucket.
const qTenantCount = `-- name: tenant-count
SELECT count(*) FROM tenants`

// knownMutationTypes is IndexPilot's vocabulary of mutation_log.mutation_type
// (MUTATION_TYPES in IndexPilot's src/audit.py, and the other values its
// writers use). Error counts use these words; any other is 'other'.
var knownMutationTypes = []string{
	"ADD_COLUMN", "ALTER_COLUMN", "ALTER_TABLE", "APPROVAL_REQUEST",
	"AUTHENTICATION_FAILURE", "AUTHORIZATION_DENIED", "BULK_UPDATE",
	"CONNECTION_ERROR", "CREATE_INDEX", "CREATE_TABLE", "CRITICAL_ERROR",
	"DATA_MIGRATION", "DISABLE_FIELD", "DROP_COLUMN", "DROP_INDEX",
	"DROP_TABLE", "ENABLE_FIELD", "INDEX_CREATION_FAILED", "INITIALIZE_TENANT",
	"QUERY_BLOCKED", "RATE_LIMIT_EXCEEDED", "REINDEX", "REINDEX_INDEX",
	"RENAME_COLUMN", "ROLLBACK_INDEX", "SECURITY_VIOLATION",
	"SYSTEM_CONFIG_CHANGE", "SYSTEM_DISABLE", "SYSTEM_ENABLE",
}

// knownAlgorithms is IndexPilot's vocabulary of algorithm_usage.algorithm_name.
var knownAlgorithms = []string{
	"alex", "bx_tree", "cert", "constraint_optimizer", "cortex",
	"fractal_tree", "idistance", "pgm_index", "predictive_indexing", "qpg",
	"radix_string_spline", "xgboost_classifier",
}
