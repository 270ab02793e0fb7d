package collect

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// DefaultPeriod is how far back the first report looks.
const DefaultPeriod = 7 * 24 * time.Hour

// Options says where IndexPilot's data is and how to read it. The zero
// value of every field but Salt has a documented default.
type Options struct {
	// DatabaseURL is the database IndexPilot manages; when empty,
	// DatabaseURLFromEnv(Getenv).
	DatabaseURL string
	// ConfigPath is indexpilot_config.yaml; when empty,
	// ResolveConfigPath("", Getenv).
	ConfigPath string
	// Version is IndexPilot's version; when empty, $INDEXPILOT_VERSION, else
	// `indexpilot --version` when on PATH, else UnknownVersion.
	Version string
	// Salt keys Anonymize: at least MinSaltBytes random bytes, stable for
	// the installation, never sent (see NewSalt).
	Salt []byte
	// StatementTimeout bounds each query; default DefaultStatementTimeout.
	StatementTimeout time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// Cursor is the one the previous Collect returned; the zero Cursor
	// means a first report, covering DefaultPeriod.
	Cursor Cursor

	tracer pgx.QueryTracer // sees every statement (tests count them)
}

// Cursor is what Collect remembers between reports: when the last period
// ended and the newest id it covered in each table. An id of 0 means
// "unknown", and the table is then read from Until by time.
type Cursor struct {
	Until            time.Time `json:"until"`
	QueryStatsID     int64     `json:"query_stats_id,omitempty"`
	MutationLogID    int64     `json:"mutation_log_id,omitempty"`
	AlgorithmUsageID int64     `json:"algorithm_usage_id,omitempty"`
	ABResultsID      int64     `json:"ab_results_id,omitempty"`
}

// Result is one collection: the report fields it filled and the notes that
// explain what it left out.
type Result struct {
	Version     string             `json:"version"`
	Metrics     report.Metrics     `json:"metrics"`
	Environment report.Environment `json:"environment"`
	// Since is the start of the period: Options.Cursor.Until, or
	// DefaultPeriod before now on a first report.
	Since time.Time `json:"since"`
	// Cursor is to be stored and passed to the next Collect once the report
	// has been sent. A table whose range could not be read keeps id 0.
	Cursor Cursor `json:"cursor"`
	// Notes are sentences for `preview`, one per field left out or
	// shortened, e.g. "metrics.algorithm_usage left out: table
	// algorithm_usage does not exist". They hold no data from the tables.
	Notes []string `json:"notes,omitempty"`
}

// collection is one run of Collect.
type collection struct {
	salt   []byte
	result *Result
}

func (c *collection) note(format string, args ...any) {
	c.result.Notes = append(c.result.Notes, fmt.Sprintf(format, args...))
}

// Collect fills a report's version, metrics and environment for the period
// since o.Cursor. A metric it cannot read (missing table, timeout, lock,
// malformed config) is left out and explained in Result.Notes. It returns
// an error only when the database cannot be reached, or o is unusable;
// after a connection failure the Result still holds what needs no database
// (version, features, environment), for a config-only report.
func Collect(ctx context.Context, o Options) (*Result, error) {
	if len(o.Salt) < MinSaltBytes {
		return nil, fmt.Errorf("collect: the salt must hold at least %d bytes", MinSaltBytes)
	}
	o = o.withDefaults()
	c := &collection{salt: o.Salt, result: &Result{Environment: localEnvironment()}}
	r := c.result
	r.Cursor.Until = o.Now()
	r.Since = o.Cursor.Until
	if r.Since.IsZero() {
		r.Since = r.Cursor.Until.Add(-DefaultPeriod)
	}
	c.readLocal(ctx, o)

	s, err := openSession(ctx, o.DatabaseURL, o.StatementTimeout, o.tracer)
	if err != nil {
		c.note("database metrics left out: cannot reach the IndexPilot database")
		return r, err
	}
	r.Environment.PostgreSQLVersion = s.serverVersion()
	c.readDatabase(ctx, s, o.Cursor)
	if err := s.close(ctx); err != nil {
		c.note("closing the database connection failed: %v", err)
	}
	return r, nil
}

func (o Options) withDefaults() Options {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	if o.DatabaseURL == "" {
		o.DatabaseURL = DatabaseURLFromEnv(o.Getenv)
	}
	o.ConfigPath = ResolveConfigPath(o.ConfigPath, o.Getenv)
	return o
}

// readLocal fills what comes from outside the database: version and
// features.
func (c *collection) readLocal(ctx context.Context, o Options) {
	var note string
	c.result.Version, note = indexPilotVersion(ctx, o.Version, o.Getenv)
	if note != "" {
		c.note("%s", note)
	}
	features, dropped, err := readFeatures(o.ConfigPath)
	if err != nil {
		c.note("metrics.features_used left out: %v", err)
		return
	}
	if len(dropped) > 0 {
		c.note("metrics.features_used: %d switch name(s) left out: not lowercase words", len(dropped))
	}
	if len(features) > report.MaxListEntries {
		c.note("metrics.features_used: %d switches left out: the report carries at most %d", len(features)-report.MaxListEntries, report.MaxListEntries)
		features = features[:report.MaxListEntries]
	}
	c.result.Metrics.FeaturesUsed = features
}

// readDatabase runs every reader, each in its own savepoint.
func (c *collection) readDatabase(ctx context.Context, s *session, cur Cursor) {
	ranges := &tableRanges{s: s, since: c.result.Since, prev: cur, next: &c.result.Cursor,
		found: map[string]idRange{}, failed: map[string]string{}}
	for _, rd := range readers {
		fields := strings.Join(rd.fields, ", ")
		var ids idRange
		if rd.ranged {
			var why string
			if ids, why = ranges.get(ctx, rd.table); why != "" {
				c.note("%s left out: %s", fields, why)
				continue
			}
		}
		if err := s.step(ctx, func(tx pgx.Tx) error { return rd.read(ctx, tx, ids, c) }); err != nil {
			c.note("%s left out: %s", fields, s.why(ctx, rd.table, err))
		}
	}
}

// tableRanges finds each table's id range once, in its own savepoint, and
// records it in the next cursor.
type tableRanges struct {
	s      *session
	since  time.Time
	prev   Cursor
	next   *Cursor
	found  map[string]idRange
	failed map[string]string // why a table's range is unknown
}

// get returns table's range, or why it could not be found.
func (t *tableRanges) get(ctx context.Context, table string) (idRange, string) {
	if ids, ok := t.found[table]; ok {
		return ids, ""
	}
	if why, ok := t.failed[table]; ok {
		return idRange{}, why
	}
	var ids idRange
	err := t.s.step(ctx, func(tx pgx.Tx) error {
		var err error
		ids, err = tableRange(ctx, tx, table, *cursorID(&t.prev, table), t.since)
		return err
	})
	if err != nil {
		t.failed[table] = t.s.why(ctx, table, err)
		return idRange{}, t.failed[table]
	}
	t.found[table] = ids
	*cursorID(t.next, table) = ids.last
	return ids, ""
}

// cursorID is the field of c that remembers table.
func cursorID(c *Cursor, table string) *int64 {
	switch table {
	case tableQueryStats:
		return &c.QueryStatsID
	case tableMutationLog:
		return &c.MutationLogID
	case tableAlgorithmUsage:
		return &c.AlgorithmUsageID
	case tableABResults:
		return &c.ABResultsID
	}
	panic("collect: no cursor for table " + table) // a programming error in readers
}
