package store

import (
	"context"
	"time"
)

// Audit is the audit log: who, as which admin key, erased or exported
// which installation, created or revoked which key, or signed in. The
// service only ever appends to it (both schemas refuse UPDATE and DELETE
// of its rows), and it never holds a secret: keys appear by id and name.
type Audit interface {
	// AppendAudit adds e (its ID is assigned) and returns the stored entry.
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// AuditLog returns entries newest first, as q selects.
	AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}

// Audited actions.
const (
	AuditExport    = "installation.export"
	AuditDelete    = "installation.delete"
	AuditKeyCreate = "key.create"
	AuditKeyRevoke = "key.revoke"
	AuditSignIn    = "admin.sign_in"
)

// Actors that are not a stored admin key.
const (
	ActorEnvironment = "environment admin token" // INDEXPILOT_ANALYTICS_ADMIN_TOKEN
	ActorCommandLine = "command line"            // indexpilot-analytics run by an operator on the database
)

// AuditEntry is one audited act. It is written before the act, so an act
// is never done without its entry; an act that then failed shows as an
// entry the operator saw fail (and usually a second one for the retry).
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`                  // the admin key's name, or one of the Actor constants
	ActorKeyID string    `json:"actor_key_id,omitempty"` // the admin key's public id; never its secret
	Action     string    `json:"action"`
	// InstallationID is the installation exported or erased.
	InstallationID string `json:"installation_id,omitempty"`
	// KeyID is the key created or revoked (its public id).
	KeyID  string `json:"key_id,omitempty"`
	Detail string `json:"detail,omitempty"` // e.g. the kind and name of a created key
}

// MaxAuditPage bounds AuditQuery.Limit.
const MaxAuditPage = 1000

// AuditQuery selects a page of the audit log: at most Limit entries
// (MaxAuditPage when 0 or more) with an ID below Before (0: from the
// newest).
type AuditQuery struct {
	Before int64
	Limit  int
}

// PageSize returns q's limit within 1..MaxAuditPage.
func (q AuditQuery) PageSize() int {
	if q.Limit <= 0 || q.Limit > MaxAuditPage {
		return MaxAuditPage
	}
	return q.Limit
}

// AppendAudit adds an audit log entry.
func (r Records) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	e.At = e.At.UTC()
	// query: append-audit
	err := queryOne(ctx, r.DB, `INSERT INTO audit_log (at, actor, actor_key_id, action, installation_id, key_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{e.At, e.Actor, e.ActorKeyID, e.Action, e.InstallationID, e.KeyID, e.Detail},
		func(scan func(...any) error) error { return scan(&e.ID) })
	return e, wrapRecord("append audit entry", err)
}

// AuditLog returns a page of the audit log, newest first.
func (r Records) AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	before := q.Before
	if before <= 0 {
		before = 1<<63 - 1
	}
	var out []AuditEntry
	// query: audit-log
	err := r.reader().Query(ctx, `SELECT id, at, actor, actor_key_id, action, installation_id, key_id, detail
		FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{before, q.PageSize()},
		func(scan func(...any) error) error {
			var e AuditEntry
			err := scan(&e.ID, Time{&e.At}, &e.Actor, &e.ActorKeyID, &e.Action, &e.InstallationID, &e.KeyID, &e.Detail)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, wrapRecord("audit log", err)
	}
	return out, nil
}
