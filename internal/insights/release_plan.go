package insights

import (
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/stats"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Release health works in two steps, so that installation bitmaps are read
// only for the days that are compared: Plan, from counters alone, finds
// each version's stage, first day and the days its comparison may use;
// the caller reads the bitmaps of those days (BitmapDays); Evaluate
// compares.

// versionInfo is what counters tell about one version.
type versionInfo struct {
	version       string
	first         rollup.Day // first day with a report of it in the history
	beforeHistory bool       // first is the history's first day: released earlier
	everAdopted   bool
	adoption      float64 // share of the last complete day's active installations
	stage         string
	window        []rollup.Day // the days it may be compared over, oldest first
}

// ReleasePlan is what Plan found.
type ReleasePlan struct {
	params   ReleaseParams
	last     rollup.Day     // the day adoption is measured on
	versions []*versionInfo // in version order, oldest first
}

// Plan reads the counters of h: stages, first days and comparison windows.
func (p ReleaseParams) Plan(h *ReleaseHistory) *ReleasePlan {
	pl := &ReleasePlan{params: p, last: lastCompleteDay(h)}
	names := make([]string, 0, len(h.Versions))
	for v := range h.Versions {
		names = append(names, v)
	}
	slices.SortFunc(names, report.CompareVersions)
	for _, v := range names {
		if vi := p.info(h, v, pl.last); vi.first <= h.Last { // reported within the history
			pl.versions = append(pl.versions, vi)
		}
	}
	return pl
}

// BitmapDays returns the days whose version bitmaps Evaluate needs, in
// order: every version's comparison window (a predecessor compared over
// the same calendar days needs its bitmaps on those days, which are then
// read for every version).
func (pl *ReleasePlan) BitmapDays() []rollup.Day {
	var days []rollup.Day
	for _, vi := range pl.versions {
		days = append(days, vi.window...)
	}
	slices.Sort(days)
	return slices.Compact(days)
}

func (p ReleaseParams) info(h *ReleaseHistory, v string, last rollup.Day) *versionInfo {
	vi := &versionInfo{version: v, first: h.Last + 1, stage: StageNew}
	for d, vd := range h.Versions[v] {
		if d < h.Start || d > h.Last {
			continue
		}
		if vd.Counters.Reports > 0 && d < vi.first {
			vi.first = d
		}
		if a := h.Active[d]; a > 0 && float64(vdInstalls(vd))/float64(a) >= p.AdoptedShare {
			vi.everAdopted = true
		}
	}
	vi.beforeHistory = vi.first <= h.Start
	if a := h.Active[last]; a > 0 {
		if vd := h.Versions[v][last]; vd != nil {
			vi.adoption = float64(vdInstalls(vd)) / float64(a)
		}
	}
	switch {
	case vi.everAdopted && vi.adoption >= p.AdoptedShare:
		vi.stage = StageAdopted
	case vi.everAdopted:
		vi.stage = StageReplaced
	}
	for d := vi.first; d <= h.Last && len(vi.window) < p.WindowDays; d++ {
		vi.window = append(vi.window, d)
	}
	return vi
}

// vdInstalls is the number of installations of a version-day.
func vdInstalls(vd *VersionDay) int64 {
	if vd.Reported != nil {
		return int64(vd.Reported.GetCardinality())
	}
	return vd.Installs
}

// lastCompleteDay is the day adoption is measured on: the last day,
// unless it has under half the installations a day usually has (early in
// a UTC day most installations have not reported yet), then the day
// before.
func lastCompleteDay(h *ReleaseHistory) rollup.Day {
	var prev []float64
	for d := h.Last - 7; d < h.Last; d++ {
		if a, ok := h.Active[d]; ok {
			prev = append(prev, float64(a))
		}
	}
	if len(prev) > 0 && float64(h.Active[h.Last]) < stats.Median(prev)/2 {
		return h.Last - 1
	}
	return h.Last
}
