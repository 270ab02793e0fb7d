package client

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// built is one report, encoded as it is kept and uploaded.
type built struct {
	id     string // report_id
	at     time.Time
	data   []byte
	held   []string      // fields held back for want of consent
	notes  []string      // what the collector left out, and why
	report report.Report // before the consent filter
	cursor collect.Cursor
	usage  map[string]report.FeatureUse // the feature usage read for it (see takeUsage)
}

// buildInput is what a report is built from.
type buildInput struct {
	s         *settings
	id        string // installation id; placeholderID before registration
	salt      []byte // nil: a throwaway salt (preview and debug, before the first report)
	cursor    collect.Cursor
	consented int
	usage     map[string]report.FeatureUse // counted by IndexPilot since the last report
}

// build collects and encodes one report. Preview, debug output and the
// spool all come from here, so what is shown is what is sent.
func (c *Client) build(ctx context.Context, in buildInput) (*built, error) {
	salt := in.salt
	if salt == nil {
		var err error
		if salt, err = collect.NewSalt(); err != nil {
			return nil, err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, collectBudget)
	defer cancel()
	res, err := c.collect(cctx, collect.Options{DatabaseURL: c.databaseURL, ConfigPath: in.s.configPath, Salt: salt, Now: c.now, Getenv: c.getenv, Cursor: in.cursor})
	if res == nil { // with a result, err is an unreachable database: the result is config-only, with a note
		return nil, fmt.Errorf("client: collecting: %w", err)
	}
	res.Metrics.Experiments = c.experimentsReported()
	res.Metrics.FeatureUsage = in.usage
	applyToggles(&res.Metrics, in.s)
	b := &built{id: c.newID(), at: c.now().UTC(), notes: res.Notes, cursor: res.Cursor, usage: in.usage}
	if in.salt == nil && len(res.Metrics.ABExperiments) > 0 {
		b.notes = append(b.notes, "metrics.ab_experiments: names are hashed with a throwaway key here, as none exists before the first report; the hashes sent will differ")
	}
	b.report = report.Report{ReportID: b.id, InstallationID: in.id, Version: res.Version,
		Timestamp: b.at.Format(time.RFC3339), Metrics: res.Metrics, Environment: res.Environment}
	if b.data, b.held, err = encode(b.report, in.consented); err != nil {
		return nil, err
	}
	// The service's own rules, before the report is kept: one it would
	// refuse is a bug to report, not a report to spool.
	if _, err := report.Decode(b.data, b.at, 0); err != nil {
		return nil, fmt.Errorf("client: the report breaks the contract: %w", err)
	}
	return b, nil
}

// applyToggles drops the groups of fields the user's config turns off:
// collect_usage_stats (features and their usage, algorithms, tenants,
// fleet experiments), collect_performance_metrics (improvement,
// coverage, latency, A/B results) and collect_error_reports (error
// counts).
func applyToggles(m *report.Metrics, s *settings) {
	if !s.collects(s.file.CollectUsageStats) {
		m.FeaturesUsed, m.AlgorithmUsage, m.AlgorithmDecisions, m.TenantsBucket = nil, nil, nil, ""
		m.Experiments, m.FeatureUsage = nil, nil
	}
	if !s.collects(s.file.CollectPerformanceMetrics) {
		m.PerformanceImprovementPct, m.ExplainCoveragePct, m.QueryLatencyMS, m.ABExperiments = nil, nil, nil, nil
	}
	if !s.collects(s.file.CollectErrorReports) {
		m.Errors = nil
	}
}

// Preview is what `preview` shows.
type Preview struct {
	// Report is the exact bytes Send would upload if it built the report
	// now; report_id and timestamp are drawn anew for each report.
	Report []byte
	// Diff is a JSON object of only the fields newer than Consented: what
	// consenting again (`on`) would add.
	Diff      []byte
	Mode      Mode
	Reason    string
	Consented int      // the consented schema version; 0 when off
	Held      []string // fields present but held back for want of consent
	Notes     []string // what the collector left out, and why
	// Registered is false when the installation_id is a placeholder, which
	// the first upload replaces with the id the service assigns.
	Registered bool
}

// Preview builds a report now, without keeping, sending or registering
// anything. With telemetry off it shows what the first report after `on`
// would hold.
func (c *Client) Preview(ctx context.Context) (*Preview, error) {
	v := c.view()
	if err := v.err(); err != nil {
		return nil, err
	}
	in := c.inputFor(v)
	if v.s.mode == Off { // what `on` would do: consent to the newest version, start a new period
		in.consented, in.cursor = report.CurrentSchema, collect.Cursor{}
	}
	b, err := c.build(ctx, in)
	if err != nil {
		return nil, err
	}
	d, err := diff(b.report, v.s.consented) // against what was consented to, even when off
	if err != nil {
		return nil, err
	}
	return &Preview{Report: b.data, Diff: d, Mode: v.s.mode, Reason: v.s.reason, Consented: v.s.consented,
		Held: b.held, Notes: b.notes, Registered: v.st.InstallationID != ""}, nil
}

// inputFor is what the next report is built from, without writing: the
// salt is read, not created.
func (c *Client) inputFor(v *view) buildInput {
	in := buildInput{s: v.s, id: v.st.InstallationID, cursor: v.st.Cursor, consented: v.s.consented, usage: v.f.pendingUsage()}
	if in.id == "" {
		in.id = placeholderID
	}
	in.salt, _ = v.f.salt(false) // unreadable: a throwaway salt for this report
	return in
}
