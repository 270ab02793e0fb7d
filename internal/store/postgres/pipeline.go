package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

// roundResult is what one ingest transaction tells: the number of each
// installation it resolved, and the reports it inserted.
type roundResult struct {
	nums  map[string]uint32
	fresh map[reportID]bool
}

// ingestRound stores rows in one transaction of one round trip: BEGIN,
// the shared deleteLock, insertBatch and COMMIT travel together (a
// pipeline), and the transaction is over when the answer arrives. staged,
// unless nil, is called once they are sent. The rows of an installation
// that another transaction created while insertBatch ran are left out
// (their installation is missing from the result): the caller stores
// them in a transaction of their own.
func (s *Store) ingestRound(ctx context.Context, rows []store.Raw, now time.Time, staged func()) (roundResult, error) {
	b := beginIngest()
	b.Queue(insertBatch, append(reportArgs(rows), now, []byte{rollup.FormatShares})...)
	// query: commit-ingest
	b.Queue(`COMMIT`)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return roundResult{}, fmt.Errorf("postgres: acquire connection: %w", err)
	}
	defer conn.Release()
	br := conn.Conn().SendBatch(ctx, b)
	if staged != nil {
		staged()
	}
	res, err := readRound(br)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("postgres: store batch: %w", cerr)
	}
	if conn.Conn().PgConn().TxStatus() != 'I' {
		rollback(conn.Conn())
		if err == nil {
			// COMMIT of a failed transaction answers ROLLBACK, not an error.
			err = errors.New("postgres: commit: the transaction was rolled back")
		}
	}
	if err != nil {
		return roundResult{}, err
	}
	return res, nil
}

// readRound reads the results of ingestRound's pipeline.
func readRound(br pgx.BatchResults) (roundResult, error) {
	res := roundResult{nums: make(map[string]uint32), fresh: make(map[reportID]bool)}
	if err := readBegin(br); err != nil {
		return res, err
	}
	rows, err := br.Query()
	if err != nil {
		return res, fmt.Errorf("postgres: insert reports: %w", err)
	}
	var id *string
	var key []byte
	var num int64
	_, err = pgx.ForEachRow(rows, []any{&id, &num, &key}, func() error {
		if key != nil {
			res.fresh[reportID{uint32(num), string(key)}] = true
		} else {
			res.nums[*id] = uint32(num)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("postgres: insert reports: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return res, fmt.Errorf("postgres: commit: %w", err)
	}
	return res, nil
}

// beginIngest returns a pipeline that opens an ingest transaction: BEGIN
// and the deleteLock, shared. readBegin reads their results.
func beginIngest() *pgx.Batch {
	b := &pgx.Batch{}
	// query: begin-ingest
	b.Queue(`BEGIN`)
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, deleteLock)
	return b
}

func readBegin(br pgx.BatchResults) error {
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("postgres: begin: %w", err)
		}
	}
	return nil
}

// reportID is what identifies a stored report: its installation and its
// key (migration 015), in its stored form (pack.Key, migration 017).
type reportID struct {
	num uint32
	key string
}

// query: insert-batch
// Creates the installations not seen before, inserts the reports whose
// keys are new to their installations, appends the rollup shares of
// exactly those reports, each behind its installation's number, as one
// delta batch (rollup.FormatShares), and returns one row per installation
// it resolved (its id, its number and NULL) and one per report it
// inserted (NULL, its installation's number and its key). A retry in the
// batch is skipped by the report insert, so its share is not kept.
//
// The installation probes go through the unique index once per id (a
// LATERAL subquery with LIMIT is never turned into a join): left to itself
// the planner hashes the whole table, which cost 10 ms a batch at 20,000
// installations. The NOT EXISTS filter keeps known ids from drawing (and
// wasting) identity values, which ON CONFLICT alone would do. Rows are
// created and inserted in one order, so that concurrent batches wait
// instead of deadlocking. An installation that another transaction
// creates meanwhile is skipped by the INSERT (after waiting for it) and
// missed by the probe (the statement's snapshot is older), and so are its
// reports; the caller sends them again.
const insertBatch = `WITH input AS (
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::int[], $4::timestamptz[], $5::timestamptz[],
			$6::text[], $7::int[], $8::bytea[], $9::bytea[], $10::bytea[])
			AS u(report_key, installation_id, day, ts, received_at, version, schema_version, metrics, environment, share)
	), ids AS (
		SELECT DISTINCT installation_id FROM input
	), created AS (
		INSERT INTO installations (installation_id, created_at)
		SELECT ids.installation_id, $11 FROM ids
		LEFT JOIN LATERAL (SELECT 1 AS hit FROM installations i WHERE i.installation_id = ids.installation_id LIMIT 1) e ON true
		WHERE e.hit IS NULL
		ORDER BY ids.installation_id COLLATE "C"
		ON CONFLICT (installation_id) DO NOTHING
		RETURNING installation_id, num
	), nums AS (
		SELECT installation_id, num FROM created
		UNION ALL
		SELECT ids.installation_id, i.num FROM ids
		CROSS JOIN LATERAL (SELECT num FROM installations i WHERE i.installation_id = ids.installation_id LIMIT 1) i
	), inserted AS (
		INSERT INTO reports (report_key, installation_num, day, ts, received_at, version, schema_version, metrics, environment)
		SELECT input.report_key, nums.num, input.day, input.ts, input.received_at, input.version,
			input.schema_version, input.metrics, input.environment
		FROM input JOIN nums USING (installation_id)
		ORDER BY nums.num, input.report_key
		ON CONFLICT ` + reportConflict + ` DO NOTHING
		RETURNING installation_num, report_key
	), deltas AS (
		INSERT INTO rollup_delta_batches (rows)
		SELECT $12::bytea || string_agg(int4send(inserted.installation_num) || input.share, ''::bytea)
		FROM inserted
		JOIN nums ON nums.num = inserted.installation_num
		JOIN input ON input.installation_id = nums.installation_id AND input.report_key = inserted.report_key
		HAVING count(*) > 0
	)
	SELECT installation_id, num::bigint, NULL FROM nums
	UNION ALL
	SELECT NULL, installation_num::bigint, report_key FROM inserted`

// reportConflict is the idempotency key of reports and error reports,
// their primary key (migration 015): a report is new unless its
// installation stored one with its key. The day is part of it only
// because a partitioned table's unique index must hold the partition key;
// a retry carries the report's own timestamp, hence its day.
const reportConflict = `(installation_num, report_key, day)`

// reportArgs returns the columns of rows as arrays: the arguments $1 to
// $10 of insertBatch.
func reportArgs(rows []store.Raw) []any {
	n := len(rows)
	keys, ids, days, schemas := make([][]byte, n), make([]string, n), make([]int32, n), make([]int32, n)
	times, received := make([]time.Time, n), make([]time.Time, n)
	versions, metrics, envs, shares := make([]string, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
	for i, r := range rows {
		keys[i], ids[i], days[i], schemas[i] = pack.Key(r.Key), r.InstallationID, int32(r.Day), int32(r.SchemaVersion)
		times[i], received[i], versions[i] = r.Time, r.Received, r.Version
		metrics[i], envs[i], shares[i] = pack.Encode(nil, r.Metrics), pack.Encode(nil, r.Environment), r.Share
	}
	return []any{keys, ids, days, times, received, versions, schemas, metrics, envs, shares}
}

// rollback ends a failed transaction on conn; a connection that cannot
// roll back is closed, so the pool never hands it out again.
func rollback(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
		conn.Close(ctx)
	}
}
