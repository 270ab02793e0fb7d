package insights

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// MaxPatternSize is the largest combination searched for.
const MaxPatternSize = 4

// PatternQuery selects the combinations to report.
type PatternQuery struct {
	// MinSupport is the smallest share of the window's installations a
	// combination must reach, in (0, 1].
	MinSupport float64
	// MinSize and MaxSize bound the number of features, 1 to
	// MaxPatternSize.
	MinSize, MaxSize int
	// Limit is the most combinations returned, the most used first.
	Limit int
}

// DefaultPatternQuery is what the API answers without parameters.
func DefaultPatternQuery() PatternQuery {
	return PatternQuery{MinSupport: 0.05, MinSize: 2, MaxSize: MaxPatternSize, Limit: 50}
}

// Validate checks q's bounds; the error names the field.
func (q PatternQuery) Validate() error {
	switch {
	case !(q.MinSupport > 0 && q.MinSupport <= 1):
		return fmt.Errorf("insights: min_support %v is not in (0, 1]", q.MinSupport)
	case q.MinSize < 1 || q.MinSize > MaxPatternSize:
		return fmt.Errorf("insights: min_size %d is not between 1 and %d", q.MinSize, MaxPatternSize)
	case q.MaxSize < q.MinSize || q.MaxSize > MaxPatternSize:
		return fmt.Errorf("insights: max_size %d is not between min_size and %d", q.MaxSize, MaxPatternSize)
	case q.Limit < 1:
		return fmt.Errorf("insights: limit %d is not at least 1", q.Limit)
	}
	return nil
}

// Combination is a set of features and the installations that ran them.
type Combination struct {
	Features []string `json:"features"`
	// Installations used at least these features in the window; Support is
	// their share of the window's installations.
	Installations uint64  `json:"installations"`
	Support       float64 `json:"support"`
	// Lift is Support over the product of each feature's own support: 1
	// when the features are used independently, above 1 when together
	// more often than chance.
	Lift float64 `json:"lift"`
	// Exactly counts the installations that used these features and no
	// other in the window; ExactlySupport is their share.
	Exactly        uint64  `json:"exactly_installations"`
	ExactlySupport float64 `json:"exactly_support"`
}

// Patterns are the combinations found in one window.
type Patterns struct {
	Installations uint64        `json:"installations"` // that reported in the window
	Combinations  []Combination `json:"combinations"`
}

// itemset is a sorted set of feature indexes, the installations that
// used them all (count), those that used no other feature (exact), and
// the bitmap of the first, which the last level searched needs not keep.
type itemset struct {
	items        []int
	count, exact uint64
	bm           *roaring.Bitmap
}

// FindPatterns returns the combinations of q's sizes whose installations
// reach q.MinSupport of active, the most used first (then the smaller,
// then by name). features maps each feature to the installations that
// used it in the window (subsets of active). The search is level-wise
// (Apriori): a set of k features is checked only when all of its subsets
// of k-1 reached the support, and its installations are the intersection
// of one of them with the last feature's, so every count is exact.
func FindPatterns(active *roaring.Bitmap, features map[string]*roaring.Bitmap, q PatternQuery) Patterns {
	n := active.GetCardinality()
	out := Patterns{Installations: n, Combinations: []Combination{}}
	if n == 0 {
		return out
	}
	names := slices.Sorted(maps.Keys(features))
	minCount := uint64(math.Max(1, math.Ceil(q.MinSupport*float64(n)-1e-9)))
	bySize := exactSizes(active, names, features)
	support := func(c uint64) float64 { return float64(c) / float64(n) }
	level := frequentSingles(names, features, minCount, bySize[1])
	for size := 1; size <= q.MaxSize && len(level) > 0; size++ {
		if size >= q.MinSize {
			for _, s := range level {
				c := Combination{Installations: s.count, Support: support(s.count), Exactly: s.exact, ExactlySupport: support(s.exact), Lift: 1}
				for _, i := range s.items {
					c.Features = append(c.Features, names[i])
					c.Lift /= support(features[names[i]].GetCardinality())
				}
				c.Lift *= c.Support
				out.Combinations = append(out.Combinations, c)
			}
		}
		if size < q.MaxSize {
			level = nextLevel(level, features, names, minCount, bySize[size+1], size+1 == q.MaxSize)
		}
	}
	slices.SortFunc(out.Combinations, func(a, b Combination) int {
		return cmp.Or(cmp.Compare(b.Installations, a.Installations), cmp.Compare(len(a.Features), len(b.Features)),
			strings.Compare(strings.Join(a.Features, ","), strings.Join(b.Features, ",")))
	})
	if len(out.Combinations) > q.Limit {
		out.Combinations = out.Combinations[:q.Limit]
	}
	return out
}

func frequentSingles(names []string, features map[string]*roaring.Bitmap, minCount uint64, exactOne *roaring.Bitmap) []itemset {
	var level []itemset
	for i, f := range names {
		if n := features[f].GetCardinality(); n >= minCount {
			level = append(level, itemset{items: []int{i}, count: n, exact: features[f].AndCardinality(exactOne), bm: features[f]})
		}
	}
	return level
}

// nextLevel joins the sets of one level that share all but their last
// feature, keeps the candidates whose every subset is in the level, and
// of those the ones that reach minCount. exact holds the installations
// that used as many features as the new sets have. On the last level only
// counts are needed: no intersection is kept.
func nextLevel(level []itemset, features map[string]*roaring.Bitmap, names []string, minCount uint64, exact *roaring.Bitmap, last bool) []itemset {
	known := make(map[string]bool, len(level))
	for _, s := range level {
		known[key(s.items)] = true
	}
	var next []itemset
	for i, a := range level {
		var aExact *roaring.Bitmap // a's installations with exactly the new size's features, when needed
		for _, b := range level[i+1:] {
			k := len(a.items)
			if !slices.Equal(a.items[:k-1], b.items[:k-1]) {
				break // the level is sorted: no later set shares a's prefix
			}
			items := append(slices.Clone(a.items), b.items[k-1])
			if !subsetsKnown(items, known) {
				continue
			}
			f := features[names[b.items[k-1]]]
			s := itemset{items: items}
			if last {
				s.count = a.bm.AndCardinality(f)
			} else {
				s.bm = roaring.And(a.bm, f)
				s.count = s.bm.GetCardinality()
			}
			if s.count < minCount {
				continue
			}
			if aExact == nil {
				aExact = roaring.And(a.bm, exact)
			}
			s.exact = aExact.AndCardinality(f)
			next = append(next, s)
		}
	}
	return next
}

// subsetsKnown reports whether every subset of items one smaller is in
// known.
func subsetsKnown(items []int, known map[string]bool) bool {
	for drop := range items {
		sub := slices.Concat(items[:drop], items[drop+1:])
		if !known[key(sub)] {
			return false
		}
	}
	return true
}

func key(items []int) string {
	var b []byte
	for _, i := range items {
		b = strconv.AppendInt(append(b, ','), int64(i), 10)
	}
	return string(b)
}

// exactSizes returns, for each size up to MaxPatternSize, the active
// installations that used exactly that many features in the window: an
// installation in a set's intersection used exactly those features when
// it used no more than the set's size.
func exactSizes(active *roaring.Bitmap, names []string, features map[string]*roaring.Bitmap) [MaxPatternSize + 1]*roaring.Bitmap {
	var out [MaxPatternSize + 1]*roaring.Bitmap
	if active.IsEmpty() {
		return out
	}
	counts := make([]uint8, active.Maximum()+1) // features per installation, saturating
	for _, f := range names {
		it := features[f].Iterator()
		for it.HasNext() {
			if i := it.Next(); int(i) < len(counts) && counts[i] <= MaxPatternSize {
				counts[i]++
			}
		}
	}
	for k := 1; k <= MaxPatternSize; k++ {
		out[k] = roaring.New()
	}
	it := active.Iterator()
	for it.HasNext() {
		if i := it.Next(); counts[i] >= 1 && counts[i] <= MaxPatternSize {
			out[counts[i]].Add(i)
		}
	}
	return out
}
