package report

import (
	"math"
	"strconv"
)

// numRange is the allowed range of one numeric field.
type numRange struct {
	min, max float64
	whole    bool // an integer: no fraction, no exponent beyond its value
}

// ranges lists every numeric field of the contract by dotted path; a path
// ending in ".*" stands for every value of a map of counts. Decode, the
// rules in validate.go and schema.json all follow this table.
var ranges = map[string]numRange{
	"schema_version":                      {1, CurrentSchema, true},
	"metrics.indexes_created":             {0, MaxCount, true},
	"metrics.indexes_recommended":         {0, MaxCount, true},
	"metrics.queries_analyzed":            {0, MaxQueries, true},
	"metrics.performance_improvement_pct": {MinImprovement, MaxImprovement, false},
	"metrics.explain_coverage_pct":        {0, 100, false},
	"metrics.algorithm_usage.*":           {0, MaxCount, true},
	"metrics.errors.*":                    {0, MaxCount, true},
	"metrics.query_latency_ms.p50":        {0, MaxLatencyMS, false},
	"metrics.query_latency_ms.p95":        {0, MaxLatencyMS, false},
	"metrics.query_latency_ms.p99":        {0, MaxLatencyMS, false},
	"metrics.algorithm_decisions.*":       {0, MaxCount, true},
	"metrics.ab_experiments.n":            {0, MaxQueries, true},
	"metrics.ab_experiments.mean_ms":      {0, MaxLatencyMS, false},
	"metrics.ab_experiments.variance_ms2": {0, MaxLatencyMS * MaxLatencyMS, false},
	"environment.cpu_cores":               {0, MaxCPUCores, true},
}

// rule is the FieldError rule of a value outside r.
func (r numRange) rule() string {
	kind := "a number"
	if r.whole {
		kind = "a whole number"
	}
	return "must be " + kind + " between " + num(r.min) + " and " + num(r.max)
}

func (r numRange) contains(v float64) bool {
	return !math.IsNaN(v) && v >= r.min && v <= r.max
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkRange checks v against the range of key (a path in ranges) and
// names field in the error.
func checkRange(field, key string, v float64) error {
	if r := ranges[key]; !r.contains(v) {
		return fieldErr(field, "%s", r.rule())
	}
	return nil
}
