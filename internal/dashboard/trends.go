package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Trends are per-day series over a window, oldest day first. Every series
// has one entry per day, zero on days without reports.
type Trends struct {
	Days                   []string              `json:"days"`
	Installations          []int64               `json:"installations"`
	Reports                []int64               `json:"reports"`
	IndexesCreated         []int64               `json:"indexes_created"`
	PerformanceImprovement []*float64            `json:"performance_improvement"`
	ReportsWithErrors      []int64               `json:"reports_with_errors"`
	Errors                 []int64               `json:"errors"`
	FeatureAdoptionPct     map[string][]float64  `json:"feature_adoption_pct"`
	VersionInstallations   map[string][]int64    `json:"version_installations"`
	VersionPerformance     map[string][]*float64 `json:"version_performance_improvement"`
}

// Trends returns days days of series ending on now's day.
func (s *Service) Trends(ctx context.Context, now time.Time, days int) (*Trends, error) {
	if days < 1 || days > MaxTrendDays {
		return nil, fmt.Errorf("dashboard: days must be between 1 and %d", MaxTrendDays)
	}
	w, err := s.Counts(ctx, LastDays(now, days), rollup.DimAll, rollup.DimFeature, rollup.DimVersion)
	if err != nil {
		return nil, fmt.Errorf("dashboard: trends: %w", err)
	}
	t := &Trends{Days: w.DayNames(), Installations: w.Installations(rollup.DimAll, ""),
		FeatureAdoptionPct: map[string][]float64{}, VersionInstallations: map[string][]int64{},
		VersionPerformance: map[string][]*float64{}}
	for _, c := range w.Counts(rollup.DimAll, "") {
		t.Reports = append(t.Reports, c.Reports)
		t.IndexesCreated = append(t.IndexesCreated, c.IndexesCreated)
		t.PerformanceImprovement = append(t.PerformanceImprovement, AvgImprovement(c))
		t.ReportsWithErrors = append(t.ReportsWithErrors, c.ErrorReports)
		t.Errors = append(t.Errors, c.Errors)
	}
	for _, f := range w.Keys(rollup.DimFeature) {
		t.FeatureAdoptionPct[f] = w.Shares(rollup.DimFeature, f)
	}
	for _, v := range w.Keys(rollup.DimVersion) {
		t.VersionInstallations[v] = w.Installations(rollup.DimVersion, v)
		t.VersionPerformance[v] = w.Improvement(rollup.DimVersion, v)
	}
	return t, nil
}
