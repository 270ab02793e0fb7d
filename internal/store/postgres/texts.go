package postgres

import (
	"context"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

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
