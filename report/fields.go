package report

import (
	"fmt"
	"strings"
)

// The contract, one row per field: this table is the one definition of
// the report. Decode (its allow-list and the shape of each value),
// validation, the stored encoding (AppendJSON), FieldSchema and the JSON
// Schema (schema.json, generated from it) all follow it.
//
// docs/contract.md ("Adding a field") lists every place a new field
// touches; in this package, its Go field (report.go), its row here in the
// place of its Go field, and `go generate ./report` for schema.json.
var (
	reportObject = newObject[Report](
		whole("schema_version", func(r *Report) *int { return &r.SchemaVersion }, numRange{1, CurrentSchema, true},
			"The newest version of the contract whose fields the report may carry, at most the version the user consented to. Left out (or null) means 1."),
		text("report_id", func(r *Report) *string { return &r.ReportID }, uuidPattern,
			"A UUID the client draws once per report and keeps across retries; it is the idempotency key. Stored lowercased. Left out: the key is derived from installation_id and timestamp.").
			breaking("must be a UUID in its 36-character form").lowered(),
		text("installation_id", func(r *Report) *string { return &r.InstallationID }, installationIDPattern,
			"A random, stable identifier of the installation; never derived from a host name or address.").fromSeed().mustHave(),
		text("version", func(r *Report) *string { return &r.Version }, versionPattern,
			"The IndexPilot version, e.g. 1.1.0 or 1.1.0rc1.").fromSeed().mustHave(),
		timestampField(text("timestamp", func(r *Report) *string { return &r.Timestamp }, timestampPattern,
			fmt.Sprintf("When the report was made: RFC 3339, or Python's isoformat() without an offset, which means UTC. "+
				"It must be a valid date-time, at most %s after the server's clock and not older than the raw-data retention (default %s).",
				days(MaxFutureSkew.Hours()/24), days(DefaultRetention.Hours()/24))).fromSeed().mustHave()),
		objectField("metrics", func(r *Report) *Metrics { return &r.Metrics }, metricsObject,
			"What the installation did during the report's period. Counts left out mean zero; percentages and latencies left out mean not measured.").
			fromSeed().mustHave(),
		objectField("environment", func(r *Report) *Environment { return &r.Environment }, environmentObject,
			"Where IndexPilot runs, coarsely.").fromSeed().mustHave(),
	)

	metricsObject = newObject[Metrics](
		names("features_used", func(m *Metrics) *[]string { return &m.FeaturesUsed }, namePattern, MaxListEntries,
			fmt.Sprintf("Names of the features used. Duplicates are collapsed; at most %d distinct entries.", MaxListEntries)).fromSeed(),
		whole("indexes_created", func(m *Metrics) *int64 { return &m.IndexesCreated }, numRange{0, MaxCount, true},
			"Indexes IndexPilot created.").fromSeed(),
		whole("indexes_recommended", func(m *Metrics) *int64 { return &m.IndexesRecommended }, numRange{0, MaxCount, true},
			"Indexes IndexPilot recommended without creating them."),
		whole("queries_analyzed", func(m *Metrics) *int64 { return &m.QueriesAnalyzed }, numRange{0, MaxQueries, true},
			"Queries IndexPilot analysed.").fromSeed(),
		optFloat("performance_improvement_pct", func(m *Metrics) **float64 { return &m.PerformanceImprovementPct },
			numRange{MinImprovement, MaxImprovement, false},
			"Estimated query-time improvement in percent; negative is a regression.").fromSeed(),
		optFloat("explain_coverage_pct", func(m *Metrics) **float64 { return &m.ExplainCoveragePct }, numRange{0, 100, false},
			"Share of analysed queries with an EXPLAIN plan, in percent."),
		counts("algorithm_usage", func(m *Metrics) *map[string]int64 { return &m.AlgorithmUsage }, namePattern,
			numRange{0, MaxCount, true}, MaxListEntries, "How often each algorithm ran, by algorithm name.").fromSeed(),
		counts("errors", func(m *Metrics) *map[string]int64 { return &m.Errors }, errorTypePattern,
			numRange{0, MaxCount, true}, MaxListEntries, "Errors counted by exception type name, never by message."),
		optObject("query_latency_ms", func(m *Metrics) **Latency { return &m.QueryLatencyMS }, latencyObject,
			"Query latency percentiles in milliseconds; they must satisfy p50 <= p95 <= p99 (a percentile left out is 0)."),

		counts("algorithm_decisions", func(m *Metrics) *map[string]int64 { return &m.AlgorithmDecisions }, namePattern,
			numRange{0, MaxCount, true}, MaxListEntries, "Decisions taken by each algorithm, by algorithm name.").sinceVersion(2),
		objectList("ab_experiments", func(m *Metrics) *[]ABExperiment { return &m.ABExperiments }, experimentObject, MaxListEntries,
			"One entry per variant of an A/B experiment; each experiment and variant may appear once.").sinceVersion(2),
		text("tenants_bucket", func(m *Metrics) *string { return &m.TenantsBucket }, nil,
			"Number of tenants, coarsened.").oneOf(TenantBuckets).sinceVersion(2),

		words("experiments", func(m *Metrics) *map[string]string { return &m.Experiments }, fleetNamePattern, variantPattern,
			MaxExperiments, fmt.Sprintf("The variant this installation runs of each fleet experiment, by the experiment's name (IndexPilot's own names, "+
				"never a user's); at most %d. The service keeps registered experiments and variants only and names the others in ignored_fields.",
				MaxExperiments)).sinceVersion(3),

		objectMap("feature_usage", func(m *Metrics) *map[string]FeatureUse { return &m.FeatureUsage }, namePattern,
			featureUseObject, MaxListEntries,
			fmt.Sprintf("Uses of each feature during the period and how many succeeded, by feature name; at most %d features.", MaxListEntries)).
			sinceVersion(3),
	)

	featureUseObject = withCheck(newObject[FeatureUse](
		whole("uses", func(u *FeatureUse) *int64 { return &u.Uses }, numRange{1, MaxCount, true}, "Times the feature was used.").mustHave(),
		whole("successes", func(u *FeatureUse) *int64 { return &u.Successes }, numRange{0, MaxCount, true},
			"How many of those uses succeeded.").always(),
	), func(u *FeatureUse) string {
		if u.Successes > u.Uses {
			return "must satisfy successes <= uses"
		}
		return ""
	})

	latencyObject = withCheck(newObject[Latency](
		float("p50", func(l *Latency) *float64 { return &l.P50 }, numRange{0, MaxLatencyMS, false}, "Median."),
		float("p95", func(l *Latency) *float64 { return &l.P95 }, numRange{0, MaxLatencyMS, false}, "95th percentile."),
		float("p99", func(l *Latency) *float64 { return &l.P99 }, numRange{0, MaxLatencyMS, false}, "99th percentile."),
	), func(l *Latency) string {
		if l.P50 > l.P95 || l.P95 > l.P99 {
			return "must satisfy p50 <= p95 <= p99"
		}
		return ""
	})

	experimentObject = withIdentity(newObject[ABExperiment](
		text("experiment", func(e *ABExperiment) *string { return &e.Experiment }, experimentPattern,
			"An HMAC of the experiment's name, never the name.").mustHave().
			breaking("must match "+experimentPattern.String()+" (an HMAC, never a name)"),
		text("variant", func(e *ABExperiment) *string { return &e.Variant }, variantPattern,
			"The variant's label.").mustHave(),
		whole("n", func(e *ABExperiment) *int64 { return &e.N }, numRange{0, MaxQueries, true}, "Queries measured.").always(),
		float("mean_ms", func(e *ABExperiment) *float64 { return &e.MeanMS }, numRange{0, MaxLatencyMS, false},
			"Mean latency in milliseconds."),
		float("variance_ms2", func(e *ABExperiment) *float64 { return &e.VarianceMS },
			numRange{0, MaxLatencyMS * MaxLatencyMS, false}, "Latency variance in square milliseconds."),
	), func(e *ABExperiment) string { return e.Experiment + "\x00" + e.Variant },
		"each experiment and variant may appear once")

	environmentObject = newObject[Environment](
		text("python_version", func(e *Environment) *string { return &e.PythonVersion }, versionPattern,
			"Python version, e.g. 3.11.0.").fromSeed(),
		text("postgresql_version", func(e *Environment) *string { return &e.PostgreSQLVersion }, versionPattern,
			"PostgreSQL server version, e.g. 15.0.").fromSeed(),
		text("os", func(e *Environment) *string { return &e.OS }, envWordPattern,
			"Operating system, e.g. linux; stored lowercased.").fromSeed().lowered(),
		text("arch", func(e *Environment) *string { return &e.Arch }, envWordPattern,
			"CPU architecture, e.g. x86_64; stored lowercased.").lowered(),
		whole("cpu_cores", func(e *Environment) *int { return &e.CPUCores }, numRange{0, MaxCPUCores, true},
			"Logical CPU cores.").fromSeed(),
		text("runtime", func(e *Environment) *string { return &e.Runtime }, runtimePattern,
			"Runtime or packaging, e.g. docker."),
	)
)

// Patterns of the contract; docs/contract.md gives them verbatim.
var (
	installationIDPattern = mustPattern(`^[A-Za-z0-9_-]{8,64}$`)
	versionPattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$`)
	namePattern           = mustPattern(`^[a-z][a-z0-9_]{0,63}$`)
	errorTypePattern      = mustPattern(`^[A-Za-z][A-Za-z0-9_.]{0,63}$`)
	envWordPattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`) // stored lowercased
	runtimePattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9 ._/+-]{0,63}$`)
	experimentPattern     = mustPattern(`^[0-9a-f]{16,64}$`)
	variantPattern        = mustPattern(`^[a-z0-9_]{1,16}$`)
	uuidPattern           = mustPattern(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`) // stored lowercased
	timestampPattern      = mustPattern(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

// fleetNamePattern is a registered fleet experiment's name (the rule of
// internal/experiment's registry).
var fleetNamePattern = mustPattern(`^[a-z0-9_]{1,48}$`)

// days words a number of days: "1 day", "90 days".
func days(n float64) string {
	if n == 1 {
		return "1 day"
	}
	return num(n) + " days"
}

// enumRule is the rule a string outside its allowed values breaks.
func enumRule(values []string) string { return "must be one of " + strings.Join(values, ", ") }
