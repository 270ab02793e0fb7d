package store

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The functions below are what both backends do with stored reports once
// their SQL has read them back: rebuild the rollups (Recompute), take an
// installation out of them (DeleteInstallation) and list its reports
// (ExportInstallation, with the registration read from Records).

// ScanRaw is a backend's scan of one stored report, then of any extra
// columns into extra.
type ScanRaw func(row Scanner, extra ...any) (Raw, error)

// EachRaw calls fn with each of rows, a stored report (which scan reads)
// followed by its installation's id, until an error; the caller closes
// rows. prefix begins the error of an interrupted read.
func EachRaw(rows Rows, prefix string, scan ScanRaw, fn func(Raw, string) error) error {
	return ScanEach(rows, prefix, func(row Scanner) error {
		var id string
		r, err := scan(row, &id)
		if err != nil {
			return err
		}
		return fn(r, id)
	})
}

// RecomputeTx rebuilds through tx the rollup rows of every day that has
// stored reports from those reports. Pending deltas are folded in first:
// those of the days rebuilt are replaced with the rest, those of older
// days must be kept.
func RecomputeTx(ctx context.Context, tx Tx) error {
	if _, err := CompactTx(ctx, tx); err != nil {
		return err
	}
	acc := make(map[rollup.Key]*rollup.Row)
	err := tx.EachReport(ctx, func(r Raw, id string) error {
		c, err := r.Contribution(id)
		if err == nil {
			rollup.Add(acc, c)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := tx.ClearRecomputed(ctx); err != nil {
		return err
	}
	return tx.SaveRollups(ctx, inKeyOrder(acc))
}

// DeleteInstallationTx takes the reports of installation num (whose id
// is id) out of the rollups and deletes them and the installation through
// tx, and returns how many reports it deleted. The caller has made sure
// that no batch adds reports to the installation any more; the reports'
// own deltas may still be pending, so they are folded in first.
func DeleteInstallationTx(ctx context.Context, tx Tx, num uint32, id string) (int64, error) {
	if _, err := CompactTx(ctx, tx); err != nil {
		return 0, err
	}
	raws, err := tx.ReportsOf(ctx, num)
	if err != nil {
		return 0, err
	}
	deltas, err := contributions(raws, id)
	if err != nil {
		return 0, err
	}
	if err := tx.DeleteInstallationRows(ctx, num); err != nil {
		return 0, err
	}
	return int64(len(raws)), ApplyDeltas(ctx, tx, deltas, true)
}

// inKeyOrder returns the rows of m in key order.
func inKeyOrder(m map[rollup.Key]*rollup.Row) []*rollup.Row {
	out := make([]*rollup.Row, 0, len(m))
	for _, k := range rollup.SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// contributions returns what raws, reports of installationID, add to the
// rollups, summed by key.
func contributions(raws []Raw, installationID string) (map[rollup.Key]*rollup.Row, error) {
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

// ExportReports returns the registration of installation id and, read
// by reportsOf (a backend's read of one installation's reports, by its
// number, oldest first), its reports; ErrNotFound when there is no such
// installation. It is the backends' ExportInstallation.
func (r Records) ExportReports(ctx context.Context, id string,
	reportsOf func(ctx context.Context, num uint32) ([]Raw, error)) (*Export, error) {
	var num uint32
	exp := &Export{InstallationID: id}
	// query: export-installation
	err := r.one(ctx, `SELECT num, created_at FROM installations WHERE installation_id = ?`, []any{id},
		func(scan func(...any) error) error { return scan(&num, Time{&exp.Registered}) })
	if err != nil {
		return nil, wrapRecord("export installation", err)
	}
	raws, err := reportsOf(ctx, num)
	if err != nil {
		return nil, err
	}
	if exp.Reports, err = storedReports(raws, id); err != nil {
		return nil, err
	}
	return exp, nil
}

// storedReports returns raws, reports of installationID, as an export
// lists them.
func storedReports(raws []Raw, installationID string) ([]StoredReport, error) {
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
