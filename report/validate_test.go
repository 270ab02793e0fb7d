package report

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecodeRejects(t *testing.T) {
	count, queries := num(MaxCount), num(MaxQueries)
	latency := num(MaxLatencyMS)
	names, features, experiments := overLimit()
	type tc struct {
		name  string
		kv    []any  // changes to seed, as for body
		field string // the FieldError's Field
		rule  string // a part of its Rule: the limit, pattern or cause
	}
	tests := []tc{
		{"schema_version above the newest", []any{"schema_version", CurrentSchema + 1}, "schema_version", "between 1 and " + strconv.Itoa(CurrentSchema)},
		{"schema_version 0", []any{"schema_version", 0}, "schema_version", "between 1 and " + strconv.Itoa(CurrentSchema)},
		{"schema_version -1", []any{"schema_version", -1}, "schema_version", "between 1 and " + strconv.Itoa(CurrentSchema)},
		{"schema_version 1.5", []any{"schema_version", 1.5}, "schema_version", "whole number"},
		{"schema_version string", []any{"schema_version", "2"}, "schema_version", "got a string"},
		{"report_id not a UUID", []any{"report_id", "report-1"}, "report_id", "UUID"},
		{"report_id without dashes", []any{"report_id", "6ba7b8109dad11d180b400c04fd430c8"}, "report_id", "UUID"},
		{"report_id number", []any{"report_id", 1}, "report_id", "string"},
		{"installation_id short", []any{"installation_id", "abc"}, "installation_id", installationIDPattern.String()},
		{"installation_id long", []any{"installation_id", strings.Repeat("a", 65)}, "installation_id", installationIDPattern.String()},
		{"installation_id space", []any{"installation_id", "abc def ghi"}, "installation_id", installationIDPattern.String()},
		{"installation_id number", []any{"installation_id", 12345678}, "installation_id", "string"},
		{"version empty", []any{"version", ""}, "version", versionPattern.String()},
		{"version with space", []any{"version", "1.1 beta"}, "version", versionPattern.String()},
		{"timestamp 2 days ahead", []any{"timestamp", now.Add(48 * time.Hour).Format(time.RFC3339)}, "timestamp", MaxFutureSkew.String()},
		{"timestamp older than retention", []any{"timestamp", now.Add(-DefaultRetention - time.Hour).Format(time.RFC3339)}, "timestamp", "90 days"},
		{"timestamp not a date", []any{"timestamp", "yesterday"}, "timestamp", "RFC 3339"},
		{"timestamp month 13", []any{"timestamp", "2026-13-20T10:00:00Z"}, "timestamp", "RFC 3339"},
		{"timestamp with space", []any{"timestamp", "2026-11-20 10:00:00"}, "timestamp", "RFC 3339"},
		{"timestamp date only", []any{"timestamp", "2026-11-20"}, "timestamp", "RFC 3339"},
		{"timestamp number", []any{"timestamp", 1795168800}, "timestamp", "string"},
		{"metrics not an object", []any{"metrics", []int{1}}, "metrics", "object"},
		{"environment not an object", []any{"environment", "linux"}, "environment", "object"},
		{"count as string", []any{"metrics.indexes_created", "42"}, "metrics.indexes_created", count},
		{"count negative", []any{"metrics.indexes_created", -1}, "metrics.indexes_created", count},
		{"count above cap", []any{"metrics.indexes_created", MaxCount + 1}, "metrics.indexes_created", count},
		{"count fractional", []any{"metrics.indexes_created", 42.5}, "metrics.indexes_created", count},
		{"count overflow", []any{"metrics.indexes_created", raw("1e400")}, "metrics.indexes_created", count},
		{"count beyond int64", []any{"metrics.indexes_created", raw("9223372036854775808")}, "metrics.indexes_created", count},
		{"count boolean", []any{"metrics.indexes_created", true}, "metrics.indexes_created", count},
		{"recommended above cap", []any{"metrics.indexes_recommended", MaxCount + 1}, "metrics.indexes_recommended", count},
		{"queries above cap", []any{"metrics.queries_analyzed", MaxQueries + 1}, "metrics.queries_analyzed", queries},
		{"queries negative", []any{"metrics.queries_analyzed", -5}, "metrics.queries_analyzed", queries},
		{"improvement above 100", []any{"metrics.performance_improvement_pct", 100.5}, "metrics.performance_improvement_pct", num(MaxImprovement)},
		{"improvement below min", []any{"metrics.performance_improvement_pct", MinImprovement - 1}, "metrics.performance_improvement_pct", num(MinImprovement)},
		{"improvement overflow", []any{"metrics.performance_improvement_pct", raw("1e400")}, "metrics.performance_improvement_pct", num(MaxImprovement)},
		{"improvement string", []any{"metrics.performance_improvement_pct", "30.5"}, "metrics.performance_improvement_pct", num(MaxImprovement)},
		{"coverage above 100", []any{"metrics.explain_coverage_pct", 100.01}, "metrics.explain_coverage_pct", "between 0 and 100"},
		{"coverage negative", []any{"metrics.explain_coverage_pct", -0.5}, "metrics.explain_coverage_pct", "between 0 and 100"},
		{"features not an array", []any{"metrics.features_used", "auto_indexing"}, "metrics.features_used", "array"},
		{"feature not a string", []any{"metrics.features_used", []any{1}}, "metrics.features_used", "string"},
		{"feature null", []any{"metrics.features_used", []any{nil}}, "metrics.features_used", namePattern.String()},
		{"feature bad name", []any{"metrics.features_used", []string{"Auto Indexing"}}, "metrics.features_used", namePattern.String()},
		{"too many features", []any{"metrics.features_used", features}, "metrics.features_used", strconv.Itoa(MaxListEntries)},
		{"algorithm count string", []any{"metrics.algorithm_usage.cert", "8"}, "metrics.algorithm_usage.cert", count},
		{"algorithm count fractional", []any{"metrics.algorithm_usage.cert", 8.5}, "metrics.algorithm_usage.cert", count},
		{"algorithm count overflow", []any{"metrics.algorithm_usage.cert", raw("1e400")}, "metrics.algorithm_usage.cert", count},
		{"algorithm count negative", []any{"metrics.algorithm_usage.cert", -8}, "metrics.algorithm_usage.cert", count},
		{"algorithm count above cap", []any{"metrics.algorithm_usage.cert", MaxCount + 1}, "metrics.algorithm_usage.cert", count},
		{"algorithm bad name", []any{"metrics.algorithm_usage.CERT", 1}, "metrics.algorithm_usage", namePattern.String()},
		{"algorithm usage array", []any{"metrics.algorithm_usage", []int{1}}, "metrics.algorithm_usage", "object"},
		{"too many algorithms", []any{"metrics.algorithm_usage", names}, "metrics.algorithm_usage", strconv.Itoa(MaxListEntries)},
		{"error type bad name", []any{"metrics.errors", map[string]any{"psycopg2 error": 1}}, "metrics.errors", errorTypePattern.String()},
		{"error count negative", []any{"metrics.errors", map[string]any{"psycopg2.OperationalError": -1}}, "metrics.errors.psycopg2.OperationalError", count},
		{"too many error types", []any{"metrics.errors", names}, "metrics.errors", strconv.Itoa(MaxListEntries)},
		{"latency not an object", []any{"metrics.query_latency_ms", 5}, "metrics.query_latency_ms", "object"},
		{"latency p50 > p95", []any{"metrics.query_latency_ms", map[string]any{"p50": 10, "p95": 5, "p99": 20}}, "metrics.query_latency_ms", "p50 <= p95 <= p99"},
		{"latency p95 > p99", []any{"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 30, "p99": 20}}, "metrics.query_latency_ms", "p50 <= p95 <= p99"},
		{"latency negative", []any{"metrics.query_latency_ms", map[string]any{"p50": -1, "p95": 5, "p99": 20}}, "metrics.query_latency_ms.p50", latency},
		{"latency above cap", []any{"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 5, "p99": MaxLatencyMS + 1}}, "metrics.query_latency_ms.p99", latency},
		{"latency string", []any{"metrics.query_latency_ms", map[string]any{"p95": "5"}}, "metrics.query_latency_ms.p95", latency},
		{"python version", []any{"environment.python_version", "3.11.0 (main)"}, "environment.python_version", versionPattern.String()},
		{"postgresql version", []any{"environment.postgresql_version", "15.0 (Debian)"}, "environment.postgresql_version", versionPattern.String()},
		{"os with space", []any{"environment.os", "Mac OS"}, "environment.os", envWordPattern.String()},
		{"os non-ASCII", []any{"environment.os", "\u212Ainux"}, "environment.os", envWordPattern.String()},
		{"arch", []any{"environment.arch", "-x86"}, "environment.arch", envWordPattern.String()},
		{"runtime", []any{"environment.runtime", "docker\n"}, "environment.runtime", runtimePattern.String()},
		{"cpu cores negative", []any{"environment.cpu_cores", -1}, "environment.cpu_cores", num(MaxCPUCores)},
		{"cpu cores above cap", []any{"environment.cpu_cores", MaxCPUCores + 1}, "environment.cpu_cores", num(MaxCPUCores)},
		{"cpu cores fractional", []any{"environment.cpu_cores", 8.5}, "environment.cpu_cores", num(MaxCPUCores)},
		{"cpu cores string", []any{"environment.cpu_cores", "8"}, "environment.cpu_cores", num(MaxCPUCores)},
		{"tenants bucket", []any{"schema_version", 2, "metrics.tenants_bucket", "5"}, "metrics.tenants_bucket", strings.Join(TenantBuckets, ", ")},
		{"algorithm decisions negative", []any{"schema_version", 2, "metrics.algorithm_decisions.cert", -1}, "metrics.algorithm_decisions.cert", count},
		{"algorithm decisions bad name", []any{"schema_version", 2, "metrics.algorithm_decisions.Cert", 1}, "metrics.algorithm_decisions", namePattern.String()},
		{"too many algorithm decisions", []any{"schema_version", 2, "metrics.algorithm_decisions", names}, "metrics.algorithm_decisions", strconv.Itoa(MaxListEntries)},
		{"ab experiments object", []any{"schema_version", 2, "metrics.ab_experiments", map[string]any{}}, "metrics.ab_experiments", "array"},
		{"ab experiment not an object", []any{"schema_version", 2, "metrics.ab_experiments", []int{1}}, "metrics.ab_experiments", "object (got 1)"},
		{"ab experiment null", []any{"schema_version", 2, "metrics.ab_experiments", []any{nil}}, "metrics.ab_experiments", "object (got null)"},
		{"ab experiment without experiment", []any{"schema_version", 2, "metrics.ab_experiments", []any{map[string]any{"variant": "a"}}}, "metrics.ab_experiments.experiment", experimentPattern.String()},
		{"too many ab experiments", []any{"schema_version", 2, "metrics.ab_experiments", experiments}, "metrics.ab_experiments", strconv.Itoa(MaxListEntries)},
		{"ab experiment name", experiment("experiment", "checkout"), "metrics.ab_experiments.experiment", experimentPattern.String()},
		{"ab variant", experiment("variant", "Control"), "metrics.ab_experiments.variant", variantPattern.String()},
		{"ab n negative", experiment("n", -1), "metrics.ab_experiments.n", queries},
		{"ab n fractional", experiment("n", 1.5), "metrics.ab_experiments.n", queries},
		{"ab n above cap", experiment("n", MaxQueries+1), "metrics.ab_experiments.n", queries},
		{"ab mean above cap", experiment("mean_ms", MaxLatencyMS+1), "metrics.ab_experiments.mean_ms", latency},
		{"ab mean string", experiment("mean_ms", "1"), "metrics.ab_experiments.mean_ms", latency},
		{"ab variance negative", experiment("variance_ms2", -1), "metrics.ab_experiments.variance_ms2", num(MaxLatencyMS * MaxLatencyMS)},
		{"ab variance overflow", experiment("variance_ms2", raw("1e400")), "metrics.ab_experiments.variance_ms2", num(MaxLatencyMS * MaxLatencyMS)},
		{"ab duplicate variant", []any{"schema_version", 2, "metrics.ab_experiments", []any{
			map[string]any{"experiment": "0123456789abcdef", "variant": "a"},
			map[string]any{"experiment": "0123456789abcdef", "variant": "a"}}}, "metrics.ab_experiments", "once"},
	}
	for _, f := range required {
		tests = append(tests,
			tc{f + " missing", []any{f, del{}}, f, "required"},
			tc{f + " null", []any{f, nil}, f, "required"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body(t, tt.kv...)
			d, err := Decode(b, now, DefaultRetention)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode(%s) = %+v, %v; want a FieldError", b, d, err)
			}
			if fe.Field != tt.field || fe.Rule == "" || !strings.Contains(fe.Rule, tt.rule) {
				t.Errorf("Decode(%.200s)\n got %q %q\nwant %q, a rule containing %q", b, fe.Field, fe.Rule, tt.field, tt.rule)
			}
		})
	}
}
