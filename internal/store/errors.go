package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Error reports are stored three ways: the raw, scrubbed report (kept for
// the error retention, 30 days by default), its group (one row per
// fingerprint, all-time counts) and a daily counter per group and version
// (kept for the aggregate retention). Reads never look at raw reports.

// ErrorItem is one scrubbed error report to store.
type ErrorItem struct {
	Key         string // idempotency key, report.DecodedError.Key()
	Fingerprint string // its group
	Culprit     string // the innermost in-app frame, "module:function"; may be empty
	Report      *report.ErrorReport
	Time        time.Time // the report's timestamp
	Received    time.Time
}

// ErrorGroup is one group of error reports that share a fingerprint, with
// the sample (the first report's type, SQLSTATE, message and culprit) and
// its all-time counts.
type ErrorGroup struct {
	Fingerprint string
	ErrorType   string
	SQLState    string
	Message     string // scrubbed
	Culprit     string
	FirstSeen   time.Time // timestamps of the earliest and latest report
	LastSeen    time.Time
	Reports     int64
	Installs    *roaring.Bitmap // dense installation numbers
}

// ErrorDay counts one group's reports of one version on one UTC day.
type ErrorDay struct {
	Day         rollup.Day
	Fingerprint string
	Version     string
	Reports     int64
	Installs    *roaring.Bitmap
}

// ErrorQuery selects the daily error counters of days From..To inclusive,
// and, when Groups is set, the groups that have one.
type ErrorQuery struct {
	From, To rollup.Day
	Groups   bool
}

// ErrorWindow is what Store.ErrorWindow returns, read in one snapshot.
type ErrorWindow struct {
	Days   []*ErrorDay            // in (day, fingerprint, version) order
	Groups map[string]*ErrorGroup // by fingerprint; nil unless asked for
}

// StoredError is one raw error report as kept.
type StoredError struct {
	Key         string             `json:"report_key"`
	Fingerprint string             `json:"group"`
	Received    time.Time          `json:"received_at"`
	Report      report.ErrorReport `json:"report"`
}

// RawError is an error report as a backend stores it.
type RawError struct {
	Key         string
	Num         uint32
	Fingerprint string
	Day         rollup.Day
	Time        time.Time
	Received    time.Time
	Version     string
	Report      []byte // JSON of the scrubbed report.ErrorReport
}

// ErrorTx is what a backend provides, inside one write transaction, for
// IngestErrorTx.
type ErrorTx interface {
	// InstallationNums returns the dense number of each installation id,
	// creating the installations not seen before, each held so that an
	// erasure cannot remove it under this transaction.
	InstallationNums(ctx context.Context, ids []string, now time.Time) (map[string]uint32, error)
	// InsertErrorReport inserts row unless its key is stored, and tells
	// whether it did.
	InsertErrorReport(ctx context.Context, row RawError) (bool, error)
	// LoadErrorGroup returns the group of seed.Fingerprint, locked for
	// update; a group not stored yet is created from seed (with its
	// counts) first.
	LoadErrorGroup(ctx context.Context, seed *ErrorGroup) (*ErrorGroup, error)
	// SaveErrorGroup writes the counts and times of a loaded group.
	SaveErrorGroup(ctx context.Context, g *ErrorGroup) error
	// LoadErrorDay returns the counter of seed's key, locked for update,
	// creating it from seed first when it is not stored.
	LoadErrorDay(ctx context.Context, seed *ErrorDay) (*ErrorDay, error)
	// SaveErrorDay writes the counts of a loaded counter.
	SaveErrorDay(ctx context.Context, d *ErrorDay) error
}

// IngestErrorTx stores it through tx: the raw report, then, when it is
// new, one more report and its installation in its group and its daily
// counter. Rows are locked in one order (report key, group, counter), so
// concurrent transactions wait for one another instead of deadlocking.
func IngestErrorTx(ctx context.Context, tx ErrorTx, it ErrorItem, now time.Time) (bool, error) {
	r := it.Report
	nums, err := tx.InstallationNums(ctx, []string{r.InstallationID}, now)
	if err != nil {
		return false, err
	}
	num := nums[r.InstallationID]
	body, err := json.Marshal(r)
	if err != nil {
		return false, fmt.Errorf("store: encode error report: %w", err)
	}
	day := rollup.DayOf(it.Time)
	fresh, err := tx.InsertErrorReport(ctx, RawError{Key: it.Key, Num: num, Fingerprint: it.Fingerprint, Day: day,
		Time: it.Time.UTC(), Received: it.Received.UTC(), Version: r.Version, Report: body})
	if err != nil || !fresh {
		return false, err
	}
	g, err := tx.LoadErrorGroup(ctx, &ErrorGroup{Fingerprint: it.Fingerprint, ErrorType: r.ErrorType, SQLState: r.SQLState,
		Message: r.Message, Culprit: it.Culprit, FirstSeen: it.Time.UTC(), LastSeen: it.Time.UTC(), Installs: roaring.New()})
	if err != nil {
		return false, err
	}
	g.Reports++
	g.Installs.Add(num)
	if it.Time.Before(g.FirstSeen) {
		g.FirstSeen = it.Time.UTC()
	}
	if it.Time.After(g.LastSeen) {
		g.LastSeen = it.Time.UTC()
	}
	if err := tx.SaveErrorGroup(ctx, g); err != nil {
		return false, err
	}
	d, err := tx.LoadErrorDay(ctx, &ErrorDay{Day: day, Fingerprint: it.Fingerprint, Version: r.Version, Installs: roaring.New()})
	if err != nil {
		return false, err
	}
	d.Reports++
	d.Installs.Add(num)
	return true, tx.SaveErrorDay(ctx, d)
}

// ErrorReports returns the raw error reports of an installation.
func (r Records) ErrorReports(ctx context.Context, installationID string) ([]StoredError, error) {
	var out []StoredError
	// query: error-reports-of-installation
	err := r.reader().Query(ctx, `SELECT e.report_key, e.fingerprint, e.received_at, e.report
		FROM error_reports e JOIN installations i ON i.num = e.installation_num
		WHERE i.installation_id = ? ORDER BY e.ts, e.report_key`, []any{installationID},
		func(scan func(...any) error) error {
			se, err := scanStoredError(scanFunc(scan))
			out = append(out, se)
			return err
		})
	if err != nil {
		return nil, wrapRecord("error reports of installation", err)
	}
	return out, nil
}

// scanStoredError reads a row of ErrorReports back into what an export
// lists.
func scanStoredError(row Scanner) (StoredError, error) {
	var se StoredError
	var body []byte
	if err := row.Scan(&se.Key, &se.Fingerprint, Time{&se.Received}, &body); err != nil {
		return se, fmt.Errorf("store: scan error report: %w", err)
	}
	if err := json.Unmarshal(body, &se.Report); err != nil {
		return se, fmt.Errorf("store: decode stored error report %s: %w", se.Key, err)
	}
	return se, nil
}

// GroupsByFingerprint returns groups by their fingerprints.
func GroupsByFingerprint(groups []*ErrorGroup) map[string]*ErrorGroup {
	out := make(map[string]*ErrorGroup, len(groups))
	for _, g := range groups {
		out[g.Fingerprint] = g
	}
	return out
}

// EncodeBitmap serialises an installation bitmap as the stores keep it.
func EncodeBitmap(b *roaring.Bitmap) ([]byte, error) {
	b.RunOptimize()
	out, err := b.ToBytes()
	if err != nil {
		return nil, fmt.Errorf("store: encode bitmap: %w", err)
	}
	return out, nil
}

// DecodeBitmap parses a stored installation bitmap.
func DecodeBitmap(data []byte) (*roaring.Bitmap, error) {
	b := roaring.New()
	if err := b.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("store: decode bitmap: %w", err)
	}
	return b, nil
}
