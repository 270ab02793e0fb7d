package storetest

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// featureUsageTests are the suite's cases for metrics.feature_usage; Run
// runs them.
var featureUsageTests = []suiteCase{
	{"FeatureUsageSums", testFeatureUsageSums},
}

// testFeatureUsageSums checks each feature's usage row of each day against
// sums taken over the reports here, by hand rather than by package rollup:
// uses, successes, the sums of squares and products, the reports and the
// installations, with retries counted once.
func testFeatureUsageSums(t *testing.T, s store.Store) {
	items := randomItems(31, 300, 12, 4)
	ingestInBatches(t, s, items, 32)
	ingestInBatches(t, s, items[:50], 33) // retries
	want := map[rollup.Key]*rollup.Row{}
	installs := map[rollup.Key]map[string]bool{}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.Key] {
			continue
		}
		seen[it.Key] = true
		for name, u := range it.Report.Metrics.FeatureUsage {
			k := rollup.Key{Day: rollup.DayOf(it.Time), Dim: rollup.DimUsage, Key: name}
			if want[k] == nil {
				want[k], installs[k] = rollup.NewRow(k), map[string]bool{}
			}
			w := want[k]
			w.Reports++
			w.Total += u.Uses
			w.UsageSuccesses += u.Successes
			w.UsageUsesSq += u.Uses * u.Uses
			w.UsageCross += u.Successes * u.Uses
			w.UsageSuccSq += u.Successes * u.Successes
			installs[k][it.Report.InstallationID] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("the items count no feature usage")
	}
	got := 0
	for _, r := range Snapshot(t, s) {
		if r.Dim != rollup.DimUsage {
			continue
		}
		got++
		w := want[r.Key]
		if w == nil || r.Counters != w.Counters || int(r.Installs.GetCardinality()) != len(installs[r.Key]) {
			t.Fatalf("%v: %+v, %d installations; want %+v, %d", r.Key, r.Counters, r.Installs.GetCardinality(), w, len(installs[r.Key]))
		}
	}
	if got != len(want) {
		t.Fatalf("%d feature usage rows, want %d", got, len(want))
	}
}
