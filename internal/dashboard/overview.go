package dashboard

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

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

	// VersionAdoption counts each installation once, under the newest
	// version it ran in the period; empty under a version filter.
	VersionAdoption  []Adoption     `json:"version_adoption"`
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
	// NewInstallations counts the installations whose first report
	// within the rollup retention falls in the period (of the version,
	// when filtered: those that took it up in the period).
	NewInstallations uint64 `json:"new_installations"`
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

// windowRead is one read of a period's rows: of dims, with their bitmaps
// or not.
type windowRead struct {
	dims    []string
	bitmaps bool
}

// windowReads are the reads of the period's rows. Decisions need their
// counters only, so their bitmaps are not read. (More, smaller reads by
// dimension measured slower: each is a transaction of two queries.)
var windowReads = []windowRead{
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
	ov := &Overview{
		From: p.From.String(), To: p.To.String(), Days: p.Days(), Today: rollup.DayOf(now).String(), Version: q.Version,
		PreviousFrom: prev.From.String(), PreviousTo: prev.To.String(),
		Figures: in.figures(s.Retained(p.To), p), Previous: in.figures(s.Retained(prev.To), prev),
		Versions: in.w.VersionsNewestFirst(), Day: p.DayNames(), ActiveByDay: in.w.Installations(in.dim, in.key),
	}
	seen := in.w // the installations' view: the filter version's, day by day
	if q.Version != "" {
		seen = in.w.Within(rollup.DimVersion, q.Version, rollup.DimFeature, rollup.DimPostgres, rollup.DimOS, rollup.DimAlgorithm)
	}
	active := ov.Figures.ActiveInstallations
	ov.VersionByDay, ov.PerformanceByVersion = versionSeries(in.w, q.Version)
	ov.FeatureAdoption = reported(seen.Adoption(rollup.DimFeature, active))
	ov.PostgresVersions = reported(seen.Adoption(rollup.DimPostgres, active))
	ov.OperatingSystems = reported(seen.Adoption(rollup.DimOS, active))
	ov.Algorithms = algorithmUses(in.w, seen, active, q.Version != "")
	ov.ErrorRates = withErrorReports(ratesOf(in.w, q.Version), in.w, in.errors, q.Version)
	ov.FeatureSuccess, ov.VersionAdoption = []FeatureSuccess{}, []Adoption{}
	if q.Version == "" {
		ov.FeatureSuccess = featureSuccess(in.w)
		ov.VersionAdoption = reported(versionDistribution(in.w, active))
	}
	return ov, nil
}

// overviewRows are what the overview reads.
type overviewRows struct {
	w        *Window // the period's rows
	history  *Window // the base rows from the previous period's retention to the period's end
	dim, key string  // the base rows': all, or the filter version's
	errors   *store.ErrorWindow
}

// readOverview runs the overview's reads at once. Each read is exact; they
// are separate snapshots, so a report stored between them may show in one
// chart and not yet in another until the next refresh.
func (s *Service) readOverview(ctx context.Context, q OverviewQuery) (*overviewRows, error) {
	p, prev := q.Period, q.Period.Previous()
	in := &overviewRows{dim: rollup.DimAll}
	if q.Version != "" {
		in.dim, in.key = rollup.DimVersion, q.Version
	}
	history := Period{From: min(prev.From, s.Retained(prev.To).From), To: p.To}
	var before []*rollup.Row
	parts := make([][]*rollup.Row, len(windowReads))
	reads := []func() error{
		func() (err error) {
			// The base rows before the period; the period's own come with
			// the window's rows.
			before, err = s.Store.Rollups(ctx, store.RollupQuery{From: history.From, To: p.From - 1, Dims: []string{in.dim}, Bitmaps: true})
			return wrap("dashboard: overview installations", err)
		},
		func() (err error) {
			in.errors, err = s.Store.ErrorWindow(ctx, store.ErrorQuery{From: p.From, To: p.To})
			return wrap("dashboard: overview error reports", err)
		},
	}
	reads = append(reads, s.readParts(ctx, p, windowReads, parts, "dashboard: overview")...)
	if err := parallel(reads...); err != nil {
		return nil, err
	}
	rows := slices.Concat(parts...)
	in.w = s.newWindow(p, rows)
	for _, r := range rows {
		if r.Dim == in.dim && r.Key.Key == in.key {
			before = append(before, r)
		}
	}
	in.history = s.newWindow(history, before)
	return in, nil
}

// figures sums the base rows of p; the total looks back over retained.
func (in *overviewRows) figures(retained, p Period) Figures {
	h := in.history
	c := h.SumDuring(in.dim, in.key, p)
	f := Figures{
		TotalInstallations:  h.InstallsDuring(in.dim, in.key, retained).GetCardinality(),
		ActiveInstallations: h.InstallsDuring(in.dim, in.key, p).GetCardinality(),
		NewInstallations:    h.FirstIn(in.dim, in.key, p).GetCardinality(),
		Reports:             c.Reports, TotalIndexesCreated: c.IndexesCreated,
		AvgPerformanceImprovement: AvgImprovement(c), ErrorRatePct: ErrorRatePct(c),
	}
	if r := h.Row(in.dim, in.key, p.To); r != nil {
		f.ReportsLastDay = r.Reports
	}
	return f
}

// reported leaves out the keys with no installation (under a version
// filter, those the version's installations did not report), never nil.
func reported(a []Adoption) []Adoption {
	out := []Adoption{}
	for _, x := range a {
		if x.Installations > 0 {
			out = append(out, x)
		}
	}
	return out
}

// algorithmUses are the installations of each algorithm in seen and, not
// filtered, its uses and decisions in w, most installations first.
func algorithmUses(w, seen *Window, active uint64, filtered bool) []AlgorithmUse {
	out := []AlgorithmUse{}
	for _, k := range w.Keys(rollup.DimAlgorithm) {
		a := AlgorithmUse{Name: k, Installations: seen.Installs(rollup.DimAlgorithm, k).GetCardinality()}
		if a.Installations == 0 {
			continue
		}
		a.Pct = Pct(float64(a.Installations), float64(active))
		if !filtered {
			uses, decisions := w.Sum(rollup.DimAlgorithm, k).Total, w.Sum(rollup.DimDecision, k).Total
			a.Uses, a.Decisions, a.DecisionRatePct = &uses, &decisions, DecisionRate(uses, decisions)
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b AlgorithmUse) int { return cmpDesc(a.Installations, b.Installations) })
	return out
}

// ratesOf are the error rates of w's versions, or of the filter version.
func ratesOf(w *Window, version string) []ErrorRate {
	out := []ErrorRate{}
	for _, e := range errorRates(w) {
		if version == "" || e.Version == version {
			out = append(out, e)
		}
	}
	return out
}

// versionSeries returns installations per day by newest version, and the
// average improvement per day by version: the SeriesVersions versions
// with the most installation-days by name, the rest summed exactly under
// OtherVersions. Filtered, only the filter's version.
func versionSeries(w *Window, filter string) ([]CountSeries, []PctSeries) {
	groups := w.VersionGroups(SeriesVersions)
	var counts [][]int64
	if filter != "" {
		groups = []VersionGroup{{Name: filter, Versions: []string{filter}}}
		counts = [][]int64{w.Installations(rollup.DimVersion, filter)}
	} else {
		counts = w.NewestByDay(groups)
	}
	cs, ps := make([]CountSeries, 0, len(groups)), make([]PctSeries, 0, len(groups))
	for i, g := range groups {
		cs = append(cs, CountSeries{Name: g.Name, Values: counts[i]})
		perf := PctSeries{Name: g.Name}
		for _, c := range w.CountsOf(rollup.DimVersion, g.Versions) {
			perf.Values = append(perf.Values, AvgImprovement(c))
		}
		ps = append(ps, perf)
	}
	return cs, ps
}
