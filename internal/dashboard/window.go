package dashboard

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// A Window is the rollup rows of a period, by dimension and key: what
// every reader of the rollups (stats, trends, the overview, and the
// insights, weekly report and public page built on them) computes its
// figures from. Its methods are the ways to combine rows: over the days
// of a key (Sum, Installs), day by day (Day, Counts, Installations), and
// across keys (Adoption, the versions' in versions.go).
//
// Installations are exact: a key's installations over days are the union
// of its rows' bitmaps, never a sum of daily counts. Methods that need
// bitmaps (Installs and all that count distinct installations over more
// than a day) need rows read with them (Service.Window with bitmaps).
// A Window is not safe for concurrent use.
type Window struct {
	Period
	rows   map[string]map[string][]*rollup.Row // by dimension and key, oldest day first
	unions map[[2]string]*roaring.Bitmap       // memo of Installs
	cache  *rollup.Unions                      // the store's, kept between reads; nil: none
}

// NewWindow groups the rows of period p; rows outside it are left out.
func NewWindow(p Period, rows []*rollup.Row) *Window {
	w := &Window{Period: p, rows: map[string]map[string][]*rollup.Row{}, unions: map[[2]string]*roaring.Bitmap{}}
	for _, r := range rows {
		if !p.Contains(r.Day) {
			continue
		}
		byKey := w.rows[r.Dim]
		if byKey == nil {
			byKey = map[string][]*rollup.Row{}
			w.rows[r.Dim] = byKey
		}
		byKey[r.Key.Key] = append(byKey[r.Key.Key], r)
	}
	for _, byKey := range w.rows {
		for _, rs := range byKey {
			slices.SortFunc(rs, func(a, b *rollup.Row) int { return cmp.Compare(a.Day, b.Day) })
		}
	}
	return w
}

// Keys returns the keys of dim that have a row in the window, sorted.
func (w *Window) Keys(dim string) []string {
	var ks []string
	for k := range w.rows[dim] {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Rows returns the rows of dim and key, oldest day first; days without
// reports have none. The caller must not modify them.
func (w *Window) Rows(dim, key string) []*rollup.Row { return w.rows[dim][key] }

// Row returns the row of dim and key on day d, or nil.
func (w *Window) Row(dim, key string, d rollup.Day) *rollup.Row {
	rs := w.rows[dim][key]
	i, ok := slices.BinarySearchFunc(rs, d, func(r *rollup.Row, d rollup.Day) int { return cmp.Compare(r.Day, d) })
	if !ok {
		return nil
	}
	return rs[i]
}

// Sum returns the counters of dim and key added over the window.
func (w *Window) Sum(dim, key string) rollup.Counters { return w.SumDuring(dim, key, w.Period) }

// SumDuring returns the counters of dim and key added over the days of p
// (within the window).
func (w *Window) SumDuring(dim, key string, p Period) rollup.Counters {
	var c rollup.Counters
	for _, r := range w.rows[dim][key] {
		if p.Contains(r.Day) {
			c.Add(r.Counters)
		}
	}
	return c
}

// SquaresKept reports whether the sum of the squares of the performance
// improvements (PerfSumSq) of dim and key over the window is whole, so
// that a spread or an interval of the mean may be computed from it: rows
// written before the rollups kept squares hold none. A row with
// improvements but no squares is taken for such a row.
func (w *Window) SquaresKept(dim, key string) bool {
	for _, r := range w.rows[dim][key] {
		if r.PerfN > 0 && r.PerfSumSq == 0 {
			return false
		}
	}
	return true
}

// Installs returns the installations of dim and key over the window: the
// union of its days. Several figures need the same unions, so each is
// computed once; the caller must not modify it.
func (w *Window) Installs(dim, key string) *roaring.Bitmap {
	k := [2]string{dim, key}
	if u, ok := w.unions[k]; ok {
		return u
	}
	u := w.InstallsDuring(dim, key, w.Period)
	w.unions[k] = u
	return u
}

// InstallsDuring returns the installations of dim and key over the days
// of p (within the window). It may be shared with other readers (the
// store's unions kept between reads): the caller must not modify it.
func (w *Window) InstallsDuring(dim, key string, p Period) *roaring.Bitmap {
	var rows []*rollup.Row
	for _, r := range w.rows[dim][key] {
		if r.Installs != nil && p.Contains(r.Day) {
			rows = append(rows, r)
		}
	}
	return w.cache.Union(dim, key, p.From, p.To, rows)
}

// Active returns the installations that reported in the window.
func (w *Window) Active() *roaring.Bitmap { return w.Installs(rollup.DimAll, "") }

// FirstDay returns the first day of the window on which dim and key has a
// row (for a version, the first day it was reported: its release, when
// the window reaches back far enough), and false when it has none.
func (w *Window) FirstDay(dim, key string) (rollup.Day, bool) {
	rs := w.rows[dim][key]
	if len(rs) == 0 {
		return 0, false
	}
	return rs[0].Day, true
}

// Counts returns, for each day of the window, the counters of dim and
// key that day (zero on days without reports): the day-by-day series
// that the trends, anomaly detection and forecasts read.
func (w *Window) Counts(dim, key string) []rollup.Counters {
	out := make([]rollup.Counters, w.Days())
	for _, r := range w.rows[dim][key] {
		out[w.Index(r.Day)] = r.Counters
	}
	return out
}

// Installations returns, for each day of the window, how many
// installations counted in dim and key that day (0 on days without).
func (w *Window) Installations(dim, key string) []int64 {
	out := make([]int64, w.Days())
	for _, r := range w.rows[dim][key] {
		out[w.Index(r.Day)] = r.InstallsN
	}
	return out
}

// Cohort is the installations behind one figure: those that ran a
// version, used a feature, reported an OS… over a window.
type Cohort struct {
	Name     string
	Installs *roaring.Bitmap // dense installation numbers; do not modify
}

// Cohorts returns the installations of each key of dim over the window,
// keys in order, leaving out keys without any.
func (w *Window) Cohorts(dim string) []Cohort {
	var out []Cohort
	for _, k := range w.Keys(dim) {
		if u := w.Installs(dim, k); !u.IsEmpty() {
			out = append(out, Cohort{Name: k, Installs: u})
		}
	}
	return out
}

// Adoption is how many of a window's active installations have
// something: a feature, an OS, a version.
type Adoption struct {
	Name          string  `json:"name"`
	Installations uint64  `json:"installations"`
	Pct           float64 `json:"pct"` // of active installations
}

// Adoption returns, for every key of dim, how many installations had it
// over the window and what share of active they are, most installations
// first (ties in key order); nil when dim has no key. A key whose
// installations were all erased counts 0.
func (w *Window) Adoption(dim string, active uint64) []Adoption {
	var out []Adoption
	for _, k := range w.Keys(dim) {
		n := w.Installs(dim, k).GetCardinality()
		out = append(out, Adoption{Name: k, Installations: n, Pct: Pct(float64(n), float64(active))})
	}
	sortByInstallations(out)
	return out
}

// sortByInstallations orders adoption most installations first, keeping
// the order of ties.
func sortByInstallations(a []Adoption) {
	slices.SortStableFunc(a, func(x, y Adoption) int { return cmp.Compare(y.Installations, x.Installations) })
}

// Shares returns, for each day of the window, the share (%) of that day's
// active installations counted in dim and key: a feature's daily
// adoption, a version's daily share.
func (w *Window) Shares(dim, key string) []float64 {
	active := w.Installations(rollup.DimAll, "")
	out := make([]float64, w.Days())
	for _, r := range w.rows[dim][key] {
		i := w.Index(r.Day)
		out[i] = Pct(float64(r.InstallsN), float64(active[i]))
	}
	return out
}

// Improvement returns, for each day of the window, the average
// performance improvement (%) of dim and key's reports; nil on days
// without one.
func (w *Window) Improvement(dim, key string) []*float64 {
	out := make([]*float64, w.Days())
	for _, r := range w.rows[dim][key] {
		out[w.Index(r.Day)] = AvgImprovement(r.Counters)
	}
	return out
}

// Within returns the rows of dims (every dimension when none is given) as
// seen from the installations counted in dim and key each day (a
// version's, for a version filter): every row keeps only those of its
// installations, and the rows of days without dim and key go. The rows'
// counters stay whole, so only installation figures (Installs, Adoption,
// Installations) of the result mean anything.
func (w *Window) Within(dim, key string, dims ...string) *Window {
	var rows []*rollup.Row
	for d, byKey := range w.rows {
		if len(dims) > 0 && !slices.Contains(dims, d) {
			continue
		}
		for _, rs := range byKey {
			for _, r := range rs {
				f := w.Row(dim, key, r.Day)
				if f == nil || r.Installs == nil || f.Installs == nil {
					continue
				}
				in := roaring.And(r.Installs, f.Installs)
				rows = append(rows, &rollup.Row{Key: r.Key, Counters: r.Counters, InstallsN: int64(in.GetCardinality()), Installs: in})
			}
		}
	}
	return NewWindow(w.Period, rows)
}

// FirstIn returns the installations of dim and key whose first day in the
// window falls in p: for a window reaching back over the retention, the
// installations new in p (DimAll), or that took up a version or a feature
// in p.
func (w *Window) FirstIn(dim, key string, p Period) *roaring.Bitmap {
	before := w.InstallsDuring(dim, key, Period{From: w.From, To: p.From - 1})
	return roaring.AndNot(w.InstallsDuring(dim, key, p), before)
}
