package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

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
