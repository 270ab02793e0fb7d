package store

import (
	"context"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
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
	// ExperimentUnitDays reads the stored reports that q selects and
	// returns, per installation and day, how many carried the experiment's
	// assignment and the sum of q.Metric over them, ordered by day, then
	// installation. It reads raw reports, so it sees at most the raw
	// retention (90 days by default).
	ExperimentUnitDays(ctx context.Context, q ExperimentQuery) ([]UnitDay, error)
	// ReportDayStamps returns a stamp of each day from..to that has raw
	// reports: it changes whenever a report of that day is stored or
	// deleted, so that a reader may keep what it derived from a day until
	// its stamp changes. It reads no report's payload.
	ReportDayStamps(ctx context.Context, from, to rollup.Day) (map[rollup.Day]DayStamp, error)
}

// DayStamp sums up the raw reports of one day: their number, the latest
// time one was received and the sum of their installations' numbers.
// Storing a report raises the count and the latest time; deleting one
// lowers the count.
type DayStamp struct {
	Reports      int64
	LastReceived time.Time
	NumSum       int64
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
// day: the variant its reports carried, how many did, and the sum of the
// metric over the N of them that carried it.
type UnitDay struct {
	Installation uint32 // the installation's dense number
	Day          rollup.Day
	Variant      string
	Reports      int64
	Sum          float64
	N            int64
}
