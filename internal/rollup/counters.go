package rollup

import (
	"math"
	"unsafe"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Counters are the additive sums of a rollup row, one field per entry of
// counterList, in its order: the order in which stores keep them.
type Counters struct {
	Reports            int64 // reports counted
	Total              int64 // the dimension's own count: algorithm uses, decisions or errors of this type
	IndexesCreated     int64
	IndexesRecommended int64
	QueriesAnalyzed    int64
	PerfSum            int64 // sum of performance_improvement_pct × PctScale
	PerfN              int64 // reports that carried performance_improvement_pct
	ErrorReports       int64 // reports with at least one error
	Errors             int64 // sum of all error counts
	LatP50Sum          int64 // sums of the latency percentiles × LatencyScale
	LatP95Sum          int64
	LatP99Sum          int64
	LatN               int64 // reports that carried query_latency_ms
	ABSum              int64 // A/B rows: sum of n × mean, in microseconds
	ABSumSq            int64 // A/B rows: sum of (n-1) × variance + n × mean², in ABSqScale units
	PerfSumSq          int64 // sum of performance_improvement_pct² × PerfSqScale: its spread, for intervals
	// Feature usage rows (DimUsage; Total holds the uses): the successes,
	// and the sums of squares and products of each report's uses u and
	// successes s, from which the success rate's variance follows
	// (internal/dashboard, featureusage.go).
	UsageSuccesses int64 // Σ s
	UsageUsesSq    int64 // Σ u², each term at most SquareLimit
	UsageCross     int64 // Σ s·u, each term at most SquareLimit
	UsageSuccSq    int64 // Σ s², each term at most SquareLimit
}

// A counter is one entry of counterList: the column that holds it in both
// stores (rollups, and SQLite's rollup_deltas) and what one report adds
// to it.
type counter struct {
	column string
	// of is what a report adds to every row that counts it; nil for the
	// counters the row's key decides (Total, the A/B and feature usage
	// sums; see Add).
	of func(r *report.Report) int64
}

// counterList declares the counters of a rollup row, in the order of the
// fields of Counters. A new counter (say, of a new numeric report metric)
// is a field of Counters, an entry here, and a migration per dialect that
// adds its column, BIGINT NOT NULL DEFAULT 0 in PostgreSQL and INTEGER NOT
// NULL DEFAULT 0 in SQLite, to rollups (and to SQLite's rollup_deltas;
// PostgreSQL keeps its pending deltas encoded since migration 010); the
// stores, the delta codec and the arithmetic follow this list.
var counterList = []counter{
	{"reports", func(*report.Report) int64 { return 1 }},
	{"total", nil},
	{"indexes_created", func(r *report.Report) int64 { return r.Metrics.IndexesCreated }},
	{"indexes_recommended", func(r *report.Report) int64 { return r.Metrics.IndexesRecommended }},
	{"queries_analyzed", func(r *report.Report) int64 { return r.Metrics.QueriesAnalyzed }},
	{"perf_sum", func(r *report.Report) int64 { return scaled(r.Metrics.PerformanceImprovementPct, PctScale) }},
	{"perf_n", func(r *report.Report) int64 { return present(r.Metrics.PerformanceImprovementPct != nil) }},
	{"error_reports", func(r *report.Report) int64 { return present(errorCount(r) > 0) }},
	{"errors", errorCount},
	{"lat_p50_sum", latency(func(l *report.Latency) float64 { return l.P50 })},
	{"lat_p95_sum", latency(func(l *report.Latency) float64 { return l.P95 })},
	{"lat_p99_sum", latency(func(l *report.Latency) float64 { return l.P99 })},
	{"lat_n", func(r *report.Report) int64 { return present(r.Metrics.QueryLatencyMS != nil) }},
	{"ab_sum", nil},
	{"ab_sumsq", nil},
	{"perf_sum_sq", func(r *report.Report) int64 {
		if p := r.Metrics.PerformanceImprovementPct; p != nil {
			return int64(math.Round(*p * *p * PerfSqScale))
		}
		return 0
	}},
	{"usage_successes", nil},
	{"usage_uses_sq", nil},
	{"usage_cross", nil},
	{"usage_successes_sq", nil},
}

// NumCounters is the number of fields of Counters.
const NumCounters = int(unsafe.Sizeof(Counters{}) / 8)

// CounterColumns returns the stores' column of each counter, in the order
// of Fields.
func CounterColumns() []string {
	cols := make([]string, len(counterList))
	for i, c := range counterList {
		cols[i] = c.column
	}
	return cols
}

// values returns c's counters as an array, in declaration order. Counters
// holds int64 fields only (TestCounterList checks it), so the array is
// exactly its memory; adding rows field by field this way costs nothing,
// which matters as every ingested report adds to about ten rows and every
// dashboard read sums thousands.
func (c *Counters) values() *[NumCounters]int64 { return (*[NumCounters]int64)(unsafe.Pointer(c)) }

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	a, b := c.values(), o.values()
	for i := range a {
		a[i] += b[i]
	}
}

// Sub subtracts o from c.
func (c *Counters) Sub(o Counters) {
	a, b := c.values(), o.values()
	for i := range a {
		a[i] -= b[i]
	}
}

// Fields returns pointers to c's fields in declaration order, the order
// in which stores keep them (CounterColumns).
func (c *Counters) Fields() [NumCounters]*int64 {
	var out [NumCounters]*int64
	v := c.values()
	for i := range v {
		out[i] = &v[i]
	}
	return out
}

// baseCounters returns what r adds to every row that counts it.
func baseCounters(r *report.Report) Counters {
	var c Counters
	v := c.values()
	for i, k := range counterList {
		if k.of != nil {
			v[i] = k.of(r)
		}
	}
	return c
}

// scaled is *p in fixed point (0 when p is nil).
func scaled(p *float64, scale float64) int64 {
	if p == nil {
		return 0
	}
	return int64(math.Round(*p * scale))
}

func present(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// errorCount is the sum of a report's error counts.
func errorCount(r *report.Report) int64 {
	var n int64
	for _, c := range r.Metrics.Errors {
		n += c
	}
	return n
}

// latency returns the counter of one latency percentile, in fixed point.
func latency(p func(*report.Latency) float64) func(*report.Report) int64 {
	return func(r *report.Report) int64 {
		if l := r.Metrics.QueryLatencyMS; l != nil {
			return int64(math.Round(p(l) * LatencyScale))
		}
		return 0
	}
}
