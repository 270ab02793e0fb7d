package rollup

import (
	"encoding/binary"
	"testing"
)

// TestDecodeVersion1 reads a batch an older build left pending (format 1,
// 15 counters, before PerfSumSq): its counters land in order and
// PerfSumSq is 0.
func TestDecodeVersion1(t *testing.T) {
	row := NewRow(Key{Day: 20000, Dim: DimAll})
	row.Installs.Add(7)
	b := []byte{1}
	b = binary.AppendUvarint(b, 1)
	b = binary.AppendVarint(b, int64(row.Day))
	b = appendString(b, row.Dim)
	b = appendString(b, row.Key.Key)
	for i := range countersV1 {
		b = binary.AppendVarint(b, int64(i+1))
	}
	bm, err := row.Installs.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	b = binary.AppendUvarint(b, uint64(len(bm)))
	b = append(b, bm...)
	rows, err := DecodeRows(b)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	c := rows[0].Counters
	if c.Reports != 1 || c.ABSumSq != countersV1 || c.PerfSumSq != 0 || rows[0].InstallsN != 1 {
		t.Errorf("decoded %+v", rows[0])
	}
}
