package dashboard

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// SeriesVersions is how many versions the per-version series show by
// name; the rest are summed under OtherVersions.
const SeriesVersions = 8

// OtherVersions names the series of the versions beyond SeriesVersions.
// It cannot collide with a real version: versions have no spaces.
const OtherVersions = "(other versions)"

// newestFirst orders versions newest first (report.CompareVersions).
func newestFirst(vs []string) {
	slices.SortStableFunc(vs, func(a, b string) int { return report.CompareVersions(b, a) })
}

// VersionsNewestFirst returns the versions reported in the window, newest
// first; never nil.
func (w *Window) VersionsNewestFirst() []string {
	vs := w.Keys(rollup.DimVersion)
	newestFirst(vs)
	if vs == nil {
		return []string{}
	}
	return vs
}

// NewestVersions counts each installation of the window once, under the
// newest version it reported in it: disjoint cohorts, newest version
// first, whose union is every installation that reported a version.
// Versions left with no installation are left out.
func (w *Window) NewestVersions() []Cohort {
	versions := w.Keys(rollup.DimVersion)
	newestFirst(versions)
	seen := roaring.New()
	var out []Cohort
	for _, v := range versions {
		u := roaring.AndNot(w.Installs(rollup.DimVersion, v), seen)
		seen.Or(u)
		if !u.IsEmpty() {
			out = append(out, Cohort{Name: v, Installs: u})
		}
	}
	return out
}

// A VersionGroup is one per-version series: a version, or OtherVersions
// and the versions it sums.
type VersionGroup struct {
	Name     string
	Versions []string
}

// VersionGroups returns the series of the window's versions: the n with
// the most installation-days by name, newest first, then, if there are
// more, one OtherVersions series of the rest.
func (w *Window) VersionGroups(n int) []VersionGroup {
	vs := w.Keys(rollup.DimVersion)
	days := make(map[string]int64, len(vs))
	for _, v := range vs {
		for _, r := range w.Rows(rollup.DimVersion, v) {
			days[v] += r.InstallsN
		}
	}
	slices.SortStableFunc(vs, func(a, b string) int { return cmp.Compare(days[b], days[a]) })
	named, others := vs, []string(nil)
	if len(vs) > n {
		named, others = vs[:n], vs[n:]
	}
	newestFirst(named)
	out := make([]VersionGroup, 0, len(named)+1)
	for _, v := range named {
		out = append(out, VersionGroup{Name: v, Versions: []string{v}})
	}
	if len(others) > 0 {
		out = append(out, VersionGroup{Name: OtherVersions, Versions: others})
	}
	return out
}

// CountsOf returns, for each day of the window, the counters of the keys
// of dim added together.
func (w *Window) CountsOf(dim string, keys []string) []rollup.Counters {
	out := make([]rollup.Counters, w.Days())
	for _, k := range keys {
		for _, r := range w.Rows(dim, k) {
			out[w.Index(r.Day)].Add(r.Counters)
		}
	}
	return out
}

// NewestByDay returns, for each group and each day of the window, how
// many installations reported that day a version of the group as the
// newest version they reported that day. Each installation counts once a
// day, so the groups add up to the day's active installations.
func (w *Window) NewestByDay(groups []VersionGroup) [][]int64 {
	out := make([][]int64, len(groups))
	idx := map[string]int{}
	for i, g := range groups {
		out[i] = make([]int64, w.Days())
		for _, v := range g.Versions {
			idx[v] = i
		}
	}
	byDay := map[rollup.Day][]*rollup.Row{}
	var top uint32
	for v := range idx {
		for _, r := range w.Rows(rollup.DimVersion, v) {
			if r.Installs != nil && !r.Installs.IsEmpty() {
				byDay[r.Day] = append(byDay[r.Day], r)
				top = max(top, r.Installs.Maximum())
			}
		}
	}
	// A dense bit set marks the installations already counted: cheaper
	// than growing a bitmap, since the numbers are dense.
	seen := make([]uint64, top/64+1)
	buf := make([]uint32, 1024)
	count := func(rows []*rollup.Row) []int64 {
		clear(seen)
		counts := make([]int64, len(rows))
		for j, r := range rows {
			it := r.Installs.ManyIterator()
			for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
				for _, x := range buf[:k] {
					word, bit := x/64, uint64(1)<<(x%64)
					if seen[word]&bit == 0 {
						seen[word] |= bit
						counts[j]++
					}
				}
			}
		}
		return counts
	}
	for d, rows := range byDay {
		i := w.Index(d)
		if w.oneVersionADay(d, rows) {
			for _, r := range rows {
				out[idx[r.Key.Key]][i] += r.InstallsN
			}
			continue
		}
		slices.SortFunc(rows, func(a, b *rollup.Row) int { return report.CompareVersions(b.Key.Key, a.Key.Key) })
		for j, n := range w.cache.Newest(rows, count) {
			out[idx[rows[j].Key.Key]][i] += n
		}
	}
	return out
}

// oneVersionADay reports whether every installation of day d reported one
// version only: then the versions' installations add up to the day's, and
// no installation needs to be told apart.
func (w *Window) oneVersionADay(d rollup.Day, rows []*rollup.Row) bool {
	all := w.Row(rollup.DimAll, "", d)
	if all == nil {
		return false
	}
	var sum int64
	for _, r := range rows {
		sum += r.InstallsN
	}
	return sum == all.InstallsN
}
