package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// MaxTrendDays bounds ?days= of the trends endpoint.
const MaxTrendDays = 366

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
	to := rollup.DayOf(now)
	from := to - rollup.Day(days) + 1
	rows, err := s.Store.Rollups(ctx, store.RollupQuery{From: from, To: to,
		Dims: []string{rollup.DimAll, rollup.DimFeature, rollup.DimVersion}})
	if err != nil {
		return nil, fmt.Errorf("dashboard: trends: %w", err)
	}
	t := &Trends{
		FeatureAdoptionPct:   map[string][]float64{},
		VersionInstallations: map[string][]int64{},
		VersionPerformance:   map[string][]*float64{},
		Installations:        make([]int64, days), Reports: make([]int64, days), IndexesCreated: make([]int64, days),
		PerformanceImprovement: make([]*float64, days), ReportsWithErrors: make([]int64, days), Errors: make([]int64, days),
	}
	for d := from; d <= to; d++ {
		t.Days = append(t.Days, d.String())
	}
	active := make([]int64, days)
	for _, r := range rows {
		if r.Dim == rollup.DimAll {
			active[r.Day-from] = r.InstallsN
		}
	}
	for _, r := range rows {
		i := int(r.Day - from)
		switch r.Dim {
		case rollup.DimAll:
			t.Installations[i], t.Reports[i], t.IndexesCreated[i] = r.InstallsN, r.Reports, r.IndexesCreated
			t.PerformanceImprovement[i] = avgPct(r.Counters)
			t.ReportsWithErrors[i], t.Errors[i] = r.ErrorReports, r.Errors
		case rollup.DimFeature:
			series(t.FeatureAdoptionPct, r.Key.Key, days)[i] = pct(float64(r.InstallsN), float64(active[i]))
		case rollup.DimVersion:
			series(t.VersionInstallations, r.Key.Key, days)[i] = r.InstallsN
			series(t.VersionPerformance, r.Key.Key, days)[i] = avgPct(r.Counters)
		}
	}
	return t, nil
}

func series[T any](m map[string][]T, key string, n int) []T {
	s, ok := m[key]
	if !ok {
		s = make([]T, n)
		m[key] = s
	}
	return s
}
