// Package dashboard answers the maintainers' questions (the seed's stats
// and trends) from the daily rollups alone, never from raw reports, so
// its cost depends on the number of days and keys, not of reports.
package dashboard

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// ActiveWindow is the seed's "active installation" window.
const ActiveWindow = 30

// Stats are the seed's dashboard statistics over the active window.
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

// Adoption is how many active installations have something.
type Adoption struct {
	Name          string  `json:"name"`
	Installations uint64  `json:"installations"`
	Pct           float64 `json:"pct"` // of active installations
}

// Algorithm is one algorithm's use over the window.
type Algorithm struct {
	Name          string  `json:"name"`
	Uses          int64   `json:"uses"`
	Decisions     int64   `json:"decisions"`
	DecisionRate  float64 `json:"decision_rate"` // decisions per use
	Installations uint64  `json:"installations"`
}

// ErrorRate is the error picture of one version.
type ErrorRate struct {
	Version             string  `json:"version"`
	Reports             int64   `json:"reports"`
	ReportsWithErrors   int64   `json:"reports_with_errors"`
	Errors              int64   `json:"errors"`
	Installations       uint64  `json:"installations"`
	ErrorsPerInstall    float64 `json:"errors_per_installation"`
	ReportsWithErrorPct float64 `json:"reports_with_errors_pct"`
	// Error reports (POST /api/v1/errors) of the version; see errors.go.
	ErrorReports                  int64   `json:"error_reports"`
	InstallationsWithErrorReports uint64  `json:"installations_with_error_reports"`
	ErrorReportsPerActive         float64 `json:"error_reports_per_active_installation"`
}

// ErrorType is one error type over the window.
type ErrorType struct {
	Type          string `json:"type"`
	Count         int64  `json:"count"`
	Installations uint64 `json:"installations"`
}

// Service computes dashboard answers from a store.
type Service struct {
	Store store.Store
	// AggregateDays is how far back total_installations looks: the
	// rollup retention.
	AggregateDays int
}

// Stats returns the statistics of the ActiveWindow days ending on now's day.
func (s *Service) Stats(ctx context.Context, now time.Time) (*Stats, error) {
	today := rollup.DayOf(now)
	from := today - ActiveWindow + 1
	// Three independent reads, at once: the window's rows, the all-time
	// installations and the window's error reports.
	var rows []*rollup.Row
	var all *roaring.Bitmap
	var errWindow *store.ErrorWindow
	err := parallel(
		func() (err error) {
			rows, err = s.Store.Rollups(ctx, store.RollupQuery{From: from, To: today, Bitmaps: true})
			return wrap("dashboard: stats", err)
		},
		func() (err error) { all, err = s.allTime(ctx, today); return err },
		func() (err error) {
			errWindow, err = s.Store.ErrorWindow(ctx, store.ErrorQuery{From: from, To: today})
			return wrap("dashboard: error reports", err)
		},
	)
	if err != nil {
		return nil, err
	}
	st := &Stats{From: from.String(), To: today.String()}
	st.TotalInstallations = all.GetCardinality()
	g := group(rows)
	active := g.union(rollup.DimAll, "")
	st.ActiveInstallations = active.GetCardinality()
	tot := g.sum(rollup.DimAll, "")
	st.Reports, st.TotalIndexesCreated = tot.Reports, tot.IndexesCreated
	st.AvgPerformanceImprovement = avgPct(tot)
	for _, r := range g.rows[rollup.DimAll][""] {
		if r.Day == today {
			st.ReportsToday = r.Reports
		}
	}
	n := float64(st.ActiveInstallations)
	st.FeatureAdoption = g.adoption(rollup.DimFeature, n)
	st.PostgresVersions = g.adoption(rollup.DimPostgres, n)
	st.OperatingSystems = g.adoption(rollup.DimOS, n)
	st.VersionDistribution = g.newestVersion(n)
	st.AlgorithmUsage = g.algorithms()
	st.ErrorRates = withErrorReports(g.errorRates(), g, errWindow, "")
	st.ErrorTypes = g.errorTypes()
	st.LatencyByVersion = g.latencyByVersion()
	st.ABExperiments = g.abVariants()
	st.FeatureSuccess = g.featureSuccess()
	return st, nil
}

// allTime is the union of every day's installations within the rollup
// retention.
func (s *Service) allTime(ctx context.Context, today rollup.Day) (*roaring.Bitmap, error) {
	days := s.AggregateDays
	if days <= 0 {
		days = 365
	}
	rows, err := s.Store.Rollups(ctx, store.RollupQuery{From: today - rollup.Day(days), To: today + 1, Dims: []string{rollup.DimAll}, Bitmaps: true})
	if err != nil {
		return nil, fmt.Errorf("dashboard: all-time installations: %w", err)
	}
	parts := make([]*roaring.Bitmap, 0, len(rows))
	for _, r := range rows {
		parts = append(parts, r.Installs)
	}
	return roaring.FastOr(parts...), nil
}

func avgPct(c rollup.Counters) *float64 {
	if c.PerfN == 0 {
		return nil
	}
	v := float64(c.PerfSum) / float64(c.PerfN) / rollup.PctScale
	return &v
}

func pct(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole * 100
}

// grouped holds rollup rows by dimension and key.
type grouped struct {
	rows   map[string]map[string][]*rollup.Row
	unions map[rollup.Key]*roaring.Bitmap // memo of union; Day unused
}

func group(rows []*rollup.Row) grouped {
	g := grouped{rows: map[string]map[string][]*rollup.Row{}, unions: map[rollup.Key]*roaring.Bitmap{}}
	for _, r := range rows {
		if g.rows[r.Dim] == nil {
			g.rows[r.Dim] = map[string][]*rollup.Row{}
		}
		g.rows[r.Dim][r.Key.Key] = append(g.rows[r.Dim][r.Key.Key], r)
	}
	return g
}

func (g grouped) keys(dim string) []string {
	var ks []string
	for k := range g.rows[dim] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// union returns the installations of every day of dim/key. Several
// answers need the same unions, so they are computed once; callers must
// not modify the result.
func (g grouped) union(dim, key string) *roaring.Bitmap {
	k := rollup.Key{Dim: dim, Key: key}
	if u, ok := g.unions[k]; ok {
		return u
	}
	var parts []*roaring.Bitmap
	for _, r := range g.rows[dim][key] {
		if r.Installs != nil {
			parts = append(parts, r.Installs)
		}
	}
	u := roaring.FastOr(parts...)
	g.unions[k] = u
	return u
}

func (g grouped) sum(dim, key string) rollup.Counters {
	var c rollup.Counters
	for _, r := range g.rows[dim][key] {
		c.Add(r.Counters)
	}
	return c
}

func (g grouped) adoption(dim string, active float64) []Adoption {
	var out []Adoption
	for _, k := range g.keys(dim) {
		n := g.union(dim, k).GetCardinality()
		out = append(out, Adoption{Name: k, Installations: n, Pct: pct(float64(n), active)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Installations > out[j].Installations })
	return out
}

// newestVersion counts each active installation once, under the newest
// version it reported in the window.
func (g grouped) newestVersion(active float64) []Adoption {
	var out []Adoption
	for _, c := range g.newestVersionCohorts() {
		n := c.Installs.GetCardinality()
		out = append(out, Adoption{Name: c.Name, Installations: n, Pct: pct(float64(n), active)})
	}
	return out
}

// newestVersionCohorts are the installations of each version that is the
// newest one they reported in the window, newest version first: disjoint
// sets whose union is every installation that reported a version.
func (g grouped) newestVersionCohorts() []Cohort {
	versions := g.keys(rollup.DimVersion)
	sort.Slice(versions, func(i, j int) bool { return report.CompareVersions(versions[i], versions[j]) > 0 })
	seen := roaring.New()
	var out []Cohort
	for _, v := range versions {
		u := roaring.AndNot(g.union(rollup.DimVersion, v), seen)
		seen.Or(u)
		if !u.IsEmpty() {
			out = append(out, Cohort{Name: v, Installs: u})
		}
	}
	return out
}

func (g grouped) algorithms() []Algorithm {
	var out []Algorithm
	for _, k := range g.keys(rollup.DimAlgorithm) {
		a := Algorithm{Name: k, Uses: g.sum(rollup.DimAlgorithm, k).Total, Decisions: g.sum(rollup.DimDecision, k).Total,
			Installations: g.union(rollup.DimAlgorithm, k).GetCardinality()}
		if a.Uses > 0 {
			a.DecisionRate = float64(a.Decisions) / float64(a.Uses)
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Uses > out[j].Uses })
	return out
}

func (g grouped) errorRates() []ErrorRate {
	var out []ErrorRate
	for _, v := range g.keys(rollup.DimVersion) {
		c := g.sum(rollup.DimVersion, v)
		e := ErrorRate{Version: v, Reports: c.Reports, ReportsWithErrors: c.ErrorReports, Errors: c.Errors,
			Installations: g.union(rollup.DimVersion, v).GetCardinality()}
		e.ReportsWithErrorPct = pct(float64(c.ErrorReports), float64(c.Reports))
		if e.Installations > 0 {
			e.ErrorsPerInstall = float64(c.Errors) / float64(e.Installations)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return report.CompareVersions(out[i].Version, out[j].Version) > 0 })
	return out
}

func (g grouped) errorTypes() []ErrorType {
	var out []ErrorType
	for _, k := range g.keys(rollup.DimError) {
		out = append(out, ErrorType{Type: k, Count: g.sum(rollup.DimError, k).Total, Installations: g.union(rollup.DimError, k).GetCardinality()})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}
