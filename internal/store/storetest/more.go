package storetest

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// randomItems returns n items from inst installations over days days,
// with a few exact repeats (retries).
func randomItems(seed uint64, n, inst, days int) []store.Item {
	rng := rand.New(rand.NewPCG(seed, 7))
	versions := []string{"1.0.0", "1.1.0a8", "1.1.0", "1.2.0"}
	var items []store.Item
	for i := 0; i < n; i++ {
		if i > 0 && rng.IntN(10) == 0 {
			items = append(items, items[rng.IntN(len(items))])
			continue
		}
		items = append(items, Item(rng.IntN(inst), rng.IntN(days), i, versions[rng.IntN(len(versions))]))
	}
	return items
}

func ingestInBatches(t *testing.T, s store.Store, items []store.Item, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 9))
	for len(items) > 0 {
		n := min(1+rng.IntN(40), len(items))
		ingest(t, s, items[:n])
		items = items[n:]
	}
}

func testDistinct(t *testing.T, s store.Store) {
	items := randomItems(1, 300, 40, 10)
	ingestInBatches(t, s, items, 2)
	rows := Snapshot(t, s)
	want := map[rollup.Day]map[string]bool{}
	union := roaring.New()
	for _, it := range items {
		d := rollup.DayOf(it.Time)
		if want[d] == nil {
			want[d] = map[string]bool{}
		}
		want[d][it.Report.InstallationID] = true
	}
	total := map[string]bool{}
	for d, set := range want {
		r := find(rows, d, rollup.DimAll, "")
		if r == nil || int(r.InstallsN) != len(set) || int(r.Installs.GetCardinality()) != len(set) {
			t.Fatalf("day %v: row %+v, want %d installations", d, r, len(set))
		}
		union.Or(r.Installs)
		for id := range set {
			total[id] = true
		}
	}
	if int(union.GetCardinality()) != len(total) {
		t.Fatalf("union over the window = %d installations, want %d", union.GetCardinality(), len(total))
	}
}

func equalRows(t *testing.T, what string, got, want []*rollup.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Counters != w.Counters || g.InstallsN != w.InstallsN || !g.Installs.Equals(w.Installs) {
			t.Fatalf("%s: row %d = %v %+v n=%d %v, want %v %+v n=%d %v", what, i,
				g.Key, g.Counters, g.InstallsN, g.Installs.ToArray(), w.Key, w.Counters, w.InstallsN, w.Installs.ToArray())
		}
	}
}

func testRecompute(t *testing.T, s store.Store) {
	ingestInBatches(t, s, randomItems(3, 400, 30, 20), 4)
	before := Snapshot(t, s)
	if len(before) == 0 {
		t.Fatal("no rollups after ingest")
	}
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatalf("Recompute: %v", err)
	}
	equalRows(t, "after recompute", Snapshot(t, s), before)
}

func testDelete(t *testing.T, s store.Store) {
	items := randomItems(5, 200, 10, 5)
	ingestInBatches(t, s, items, 6)
	victim := items[0].Report.InstallationID
	var want int64
	seen := map[string]bool{}
	for _, it := range items {
		if it.Report.InstallationID == victim && !seen[it.Key] {
			seen[it.Key] = true
			want++
		}
	}
	n, err := s.DeleteInstallation(ctx(t), victim)
	if err != nil || n != want {
		t.Fatalf("DeleteInstallation = %d, %v; want %d", n, err, want)
	}
	if _, err := s.ExportInstallation(ctx(t), victim); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("export after delete: %v, want ErrNotFound", err)
	}
	if _, err := s.DeleteInstallation(ctx(t), victim); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	RecomputeMatches(t, s, "delete then recompute")
}

func testRetain(t *testing.T, s store.Store) {
	ingest(t, s, []store.Item{Item(1, 0, 1, "1.0.0"), Item(1, 5, 2, "1.0.0"), Item(2, 10, 3, "1.0.0")})
	today := rollup.DayOf(Now)
	n, err := s.Retain(ctx(t), today-4, today-7)
	if err != nil || n != 2 {
		t.Fatalf("Retain = %d, %v; want 2 reports deleted", n, err)
	}
	rows := Snapshot(t, s)
	if find(rows, today-10, rollup.DimAll, "") != nil {
		t.Fatal("rollup older than the rollup retention kept")
	}
	if find(rows, today-5, rollup.DimAll, "") == nil {
		t.Fatal("rollup of a day whose raw reports expired was dropped; rollups outlive raw data")
	}
	exp, err := s.ExportInstallation(ctx(t), Item(1, 0, 1, "").Report.InstallationID)
	if err != nil || len(exp.Reports) != 1 {
		t.Fatalf("export after retain = %+v, %v; want the one recent report", exp, err)
	}
}

func testExport(t *testing.T, s store.Store) {
	a, b := Item(7, 1, 1, "1.1.0"), Item(7, 0, 2, "1.1.0")
	ingest(t, s, []store.Item{b, a, Item(8, 0, 3, "1.1.0")})
	exp, err := s.ExportInstallation(ctx(t), a.Report.InstallationID)
	if err != nil {
		t.Fatal(err)
	}
	if exp.InstallationID != a.Report.InstallationID || len(exp.Reports) != 2 || exp.Reports[0].Key != a.Key || exp.Reports[1].Key != b.Key {
		t.Fatalf("export = %+v, want the installation's 2 reports oldest first", exp)
	}
	got := exp.Reports[0].Report
	if got.Timestamp != a.Report.Timestamp || !exp.Reports[0].Received.Equal(a.Received) {
		t.Fatalf("exported times %s / %s, want %s / %s", got.Timestamp, exp.Reports[0].Received, a.Report.Timestamp, a.Received)
	}
	if got.Version != "1.1.0" || got.Metrics.IndexesCreated != a.Report.Metrics.IndexesCreated ||
		*got.Metrics.PerformanceImprovementPct != *a.Report.Metrics.PerformanceImprovementPct ||
		got.Metrics.AlgorithmUsage["cert"] != a.Report.Metrics.AlgorithmUsage["cert"] || got.Environment.OS != "linux" {
		t.Fatalf("exported report = %+v, want the stored fields of %+v", got, a.Report)
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	items := randomItems(11, 600, 25, 3)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// Every worker sends every item: each must still count once.
			for i := w * 7 % len(items); i < len(items); i += 25 {
				end := min(i+25, len(items))
				if _, err := s.Ingest(ctx(t), items[i:end]); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	compacted := make(chan error, 1)
	go func() { // compaction runs alongside ingest, as in the service
		for {
			select {
			case <-stop:
				compacted <- nil
				return
			default:
			}
			if _, err := s.Compact(ctx(t)); err != nil {
				compacted <- err
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := <-compacted; err != nil {
		t.Fatalf("Compact during ingest: %v", err)
	}
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Ingest: %v", err)
	}
	ingestInBatches(t, s, items, 12) // fill any gaps
	got := Snapshot(t, s)
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	equalRows(t, "concurrent ingest vs recompute", got, Snapshot(t, s))
}

func testCompact(t *testing.T, s store.Store) {
	ingestInBatches(t, s, randomItems(21, 300, 20, 6), 22)
	before := Snapshot(t, s)
	n, err := s.Compact(ctx(t))
	if err != nil || n == 0 {
		t.Fatalf("Compact = %d, %v; want pending deltas folded", n, err)
	}
	equalRows(t, "after compaction", Snapshot(t, s), before)
	if n, err := s.Compact(ctx(t)); err != nil || n != 0 {
		t.Fatalf("second Compact = %d, %v; want nothing left", n, err)
	}
	// Reads without bitmaps still count installations exactly when some
	// deltas are pending on top of compacted rows.
	ingestInBatches(t, s, randomItems(23, 100, 30, 6), 24)
	all := Snapshot(t, s)
	counts, err := s.Rollups(ctx(t), store.RollupQuery{From: 0, To: rollup.DayOf(Now) + 400})
	if err != nil || len(counts) != len(all) {
		t.Fatalf("Rollups without bitmaps: %d rows, %v; want %d", len(counts), err, len(all))
	}
	for i := range all {
		if counts[i].Key != all[i].Key || counts[i].InstallsN != int64(all[i].Installs.GetCardinality()) || counts[i].Counters != all[i].Counters {
			t.Fatalf("row %v without bitmaps: n=%d %+v, want n=%d %+v", all[i].Key, counts[i].InstallsN, counts[i].Counters,
				all[i].Installs.GetCardinality(), all[i].Counters)
		}
	}
}
