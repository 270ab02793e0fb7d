package insights

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Releases returns the health of every version reported in the days days
// ending on now's day, newest version first.
func (h *Health) Releases(ctx context.Context, now time.Time, days int) (*Releases, error) {
	if err := checkDays(days); err != nil {
		return nil, err
	}
	period := dashboard.EndingOn(today(now), days)
	hist, err := h.releaseCounters(ctx, period.To)
	if err != nil {
		return nil, err
	}
	plan := h.Release.Plan(hist)
	if err := h.releaseBitmaps(ctx, hist, plan.BitmapDays(), period); err != nil {
		return nil, err
	}
	out := &Releases{From: period.From.String(), To: period.To.String(), Releases: []Release{}}
	for _, r := range plan.Evaluate(hist) {
		if hist.Reports[r.Version] > 0 {
			out.Releases = append(out.Releases, r)
		}
	}
	return out, nil
}

// releaseCounters reads the counters of the fleet and of every version
// over the rollup retention, without bitmaps.
func (h *Health) releaseCounters(ctx context.Context, last rollup.Day) (*ReleaseHistory, error) {
	w, err := h.counts(ctx, h.Model.Retained(last), rollup.DimAll, rollup.DimVersion)
	if err != nil {
		return nil, err
	}
	hist := &ReleaseHistory{Start: last + 1, Last: last, Active: map[rollup.Day]int64{},
		Versions: map[string]map[rollup.Day]*VersionDay{}, Installations: map[string]uint64{}, Reports: map[string]int64{}}
	for _, r := range w.Rows(rollup.DimAll, "") {
		hist.Active[r.Day] = r.InstallsN
		hist.Start = min(hist.Start, r.Day)
	}
	for _, v := range w.Keys(rollup.DimVersion) {
		days := map[rollup.Day]*VersionDay{}
		for _, r := range w.Rows(rollup.DimVersion, v) {
			days[r.Day] = &VersionDay{Day: r.Day, Counters: r.Counters, Installs: r.InstallsN, ErrorTypes: map[string]int64{},
				PerfSumSq: float64(r.PerfSumSq) / rollup.PerfSqScale}
		}
		hist.Versions[v] = days
	}
	return hist, nil
}

// releaseBitmaps adds to hist the installation bitmaps of the days
// compared and of the period asked (read together, run by run of days),
// each version's installations and reports in the period, and the error
// types of the days compared.
func (h *Health) releaseBitmaps(ctx context.Context, hist *ReleaseHistory, compared []rollup.Day, period dashboard.Period) error {
	for _, span := range spans(slices.Concat(compared, daysOf(period))) {
		w, err := h.window(ctx, span, rollup.DimVersion, rollup.DimVersionErrored)
		if err != nil {
			return err
		}
		for _, v := range w.Keys(rollup.DimVersion) {
			for _, r := range w.Rows(rollup.DimVersion, v) {
				if vd := hist.Versions[v][r.Day]; vd != nil {
					vd.Reported = r.Installs
				}
			}
			for _, r := range w.Rows(rollup.DimVersionErrored, v) {
				if vd := hist.Versions[v][r.Day]; vd != nil {
					vd.Errored = r.Installs
				}
			}
			if span.Contains(period.From) && span.Contains(period.To) {
				hist.Installations[v] = w.InstallsDuring(rollup.DimVersion, v, period).GetCardinality()
				hist.Reports[v] = w.SumDuring(rollup.DimVersion, v, period).Reports
			}
		}
	}
	if len(compared) == 0 {
		return nil
	}
	w, err := h.counts(ctx, dashboard.Period{From: compared[0], To: compared[len(compared)-1]}, rollup.DimVersionError)
	if err != nil {
		return err
	}
	for _, k := range w.Keys(rollup.DimVersionError) {
		version, typ, _ := strings.Cut(k, "/")
		for _, r := range w.Rows(rollup.DimVersionError, k) {
			if vd := hist.Versions[version][r.Day]; vd != nil {
				vd.ErrorTypes[typ] += r.Total
			}
		}
	}
	return nil
}

// daysOf returns the days of p.
func daysOf(p dashboard.Period) []rollup.Day {
	var out []rollup.Day
	for d := p.From; d <= p.To; d++ {
		out = append(out, d)
	}
	return out
}

// spans returns the runs of consecutive days in days (in any order,
// repeats allowed; days is sorted in place), so that each is one read.
func spans(days []rollup.Day) []dashboard.Period {
	slices.Sort(days)
	days = slices.Compact(days)
	var out []dashboard.Period
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].To == d-1 {
			out[n-1].To = d
		} else {
			out = append(out, dashboard.Period{From: d, To: d})
		}
	}
	return out
}
