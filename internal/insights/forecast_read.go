package insights

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// What the forecasts read: up to a year of history (the rollups' default
// retention), the versions that held at least minVersionShare of a day's
// installations in the last recentDays (at most maxVersions of them, the
// largest), and the features used in the last month.
const (
	historyDays     = 365
	recentDays      = 7
	minVersionShare = 0.01
	maxVersions     = 8
	featureDays     = 30
)

// Forecasts forecasts every series from asOf, using only the days up to
// it, at each horizon.
func (d *Decisions) Forecasts(ctx context.Context, asOf rollup.Day, horizons []int) (*Forecasts, error) {
	rows, err := d.Rollups.Rollups(ctx, store.RollupQuery{From: asOf - historyDays + 1, To: asOf,
		Dims: []string{rollup.DimAll, rollup.DimVersion, rollup.DimFeature}})
	if err != nil {
		return nil, fmt.Errorf("insights: forecasts: %w", err)
	}
	h := history(rows, asOf)
	return d.cache.get(h, horizons, func() *Forecasts {
		f := ForecastAll(h, horizons)
		return &f
	}), nil
}

// history turns counter rows into daily series from the first day with a
// report to asOf.
func history(rows []*rollup.Row, asOf rollup.Day) History {
	first := asOf
	for _, r := range rows {
		if r.Dim == rollup.DimAll {
			first = min(first, r.Day)
		}
	}
	n := int(asOf-first) + 1
	h := History{First: first, Active: make([]int64, n), Versions: map[string][]int64{}, Features: map[string][]int64{}}
	for _, r := range rows {
		if r.Day < first {
			continue
		}
		var m map[string][]int64
		switch r.Dim {
		case rollup.DimAll:
			h.Active[r.Day-first] = r.InstallsN
			continue
		case rollup.DimVersion:
			m = h.Versions
		case rollup.DimFeature:
			m = h.Features
		}
		if m[r.Key.Key] == nil {
			m[r.Key.Key] = make([]int64, n)
		}
		m[r.Key.Key][r.Day-first] = r.InstallsN
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
