package rollup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// codecVersion is the first byte of an encoding of rows; a decoder refuses
// any other, so a format change cannot be misread. Version 3 gives the
// number of counters of each row after the row count, so that rows an
// earlier release encoded (batches it left pending at an upgrade) decode
// with the counters added since at 0, whatever is added next. Versions 1
// and 2 did not give it: they had the counters before PerfSumSq, and
// before the feature usage sums.
const codecVersion = 3

// countersOf is how many counters the versions before 3 encoded.
var countersOf = map[byte]uint64{1: 15, 2: 16}

// AppendRows appends a compact binary encoding of rows to b: the pending
// deltas of one ingest batch travel and wait for compaction as one value
// instead of one database row each. Bitmaps are run-optimised first.
// PostgreSQL ingest writes shares instead (FormatShares) since they can
// be chosen inside the ingest statement; batches an earlier release left
// pending are in this format.
//
// Layout: the version byte, the row count, the number of counters, then
// per row its day, dim and key, the counters (Counters.Fields order) and
// the bitmap's portable serialisation, every integer a varint and every
// string or bitmap length-prefixed.
func AppendRows(b []byte, rows []*Row) ([]byte, error) {
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(rows)))
	b = binary.AppendUvarint(b, uint64(NumCounters))
	for _, r := range rows {
		b = binary.AppendVarint(b, int64(r.Day))
		b = appendString(b, r.Dim)
		b = appendString(b, r.Key.Key)
		for _, p := range r.Counters.Fields() {
			b = binary.AppendVarint(b, *p)
		}
		r.Installs.RunOptimize()
		bm, err := r.Installs.ToBytes()
		if err != nil {
			return nil, fmt.Errorf("rollup: encode bitmap of %v: %w", r.Key, err)
		}
		b = binary.AppendUvarint(b, uint64(len(bm)))
		b = append(b, bm...)
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeRows parses what AppendRows wrote, or a batch of shares
// (FormatShares), with InstallsN set from each bitmap.
func DecodeRows(b []byte) ([]*Row, error) {
	d := decoder{b: b}
	v := d.byte()
	if v == FormatShares {
		return decodeShares(&d)
	}
	counters, old := countersOf[v]
	if v != codecVersion && !old {
		return nil, fmt.Errorf("rollup: rows encoded in format %d, want %d", v, codecVersion)
	}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(b)) { // every row takes bytes: a count beyond them is corrupt
		d.err = errors.New("row count beyond the data")
	}
	if !old {
		counters = d.uvarint()
	}
	if d.err == nil && counters > uint64(NumCounters) {
		return nil, fmt.Errorf("rollup: rows of %d counters, a newer release's; this one knows %d", counters, NumCounters)
	}
	rows := make([]*Row, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		r := &Row{}
		r.Day = Day(d.varint())
		r.Dim = d.string()
		r.Key.Key = d.string()
		fields := r.Counters.Fields()
		for _, p := range fields[:counters] {
			*p = d.varint()
		}
		bm := d.bytes()
		if d.err != nil {
			break
		}
		var err error
		// A copy of its own: roaring reads the containers in place, and a
		// bitmap inside the encoding need not be aligned.
		if r.Installs, err = BitmapOf(bytes.Clone(bm)); err != nil {
			return nil, fmt.Errorf("rollup: decode bitmap of %v: %w", r.Key, err)
		}
		r.InstallsN = int64(r.Installs.GetCardinality())
		rows = append(rows, r)
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes after the last row", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("rollup: decode rows: %w", d.err)
	}
	return rows, nil
}

// BitmapOf returns the bitmap serialised in data without copying it: data
// must not change afterwards (it is kept alive by the bitmap, which copies
// a container before changing it). Reads of many rollup rows spend most
// of their time copying bitmaps otherwise.
func BitmapOf(data []byte) (*roaring.Bitmap, error) {
	b := roaring.New()
	if _, err := b.FromBuffer(data); err != nil {
		return nil, err
	}
	return b, nil
}

// decoder reads AppendRows' layout; the first error sticks and turns
// every later read into a zero value.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("data ends inside a row")

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return x
}

// bytes returns a length-prefixed value, sharing the input's memory.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}
