package public

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// What a published figure is.
type what uint8

const (
	total what = iota // the active installations
	named             // a cell shown by name
	other             // a breakdown's Other
	week              // a week's active installations
)

// figure is one published figure and the installations it counts.
type figure struct {
	what   what
	period int // index of its period in the publication
	family int // breakdown of a named cell or an Other
	cell   int // index of a named cell in its breakdown, or of a week
	set    *roaring.Bitmap
	n      uint64
}

// figures lists what would be published now; an empty Other is not.
func (p *publication) figures() []figure {
	var out []figure
	for pi, pd := range p.periods {
		if pd == nil {
			continue
		}
		out = append(out, figure{what: total, period: pi, set: pd.active, n: pd.active.GetCardinality()})
		for i, fam := range pd.families {
			for j, c := range fam {
				if pd.named[i][j] {
					out = append(out, figure{what: named, period: pi, family: i, cell: j, set: c.Installs, n: c.Installs.GetCardinality()})
				}
			}
			if o := pd.other(i); !o.IsEmpty() {
				out = append(out, figure{what: other, period: pi, family: i, set: o, n: o.GetCardinality()})
			}
		}
		for i, w := range pd.weeks {
			if pd.weekShown[i] {
				out = append(out, figure{what: week, period: pi, cell: i, set: w, n: w.GetCardinality()})
			}
		}
	}
	return out
}

// firstViolation returns the figures that break the rule, if any:
//
//  1. a figure that counts 1 to k-1 installations;
//  2. two figures S ⊆ T whose difference |T| - |S| is 1 to k-1: T \ S is a
//     group that subtraction reveals. The total is such a T for every
//     other figure of its period (the complement of a cell), a longer
//     period's figure may be one for a shorter period's, and a
//     breakdown's cells are disjoint from its Other.
//
// Sums need no rule of their own: the cells of Versions are disjoint and
// each counts k or more, so any sum of them does too, and the total minus
// any sum is the sum of the others.
func firstViolation(figs []figure, k uint64) ([]figure, bool) {
	for _, f := range figs {
		if f.n > 0 && f.n < k {
			return []figure{f}, true
		}
	}
	sorted := slices.Clone(figs)
	slices.SortStableFunc(sorted, func(a, b figure) int {
		if a.n < b.n {
			return -1
		}
		if a.n > b.n {
			return 1
		}
		return 0
	})
	for i, s := range sorted {
		for _, t := range sorted[i+1:] {
			if t.n-s.n >= k {
				break // the rest are larger still
			}
			if t.n > s.n && s.set.AndCardinality(t.set) == s.n {
				return []figure{s, t}, true
			}
		}
	}
	return nil, false
}
