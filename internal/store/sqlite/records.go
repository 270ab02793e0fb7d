package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// records is store.SQL on SQLite, which keeps times as timeLayout text.
type records struct{ db *sql.DB }

func (r records) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := r.db.ExecContext(ctx, query, asStored(args)...)
	if isUnique(err) {
		return 0, store.ErrConflict
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r records) Query(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := r.db.QueryContext(ctx, query, asStored(args)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return store.EachRow(rows, row)
}

// asStored writes the times among args as the store keeps them.
func asStored(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = formatTime(t)
		}
		out[i] = a
	}
	return out
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
