package storetest

import (
	"math/rand/v2"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// testRetriesMixedWithNew: batches in which about half the reports are
// retries of stored ones or repeats within the batch (a retry storm after
// an outage) store and count every report once: exactly the first copy
// of each new report is acknowledged as new, the "all" rows count the
// distinct reports, and the rollups are what Recompute makes of the raw
// reports.
func testRetriesMixedWithNew(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(11, 13))
	versions := []string{"1.0.0", "1.1.0", "1.2.0"}
	stored := map[string]bool{} // installation id "/" key
	var sent []store.Item
	seq, distinct := 0, int64(0)
	for b := range 12 {
		var items []store.Item
		for range 30 {
			if len(sent) > 0 && rng.IntN(2) == 0 {
				items = append(items, sent[rng.IntN(len(sent))])
				continue
			}
			it := Item(rng.IntN(25), rng.IntN(3), seq, versions[rng.IntN(len(versions))])
			seq++
			items = append(items, it)
			sent = append(sent, it) // a later copy in this batch is a repeat
		}
		ins := ingest(t, s, items)
		for i, it := range items {
			id := it.Report.InstallationID + "/" + it.Key
			if ins[i] != !stored[id] {
				t.Fatalf("batch %d, item %d: inserted %v, want %v", b, i, ins[i], !stored[id])
			}
			if !stored[id] {
				stored[id] = true
				distinct++
			}
		}
		if b%4 == 3 {
			if _, err := s.Compact(ctx(t)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var counted int64
	for _, r := range Snapshot(t, s) {
		if r.Dim == rollup.DimAll {
			counted += r.Reports
		}
	}
	if counted != distinct {
		t.Fatalf("the all rows count %d reports, want the %d distinct ones", counted, distinct)
	}
	RecomputeMatches(t, s, "after batches of retries and new reports")
}
