package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// AppendAudit adds an audit log entry.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	e.At = e.At.UTC()
	// query: append-audit
	err := s.pool.QueryRow(ctx, `INSERT INTO audit_log (at, actor, actor_key_id, action, installation_id, key_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.At, e.Actor, e.ActorKeyID, e.Action, e.InstallationID, e.KeyID, e.Detail).Scan(&e.ID)
	if err != nil {
		return e, fmt.Errorf("postgres: append audit entry: %w", err)
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
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, actor_key_id, action, installation_id, key_id, detail
		FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, q.PageSize())
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditEntry, error) {
		var e store.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.ActorKeyID, &e.Action, &e.InstallationID, &e.KeyID, &e.Detail)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return out, nil
}

// ScanTexts reads one stored text column for the privacy scan; JSON
// columns come as their text.
func (s *Store) ScanTexts(ctx context.Context, src store.TextSource, fn func(row, text string) error) error {
	// query: scan-texts (identifiers come from store.TextSources, never from input)
	rows, err := s.pool.Query(ctx, `SELECT `+src.Key+`::text, coalesce(`+src.Column+`::text, '') FROM `+src.Table)
	if err != nil {
		return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var row, text string
		if err := rows.Scan(&row, &text); err != nil {
			return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
		}
		if err := fn(row, text); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
	}
	return nil
}
