package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// ingestKnown stores a batch in one round trip (BEGIN, the shared
// deleteLock, one statement, COMMIT, pipelined) when the numbers of all
// its installations are cached: the rollup deltas are then computed
// before anything is sent, on the premise that every report is new.
//
// The statement itself checks that premise and that every cached number
// still belongs to its installation; when either fails it makes its own
// delta insert break NOT NULL, PostgreSQL skips the COMMIT after the
// error, and ingestKnown rolls back and answers false: the caller stores
// the batch the general way. A retried report therefore costs one wasted
// round trip, never a double count.
func (s *Store) ingestKnown(ctx context.Context, conn *pgx.Conn, b *store.Batch) (inserted []bool, ok bool, err error) {
	var ids []string
	seen := make(map[string]bool)
	for _, r := range b.Raws {
		if !seen[r.InstallationID] {
			seen[r.InstallationID] = true
			ids = append(ids, r.InstallationID)
		}
	}
	nums, known := s.nums.lookup(ctx, s.pool, ids)
	if !known {
		return nil, false, nil
	}
	fresh := make([]bool, len(b.Raws))
	for i := range b.Raws {
		b.Raws[i].Num = nums[b.Raws[i].InstallationID]
		fresh[i] = true
	}
	inserted, rows := b.Deltas(fresh)
	blob, err := rollup.AppendRows(nil, rows)
	if err != nil {
		return nil, false, err
	}
	idNums := make([]int32, len(ids))
	for i, id := range ids {
		idNums[i] = int32(nums[id])
	}
	args := append(reportArgs(b.Raws, true), ids, idNums, len(b.Raws), len(ids), blob)

	batch := beginIngest()
	batch.Queue(insertKnownReports, args...)
	// query: commit-ingest
	batch.Queue(`COMMIT`)
	br := conn.SendBatch(ctx, batch)
	err = readBegin(br)
	for range 2 { // the statement, COMMIT
		if err == nil {
			_, err = br.Exec()
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if conn.PgConn().TxStatus() != 'I' {
		rollback(conn)
		if err == nil {
			err = errors.New("postgres: commit: the transaction was rolled back")
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeNotNullViolation && pgErr.TableName == "rollup_delta_batches" {
		return nil, false, nil // a report was stored already, or an installation is gone
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: store batch: %w", err)
	}
	return inserted, true, nil
}

// query: insert-known-reports
// The reports of installations whose numbers are known, and the batch's
// rollup deltas, which are only right if every report is new and every
// number still belongs to its installation: otherwise the delta value is
// NULL, which the column refuses, and the transaction fails.
const insertKnownReports = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[],
			$6::text[], $7::int[], $8::jsonb[], $9::jsonb[])
			AS u(report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment)
	), known AS (
		SELECT count(*) AS n FROM unnest($10::text[], $11::int[]) AS c(installation_id, num)
		JOIN installations i ON i.num = c.num AND i.installation_id = c.installation_id
	), inserted AS (
		INSERT INTO reports (report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment)
		SELECT * FROM input ORDER BY installation_num, report_key
		ON CONFLICT ` + reportConflict + ` DO NOTHING
		RETURNING 1
	)
	INSERT INTO rollup_delta_batches (rows)
	SELECT CASE WHEN (SELECT count(*) FROM inserted) = $12 AND (SELECT n FROM known) = $13 THEN $14::bytea END`

// rollback ends a failed transaction on conn; a connection that cannot
// roll back is closed, so the pool never hands it out again.
func rollback(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
		conn.Close(ctx)
	}
}
