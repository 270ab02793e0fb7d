package report

import (
	"crypto/sha256"
	"encoding/hex"
)

// Key returns the report's idempotency key: its report_id, or, for senders
// that give none (the first client), a digest of the installation id and
// the canonical timestamp. Two deliveries of one report share a key, so the
// store counts them once.
func (d *Decoded) Key() string {
	if d.ReportID != "" {
		return d.ReportID
	}
	sum := sha256.Sum256([]byte(d.InstallationID + "\x00" + d.Timestamp))
	return "sha256:" + hex.EncodeToString(sum[:16])
}
