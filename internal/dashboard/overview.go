package dashboard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// MaxOverviewDays bounds the length of an overview period.
const MaxOverviewDays = MaxTrendDays

// SeriesVersions is how many versions the per-version series show by
// name; the rest are summed under OtherVersions.
const SeriesVersions = 8

// OtherVersions names the series of the versions beyond SeriesVersions.
// It cannot collide with a real version: versions have no spaces.
const OtherVersions = "(other versions)"

// Period is a span of whole UTC days, both ends included.
type Period struct {
	From, To rollup.Day
}

// LastDays returns the n days ending on now's day.
func LastDays(now time.Time, n int) Period {
	to := rollup.DayOf(now)
	return Period{From: to - rollup.Day(n) + 1, To: to}
}

// Days returns the number of days in p.
func (p Period) Days() int { return int(p.To-p.From) + 1 }

// Previous returns the period of the same length that ends the day before p.
func (p Period) Previous() Period {
	n := rollup.Day(p.Days())
	return Period{From: p.From - n, To: p.To - n}
}

// OverviewQuery selects what Overview shows.
type OverviewQuery struct {
	Period Period
	// Version, when set, restricts everything to the installations that
	// reported this version, day by day: a feature counts for an
	// installation on the days it ran the version.
	Version string
}

// Overview is everything the dashboard page draws, for one period and
// filter, with the same figures over the period just before.
type Overview struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Days         int    `json:"days"`
	Today        string `json:"today"`
	Version      string `json:"version"` // the filter; "" for every version
	PreviousFrom string `json:"previous_from"`
	PreviousTo   string `json:"previous_to"`
	// Versions are those reported in the period, newest first: the
	// choices of the version filter.
	Versions []string `json:"versions"`
	Figures  Figures  `json:"figures"`
	Previous Figures  `json:"previous"`

	// Day is the x axis of every per-day series, oldest first.
	Day []string `json:"day"`
	// ActiveByDay counts the installations that reported each day.
	ActiveByDay []int64 `json:"active_by_day"`
	// VersionByDay counts each installation once a day, under the newest
	// version it reported that day, so the series stack to ActiveByDay.
	VersionByDay []CountSeries `json:"version_by_day"`
	// PerformanceByVersion is the average performance improvement (%) of
	// each version's reports per day; null on days without one.
	PerformanceByVersion []PctSeries `json:"performance_by_version"`

	FeatureAdoption  []Adoption     `json:"feature_adoption"`
	Algorithms       []AlgorithmUse `json:"algorithms"`
	ErrorRates       []ErrorRate    `json:"error_rates"`
	PostgresVersions []Adoption     `json:"postgresql_versions"`
	OperatingSystems []Adoption     `json:"operating_systems"`
	// FeatureSuccess is empty under a version filter: feature usage is
	// not recorded per version.
	FeatureSuccess []FeatureSuccess `json:"feature_success"`
}

// Figures are the overview's key figures over one period.
type Figures struct {
	// TotalInstallations counts every installation seen (of the version,
	// when filtered) within the rollup retention ending on the period's
	// last day.
	TotalInstallations  uint64 `json:"total_installations"`
	ActiveInstallations uint64 `json:"active_installations"`
	// ReportsLastDay counts the reports of the period's last day: today's
	// for a period ending today.
	ReportsLastDay            int64    `json:"reports_last_day"`
	Reports                   int64    `json:"reports"`
	TotalIndexesCreated       int64    `json:"total_indexes_created"`
	AvgPerformanceImprovement *float64 `json:"avg_performance_improvement"`
	// ErrorRatePct is the share of reports with at least one error; null
	// without reports.
	ErrorRatePct *float64 `json:"error_rate_pct"`
}

// CountSeries is one named per-day series of counts.
type CountSeries struct {
	Name   string  `json:"name"`
	Values []int64 `json:"values"`
}

// PctSeries is one named per-day series of percentages, null where
// undefined.
type PctSeries struct {
	Name   string     `json:"name"`
	Values []*float64 `json:"values"`
}

// AlgorithmUse is one algorithm over the period. Uses and decisions are
// not kept per version in the rollups, so they are null under a version
// filter; the installations are exact either way.
type AlgorithmUse struct {
	Name            string   `json:"name"`
	Installations   uint64   `json:"installations"`
	Pct             float64  `json:"pct"` // of active installations
	Uses            *int64   `json:"uses"`
	Decisions       *int64   `json:"decisions"`
	DecisionRatePct *float64 `json:"decision_rate_pct"` // decisions per use, %
}

// windowReads are the reads of the period's rows. Decisions need their
// counters only, so their bitmaps are not read. (More, smaller reads by
// dimension measured slower: each is a transaction of two queries.)
var windowReads = []struct {
	dims    []string
	bitmaps bool
}{
	{[]string{rollup.DimAll, rollup.DimVersion, rollup.DimFeature, rollup.DimAlgorithm, rollup.DimPostgres, rollup.DimOS, rollup.DimUsage}, true},
	{[]string{rollup.DimDecision}, false},
}

// Overview computes the dashboard page's data for q from the rollups and
// the daily error counters, whatever the number of reports.
func (s *Service) Overview(ctx context.Context, now time.Time, q OverviewQuery) (*Overview, error) {
	p, prev := q.Period, q.Period.Previous()
	if p.Days() < 1 || p.Days() > MaxOverviewDays {
		return nil, fmt.Errorf("dashboard: overview: a period of 1 to %d days, not %d", MaxOverviewDays, p.Days())
	}
	in, err := s.readOverview(ctx, q)
	if err != nil {
		return nil, err
	}
	keep := s.retentionDays()
	ov := &Overview{
		From: p.From.String(), To: p.To.String(), Days: p.Days(), Today: rollup.DayOf(now).String(), Version: q.Version,
		PreviousFrom: prev.From.String(), PreviousTo: prev.To.String(),
		Figures: in.base.figures(p, keep), Previous: in.base.figures(prev, keep),
	}
	w := newWindow(p, group(in.window), in.base, q.Version != "")
	n := float64(ov.Figures.ActiveInstallations)
	ov.Versions = w.g.versionsNewestFirst()
	ov.Day, ov.ActiveByDay = w.days(), w.activeByDay()
	ov.VersionByDay, ov.PerformanceByVersion = w.versionSeries(q.Version)
	ov.FeatureAdoption = w.adoption(rollup.DimFeature, n)
	ov.PostgresVersions = w.adoption(rollup.DimPostgres, n)
	ov.OperatingSystems = w.adoption(rollup.DimOS, n)
	ov.Algorithms = w.algorithms(n)
	ov.ErrorRates = withErrorReports(w.errorRates(q.Version), w.g, in.errors, q.Version)
	ov.FeatureSuccess = w.featureSuccess()
	return ov, nil
}

// overviewRows are what the overview reads.
type overviewRows struct {
	base   baseDays      // from the previous period's retention window to the period's end
	window []*rollup.Row // the period's rows
	errors *store.ErrorWindow
}

// readOverview runs the overview's reads at once. Each read is exact; they
// are separate snapshots, so a report stored between them may show in one
// chart and not yet in another until the next refresh.
func (s *Service) readOverview(ctx context.Context, q OverviewQuery) (*overviewRows, error) {
	p, prev := q.Period, q.Period.Previous()
	var (
		history []*rollup.Row
		parts   = make([][]*rollup.Row, len(windowReads))
		in      = &overviewRows{base: baseDays{}}
	)
	dim, key := baseKey(q)
	reads := []func() error{
		func() (err error) {
			// The base rows before the period; the period's own come with
			// the window's rows.
			from := min(prev.From, prev.To-rollup.Day(s.retentionDays()))
			history, err = s.Store.Rollups(ctx, store.RollupQuery{From: from, To: p.From - 1, Dims: []string{dim}, Bitmaps: true})
			return wrap("dashboard: overview installations", err)
		},
		func() (err error) {
			in.errors, err = s.Store.ErrorWindow(ctx, store.ErrorQuery{From: p.From, To: p.To})
			return wrap("dashboard: overview error reports", err)
		},
	}
	for i, r := range windowReads {
		reads = append(reads, func() (err error) {
			parts[i], err = s.Store.Rollups(ctx, store.RollupQuery{From: p.From, To: p.To, Dims: r.dims, Bitmaps: r.bitmaps})
			return wrap("dashboard: overview", err)
		})
	}
	if err := parallel(reads...); err != nil {
		return nil, err
	}
	for _, part := range parts {
		in.window = append(in.window, part...)
	}
	for _, part := range [][]*rollup.Row{history, in.window} {
		for _, r := range part {
			if r.Dim == dim && r.Key.Key == key && r.Installs != nil {
				in.base[r.Day] = r
			}
		}
	}
	return in, nil
}

// parallel runs the independent reads fns at the same time and returns
// their errors joined.
func parallel(fns ...func() error) error {
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errs <- fn() }()
	}
	var all []error
	for range fns {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

func wrap(prefix string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

func (s *Service) retentionDays() int {
	if s.AggregateDays <= 0 {
		return 365
	}
	return s.AggregateDays
}

// baseDays are the rows that define "an installation counted" per day:
// the all row, or the filter version's row.
type baseDays map[rollup.Day]*rollup.Row

// baseKey is the dimension and key of the base rows.
func baseKey(q OverviewQuery) (dim, key string) {
	if q.Version != "" {
		return rollup.DimVersion, q.Version
	}
	return rollup.DimAll, ""
}

// figures sums the base rows of p; total installations look back keep days.
func (b baseDays) figures(p Period, keep int) Figures {
	var totals, actives []*roaring.Bitmap
	var c rollup.Counters
	for d, r := range b {
		if d > p.To || d < p.To-rollup.Day(keep) {
			continue
		}
		totals = append(totals, r.Installs)
		if d >= p.From {
			actives = append(actives, r.Installs)
			c.Add(r.Counters)
		}
	}
	f := Figures{
		TotalInstallations:  roaring.FastOr(totals...).GetCardinality(),
		ActiveInstallations: roaring.FastOr(actives...).GetCardinality(),
		Reports:             c.Reports, TotalIndexesCreated: c.IndexesCreated,
		AvgPerformanceImprovement: avgPct(c),
	}
	if r := b[p.To]; r != nil {
		f.ReportsLastDay = r.Reports
	}
	if c.Reports > 0 {
		v := pct(float64(c.ErrorReports), float64(c.Reports))
		f.ErrorRatePct = &v
	}
	return f
}

// window is the period's rows, with the base rows of each day as the
// filter when a version is selected.
type window struct {
	p        Period
	g        grouped
	base     baseDays
	filtered bool
}

func newWindow(p Period, g grouped, base baseDays, filtered bool) *window {
	return &window{p: p, g: g, base: base, filtered: filtered}
}

func (w *window) days() []string {
	out := make([]string, 0, w.p.Days())
	for d := w.p.From; d <= w.p.To; d++ {
		out = append(out, d.String())
	}
	return out
}

func (w *window) activeByDay() []int64 {
	out := make([]int64, w.p.Days())
	for d, r := range w.base {
		if d >= w.p.From && d <= w.p.To {
			out[d-w.p.From] = r.InstallsN
		}
	}
	return out
}

// installs is the union over the period of key's installations, each day
// restricted to that day's filter installations when filtered.
func (w *window) installs(dim, key string) *roaring.Bitmap {
	var parts []*roaring.Bitmap
	for _, r := range w.g.rows[dim][key] {
		if r.Installs == nil {
			continue
		}
		if !w.filtered {
			parts = append(parts, r.Installs)
		} else if f := w.base[r.Day]; f != nil {
			parts = append(parts, roaring.And(r.Installs, f.Installs))
		}
	}
	return roaring.FastOr(parts...)
}

func (w *window) adoption(dim string, active float64) []Adoption {
	out := []Adoption{}
	for _, k := range w.g.keys(dim) {
		if n := w.installs(dim, k).GetCardinality(); n > 0 {
			out = append(out, Adoption{Name: k, Installations: n, Pct: pct(float64(n), active)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Installations > out[j].Installations })
	return out
}

func (w *window) algorithms(active float64) []AlgorithmUse {
	out := []AlgorithmUse{}
	for _, k := range w.g.keys(rollup.DimAlgorithm) {
		a := AlgorithmUse{Name: k, Installations: w.installs(rollup.DimAlgorithm, k).GetCardinality()}
		if a.Installations == 0 {
			continue
		}
		a.Pct = pct(float64(a.Installations), active)
		if !w.filtered {
			uses, decisions := w.g.sum(rollup.DimAlgorithm, k).Total, w.g.sum(rollup.DimDecision, k).Total
			a.Uses, a.Decisions = &uses, &decisions
			if uses > 0 {
				r := pct(float64(decisions), float64(uses))
				a.DecisionRatePct = &r
			}
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Installations > out[j].Installations })
	return out
}

func (w *window) errorRates(version string) []ErrorRate {
	out := []ErrorRate{}
	for _, e := range w.g.errorRates() {
		if version == "" || e.Version == version {
			out = append(out, e)
		}
	}
	return out
}

func (g grouped) versionsNewestFirst() []string {
	vs := g.keys(rollup.DimVersion)
	sort.SliceStable(vs, func(i, j int) bool { return report.CompareVersions(vs[i], vs[j]) > 0 })
	if vs == nil {
		return []string{}
	}
	return vs
}
