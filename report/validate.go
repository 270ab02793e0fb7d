package report

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Patterns of the contract; docs/contract.md and the JSON Schema repeat them.
var (
	installationIDPattern = mustPattern(`^[A-Za-z0-9_-]{8,64}$`)
	versionPattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$`)
	namePattern           = mustPattern(`^[a-z][a-z0-9_]{0,63}$`)
	errorTypePattern      = mustPattern(`^[A-Za-z][A-Za-z0-9_.]{0,63}$`)
	envWordPattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`) // stored lowercased
	runtimePattern        = mustPattern(`^[A-Za-z0-9][A-Za-z0-9 ._/+-]{0,63}$`)
	experimentPattern     = mustPattern(`^[0-9a-f]{16,64}$`)
	variantPattern        = mustPattern(`^[a-z0-9_]{1,16}$`)
	uuidPattern           = mustPattern(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`) // stored lowercased
	timestampPattern      = mustPattern(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

func (d *Decoded) validate(now time.Time, retention time.Duration) error {
	r := &d.Report
	if r.SchemaVersion == 0 {
		r.SchemaVersion = 1
	}
	if err := checkRange("schema_version", "schema_version", float64(r.SchemaVersion)); err != nil {
		return err
	}
	if err := checkIdentity(&r.ReportID, r.InstallationID, r.Version); err != nil {
		return err
	}
	t, err := ParseTime(r.Timestamp)
	if err != nil {
		return fieldErr("timestamp", "must be an RFC 3339 date-time, e.g. 2026-11-20T10:00:00Z (no offset means UTC)")
	}
	if t.After(now.Add(MaxFutureSkew)) {
		return fieldErr("timestamp", "must not be more than %s in the future", MaxFutureSkew)
	}
	if t.Before(now.Add(-retention)) {
		return fieldErr("timestamp", "must not be older than the raw-data retention (%d days)", int(retention.Hours()/24))
	}
	// Microseconds: what PostgreSQL keeps, so both stores hold the same
	// instant and the idempotency key does not depend on the backend.
	t = t.Truncate(time.Microsecond)
	d.Time = t
	r.Timestamp = t.Format(time.RFC3339Nano)
	if r.SchemaVersion < 2 { // listed in Ignored by Decode; never stored
		r.Metrics.AlgorithmDecisions, r.Metrics.ABExperiments, r.Metrics.TenantsBucket = nil, nil, ""
	}
	if err := r.Metrics.validate(); err != nil {
		return err
	}
	return r.Environment.validate()
}

// checkIdentity checks the fields both contracts share: report_id (made
// lower case), installation_id and version.
func checkIdentity(reportID *string, installationID, version string) error {
	if *reportID != "" {
		if !uuidPattern.MatchString(*reportID) {
			return fieldErr("report_id", "must be a UUID in its 36-character form")
		}
		*reportID = strings.ToLower(*reportID)
	}
	if !installationIDPattern.MatchString(installationID) {
		return fieldErr("installation_id", "must match %s", installationIDPattern)
	}
	if !versionPattern.MatchString(version) {
		return fieldErr("version", "must match %s", versionPattern)
	}
	return nil
}

// ParseTime parses a report timestamp: RFC 3339 with an upper-case T and
// at most nine fractional digits, or the seed client's Python isoformat()
// without an offset, which is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	if !timestampPattern.MatchString(s) {
		return time.Time{}, errors.New("report: timestamp must match " + timestampPattern.String())
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	}
	return t.UTC(), err
}

func (m *Metrics) validate() error {
	seen := make(map[string]bool, len(m.FeaturesUsed))
	features := m.FeaturesUsed[:0]
	for _, f := range m.FeaturesUsed {
		if !namePattern.MatchString(f) {
			return fieldErr("metrics.features_used", "each entry must match %s", namePattern)
		}
		if !seen[f] { // a feature listed twice is used once
			seen[f] = true
			features = append(features, f)
		}
	}
	if len(features) > MaxListEntries {
		return fieldErr("metrics.features_used", "must have at most %d distinct entries", MaxListEntries)
	}
	m.FeaturesUsed = features
	for _, c := range []struct {
		field string
		v     int64
	}{
		{"metrics.indexes_created", m.IndexesCreated},
		{"metrics.indexes_recommended", m.IndexesRecommended},
		{"metrics.queries_analyzed", m.QueriesAnalyzed},
	} {
		if err := checkRange(c.field, c.field, float64(c.v)); err != nil {
			return err
		}
	}
	if err := checkPct("metrics.performance_improvement_pct", m.PerformanceImprovementPct); err != nil {
		return err
	}
	if err := checkPct("metrics.explain_coverage_pct", m.ExplainCoveragePct); err != nil {
		return err
	}
	if err := checkCounts("metrics.algorithm_usage", m.AlgorithmUsage, namePattern); err != nil {
		return err
	}
	if err := checkCounts("metrics.errors", m.Errors, errorTypePattern); err != nil {
		return err
	}
	if err := m.QueryLatencyMS.validate(); err != nil {
		return err
	}
	return m.validateV2()
}

func (m *Metrics) validateV2() error {
	if err := checkCounts("metrics.algorithm_decisions", m.AlgorithmDecisions, namePattern); err != nil {
		return err
	}
	if m.TenantsBucket != "" && !slices.Contains(TenantBuckets, m.TenantsBucket) {
		return fieldErr("metrics.tenants_bucket", "must be one of %s", strings.Join(TenantBuckets, ", "))
	}
	if len(m.ABExperiments) > MaxListEntries {
		return fieldErr("metrics.ab_experiments", "must have at most %d entries", MaxListEntries)
	}
	seen := make(map[[2]string]bool, len(m.ABExperiments))
	for _, e := range m.ABExperiments {
		const f = "metrics.ab_experiments."
		switch {
		case !experimentPattern.MatchString(e.Experiment):
			return fieldErr(f+"experiment", "must match %s (an HMAC, never a name)", experimentPattern)
		case !variantPattern.MatchString(e.Variant):
			return fieldErr(f+"variant", "must match %s", variantPattern)
		case seen[[2]string{e.Experiment, e.Variant}]:
			return fieldErr("metrics.ab_experiments", "each experiment and variant may appear once")
		}
		for _, c := range []struct {
			name string
			v    float64
		}{{"n", float64(e.N)}, {"mean_ms", e.MeanMS}, {"variance_ms2", e.VarianceMS}} {
			if err := checkRange(f+c.name, f+c.name, c.v); err != nil {
				return err
			}
		}
		seen[[2]string{e.Experiment, e.Variant}] = true
	}
	return nil
}

func checkPct(field string, v *float64) error {
	if v == nil {
		return nil
	}
	return checkRange(field, field, *v)
}

// checkCounts checks a map of counts in key order, so that a report that
// breaks several rules always gets the same error.
func checkCounts(field string, m map[string]int64, names *pattern) error {
	if len(m) > MaxListEntries {
		return fieldErr(field, "must have at most %d entries", MaxListEntries)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !names.MatchString(k) {
			return fieldErr(field, "each key must match %s", names)
		}
		if err := checkRange(field+"."+k, field+".*", float64(m[k])); err != nil {
			return err
		}
	}
	return nil
}

func (l *Latency) validate() error {
	if l == nil {
		return nil
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"p50", l.P50}, {"p95", l.P95}, {"p99", l.P99}} {
		f := "metrics.query_latency_ms." + p.name
		if err := checkRange(f, f, p.v); err != nil {
			return err
		}
	}
	if l.P50 > l.P95 || l.P95 > l.P99 {
		return fieldErr("metrics.query_latency_ms", "must satisfy p50 <= p95 <= p99")
	}
	return nil
}

func (e *Environment) validate() error {
	for _, w := range []struct {
		field string
		v     string
		p     *pattern
	}{
		{"environment.python_version", e.PythonVersion, versionPattern},
		{"environment.postgresql_version", e.PostgreSQLVersion, versionPattern},
		{"environment.os", e.OS, envWordPattern},
		{"environment.arch", e.Arch, envWordPattern},
		{"environment.runtime", e.Runtime, runtimePattern},
	} {
		if w.v != "" && !w.p.MatchString(w.v) {
			return fieldErr(w.field, "must match %s", w.p)
		}
	}
	e.OS = strings.ToLower(e.OS)
	e.Arch = strings.ToLower(e.Arch)
	return checkRange("environment.cpu_cores", "environment.cpu_cores", float64(e.CPUCores))
}
