package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

// pipeTx is the transaction of one ingest batch, written for few round
// trips: BEGIN travels with the first
// statement, and the rollup deltas, which nothing in the batch reads back,
// travel with COMMIT. A batch therefore costs two round trips: on a busy
// two-core machine each one waits for two processes to be scheduled,
// which was most of a batch's time when each statement had its own
// (BENCHMARKS.md).
//
// It implements store.Writer.
type pipeTx struct {
	conn  *pgx.Conn
	begun bool
	tail  pgx.Batch // statements sent with COMMIT
}

var _ store.Writer = (*pipeTx)(nil)

// send sends b, preceded by BEGIN and the shared deleteLock when it is the
// transaction's first, and runs each of its results through read.
func (t *pipeTx) send(ctx context.Context, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	first := !t.begun
	if first {
		head := beginIngest()
		head.QueuedQueries = append(head.QueuedQueries, b.QueuedQueries...)
		b = head
		t.begun = true
	}
	br := t.conn.SendBatch(ctx, b)
	if first {
		if err := readBegin(br); err != nil {
			br.Close()
			return err
		}
	}
	if err := read(br); err != nil {
		br.Close()
		return err
	}
	return br.Close()
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

// rollback ends the transaction unless it was committed.
func (t *pipeTx) rollback() {
	if t.begun && t.conn.PgConn().TxStatus() != 'I' {
		rollback(t.conn)
	}
}

// commit sends the statements kept for it, then COMMIT, in one round trip.
func (t *pipeTx) commit(ctx context.Context) error {
	n := len(t.tail.QueuedQueries)
	// query: commit-ingest
	t.tail.Queue(`COMMIT`)
	err := t.send(ctx, &t.tail, func(br pgx.BatchResults) error {
		for range n {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("postgres: write rollup deltas: %w", err)
			}
		}
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("postgres: commit: %w", err)
		}
		return nil
	})
	if err == nil && t.conn.PgConn().TxStatus() != 'I' {
		// COMMIT of a failed transaction answers ROLLBACK, not an error.
		return errors.New("postgres: commit: the transaction was rolled back")
	}
	return err
}

// InsertReports resolves the rows' installations and inserts the rows
// whose keys are new, in one statement per round. A round leaves out only
// the rows of installations that another transaction created after the
// statement began (their INSERT waited and skipped; the snapshot misses
// them): the next round, with a newer snapshot, finds them.
func (t *pipeTx) InsertReports(ctx context.Context, rows []store.Raw, now time.Time) ([]bool, error) {
	fresh := make(map[reportID]bool, len(rows))
	nums := make(map[string]uint32)
	// In key order, so that batches sharing keys wait on each other in one
	// order instead of deadlocking.
	todo := slices.SortedFunc(slices.Values(rows), func(a, b store.Raw) int { return strings.Compare(a.Key, b.Key) })
	for round := 0; len(todo) > 0; round++ {
		if round == 3 {
			return nil, fmt.Errorf("postgres: insert reports: %d installations keep vanishing", len(todo))
		}
		b := &pgx.Batch{}
		b.Queue(insertReports, append(reportArgs(todo, false), now)...)
		err := t.send(ctx, b, func(br pgx.BatchResults) error {
			res, err := br.Query()
			if err != nil {
				return fmt.Errorf("postgres: insert reports: %w", err)
			}
			var id *string
			var key []byte
			var num int64
			_, err = pgx.ForEachRow(res, []any{&id, &num, &key}, func() error {
				if key != nil {
					fresh[reportID{uint32(num), string(key)}] = true
				} else {
					nums[*id] = uint32(num)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("postgres: insert reports: %w", err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		todo = slices.DeleteFunc(todo, func(r store.Raw) bool { _, ok := nums[r.InstallationID]; return ok })
	}
	inserted := make([]bool, len(rows))
	for i := range rows {
		rows[i].Num = nums[rows[i].InstallationID]
		inserted[i] = fresh[reportID{rows[i].Num, string(pack.Key(rows[i].Key))}]
	}
	return inserted, nil
}

// reportID is what identifies a stored report: its installation and its
// key (migration 015), in its stored form (pack.Key, migration 017).
type reportID struct {
	num uint32
	key string
}

// query: insert-reports
// Creates the installations not seen before, inserts the reports whose
// keys are new to their installations and returns one row per
// installation it resolved (its id, its number and NULL) and one per
// report it inserted (NULL, its installation's number and its key).
//
// The installation probes go through the unique index once per id (a
// LATERAL subquery with LIMIT is never turned into a join): left to itself
// the planner hashes the whole table, which cost 10 ms a batch at 20,000
// installations. The NOT EXISTS filter keeps known ids from drawing (and
// wasting) identity values, which ON CONFLICT alone would do. Rows are
// created and inserted in one order, so that concurrent batches wait
// instead of deadlocking.
const insertReports = `WITH input AS (
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::int[], $4::timestamptz[], $5::timestamptz[],
			$6::text[], $7::int[], $8::bytea[], $9::bytea[])
			AS u(report_key, installation_id, day, ts, received_at, version, schema_version, metrics, environment)
	), ids AS (
		SELECT DISTINCT installation_id FROM input
	), created AS (
		INSERT INTO installations (installation_id, created_at)
		SELECT ids.installation_id, $10 FROM ids
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

// reportArgs returns the report columns of rows as arrays: the arguments
// $1 to $9 of insertReports, or of insertKnownReports with nums set (the
// installations' numbers instead of their ids).
func reportArgs(rows []store.Raw, nums bool) []any {
	n := len(rows)
	keys, days, schemas := make([][]byte, n), make([]int32, n), make([]int32, n)
	times, received := make([]time.Time, n), make([]time.Time, n)
	versions, metrics, envs := make([]string, n), make([][]byte, n), make([][]byte, n)
	var ids []string
	var numbers []int32
	if nums {
		numbers = make([]int32, n)
	} else {
		ids = make([]string, n)
	}
	for i, r := range rows {
		keys[i], days[i], schemas[i] = pack.Key(r.Key), int32(r.Day), int32(r.SchemaVersion)
		times[i], received[i], versions[i] = r.Time, r.Received, r.Version
		metrics[i], envs[i] = pack.Encode(nil, r.Metrics), pack.Encode(nil, r.Environment)
		if nums {
			numbers[i] = int32(r.Num)
		} else {
			ids[i] = r.InstallationID
		}
	}
	var who any = ids
	if nums {
		who = numbers
	}
	return []any{keys, who, days, times, received, versions, schemas, metrics, envs}
}

// InsertDeltas keeps the batch's delta rows, encoded as one value, for
// COMMIT's round trip: no row lock, no read, nothing the batch waits for.
func (t *pipeTx) InsertDeltas(ctx context.Context, rows []*rollup.Row) error {
	if len(rows) == 0 {
		return nil
	}
	blob, err := rollup.AppendRows(nil, rows)
	if err != nil {
		return err
	}
	// query: insert-delta-batch
	t.tail.Queue(`INSERT INTO rollup_delta_batches (rows) VALUES ($1)`, blob)
	return nil
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
