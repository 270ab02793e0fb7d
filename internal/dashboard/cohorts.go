package dashboard

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Cohorts are the installations behind every figure of the public page
// (package public), as sets rather than counts, so that small groups can
// be found and protected: who is in a figure, and in which other ones.
type Cohorts struct {
	Period Period
	// Active are the installations that reported in the period.
	Active *roaring.Bitmap
	// Versions counts each installation once, under the newest version it
	// reported in the period (disjoint cohorts).
	Versions []Cohort
	// Features, Algorithms, PostgresVersions and OperatingSystems may
	// overlap: an installation counts in each it reported in the period.
	Features, Algorithms, PostgresVersions, OperatingSystems []Cohort
	// Weeks are the installations active in each 7-day span ending on the
	// period's last day, oldest first; the oldest may be shorter.
	Weeks []WeekCohort
}

// WeekCohort is the installations active in days From..To.
type WeekCohort struct {
	From, To rollup.Day
	Installs *roaring.Bitmap
}

// cohortDims are the dimensions Cohorts reads: the overview's with bitmaps.
var cohortDims = windowReads[0].dims

// Cohorts reads the cohorts of period p from the rollups.
func (s *Service) Cohorts(ctx context.Context, p Period) (*Cohorts, error) {
	if p.Days() < 1 || p.Days() > MaxOverviewDays {
		return nil, fmt.Errorf("dashboard: cohorts: a period of 1 to %d days, not %d", MaxOverviewDays, p.Days())
	}
	w, err := s.Window(ctx, p, cohortDims...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: cohorts: %w", err)
	}
	c := &Cohorts{Period: p, Active: w.Active(), Versions: w.NewestVersions(),
		Features: w.Cohorts(rollup.DimFeature), Algorithms: w.Cohorts(rollup.DimAlgorithm),
		PostgresVersions: w.Cohorts(rollup.DimPostgres), OperatingSystems: w.Cohorts(rollup.DimOS)}
	for to := p.To; to >= p.From; to -= 7 {
		week := Period{From: max(to-6, p.From), To: to}
		c.Weeks = append([]WeekCohort{{From: week.From, To: week.To, Installs: w.InstallsDuring(rollup.DimAll, "", week)}}, c.Weeks...)
	}
	return c, nil
}
