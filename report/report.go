package report

import "time"

// CurrentSchema is the newest schema version this package understands.
// Fields introduced by a version are listed in FieldVersions.
const CurrentSchema = 3

// Limits of the contract. They are part of the documented rules in
// docs/contract.md and of the JSON Schema.
const (
	MaxBodyBytes     = 64 << 10 // request body, after gzip decompression
	MaxListEntries   = 64       // features, algorithms, error types
	MaxExperiments   = 16       // fleet experiment assignments in one report
	MaxCount         = 1_000_000_000
	MaxQueries       = 1_000_000_000_000
	MaxLatencyMS     = 3_600_000 // one hour
	MaxCPUCores      = 4096
	MinImprovement   = -1000.0
	MaxImprovement   = 100.0
	MaxFutureSkew    = 24 * time.Hour
	DefaultRetention = 90 * 24 * time.Hour // raw reports; older timestamps are refused
)

// Report is one telemetry report: the first client's format plus the optional
// fields of schema versions 1 to 3 (see FieldSchema).
type Report struct {
	SchemaVersion  int         `json:"schema_version,omitempty"`
	ReportID       string      `json:"report_id,omitempty"`
	InstallationID string      `json:"installation_id"`
	Version        string      `json:"version"`
	Timestamp      string      `json:"timestamp"`
	Metrics        Metrics     `json:"metrics"`
	Environment    Environment `json:"environment"`
}

// Metrics holds what an installation did during the report's period.
// Counts left out mean zero; the percentages and latencies left out mean
// "not measured" and are excluded from averages.
type Metrics struct {
	FeaturesUsed              []string         `json:"features_used,omitempty"`
	IndexesCreated            int64            `json:"indexes_created,omitempty"`
	IndexesRecommended        int64            `json:"indexes_recommended,omitempty"`
	QueriesAnalyzed           int64            `json:"queries_analyzed,omitempty"`
	PerformanceImprovementPct *float64         `json:"performance_improvement_pct,omitempty"`
	ExplainCoveragePct        *float64         `json:"explain_coverage_pct,omitempty"`
	AlgorithmUsage            map[string]int64 `json:"algorithm_usage,omitempty"`
	Errors                    map[string]int64 `json:"errors,omitempty"`
	QueryLatencyMS            *Latency         `json:"query_latency_ms,omitempty"`

	// Schema version 2: what the collector reads from IndexPilot's tables.
	AlgorithmDecisions map[string]int64 `json:"algorithm_decisions,omitempty"`
	ABExperiments      []ABExperiment   `json:"ab_experiments,omitempty"`
	TenantsBucket      string           `json:"tenants_bucket,omitempty"`

	// Schema version 3: the installation's variant of each fleet
	// experiment (docs/experiments.md), by the experiment's name; each
	// feature's uses and successes as IndexPilot counted them
	// (docs/feature-usage.md).
	Experiments  map[string]string     `json:"experiments,omitempty"`
	FeatureUsage map[string]FeatureUse `json:"feature_usage,omitempty"`
}

// FeatureUse counts one feature's uses during the report's period, and
// how many of them succeeded, as IndexPilot tells the client
// (track_feature_usage).
type FeatureUse struct {
	Uses      int64 `json:"uses"`
	Successes int64 `json:"successes"`
}

// ABExperiment summarises one variant of one A/B experiment: enough for a
// significance test (Welch's t) on the server without any raw latency.
// Experiment is an HMAC of the experiment's name, never the name itself.
type ABExperiment struct {
	Experiment string  `json:"experiment"`
	Variant    string  `json:"variant"`
	N          int64   `json:"n"`
	MeanMS     float64 `json:"mean_ms"`
	VarianceMS float64 `json:"variance_ms2"`
}

// Tenant buckets: the number of tenants, coarsened.
var TenantBuckets = []string{"1", "2-10", "11-100", "101-1000", ">1000"}

// Latency holds query latency percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Environment describes where IndexPilot runs, coarsely.
type Environment struct {
	PythonVersion     string `json:"python_version,omitempty"`
	PostgreSQLVersion string `json:"postgresql_version,omitempty"`
	OS                string `json:"os,omitempty"`
	Arch              string `json:"arch,omitempty"`
	CPUCores          int    `json:"cpu_cores,omitempty"`
	Runtime           string `json:"runtime,omitempty"`
}

// Float returns a pointer to f, for the optional percentage fields.
func Float(f float64) *float64 { return &f }
