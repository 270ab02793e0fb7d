package insights

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// What the forecasts read: the history the rollups keep (a year unless
// the operator keeps more), the versions that held at least
// minVersionShare of a day's installations in the last recentDays (at
// most maxVersions of them, the largest), and the features used in the
// last month.
const (
	recentDays      = 7
	minVersionShare = 0.01
	maxVersions     = 8
	featureDays     = 30
)

// Forecasts forecasts every series from asOf, using only the days up to
// it, at each horizon, and draws their paths. The answer is shared: do
// not change it.
func (d *Decisions) Forecasts(ctx context.Context, asOf rollup.Day, horizons []int) (*Forecasts, error) {
	return d.forecasts(ctx, asOf, horizons, true)
}

// ForecastFigures is Forecasts without the paths (Paths nil), which cost
// more than the figures when the back-tests are kept.
func (d *Decisions) ForecastFigures(ctx context.Context, asOf rollup.Day, horizons []int) (*Forecasts, error) {
	return d.forecasts(ctx, asOf, horizons, false)
}

func (d *Decisions) forecasts(ctx context.Context, asOf rollup.Day, horizons []int, paths bool) (*Forecasts, error) {
	w, err := d.Model.Counts(ctx, dashboard.EndingOn(asOf, d.Model.RetentionDays()), rollup.DimAll, rollup.DimVersion, rollup.DimFeature)
	if err != nil {
		return nil, fmt.Errorf("insights: forecasts: %w", err)
	}
	h := history(w)
	return d.cache.get(h, horizons, paths, func() *forecastRun { return runForecasts(h, horizons) }), nil
}

// history is the window's daily installations from its first day with a
// report (its last day when it has none) to its end.
func history(w *dashboard.Window) History {
	first, ok := w.FirstDay(rollup.DimAll, "")
	if !ok {
		first = w.To
	}
	since := func(counts []int64) []int64 { return counts[w.Index(first):] }
	h := History{First: first, Active: since(w.Installations(rollup.DimAll, "")), Versions: map[string][]int64{}, Features: map[string][]int64{}}
	for _, v := range w.Keys(rollup.DimVersion) {
		h.Versions[v] = since(w.Installations(rollup.DimVersion, v))
	}
	for _, f := range w.Keys(rollup.DimFeature) {
		h.Features[f] = since(w.Installations(rollup.DimFeature, f))
	}
	h.Versions = recentVersions(h.Versions, h.Active)
	h.Features = recentlyUsed(h.Features, featureDays)
	return h
}

// recentVersions keeps the versions that reached minVersionShare on one
// of the last recentDays, at most maxVersions, the largest then.
func recentVersions(versions map[string][]int64, active []int64) map[string][]int64 {
	type peak struct {
		name  string
		share float64
	}
	var peaks []peak
	for name, counts := range versions {
		best := 0.0
		for i := max(0, len(counts)-recentDays); i < len(counts); i++ {
			if active[i] > 0 {
				best = max(best, float64(counts[i])/float64(active[i]))
			}
		}
		if best >= minVersionShare {
			peaks = append(peaks, peak{name, best})
		}
	}
	slices.SortFunc(peaks, func(a, b peak) int { return cmp.Or(cmp.Compare(b.share, a.share), cmp.Compare(a.name, b.name)) })
	out := map[string][]int64{}
	for _, p := range peaks[:min(len(peaks), maxVersions)] {
		out[p.name] = versions[p.name]
	}
	return out
}

// recentlyUsed keeps the series with a value in their last days.
func recentlyUsed(m map[string][]int64, days int) map[string][]int64 {
	out := map[string][]int64{}
	for name, counts := range m {
		for i := max(0, len(counts)-days); i < len(counts); i++ {
			if counts[i] > 0 {
				out[name] = counts
				break
			}
		}
	}
	return out
}
