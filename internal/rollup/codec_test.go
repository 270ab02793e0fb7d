package rollup

import (
	"encoding/binary"
	"math"
	"testing"
)

func sampleRows() []*Row {
	a := NewRow(Key{Day: 20500, Dim: DimAll})
	a.Reports, a.PerfSum, a.ABSumSq = 3, -12_345, math.MaxInt64
	a.Installs.AddMany([]uint32{1, 7, 70_000})
	b := NewRow(Key{Day: -3, Dim: DimFeature, Key: "auto_indexing"})
	b.Total, b.LatN = math.MinInt64, 1
	b.Installs.AddRange(100, 5000)                              // a run container
	c := NewRow(Key{Day: 20501, Dim: DimVersion, Key: "1.1.0"}) // no installation, zero counters
	return []*Row{a, b, c}
}

func TestRowsRoundTrip(t *testing.T) {
	for _, rows := range [][]*Row{nil, sampleRows()} {
		b, err := AppendRows(nil, rows)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRows(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("decoded %d rows, encoded %d", len(got), len(rows))
		}
		for i, r := range rows {
			g := got[i]
			if g.Key != r.Key || g.Counters != r.Counters || !g.Installs.Equals(r.Installs) ||
				g.InstallsN != int64(r.Installs.GetCardinality()) {
				t.Fatalf("row %d: got %+v (%d installs), want %+v (%d)", i, g, g.InstallsN, r, r.Installs.GetCardinality())
			}
		}
	}
}

// TestDecodeRowsRefusesDamage: a cut, a trailing byte or another format
// version is an error, never a silently different set of rows.
func TestDecodeRowsRefusesDamage(t *testing.T) {
	b, err := AppendRows(nil, sampleRows())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := DecodeRows(b[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded without error", n, len(b))
		}
	}
	if _, err := DecodeRows(append(b[:len(b):len(b)], 0)); err == nil {
		t.Fatal("a trailing byte decoded without error")
	}
	other := append([]byte{codecVersion + 1}, b[1:]...)
	if _, err := DecodeRows(other); err == nil {
		t.Fatal("another format version decoded without error")
	}
}

// TestDecodeRowsOfEarlierVersions: the pending deltas a process of an
// earlier release wrote (formats 1 and 2: their counters, no count of
// them) decode with the later counters zero, and rows giving more
// counters than this release knows are refused.
func TestDecodeRowsOfEarlierVersions(t *testing.T) {
	for v, n := range countersOf {
		r := NewRow(Key{Day: 20500, Dim: DimAB, Key: "0123456789abcdef/a"})
		r.Reports, r.Total, r.ABSum, r.ABSumSq = 2, 20, 40_000, 9_000
		if n > 15 {
			r.PerfSumSq = 7
		}
		r.Installs.AddMany([]uint32{3, 9})
		// Written out by hand: version, row count, then the row.
		old := []byte{v, 1}
		old = binary.AppendVarint(old, int64(r.Day))
		old = appendString(appendString(old, r.Dim), r.Key.Key)
		fields := r.Counters.Fields()
		for _, p := range fields[:n] {
			old = binary.AppendVarint(old, *p)
		}
		bm, err := r.Installs.ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		old = append(binary.AppendUvarint(old, uint64(len(bm))), bm...)
		got, err := DecodeRows(old)
		if err != nil || len(got) != 1 || got[0].Key != r.Key || got[0].Counters != r.Counters || !got[0].Installs.Equals(r.Installs) {
			t.Fatalf("format %d: %v, %+v; want %+v", v, err, got, r)
		}
	}

	b, err := AppendRows(nil, sampleRows())
	if err != nil {
		t.Fatal(err)
	}
	if int(b[2]) != NumCounters {
		t.Fatalf("the counter count is %d, want %d", b[2], NumCounters)
	}
	b[2]++ // a newer release's rows
	if _, err := DecodeRows(b); err == nil {
		t.Fatal("rows of more counters than this release knows decoded")
	}
}
