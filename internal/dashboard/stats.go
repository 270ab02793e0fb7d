package dashboard

import (
	"context"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Stats are the baseline design's dashboard statistics over the active
// window.
type Stats struct {
	From                      string           `json:"from"`
	To                        string           `json:"to"`
	TotalInstallations        uint64           `json:"total_installations"`
	ActiveInstallations       uint64           `json:"active_installations"`
	ReportsToday              int64            `json:"reports_today"`
	Reports                   int64            `json:"reports"`
	TotalIndexesCreated       int64            `json:"total_indexes_created"`
	AvgPerformanceImprovement *float64         `json:"avg_performance_improvement"`
	FeatureAdoption           []Adoption       `json:"feature_adoption"`
	AlgorithmUsage            []Algorithm      `json:"algorithm_usage"`
	VersionDistribution       []Adoption       `json:"version_distribution"`
	ErrorRates                []ErrorRate      `json:"error_rates"`
	ErrorTypes                []ErrorType      `json:"error_types"`
	PostgresVersions          []Adoption       `json:"postgresql_versions"`
	OperatingSystems          []Adoption       `json:"operating_systems"`
	LatencyByVersion          []VersionLatency `json:"latency_by_version"`
	ABExperiments             []ABVariant      `json:"ab_experiments"`
	FeatureSuccess            []FeatureSuccess `json:"feature_success"`
}

// Algorithm is one algorithm's use over the window.
type Algorithm struct {
	Name          string  `json:"name"`
	Uses          int64   `json:"uses"`
	Decisions     int64   `json:"decisions"`
	DecisionRate  float64 `json:"decision_rate"` // decisions per use
	Installations uint64  `json:"installations"`
}

// ErrorType is one error type over the window.
type ErrorType struct {
	Type          string `json:"type"`
	Count         int64  `json:"count"`
	Installations uint64 `json:"installations"`
}

// statsReads are the reads of the window's rows: the dimensions stats
// shows (not the release-health ones, whose rows and bitmaps are many),
// decisions without bitmaps since only their counters are summed.
var statsReads = []windowRead{
	{[]string{rollup.DimAll, rollup.DimVersion, rollup.DimFeature, rollup.DimAlgorithm, rollup.DimError,
		rollup.DimPostgres, rollup.DimOS, rollup.DimAB, rollup.DimUsage}, true},
	{[]string{rollup.DimDecision}, false},
}

// Stats returns the statistics of the ActiveWindow days ending on now's day.
func (s *Service) Stats(ctx context.Context, now time.Time) (*Stats, error) {
	p := LastDays(now, ActiveWindow)
	// All time, and tomorrow: a report may be stamped up to a day ahead.
	allTime := s.Retained(p.To)
	allTime.To++
	// Independent reads, at once: the window's rows, the all-time
	// installations and the window's error reports.
	var all *roaring.Bitmap
	var errWindow *store.ErrorWindow
	parts := make([][]*rollup.Row, len(statsReads))
	reads := []func() error{
		func() (err error) {
			all, err = s.Seen(ctx, allTime)
			return wrap("dashboard: all-time installations", err)
		},
		func() (err error) {
			errWindow, err = s.Store.ErrorWindow(ctx, store.ErrorQuery{From: p.From, To: p.To})
			return wrap("dashboard: error reports", err)
		},
	}
	reads = append(reads, s.readParts(ctx, p, statsReads, parts, "dashboard: stats")...)
	if err := parallel(reads...); err != nil {
		return nil, err
	}
	w := s.newWindow(p, slices.Concat(parts...))
	st := &Stats{From: p.From.String(), To: p.To.String(), TotalInstallations: all.GetCardinality()}
	active := w.Active().GetCardinality()
	st.ActiveInstallations = active
	tot := w.Sum(rollup.DimAll, "")
	st.Reports, st.TotalIndexesCreated = tot.Reports, tot.IndexesCreated
	st.AvgPerformanceImprovement = AvgImprovement(tot)
	if r := w.Row(rollup.DimAll, "", p.To); r != nil {
		st.ReportsToday = r.Reports
	}
	st.FeatureAdoption = w.Adoption(rollup.DimFeature, active)
	st.PostgresVersions = w.Adoption(rollup.DimPostgres, active)
	st.OperatingSystems = w.Adoption(rollup.DimOS, active)
	st.VersionDistribution = versionDistribution(w, active)
	st.AlgorithmUsage = algorithms(w)
	st.ErrorRates = withErrorReports(errorRates(w), w, errWindow, "")
	st.ErrorTypes = errorTypes(w)
	st.LatencyByVersion = latencyByVersion(w)
	st.ABExperiments = abVariants(w)
	st.FeatureSuccess = featureSuccess(w)
	return st, nil
}

// versionDistribution counts each installation of w under the newest
// version it ran, as a share of the active installations; nil without
// versions.
func versionDistribution(w *Window, active uint64) []Adoption {
	var out []Adoption
	for _, c := range w.NewestVersions() {
		n := c.Installs.GetCardinality()
		out = append(out, Adoption{Name: c.Name, Installations: n, Pct: Pct(float64(n), float64(active))})
	}
	return out
}

// algorithms are the uses, decisions and installations of each algorithm,
// most used first.
func algorithms(w *Window) []Algorithm {
	var out []Algorithm
	for _, k := range w.Keys(rollup.DimAlgorithm) {
		a := Algorithm{Name: k, Uses: w.Sum(rollup.DimAlgorithm, k).Total, Decisions: w.Sum(rollup.DimDecision, k).Total,
			Installations: w.Installs(rollup.DimAlgorithm, k).GetCardinality()}
		if a.Uses > 0 {
			a.DecisionRate = float64(a.Decisions) / float64(a.Uses)
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Algorithm) int { return cmpDesc(a.Uses, b.Uses) })
	return out
}

// errorTypes are the count and installations of each error type, most
// frequent first.
func errorTypes(w *Window) []ErrorType {
	var out []ErrorType
	for _, k := range w.Keys(rollup.DimError) {
		out = append(out, ErrorType{Type: k, Count: w.Sum(rollup.DimError, k).Total, Installations: w.Installs(rollup.DimError, k).GetCardinality()})
	}
	slices.SortStableFunc(out, func(a, b ErrorType) int { return cmpDesc(a.Count, b.Count) })
	return out
}

// cmpDesc orders larger first.
func cmpDesc[T int64 | uint64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
