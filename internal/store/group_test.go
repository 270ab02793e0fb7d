package store

import (
	"math/rand/v2"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// deltaRows makes what one second of compaction folds at about 14,000
// reports/s: batches of 15 reports from 10,000 installations, each report
// touching rows keyed by a few dimensions over two days.
func deltaRows(rng *rand.Rand, batches int) []*rollup.Row {
	var rows []*rollup.Row
	for range batches {
		byKey := map[rollup.Key]*rollup.Row{}
		for range 15 {
			num := rng.Uint32N(10_000)
			day := rollup.Day(20_000 + rng.IntN(2))
			for _, k := range []rollup.Key{{Day: day, Dim: rollup.DimAll}, {Day: day, Dim: rollup.DimVersion, Key: string('a' + rune(num%9))},
				{Day: day, Dim: rollup.DimFeature, Key: "auto_indexing"}, {Day: day, Dim: rollup.DimOS, Key: "linux"}} {
				r, ok := byKey[k]
				if !ok {
					r = rollup.NewRow(k)
					byKey[k] = r
					rows = append(rows, r)
				}
				r.Reports++
				r.Installs.Add(num)
			}
		}
	}
	return rows
}

// TestGroupUnitesEveryRow checks group against merging the rows one by one.
func TestGroupUnitesEveryRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows := deltaRows(rng, 300)
	want := map[rollup.Key]*rollup.Row{}
	for _, r := range rows {
		w, ok := want[r.Key]
		if !ok {
			w = rollup.NewRow(r.Key)
			want[r.Key] = w
		}
		w.Counters.Add(r.Counters)
		w.Installs.Or(r.Installs)
	}
	got := group(deltaRows(rand.New(rand.NewPCG(3, 4)), 300))
	if len(got) != len(want) {
		t.Fatalf("%d keys, want %d", len(got), len(want))
	}
	for k, w := range want {
		g := got[k]
		if g == nil || g.Counters != w.Counters || !g.Installs.Equals(w.Installs) {
			t.Fatalf("%v: got %+v, want %+v", k, g, w)
		}
	}
}

func BenchmarkGroup(b *testing.B) {
	rows := deltaRows(rand.New(rand.NewPCG(1, 2)), 950)
	for b.Loop() {
		b.StopTimer()
		fresh := make([]*rollup.Row, len(rows)) // group changes the first row of each key
		for i, r := range rows {
			c := *r
			c.Installs = r.Installs.Clone()
			fresh[i] = &c
		}
		b.StartTimer()
		group(fresh)
	}
}
