package store

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The functions below are what both backends do with stored reports once
// their SQL has read them back: rebuild the rollups (Recompute), take an
// installation out of them (DeleteInstallation) and list its reports
// (ExportInstallation).

// ScanRaw is a backend's scan of one stored report, then of any extra
// columns into extra.
type ScanRaw func(row Scanner, extra ...any) (Raw, error)

// RecomputeTx rebuilds rollup rows through tx from rows, every stored
// report each followed by its installation id, which scan reads. Once
// they are read, clear deletes the rollup rows of the days rebuilt. The
// caller closes rows.
func RecomputeTx(ctx context.Context, tx Tx, rows Rows, scan ScanRaw, clear func() error) error {
	acc := make(map[rollup.Key]*rollup.Row)
	err := ScanEach(rows, "store: recompute", func(row Scanner) error {
		var id string
		r, err := scan(row, &id)
		if err != nil {
			return err
		}
		c, err := r.Contribution(id)
		if err != nil {
			return err
		}
		rollup.Add(acc, c)
		return nil
	})
	if err != nil {
		return err
	}
	if err := clear(); err != nil {
		return err
	}
	return tx.SaveRollups(ctx, inKeyOrder(acc))
}

// inKeyOrder returns the rows of m in key order.
func inKeyOrder(m map[rollup.Key]*rollup.Row) []*rollup.Row {
	out := make([]*rollup.Row, 0, len(m))
	for _, k := range rollup.SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// Contributions returns what raws, reports of installationID, add to the
// rollups, summed by key.
func Contributions(raws []Raw, installationID string) (map[rollup.Key]*rollup.Row, error) {
	deltas := make(map[rollup.Key]*rollup.Row)
	for _, r := range raws {
		c, err := r.Contribution(installationID)
		if err != nil {
			return nil, err
		}
		rollup.Add(deltas, c)
	}
	return deltas, nil
}

// StoredReports returns raws, reports of installationID, as an export
// lists them.
func StoredReports(raws []Raw, installationID string) ([]StoredReport, error) {
	var out []StoredReport
	for _, r := range raws {
		c, err := r.Contribution(installationID)
		if err != nil {
			return nil, err
		}
		out = append(out, StoredReport{Key: r.Key, Received: r.Received, Report: *c.Report})
	}
	return out, nil
}
