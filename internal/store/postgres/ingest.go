package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
)

// Ingest stores a batch of reports and what they add to the rollups in
// one transaction of one round trip (ingestRound), whatever mix of new
// reports and retries it holds: retries are skipped and add nothing. A
// transaction that PostgreSQL aborts as deadlocked is run again after a
// backoff; docs/ingest.md tells the whole path.
func (s *Store) Ingest(ctx context.Context, items []store.Item) ([]bool, error) {
	return s.IngestStaged(ctx, items, nil)
}

var _ store.StagedIngester = (*Store)(nil)

// IngestStaged is Ingest that calls staged (unless nil) once the batch's
// transaction is sent, so that the next batch may form while this one
// runs and commits. A transaction run again after a deadlock overlaps the
// next batch whole; that is as exact as two processes ingesting at once.
func (s *Store) IngestStaged(ctx context.Context, items []store.Item, staged func()) ([]bool, error) {
	b := store.NewBatch(items)
	now := s.now()
	nums := make(map[string]uint32)
	fresh := make(map[reportID]bool, len(b.Raws))
	todo := slices.Clone(b.Raws)
	// Each round is a transaction of its own: a round leaves out only the
	// rows of installations created by another transaction meanwhile,
	// which the next round, with a newer snapshot, finds.
	for round := 0; len(todo) > 0; round++ {
		if round == 3 {
			return nil, fmt.Errorf("postgres: insert reports: %d installations keep vanishing", len(todo))
		}
		var res roundResult
		err := withRetry(ctx, func() error {
			var err error
			res, err = s.ingestRound(ctx, todo, now, staged)
			staged = nil
			return err
		})
		if err != nil {
			return nil, err
		}
		maps.Copy(nums, res.nums)
		maps.Copy(fresh, res.fresh)
		todo = slices.DeleteFunc(todo, func(r store.Raw) bool { _, ok := nums[r.InstallationID]; return ok })
	}
	inserted := make([]bool, len(b.Raws))
	for j, r := range b.Raws {
		inserted[j] = fresh[reportID{nums[r.InstallationID], string(pack.Key(r.Key))}]
	}
	return b.Inserted(inserted), nil
}

// txn implements store.Tx and store.ErrorTx on one PostgreSQL transaction.
type txn struct{ tx pgx.Tx }

// InstallationNums creates the installations not seen before and returns
// every id's number, holding a key-share lock on each installation so
// that DeleteInstallation cannot remove one under this transaction. Error
// reports use it; report batches resolve installations in insertBatch.
func (t txn) InstallationNums(ctx context.Context, ids []string, now time.Time) (map[string]uint32, error) {
	nums := make(map[string]uint32, len(ids))
	// A copy (each round drops the ids it resolved); the INSERT creates
	// rows in one order so that concurrent batches wait instead of
	// deadlocking.
	missing := slices.Sorted(slices.Values(ids))
	// An installation deleted after the INSERT saw it is skipped by the
	// SELECT; the next round creates it afresh, as a later report would.
	for round := 0; len(missing) > 0; round++ {
		if round == 3 {
			return nil, fmt.Errorf("postgres: installation numbers: %d ids keep vanishing", len(missing))
		}
		b := &pgx.Batch{}
		// query: create-fleet-installations
		// The NOT EXISTS filter keeps known ids from drawing (and wasting)
		// identity values, which ON CONFLICT alone would do.
		//
		// Both statements probe the unique index once per id (a LATERAL
		// subquery with LIMIT cannot be turned into a join): left to
		// itself the planner hashes the whole table, which cost 10 ms a
		// batch at 20,000 installations (EXPLAIN ANALYZE; BenchmarkIngest
		// with BENCH_INST=10000 fell from 16,900 to 4,700 reports/s).
		b.Queue(`INSERT INTO installations (installation_id, created_at)
			SELECT u.id, $2 FROM unnest($1::text[]) AS u(id)
			LEFT JOIN LATERAL (SELECT 1 AS hit FROM installations i WHERE i.installation_id = u.id LIMIT 1) e ON true
			WHERE e.hit IS NULL
			ORDER BY u.id COLLATE "C"
			ON CONFLICT (installation_id) DO NOTHING`, missing, now)
		// query: installation-nums (ids arrive sorted: rows are locked in that order)
		b.Queue(`SELECT u.id, i.num FROM unnest($1::text[]) WITH ORDINALITY AS u(id, ord)
			CROSS JOIN LATERAL (SELECT num FROM installations WHERE installation_id = u.id LIMIT 1 FOR KEY SHARE) i
			ORDER BY u.ord`, missing)
		if err := t.installationRound(ctx, b, nums); err != nil {
			return nil, err
		}
		missing = slices.DeleteFunc(missing, func(id string) bool { _, ok := nums[id]; return ok })
	}
	return nums, nil
}

func (t txn) installationRound(ctx context.Context, b *pgx.Batch, nums map[string]uint32) error {
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("postgres: create installations: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("postgres: installation numbers: %w", err)
	}
	var id string
	var num uint32
	_, err = pgx.ForEachRow(rows, []any{&id, &num}, func() error { nums[id] = num; return nil })
	if err != nil {
		return fmt.Errorf("postgres: installation numbers: %w", err)
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("postgres: installation numbers: %w", err)
	}
	return nil
}

// LoadRollups returns the stored rows of keys, locked for update. keys
// arrive in rollup.Key order, which the "C" collation makes the database's
// order too: rows are claimed and locked in it, so writers cannot deadlock.
//
// Two batches adding to a key with no row would each see none and the
// later write would erase the earlier, so every key first gets an empty
// row of its own (a claim that waits for any other batch inserting it),
// and only then are the rows read and locked. Empty rows equal
// rollup.NewRow; they are never committed without their update.
func (t txn) LoadRollups(ctx context.Context, keys []rollup.Key) (map[rollup.Key]*rollup.Row, error) {
	if len(keys) == 0 {
		return map[rollup.Key]*rollup.Row{}, nil
	}
	days, dims, names := keyArrays(keys)
	empty, err := roaring.New().ToBytes()
	if err != nil {
		return nil, fmt.Errorf("postgres: encode empty bitmap: %w", err)
	}
	b := &pgx.Batch{}
	// query: claim-rollups
	b.Queue(`INSERT INTO rollups (`+rollupColumns+`, installs)
		SELECT day, dim, key, `+zeroCounters+`$4
		FROM unnest($1::int[], $2::text[], $3::text[]) AS k(day, dim, key)
		ORDER BY day, dim COLLATE "C", key COLLATE "C"
		ON CONFLICT (day, dim, key) DO NOTHING`, days, dims, names, empty)
	// query: load-rollups
	b.Queue(`SELECT `+rollupColumns+`, installs FROM rollups
		WHERE (day, dim, key) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))
		ORDER BY day, dim, key
		FOR UPDATE`, days, dims, names)
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("postgres: claim rollups: %w", err)
	}
	res, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: load rollups: %w", err)
	}
	out := make(map[rollup.Key]*rollup.Row, len(keys))
	err = scanRollups(res, true, func(r *rollup.Row) { out[r.Key] = r })
	if err != nil {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: load rollups: %w", err)
	}
	return out, nil
}

// keyArrays splits keys into one array per key column.
func keyArrays(keys []rollup.Key) ([]int32, []string, []string) {
	days, dims, names := make([]int32, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		days[i], dims[i], names[i] = int32(k.Day), k.Dim, k.Key
	}
	return days, dims, names
}

// saveChunk bounds the rows (and bitmaps) sent in one statement; ingest
// batches stay under it, Recompute writes in several statements.
const saveChunk = 2000

// SaveCounters writes the counters of stored rows, not their bitmaps.
func (t txn) SaveCounters(ctx context.Context, rows []*rollup.Row) error {
	for len(rows) > 0 {
		n := min(len(rows), saveChunk)
		args, err := rollupArgs(rows[:n])
		if err != nil {
			return err
		}
		// query: save-rollup-counters
		if _, err := t.tx.Exec(ctx, `UPDATE rollups r SET `+setCounters("u")+`
			FROM (`+unnestRollups+`) AS u(`+rollupColumns+`, installs)
			WHERE r.day = u.day AND r.dim = u.dim AND r.key = u.key`, args...); err != nil {
			return fmt.Errorf("postgres: write rollup counters: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// SaveRollups writes rows, replacing stored ones.
func (t txn) SaveRollups(ctx context.Context, rows []*rollup.Row) error {
	// query: save-rollups
	return t.writeChunks(ctx, `INSERT INTO rollups (`+rollupColumns+`, installs) `+unnestRollups+`
		ON CONFLICT (day, dim, key) DO UPDATE SET `+setCounters("EXCLUDED")+`,
			installs_n = EXCLUDED.installs_n, installs = EXCLUDED.installs`, rows)
}

// TakeDeltas deletes and returns every pending delta the statement sees;
// deltas committed later stay for the next time.
func (t txn) TakeDeltas(ctx context.Context) ([]*rollup.Row, error) {
	// query: take-delta-batches
	rows, err := t.tx.Query(ctx, `DELETE FROM rollup_delta_batches RETURNING rows`)
	if err != nil {
		return nil, fmt.Errorf("postgres: take delta batches: %w", err)
	}
	return readDeltas(rows)
}

// readDeltas decodes the delta batches of rows (one column, the encoded
// rows) and closes rows.
func readDeltas(res pgx.Rows) ([]*rollup.Row, error) {
	var out []*rollup.Row
	var blob []byte
	_, err := pgx.ForEachRow(res, []any{&blob}, func() error {
		rows, err := rollup.DecodeRows(blob)
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read delta batches: %w", err)
	}
	return out, nil
}

// writeChunks runs insert with rollupArgs of rows, saveChunk rows at a time.
func (t txn) writeChunks(ctx context.Context, insert string, rows []*rollup.Row) error {
	for len(rows) > 0 {
		n := min(len(rows), saveChunk)
		args, err := rollupArgs(rows[:n])
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, insert, args...); err != nil {
			return fmt.Errorf("postgres: write rollups: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// rollupArgs returns one array per column of rollupColumns and installs.
func rollupArgs(rows []*rollup.Row) ([]any, error) {
	n := len(rows)
	days, dims, names, bitmaps := make([]int32, n), make([]string, n), make([]string, n), make([][]byte, n)
	var counters [rollup.NumCounters + 1][]int64 // the counters, then installs_n
	for c := range counters {
		counters[c] = make([]int64, n)
	}
	for i, r := range rows {
		r.Installs.RunOptimize()
		b, err := r.Installs.ToBytes()
		if err != nil {
			return nil, fmt.Errorf("postgres: encode bitmap of %v: %w", r.Key, err)
		}
		days[i], dims[i], names[i], bitmaps[i] = int32(r.Day), r.Dim, r.Key.Key, b
		for c, p := range r.Counters.Fields() {
			counters[c][i] = *p
		}
		counters[rollup.NumCounters][i] = int64(r.Installs.GetCardinality())
	}
	args := []any{days, dims, names}
	for _, c := range counters {
		args = append(args, c)
	}
	return append(args, bitmaps), nil
}

// scanRollups scans rows of rollupColumns (and installs, with bitmap),
// passing each to fn, and closes rows.
func scanRollups(rows pgx.Rows, bitmap bool, fn func(*rollup.Row)) error {
	if !bitmap {
		return scanRollupsWith(rows, nil, func(r *rollup.Row, _ []any) error { fn(r); return nil })
	}
	return scanRollupsWith(rows, func() []any { return []any{new([]byte)} }, func(r *rollup.Row, extra []any) error {
		var err error
		if r.Installs, err = rollup.BitmapOf(*extra[0].(*[]byte)); err != nil { // this row's own copy
			return fmt.Errorf("postgres: decode bitmap of %v: %w", r.Key, err)
		}
		fn(r)
		return nil
	})
}

// scanRollupsWith scans rows of rollupColumns followed by the columns
// that extra's new destinations take (none when extra is nil), passing
// each row and its extra values to fn, and closes rows.
func scanRollupsWith(rows pgx.Rows, extra func() []any, fn func(*rollup.Row, []any) error) error {
	defer rows.Close()
	for rows.Next() {
		r := &rollup.Row{}
		var day int32
		var ex []any
		if extra != nil {
			ex = extra()
		}
		dest := make([]any, 0, rollup.NumCounters+4+len(ex))
		dest = append(dest, &day, &r.Dim, &r.Key.Key)
		for _, p := range r.Counters.Fields() {
			dest = append(dest, p)
		}
		dest = append(dest, &r.InstallsN)
		if err := rows.Scan(append(dest, ex...)...); err != nil {
			return fmt.Errorf("postgres: scan rollup: %w", err)
		}
		r.Day = rollup.Day(day)
		if err := fn(r, ex); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read rollups: %w", err)
	}
	return nil
}
