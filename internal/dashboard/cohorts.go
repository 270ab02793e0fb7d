package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Cohort is the set of installations behind one figure: those that ran a
// version, used a feature, reported an OS…
type Cohort struct {
	Name     string
	Installs *roaring.Bitmap // dense installation numbers; do not modify
}

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
	rows, err := s.Store.Rollups(ctx, store.RollupQuery{From: p.From, To: p.To, Dims: cohortDims, Bitmaps: true})
	if err != nil {
		return nil, fmt.Errorf("dashboard: cohorts: %w", err)
	}
	g := group(rows)
	c := &Cohorts{Period: p, Active: g.union(rollup.DimAll, ""), Versions: g.newestVersionCohorts(),
		Features: g.cohorts(rollup.DimFeature), Algorithms: g.cohorts(rollup.DimAlgorithm),
		PostgresVersions: g.cohorts(rollup.DimPostgres), OperatingSystems: g.cohorts(rollup.DimOS)}
	for to := p.To; to >= p.From; to -= 7 {
		w := WeekCohort{From: max(to-6, p.From), To: to, Installs: roaring.New()}
		for _, r := range g.rows[rollup.DimAll][""] {
			if r.Day >= w.From && r.Day <= w.To && r.Installs != nil {
				w.Installs.Or(r.Installs)
			}
		}
		c.Weeks = append([]WeekCohort{w}, c.Weeks...)
	}
	return c, nil
}

// cohorts are the installations of every key of dim over the window.
func (g grouped) cohorts(dim string) []Cohort {
	var out []Cohort
	for _, k := range g.keys(dim) {
		if u := g.union(dim, k); !u.IsEmpty() {
			out = append(out, Cohort{Name: k, Installs: u})
		}
	}
	return out
}

// LastCompleteDays returns the n whole UTC days that end the day before
// now's: figures that do not change while today's reports arrive.
func LastCompleteDays(now time.Time, n int) Period {
	to := rollup.DayOf(now) - 1
	return Period{From: to - rollup.Day(n) + 1, To: to}
}
