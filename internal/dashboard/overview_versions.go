package dashboard

import (
	"sort"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// The overview's per-version series: adoption (each installation once a
// day, under its newest version) and performance.

// versionSeries returns installations per day by newest version, and the
// average improvement per day by version. The SeriesVersions versions with
// the most installation-days in the period are named, newest first; the rest
// are summed exactly under OtherVersions. Filtered, only the filter's
// version is shown.
func (w *window) versionSeries(filter string) ([]CountSeries, []PctSeries) {
	named, others := w.topVersions(filter)
	counts := make([]CountSeries, 0, len(named)+1)
	perf := make([]PctSeries, 0, len(named)+1)
	idx := map[string]int{}
	for i, v := range named {
		idx[v] = i
		counts = append(counts, CountSeries{Name: v, Values: make([]int64, w.p.Days())})
	}
	if len(others) > 0 {
		for _, v := range others {
			idx[v] = len(named)
		}
		counts = append(counts, CountSeries{Name: OtherVersions, Values: make([]int64, w.p.Days())})
	}
	sums := make([][]rollup.Counters, len(counts))
	for i := range sums {
		sums[i] = make([]rollup.Counters, w.p.Days())
	}
	for v, i := range idx {
		for _, r := range w.g.rows[rollup.DimVersion][v] {
			sums[i][r.Day-w.p.From].Add(r.Counters)
		}
	}
	w.newestPerDay(counts, idx, filter)
	for i, c := range counts {
		s := PctSeries{Name: c.Name, Values: make([]*float64, w.p.Days())}
		for d := range s.Values {
			s.Values[d] = avgPct(sums[i][d])
		}
		perf = append(perf, s)
	}
	return counts, perf
}

// topVersions splits the period's versions into the named ones (newest
// first) and the others.
func (w *window) topVersions(filter string) (named, others []string) {
	if filter != "" {
		return []string{filter}, nil
	}
	vs := w.g.keys(rollup.DimVersion)
	n := make(map[string]int64, len(vs))
	for _, v := range vs {
		for _, r := range w.g.rows[rollup.DimVersion][v] {
			n[v] += r.InstallsN
		}
	}
	sort.SliceStable(vs, func(i, j int) bool { return n[vs[i]] > n[vs[j]] })
	if len(vs) > SeriesVersions {
		named, others = vs[:SeriesVersions], vs[SeriesVersions:]
	} else {
		named = vs
	}
	sort.SliceStable(named, func(i, j int) bool { return report.CompareVersions(named[i], named[j]) > 0 })
	return named, others
}

// newestPerDay fills counts: each installation counts once a day, under the
// newest version it reported that day. Filtered, the filter version's
// installations per day. A dense bit set marks the installations already
// counted: cheaper than growing a bitmap, since numbers are dense.
func (w *window) newestPerDay(counts []CountSeries, idx map[string]int, filter string) {
	if filter != "" {
		copy(counts[0].Values, w.activeByDay())
		return
	}
	byDay := map[rollup.Day][]*rollup.Row{}
	var top uint32
	for v := range idx {
		for _, r := range w.g.rows[rollup.DimVersion][v] {
			if r.Installs != nil && !r.Installs.IsEmpty() {
				byDay[r.Day] = append(byDay[r.Day], r)
				top = max(top, r.Installs.Maximum())
			}
		}
	}
	seen := make([]uint64, top/64+1)
	buf := make([]uint32, 1024)
	for d, rows := range byDay {
		if w.oneVersionADay(d, rows) {
			for _, r := range rows {
				counts[idx[r.Key.Key]].Values[d-w.p.From] += r.InstallsN
			}
			continue
		}
		sort.Slice(rows, func(i, j int) bool { return report.CompareVersions(rows[i].Key.Key, rows[j].Key.Key) > 0 })
		clear(seen)
		for _, r := range rows {
			var n int64
			it := r.Installs.ManyIterator()
			for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
				for _, x := range buf[:k] {
					word, bit := x/64, uint64(1)<<(x%64)
					if seen[word]&bit == 0 {
						seen[word] |= bit
						n++
					}
				}
			}
			counts[idx[r.Key.Key]].Values[d-w.p.From] += n
		}
	}
}

// oneVersionADay reports whether every installation of day d reported one
// version only: then the versions' installations add up to the day's, and
// no installation needs to be told apart.
func (w *window) oneVersionADay(d rollup.Day, rows []*rollup.Row) bool {
	all := w.base[d]
	if all == nil {
		return false
	}
	var sum int64
	for _, r := range rows {
		sum += r.InstallsN
	}
	return sum == all.InstallsN
}
