package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// AppendAudit adds an audit log entry.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	e.At = e.At.UTC()
	// query: append-audit
	err := s.db.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor, actor_key_id, action, installation_id, key_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		formatTime(e.At), e.Actor, e.ActorKeyID, e.Action, e.InstallationID, e.KeyID, e.Detail).Scan(&e.ID)
	if err != nil {
		return e, fmt.Errorf("sqlite: append audit entry: %w", err)
	}
	return e, nil
}

// AuditLog returns a page of the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	before := q.Before
	if before <= 0 {
		before = 1<<63 - 1
	}
	// query: audit-log
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, at, actor, actor_key_id, action, installation_id, key_id, detail
		FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`, before, q.PageSize())
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.ActorKeyID, &e.Action, &e.InstallationID, &e.KeyID, &e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("sqlite: audit entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	return out, nil
}

// ScanTexts reads one stored text column for the privacy scan.
func (s *Store) ScanTexts(ctx context.Context, src store.TextSource, fn func(row, text string) error) error {
	// query: scan-texts (identifiers come from store.TextSources, never from input)
	rows, err := s.rdb.QueryContext(ctx, `SELECT CAST(`+src.Key+` AS TEXT), `+src.Column+` FROM `+src.Table)
	if err != nil {
		return fmt.Errorf("sqlite: scan %s: %w", src.Name(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var row string
		var text sql.NullString
		if err := rows.Scan(&row, &text); err != nil {
			return fmt.Errorf("sqlite: scan %s: %w", src.Name(), err)
		}
		if err := fn(row, text.String); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: scan %s: %w", src.Name(), err)
	}
	return nil
}
