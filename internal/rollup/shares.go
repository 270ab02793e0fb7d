package rollup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// A share is what one report adds to the rollups, encoded before anyone
// knows whether the report is new or which number its installation has:
// the handler encodes it, and PostgreSQL keeps the shares of the reports
// an ingest statement actually inserted, each behind its installation's
// number, as one delta batch. So a batch's deltas are written in the
// statement that inserts its reports, whatever mix of new reports and
// retries it holds, and a retry adds nothing.
//
// A delta batch of shares is FormatShares, then, until the end, for each
// report: its installation's number (4 bytes, big-endian, as PostgreSQL's
// int4send writes it) and its share (AppendShare).
const FormatShares = 4

// A row's counters are encoded as a mask of those that differ from the
// previous row's, so the mask must hold every counter.
var _ [64 - NumCounters]struct{}

type shareRow struct {
	Key
	Counters
}

// AppendShare appends the share of report r, timestamped t, to b.
//
// Layout: the day (every row of a report has its day), the number of
// counters, the number of rows, then per row its dim and key, a mask of
// the counters that differ from the previous row's (for the first row,
// from zero) and those differences, in counter order. Integers are
// varints, strings length-prefixed. Most rows of a report differ from the
// previous one in Total alone, so a share takes about 25 bytes a row.
func AppendShare(b []byte, r *report.Report, t time.Time) []byte {
	rows := make([]shareRow, 0, 16)
	each(r, t, func(k Key, cs Counters) { rows = append(rows, shareRow{k, cs}) })
	b = binary.AppendVarint(b, int64(DayOf(t)))
	b = binary.AppendUvarint(b, uint64(NumCounters))
	b = binary.AppendUvarint(b, uint64(len(rows)))
	var prev Counters
	for _, row := range rows {
		b = appendString(b, row.Dim)
		b = appendString(b, row.Key.Key)
		cur, pv := row.Counters.values(), prev.values()
		var mask uint64
		for i := range cur {
			if cur[i] != pv[i] {
				mask |= 1 << i
			}
		}
		b = binary.AppendUvarint(b, mask)
		for i := range cur {
			if mask&(1<<i) != 0 {
				b = binary.AppendVarint(b, cur[i]-pv[i]) // wraps, and adds back exactly
			}
		}
		prev = row.Counters
	}
	return b
}

// decodeShares reads the numbered shares after FormatShares and returns
// the rows they add up to, in key order.
func decodeShares(d *decoder) ([]*Row, error) {
	rows := make(map[Key]*Row)
	for len(d.b) > 0 && d.err == nil {
		num := d.uint32()
		day := Day(d.varint())
		counters := d.uvarint()
		n := d.uvarint()
		if d.err == nil && counters > uint64(NumCounters) {
			return nil, fmt.Errorf("rollup: a share of %d counters, a newer release's; this one knows %d", counters, NumCounters)
		}
		if d.err == nil && n > uint64(len(d.b)) {
			d.fail(errors.New("share row count beyond the data"))
		}
		var cur Counters
		for i := uint64(0); i < n && d.err == nil; i++ {
			dim, key := d.string(), d.string()
			mask := d.uvarint()
			if mask>>counters != 0 {
				d.fail(errors.New("share counter mask beyond its counters"))
			}
			v := cur.values()
			for c := range counters {
				if mask&(1<<c) != 0 {
					v[c] += d.varint()
				}
			}
			if d.err != nil {
				break
			}
			k := Key{Day: day, Dim: dim, Key: key}
			r, ok := rows[k]
			if !ok {
				r = NewRow(k)
				rows[k] = r
			}
			r.Counters.Add(cur)
			r.Installs.Add(num)
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("rollup: decode shares: %w", d.err)
	}
	out := make([]*Row, 0, len(rows))
	for _, k := range SortedKeys(rows) {
		r := rows[k]
		r.InstallsN = int64(r.Installs.GetCardinality())
		out = append(out, r)
	}
	return out, nil
}

// uint32 reads 4 bytes, big-endian.
func (d *decoder) uint32() uint32 {
	if d.err != nil || len(d.b) < 4 {
		d.fail(errShort)
		return 0
	}
	x := binary.BigEndian.Uint32(d.b)
	d.b = d.b[4:]
	return x
}
