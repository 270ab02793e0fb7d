// Package store defines what the analytics service keeps and how it reads
// it back: the Store interface, its record types and the test suite every
// backend must pass. The backends live in sqlite/ and postgres/, each with
// its own SQL and migrations; the logic they share (turning a batch of
// reports into rollup deltas, recomputing, erasing, scanning the rows of
// their queries) is written once here, and so are the statements that
// read the same in both dialects (Records, run through each backend's SQL).
//
// A store never keeps a client address, a secret in clear or a raw request
// body: reports are stored as the validated, allow-listed fields only.
package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a record to create already exists.
var ErrConflict = errors.New("store: already exists")

// Store is the analytics service's storage. Every method is safe for
// concurrent use.
type Store interface {
	Ledger      // what was sent, once (ledger.go)
	Experiments // the experiment registry and its reads (experiments.go)

	// Migrate applies the embedded migrations that are not yet applied.
	Migrate(ctx context.Context) error
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	// CreateInstallation records a registered installation and the hash of
	// its key.
	CreateInstallation(ctx context.Context, in Installation) error
	// InstallationByKeyID returns the installation that owns a key id.
	InstallationByKeyID(ctx context.Context, keyID string) (Installation, error)

	// CreateKey stores an operator key (admin token or fleet key).
	CreateKey(ctx context.Context, k Key) error
	// Key returns an operator key by id, revoked or not.
	Key(ctx context.Context, id string) (Key, error)
	// Keys lists every operator key, oldest first.
	Keys(ctx context.Context) ([]Key, error)
	// RevokeKey marks a key revoked at the given time.
	RevokeKey(ctx context.Context, id string, at time.Time) error

	// Ingest stores a batch of validated reports and their rollup deltas in
	// one transaction. inserted[i] is false when items[i] was already
	// stored (a retry), in which case it was not counted again.
	Ingest(ctx context.Context, items []Item) (inserted []bool, err error)

	// Compact folds pending rollup deltas (what Ingest appends) into the
	// rollup rows and returns how many it folded. Reads see pending deltas
	// either way; compaction only keeps them few.
	Compact(ctx context.Context) (int, error)

	// Rollups returns the rollup rows that q selects.
	Rollups(ctx context.Context, q RollupQuery) ([]*rollup.Row, error)

	// Recompute rebuilds every rollup row of the days that still have raw
	// reports from those reports, in one transaction.
	Recompute(ctx context.Context) error
	// Retain deletes raw reports of days before rawBefore and rollup rows
	// of days before rollupBefore. It returns the reports deleted.
	Retain(ctx context.Context, rawBefore, rollupBefore rollup.Day) (int64, error)

	// DeleteInstallation deletes an installation, its key and every stored
	// report of it, and takes those reports out of the rollups. It returns
	// the number of reports deleted.
	DeleteInstallation(ctx context.Context, installationID string) (int64, error)
	// ExportInstallation returns everything stored about an installation.
	ExportInstallation(ctx context.Context, installationID string) (*Export, error)

	// IngestError stores one scrubbed error report and counts it in its
	// group and its daily counter, in one transaction. It returns false
	// when the report's key is stored already (a retry), which is then not
	// counted again. See errors.go.
	IngestError(ctx context.Context, it ErrorItem) (bool, error)
	// ErrorWindow returns the daily error counters that q selects, and
	// their groups, read in one snapshot.
	ErrorWindow(ctx context.Context, q ErrorQuery) (*ErrorWindow, error)
	// ErrorReports returns the raw error reports of an installation, oldest
	// first (none for an unknown installation). Deleting an installation
	// deletes them.
	ErrorReports(ctx context.Context, installationID string) ([]StoredError, error)
	// RetainErrors deletes raw error reports of days before rawBefore,
	// daily error counters of days before countersBefore and the groups
	// last seen before that day. It returns the raw reports deleted.
	RetainErrors(ctx context.Context, rawBefore, countersBefore rollup.Day) (int64, error)

	FeedbackStore // feedback.go
	Changes       // changes.go
	Sessions      // sessions.go
	Audit         // audit.go
	Texts         // texts.go
}

// StagedIngester is a Store whose Ingest ends with a stage that may
// overlap the next batch's start: once a batch is on its way (for
// PostgreSQL, its one round trip sent), only the database's work and its
// answer remain, and the ingest batcher may form the next batch and begin
// it meanwhile (ingest.Config.Committers above 1).
type StagedIngester interface {
	// IngestStaged is Ingest that calls staged once the batch is on its
	// way and only the store's answer remains. It may not call it at all
	// (a failure first); it never calls it twice.
	IngestStaged(ctx context.Context, items []Item, staged func()) ([]bool, error)
}

// RollupQuery selects rollup rows: days From..To inclusive, in the given
// dimensions (all when Dims is empty), with their bitmaps only when
// Bitmaps is set (counting needs InstallsN alone).
type RollupQuery struct {
	From, To rollup.Day
	Dims     []string
	Bitmaps  bool
}

// Selects tells whether the row of k is one that q selects.
func (q RollupQuery) Selects(k rollup.Key) bool {
	return k.Day >= q.From && k.Day <= q.To && (len(q.Dims) == 0 || slices.Contains(q.Dims, k.Dim))
}

// Installation is a registered (or fleet-reported) installation.
type Installation struct {
	ID      string // the public installation id
	KeyID   string // empty for installations only a fleet key reported
	KeyHash []byte // SHA-256 of the key's secret part
	Created time.Time
}

// Key kinds.
const (
	KindAdmin = "admin"
	KindFleet = "fleet"
)

// Key is an operator secret: an admin token or a fleet key.
type Key struct {
	ID      string
	Kind    string
	Name    string
	Hash    []byte
	Created time.Time
	Revoked *time.Time
}

// Item is one validated report to ingest.
type Item struct {
	Key      string // idempotency key, report.Decoded.Key()
	Report   *report.Report
	Time     time.Time // the report's timestamp
	Received time.Time

	raw *Raw // set by Prepare
}

// Prepare encodes what Ingest stores of it now, so that the work is done
// by the caller (one goroutine per request) instead of inside the batch
// that Ingest runs for many requests at once. Ingest does it for items
// that were not prepared.
func (it *Item) Prepare() {
	raw := toRaw(*it)
	it.raw = &raw
}

// Export is what the store holds about one installation.
type Export struct {
	InstallationID string           `json:"installation_id"`
	Registered     time.Time        `json:"registered_at"`
	Reports        []StoredReport   `json:"reports"`
	ErrorReports   []StoredError    `json:"error_reports"` // filled by the server from ErrorReports
	Feedback       []StoredFeedback `json:"feedback"`      // filled by the server from FeedbackOf
}

// StoredReport is one stored report as kept: allow-listed fields only.
type StoredReport struct {
	Key      string        `json:"report_key"`
	Received time.Time     `json:"received_at"`
	Report   report.Report `json:"report"`
}
