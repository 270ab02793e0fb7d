package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// records is store.SQL on the pool: store.Records' statements with their
// placeholders numbered.
type records struct{ pool *pgxpool.Pool }

func (r records) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := r.pool.Exec(ctx, numbered(query), args...)
	if isUnique(err) {
		return 0, store.ErrConflict
	}
	return tag.RowsAffected(), err
}

func (r records) Query(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := r.pool.Query(ctx, numbered(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return store.EachRow(rows, row)
}

// numbered turns the ? placeholders of a statement (which has no ? in a
// literal) into PostgreSQL's $1, $2…
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
