package report

import (
	"slices"
	"strings"
)

// The objects of the contract, as Decode walks them. Each field names the
// Go field it fills, whose type says which rules apply (see
// walker.value); known, ranges and FieldSchema give the rest.
var (
	reportObject = newObject("",
		fieldOf("schema_version", func(r *Report) any { return &r.SchemaVersion }),
		fieldOf("report_id", func(r *Report) any { return &r.ReportID }),
		fieldOf("installation_id", func(r *Report) any { return &r.InstallationID }),
		fieldOf("version", func(r *Report) any { return &r.Version }),
		fieldOf("timestamp", func(r *Report) any { return &r.Timestamp }),
		fieldOf("metrics", func(r *Report) any { return &r.Metrics }),
		fieldOf("environment", func(r *Report) any { return &r.Environment }),
	)
	metricsObject = newObject("metrics",
		fieldOf("features_used", func(m *Metrics) any { return &m.FeaturesUsed }),
		fieldOf("indexes_created", func(m *Metrics) any { return &m.IndexesCreated }),
		fieldOf("indexes_recommended", func(m *Metrics) any { return &m.IndexesRecommended }),
		fieldOf("queries_analyzed", func(m *Metrics) any { return &m.QueriesAnalyzed }),
		fieldOf("performance_improvement_pct", func(m *Metrics) any { return &m.PerformanceImprovementPct }),
		fieldOf("explain_coverage_pct", func(m *Metrics) any { return &m.ExplainCoveragePct }),
		fieldOf("algorithm_usage", func(m *Metrics) any { return &m.AlgorithmUsage }),
		fieldOf("errors", func(m *Metrics) any { return &m.Errors }),
		fieldOf("query_latency_ms", func(m *Metrics) any { return &m.QueryLatencyMS }),
		fieldOf("algorithm_decisions", func(m *Metrics) any { return &m.AlgorithmDecisions }),
		fieldOf("ab_experiments", func(m *Metrics) any { return &m.ABExperiments }),
		fieldOf("tenants_bucket", func(m *Metrics) any { return &m.TenantsBucket }),
	)
	latencyObject = newObject("metrics.query_latency_ms",
		fieldOf("p50", func(l *Latency) any { return &l.P50 }),
		fieldOf("p95", func(l *Latency) any { return &l.P95 }),
		fieldOf("p99", func(l *Latency) any { return &l.P99 }),
	)
	experimentObject = newObject("metrics.ab_experiments",
		fieldOf("experiment", func(e *ABExperiment) any { return &e.Experiment }),
		fieldOf("variant", func(e *ABExperiment) any { return &e.Variant }),
		fieldOf("n", func(e *ABExperiment) any { return &e.N }),
		fieldOf("mean_ms", func(e *ABExperiment) any { return &e.MeanMS }),
		fieldOf("variance_ms2", func(e *ABExperiment) any { return &e.VarianceMS }),
	)
	environmentObject = newObject("environment",
		fieldOf("python_version", func(e *Environment) any { return &e.PythonVersion }),
		fieldOf("postgresql_version", func(e *Environment) any { return &e.PostgreSQLVersion }),
		fieldOf("os", func(e *Environment) any { return &e.OS }),
		fieldOf("arch", func(e *Environment) any { return &e.Arch }),
		fieldOf("cpu_cores", func(e *Environment) any { return &e.CPUCores }),
		fieldOf("runtime", func(e *Environment) any { return &e.Runtime }),
	)
)

// object lists the fields of one object of the contract, sorted by name:
// the order in which their rules are checked.
type object[T any] struct {
	path   string
	fields []field[T]
}

// field is one field of an object of type T.
type field[T any] struct {
	fieldInfo
	ptr func(*T) any // a pointer to the Go field
}

// fieldInfo is what the rules need to know of a field.
type fieldInfo struct {
	name   string   // the JSON key
	path   string   // the dotted path, as errors and Ignored name it
	schema int      // the schema version that introduced it
	rng    numRange // for a number, or each value of a map of counts
}

func fieldOf[T any](name string, ptr func(*T) any) field[T] {
	return field[T]{fieldInfo: fieldInfo{name: name}, ptr: ptr}
}

func newObject[T any](path string, fields ...field[T]) *object[T] {
	for i := range fields {
		f := &fields[i].fieldInfo
		f.path = join(path, f.name)
		f.schema = FieldSchema(f.path)
		f.rng = ranges[f.path]
		if r, ok := ranges[f.path+".*"]; ok {
			f.rng = r
		}
	}
	slices.SortFunc(fields, func(a, b field[T]) int { return strings.Compare(a.name, b.name) })
	return &object[T]{path: path, fields: fields}
}

// field returns the index of the field called name, or -1.
func (o *object[T]) field(name string) int {
	for i := range o.fields {
		if o.fields[i].name == name {
			return i
		}
	}
	return -1
}
