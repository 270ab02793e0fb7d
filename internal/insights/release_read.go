package insights

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Releases returns the health of every version reported in the days days
// ending on now's day, newest version first.
func (h *Health) Releases(ctx context.Context, now time.Time, days int) (*Releases, error) {
	if err := checkDays(days); err != nil {
		return nil, err
	}
	last := today(now)
	from := last - rollup.Day(days) + 1
	hist, err := h.releaseCounters(ctx, last)
	if err != nil {
		return nil, err
	}
	plan := h.Release.Plan(hist)
	if err := h.releaseBitmaps(ctx, hist, plan.BitmapDays(), from); err != nil {
		return nil, err
	}
	out := &Releases{From: from.String(), To: last.String(), Releases: []Release{}}
	for _, r := range plan.Evaluate(hist) {
		if hist.Reports[r.Version] > 0 {
			out.Releases = append(out.Releases, r)
		}
	}
	return out, nil
}

// releaseCounters reads the counters of the fleet and of every version
// over the aggregate retention, without bitmaps.
func (h *Health) releaseCounters(ctx context.Context, last rollup.Day) (*ReleaseHistory, error) {
	start := h.historyStart(last)
	rows, err := h.rollups(ctx, start, last, false, rollup.DimAll, rollup.DimVersion)
	if err != nil {
		return nil, err
	}
	hist := &ReleaseHistory{Start: last + 1, Last: last, Active: map[rollup.Day]int64{},
		Versions: map[string]map[rollup.Day]*VersionDay{}, Installations: map[string]uint64{}, Reports: map[string]int64{}}
	for _, r := range rows {
		if r.Dim == rollup.DimAll {
			hist.Active[r.Day] = r.InstallsN
			hist.Start = min(hist.Start, r.Day)
			continue
		}
		if hist.Versions[r.Key.Key] == nil {
			hist.Versions[r.Key.Key] = map[rollup.Day]*VersionDay{}
		}
		hist.Versions[r.Key.Key][r.Day] = &VersionDay{Day: r.Day, Counters: r.Counters, Installs: r.InstallsN,
			ErrorTypes: map[string]int64{}}
	}
	return hist, nil
}

// releaseBitmaps adds to hist the bitmaps of the days compared, the error
// types of those days, and each version's installations and reports from
// day from on.
func (h *Health) releaseBitmaps(ctx context.Context, hist *ReleaseHistory, compared []rollup.Day, from rollup.Day) error {
	union := map[string][]*roaring.Bitmap{}
	for _, span := range spans(append(compared, daysFrom(from, hist.Last)...)) {
		rows, err := h.rollups(ctx, span[0], span[1], true, rollup.DimVersion, rollup.DimVersionErrored)
		if err != nil {
			return err
		}
		for _, r := range rows {
			vd := hist.Versions[r.Key.Key][r.Day]
			if vd == nil {
				continue
			}
			if r.Dim == rollup.DimVersionErrored {
				vd.Errored = r.Installs
				continue
			}
			vd.Reported = r.Installs
			if r.Day >= from {
				union[r.Key.Key] = append(union[r.Key.Key], r.Installs)
				hist.Reports[r.Key.Key] += r.Reports
			}
		}
	}
	for v, parts := range union {
		hist.Installations[v] = roaring.FastOr(parts...).GetCardinality()
	}
	if len(compared) == 0 {
		return nil
	}
	rows, err := h.rollups(ctx, compared[0], compared[len(compared)-1], false, rollup.DimVersionError)
	if err != nil {
		return err
	}
	for _, r := range rows {
		version, typ, _ := strings.Cut(r.Key.Key, "/")
		if vd := hist.Versions[version][r.Day]; vd != nil {
			vd.ErrorTypes[typ] += r.Total
		}
	}
	return nil
}

// daysFrom returns the days from..to.
func daysFrom(from, to rollup.Day) []rollup.Day {
	var out []rollup.Day
	for d := from; d <= to; d++ {
		out = append(out, d)
	}
	return out
}

// spans returns the runs of consecutive days in days (in any order,
// repeats allowed) as [first, last] pairs, so that each is one read.
func spans(days []rollup.Day) [][2]rollup.Day {
	seen := map[rollup.Day]bool{}
	var sorted []rollup.Day
	for _, d := range days {
		if !seen[d] {
			seen[d] = true
			sorted = append(sorted, d)
		}
	}
	slices.Sort(sorted)
	var out [][2]rollup.Day
	for _, d := range sorted {
		if n := len(out); n > 0 && out[n-1][1] == d-1 {
			out[n-1][1] = d
		} else {
			out = append(out, [2]rollup.Day{d, d})
		}
	}
	return out
}
