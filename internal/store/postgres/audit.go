package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
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

// packedColumns are the stored texts kept as package pack's values
// (migration 016).
var packedColumns = map[string]bool{"reports.metrics": true, "reports.environment": true}

// ScanTexts reads one stored text column for the privacy scan; JSON
// columns come as their text, packed ones (packedColumns) unpacked.
func (s *Store) ScanTexts(ctx context.Context, src store.TextSource, fn func(row, text string) error) error {
	column := `coalesce(` + src.Column + `::text, '')`
	packed := packedColumns[src.Name()]
	if packed {
		column = src.Column
	}
	// query: scan-texts (identifiers come from store.TextSources, never from input)
	rows, err := s.pool.Query(ctx, `SELECT `+src.Key+`::text, `+column+` FROM `+src.Table)
	if err != nil {
		return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
	}
	defer rows.Close()
	var doc []byte
	for rows.Next() {
		var row string
		var text []byte
		if err := rows.Scan(&row, &text); err != nil {
			return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
		}
		if packed {
			if doc, err = pack.Decode(doc[:0], text); err != nil {
				return fmt.Errorf("postgres: scan %s of %s: %w", src.Name(), row, err)
			}
			text = doc
		}
		if err := fn(row, string(text)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: scan %s: %w", src.Name(), err)
	}
	return nil
}
