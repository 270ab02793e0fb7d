package store

import (
	"context"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Experiments is the registry of fleet experiments (docs/experiments.md)
// and the one read their analysis needs. Both backends implement it.
type Experiments interface {
	// CreateExperiment stores a new experiment; ErrConflict when one of
	// that name exists (running or not).
	CreateExperiment(ctx context.Context, e Experiment) error
	// Experiment returns the experiment called name, or ErrNotFound.
	Experiment(ctx context.Context, name string) (Experiment, error)
	// ListExperiments returns every experiment, by start time then name.
	ListExperiments(ctx context.Context) ([]Experiment, error)
	// EndExperiment ends the experiment at the given time, unless it ended
	// earlier; ErrNotFound when there is none of that name.
	EndExperiment(ctx context.Context, name string, at time.Time) error
	// ExperimentUnitDays reads the stored reports that q selects: those
	// that carried an assignment to the experiment, with q.Metric, in day
	// order. An installation may have several rows of a day, whose sums
	// add up. It reads raw reports, so it sees at most the raw retention
	// (90 days by default).
	ExperimentUnitDays(ctx context.Context, q ExperimentQuery) ([]UnitDay, error)
	// ReportDayCounts returns the number of raw reports of each day
	// from..to that has any, from an index alone (no report is read):
	// storing or deleting a report changes its day's count, so a reader
	// may keep what it derived from a day while the count stays.
	ReportDayCounts(ctx context.Context, from, to rollup.Day) (map[rollup.Day]int64, error)
}

// Experiment is one registered fleet experiment.
type Experiment struct {
	Name           string
	Variants       []string  // the first is the control
	Split          []float64 // each variant's share of installations, summing to 1
	Metric         string    // one of ExperimentMetrics
	HigherIsBetter bool
	MinEffect      float64 // the smallest difference worth knowing, in the metric's unit
	Start          time.Time
	End            *time.Time // nil while open-ended
	Created        time.Time
}

// Running reports whether e is running at t: started, and not ended.
func (e Experiment) Running(t time.Time) bool {
	return !t.Before(e.Start) && (e.End == nil || t.Before(*e.End))
}

// The metrics an experiment can be judged on. Each backend reads them from
// a stored report's fields (docs/experiments.md has the definitions):
// a report without the field does not count for the first two.
const (
	MetricPerformance    = "performance_improvement_pct" // metrics.performance_improvement_pct, %
	MetricLatencyP95     = "latency_p95_ms"              // metrics.query_latency_ms.p95, ms
	MetricErrorRate      = "error_rate"                  // 100 for a report with any error, else 0: % of reports
	MetricIndexesCreated = "indexes_created"             // metrics.indexes_created (absent = 0)
)

// ExperimentMetrics lists the metrics an experiment can be judged on.
var ExperimentMetrics = []string{MetricPerformance, MetricErrorRate, MetricLatencyP95, MetricIndexesCreated}

// ExperimentQuery selects the reports of one experiment: those that carry
// an assignment to it, of days From..To inclusive.
type ExperimentQuery struct {
	Name     string
	Metric   string
	From, To rollup.Day
}

// UnitDay is what one installation reported about one experiment on one
// day (or part of it): the variant its reports carried, how many did, and
// the sum of the metric over the N of them that carried it.
type UnitDay struct {
	Installation uint32 // the installation's dense number
	Day          rollup.Day
	Variant      string
	Reports      int64
	Sum          float64
	N            int64
}

// MetricValue is the value of an experiment metric (one of
// ExperimentMetrics) in a report's metrics, and false when the report
// does not count for it. It is the definition the backends that read
// reports in Go use (PostgreSQL's are packed, package pack).
func MetricValue(m *report.Metrics, metric string) (float64, bool) {
	switch metric {
	case MetricPerformance:
		if m.PerformanceImprovementPct == nil {
			return 0, false
		}
		return *m.PerformanceImprovementPct, true
	case MetricLatencyP95:
		if m.QueryLatencyMS == nil {
			return 0, false
		}
		return m.QueryLatencyMS.P95, true
	case MetricIndexesCreated:
		return float64(m.IndexesCreated), true
	case MetricErrorRate:
		for _, n := range m.Errors {
			if n > 0 {
				return 100, true
			}
		}
		return 0, true
	}
	return 0, false
}

// ReportDayCounts counts each day's reports. The statement is answered
// from an index that holds the day: PostgreSQL's primary key (an
// index-only scan of each day partition), SQLite's day index.
func (r Records) ReportDayCounts(ctx context.Context, from, to rollup.Day) (map[rollup.Day]int64, error) {
	out := map[rollup.Day]int64{}
	// query: report-day-counts
	err := r.reader().Query(ctx, `SELECT day, count(*) FROM reports WHERE day BETWEEN ? AND ? GROUP BY day`,
		[]any{from, to}, func(scan func(...any) error) error {
			var day, n int64
			err := scan(&day, &n)
			out[rollup.Day(day)] = n
			return err
		})
	if err != nil {
		return nil, wrapRecord("report day counts", err)
	}
	return out, nil
}
