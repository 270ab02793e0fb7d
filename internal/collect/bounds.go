package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// idRange is the part of a table a report covers: ids in (after, last].
// Scanning by id range is a range scan of the primary key, the only index
// the tracking tables are guaranteed to have.
type idRange struct {
	after int64 // the last id the previous report covered
	last  int64 // the newest id when this collection started
}

// tableRange finds the rows of table that belong to this report. The
// upper bound is the newest id in the transaction's snapshot, so rows
// written during the collection go to the next report. The lower bound is
// the id remembered in the cursor, or, on a first report, on a table the
// cursor does not know or after the table was emptied and refilled (the
// cursor is past its newest id), the last id before since.
//
// Rows are assumed to be appended in id order, which SERIAL gives unless a
// writer's transaction stays open across a collection; such a row is
// missed, an acceptable error for telemetry.
func tableRange(ctx context.Context, tx pgx.Tx, table string, cursorID int64, since time.Time) (idRange, error) {
	name := pgx.Identifier{table}.Sanitize()
	var r idRange
	if err := tx.QueryRow(ctx, fmt.Sprintf(qNewestID, name)).Scan(&r.last); err != nil {
		return r, err
	}
	if cursorID > 0 && cursorID <= r.last {
		r.after = cursorID
		return r, nil
	}
	if err := tx.QueryRow(ctx, fmt.Sprintf(qFirstIDSince, name), since, r.last).Scan(&r.after); err != nil {
		return r, err
	}
	r.after = max(r.after, 0)
	return r, nil
}
