package store

import "context"

// TextSource is one column where the store keeps text that came from
// outside the service: a report's strings, an error message, a key's name.
// The privacy scan (package privacy) reads every one, so a table that
// keeps new text adds its row to TextSources and nothing else.
type TextSource struct {
	Table  string // table name
	Key    string // column that names the row in a finding
	Column string // the text
	JSON   bool   // the column holds JSON: each of its strings, keys included, is a text
}

// Name is "table.column".
func (t TextSource) Name() string { return t.Table + "." + t.Column }

// TextSources lists every stored text. Pending rollup deltas are not
// listed: they hold the same keys as the reports and the rollups and are
// folded within a second.
var TextSources = []TextSource{
	{Table: "reports", Key: "report_key", Column: "version"},
	{Table: "reports", Key: "report_key", Column: "metrics", JSON: true},
	{Table: "reports", Key: "report_key", Column: "environment", JSON: true},
	{Table: "error_reports", Key: "report_key", Column: "report", JSON: true},
	{Table: "error_groups", Key: "fingerprint", Column: "error_type"},
	{Table: "error_groups", Key: "fingerprint", Column: "sqlstate"},
	{Table: "error_groups", Key: "fingerprint", Column: "message"},
	{Table: "error_groups", Key: "fingerprint", Column: "culprit"},
	{Table: "error_daily", Key: "fingerprint", Column: "version"},
	{Table: "rollups", Key: "dim", Column: "key"},
	{Table: "installations", Key: "num", Column: "installation_id"},
	{Table: "keys", Key: "id", Column: "name"},
	{Table: "audit_log", Key: "id", Column: "actor"},
	{Table: "audit_log", Key: "id", Column: "installation_id"},
	{Table: "audit_log", Key: "id", Column: "detail"},
	{Table: "feedback", Key: "id", Column: "feedback_key"},
	{Table: "feedback", Key: "id", Column: "version"},
	{Table: "feedback", Key: "id", Column: "message"},
	{Table: "feedback", Key: "id", Column: "url"},
	{Table: "feedback_features", Key: "feedback_id", Column: "feature"},
	{Table: "erased_installations", Key: "installation_id", Column: "installation_id"},
}

// Texts reads stored texts for the privacy scan.
type Texts interface {
	// ScanTexts calls fn with the row key and the text of every row of
	// src, in no particular order, until fn returns an error.
	ScanTexts(ctx context.Context, src TextSource, fn func(row, text string) error) error
}
