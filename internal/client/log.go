package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// ErrNoSuchUpload is returned by Uploaded for an id no kept upload has.
var ErrNoSuchUpload = errors.New("no uploaded report has that id (see `indexpilot-telemetry log`)")

// Upload is one report the server answered: accepted (kept in sent/) or
// refused (kept in rejected/, never retried).
type Upload struct {
	ID       string    // the report's report_id
	Kind     string    // KindTelemetry or KindError
	At       time.Time // when the server answered
	Schema   int       // the report's schema_version
	Status   int       // HTTP status; 0 for a report set aside unread
	Result   string    // "stored", "duplicate (already stored)", "rejected: …"
	Response json.RawMessage
	Rejected bool
}

// Log lists what was uploaded, oldest first, from the local copies: the
// last 100 accepted and the last 100 refused reports.
func (c *Client) Log() ([]Upload, error) {
	if c.stateDirErr != nil {
		return nil, c.stateDirErr
	}
	f := folder{c.stateDir}
	var out []Upload
	for _, dir := range []string{sentDir, rejectedDir} {
		b := box{f.path(dir)}
		es, err := b.list()
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			up := Upload{ID: e.id, Kind: KindTelemetry, At: e.at, Rejected: dir == rejectedDir, Result: "(answer not kept)"}
			if data, err := b.read(e.name); err == nil {
				up.Schema, up.Kind = schemaOf(data), kindOf(data)
			}
			var rec record
			if data, err := b.read(answerName(e.name)); err == nil && json.Unmarshal(data, &rec) == nil {
				up.Status, up.Result, up.Response = rec.Status, rec.Result, rec.Response
			}
			out = append(out, up)
		}
	}
	slices.SortStableFunc(out, func(x, y Upload) int { return x.At.Compare(y.At) })
	return out, nil
}

// Uploaded returns the local copy of an uploaded report, byte for byte:
// what was sent. id is its report_id or a unique prefix of it.
func (c *Client) Uploaded(id string) ([]byte, error) {
	if c.stateDirErr != nil {
		return nil, c.stateDirErr
	}
	f := folder{c.stateDir}
	for _, dir := range []string{sentDir, rejectedDir} {
		b := box{f.path(dir)}
		e, ok, err := b.find(id)
		if err != nil {
			return nil, err
		}
		if ok {
			data, err := b.read(e.name)
			if err != nil {
				return nil, fmt.Errorf("client: reading the copy of %s: %w", id, err)
			}
			return data, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrNoSuchUpload, id)
}

// removeReports deletes every report folder and the salt.
func (f folder) removeReports() error {
	for _, dir := range []string{spoolDir, sentDir, rejectedDir, localDir} {
		if err := os.RemoveAll(f.path(dir)); err != nil {
			return fmt.Errorf("client: removing %s: %w", f.path(dir), err)
		}
	}
	if err := f.removeUsage(); err != nil {
		return err
	}
	return f.removeSalt()
}

// removeSalt deletes the collector's salt: hashes made after it cannot be
// linked to those made before.
func (f folder) removeSalt() error {
	if err := os.Remove(f.path(saltFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("client: removing the salt: %w", err)
	}
	return nil
}

// schemaOf reads the schema_version of an encoded report.
func schemaOf(data []byte) int {
	var r struct {
		V int `json:"schema_version"`
	}
	if json.Unmarshal(data, &r) != nil || r.V == 0 {
		return 1
	}
	return min(r.V, report.CurrentSchema)
}
