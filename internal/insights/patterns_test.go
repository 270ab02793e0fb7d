package insights_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// TestPatternsEqualBruteForce checks, on both stores, every combination
// of 1 to 4 features reaching 5 % of the installations against a count
// made installation by installation from the raw reports.
func TestPatternsEqualBruteForce(t *testing.T) {
	reports := simulatedFleet()
	w := dashboard.LastDays(testNow, 30)
	q := insights.PatternQuery{MinSupport: 0.05, MinSize: 1, MaxSize: insights.MaxPatternSize, Limit: 100000}
	n, want := bruteForcePatterns(inWindow(reports, w), q)
	eachStore(t, func(t *testing.T, st store.Store) {
		ingest(t, st, reports)
		d := &insights.Decisions{Model: &dashboard.Service{Store: st}, Settings: insights.DefaultSettings()}
		got, err := d.Patterns(context.Background(), w, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Installations != n {
			t.Errorf("%d installations, brute force %d", got.Installations, n)
		}
		if len(got.Combinations) != len(want) {
			t.Errorf("%d combinations, brute force %d", len(got.Combinations), len(want))
		}
		for i, c := range got.Combinations {
			k := strings.Join(c.Features, "+")
			b, ok := want[k]
			if !ok || c.Installations != b.Installations || c.Exactly != b.Exactly || !near(c.Support, b.Support) || !near(c.Lift, b.Lift) {
				t.Errorf("%s: %+v, brute force %+v", k, c, b)
			}
			if i > 0 && c.Installations > got.Combinations[i-1].Installations {
				t.Errorf("%s is listed after a combination of fewer installations", k)
			}
		}
		if b := want["auto_rollback+workload_analysis"]; b.Lift < 1.5 {
			t.Errorf("the planted pair's lift is %.2f, want well above 1", b.Lift)
		}
	})
}

// bruteForcePatterns counts, for every set of up to four features, the
// installations whose features in the window include it and those whose
// features are exactly it, keeping the sets that reach q.MinSupport.
func bruteForcePatterns(reports []fleet.Planned, q insights.PatternQuery) (uint64, map[string]insights.Combination) {
	sets := map[string]map[string]bool{}
	for _, p := range reports {
		id := p.Report.InstallationID
		if sets[id] == nil {
			sets[id] = map[string]bool{}
		}
		for _, f := range p.Report.Metrics.FeaturesUsed {
			sets[id][f] = true
		}
	}
	atLeast, exactly := map[string]uint64{}, map[string]uint64{}
	for _, set := range sets {
		features := slices.Sorted(maps.Keys(set))
		for _, sub := range subsets(features, q.MaxSize) {
			atLeast[strings.Join(sub, "+")]++
		}
		exactly[strings.Join(features, "+")]++
	}
	n := float64(len(sets))
	out := map[string]insights.Combination{}
	for k, c := range atLeast {
		features := strings.Split(k, "+")
		if float64(c) < q.MinSupport*n || len(features) < q.MinSize {
			continue
		}
		comb := insights.Combination{Features: features, Installations: c, Support: float64(c) / n, Exactly: exactly[k], Lift: float64(c) / n}
		for _, f := range features {
			comb.Lift /= float64(atLeast[f]) / n
		}
		out[k] = comb
	}
	return uint64(len(sets)), out
}

// subsets returns every non-empty subset of sorted of at most max items,
// each sorted.
func subsets(sorted []string, max int) [][]string {
	var out [][]string
	var walk func(start int, cur []string)
	walk = func(start int, cur []string) {
		if len(cur) > 0 {
			out = append(out, slices.Clone(cur))
		}
		if len(cur) == max {
			return
		}
		for i := start; i < len(sorted); i++ {
			walk(i+1, append(cur, sorted[i]))
		}
	}
	walk(0, nil)
	return out
}

// TestPatternsExactlyThese checks "exactly these" on a fleet small enough
// to count by hand.
func TestPatternsExactlyThese(t *testing.T) {
	bm := func(ids ...uint32) *roaring.Bitmap { return roaring.BitmapOf(ids...) }
	// Installation 1 uses a and b; 2 uses a, b and c; 3 uses a; 4 uses
	// nothing listed.
	got := insights.FindPatterns(bm(1, 2, 3, 4), map[string]*roaring.Bitmap{"a": bm(1, 2, 3), "b": bm(1, 2), "c": bm(2)},
		insights.PatternQuery{MinSupport: 0.25, MinSize: 1, MaxSize: 4, Limit: 10})
	// The most used first, then the smaller, then by name.
	want := []string{"a 3 1", "b 2 0", "a+b 2 1", "c 1 0", "a+c 1 0", "b+c 1 0", "a+b+c 1 1"}
	var lines []string
	for _, c := range got.Combinations {
		lines = append(lines, fmt.Sprintf("%s %d %d", strings.Join(c.Features, "+"), c.Installations, c.Exactly))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("combinations\n%q\nwant\n%q", lines, want)
	}
	if got.Installations != 4 {
		t.Errorf("installations %d, want 4", got.Installations)
	}
	if c := got.Combinations[2]; !near(c.Lift, (2.0/4)/((3.0/4)*(2.0/4))) {
		t.Errorf("lift of a+b %.3f, want %.3f", c.Lift, (2.0/4)/((3.0/4)*(2.0/4)))
	}
}
