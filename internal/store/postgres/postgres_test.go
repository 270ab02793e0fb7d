package postgres

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, nil) })
}

// open returns a migrated store on a fresh database, closed after t; a
// non-nil tracer sees every statement.
func open(t testing.TB, tracer *counter) *Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	s, err := openConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func queryInt(t testing.TB, s *Store, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.pool.QueryRow(ctx(t), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.New(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(ctx(t), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(ctx(t))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: Migrate: %v", i, err)
		}
	}
	s, err := Open(ctx(t), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx(t)); err != nil {
		t.Fatalf("Migrate once more: %v", err)
	}
	files, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM schema_migrations`); n != int64(len(files)) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(files))
	}
}

// TestDocumentsArePacked checks that a report's metrics and environment
// are stored packed (migration 016), smaller than their JSON, and read
// back as that JSON.
func TestDocumentsArePacked(t *testing.T) {
	s := open(t, nil)
	it := storetest.Item(4, 0, 3, "1.1.0")
	if _, err := s.Ingest(ctx(t), []store.Item{it}); err != nil {
		t.Fatal(err)
	}
	var metrics, env []byte
	err := s.pool.QueryRow(ctx(t), `SELECT metrics, environment FROM reports WHERE report_key = $1`,
		pack.Key(it.Key)).Scan(&metrics, &env)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		stored []byte
		json   []byte
	}{
		{"metrics", metrics, it.Report.Metrics.AppendJSON(nil)},
		{"environment", env, it.Report.Environment.AppendJSON(nil)},
	} {
		if len(c.stored) == 0 || c.stored[0] != pack.FormatDict1 || len(c.stored) >= len(c.json) {
			t.Errorf("%s stored as %x (%d bytes), want format %d, smaller than its %d bytes of JSON",
				c.name, c.stored, len(c.stored), pack.FormatDict1, len(c.json))
		}
		if got, err := pack.Decode(nil, c.stored); err != nil || !bytes.Equal(got, c.json) {
			t.Errorf("%s reads back as %s (%v), want %s", c.name, got, err, c.json)
		}
	}
}

// counter is a pgx tracer that counts the statements and pipelines sent,
// each one round trip.
type counter struct{ n atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// batch returns n items from inst installations over days days, each
// with a key of its own starting at first.
func batch(first, n, inst, days int, version string) []store.Item {
	items := make([]store.Item, n)
	for i := range items {
		// A key is one report: the same installation and timestamp
		// whichever batch carries it, as a client's retry does.
		items[i] = storetest.Item((first+i)%inst, (first+i)%days, (first+i)%1000, version)
		items[i].Key = fmt.Sprintf("report-%09d", first+i)
	}
	return items
}

func TestIngestBatchInConstantRoundTrips(t *testing.T) {
	tracer := &counter{}
	s := open(t, tracer)
	ingest := func(items []store.Item) int64 {
		t.Helper()
		before := tracer.n.Load()
		ingestFresh(t, s, items)
		return tracer.n.Load() - before
	}
	ingest(batch(0, 1, 1, 1, "0.9.0"))
	// Batches that bring new installations (and new rollup keys): one
	// round trip, whatever their size.
	small := ingest(batch(1, 10, 10, 2, "1.0.0"))
	large := ingest(batch(11, 1000, 300, 3, "2.0.0"))
	if small != 1 || large != 1 {
		t.Fatalf("round trips: %d for 10 reports, %d for 1000; want 1", small, large)
	}
	// New reports of known installations: the same one.
	small = ingest(batch(2000, 10, 10, 2, "1.0.0"))
	large = ingest(batch(3000, 1000, 300, 3, "2.0.0"))
	if small != 1 || large != 1 {
		t.Fatalf("round trips of known installations' reports: %d for 10, %d for 1000; want 1", small, large)
	}
	if _, err := s.Compact(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, s, `SELECT sum(reports) FROM rollups WHERE dim = 'all'`); n != 2021 {
		t.Fatalf("all rows count %d reports, want 2021", n)
	}
	if n := queryInt(t, s, `SELECT max(num) FROM installations`); n != 300 {
		t.Fatalf("max installation number %d after 300 installations", n)
	}
	before := storetest.Snapshot(t, s)
	// Half retries, half new: still one round trip (no failed attempt
	// replayed on another path), and only the new half is inserted.
	mixed := append(batch(3000, 500, 300, 3, "2.0.0"), batch(5000, 500, 300, 3, "2.0.0")...)
	trips := tracer.n.Load()
	ins, err := s.Ingest(ctx(t), mixed)
	if err != nil {
		t.Fatal(err)
	}
	if n := tracer.n.Load() - trips; n != 1 {
		t.Fatalf("a batch half of retries took %d round trips, want 1", n)
	}
	for i, ok := range ins {
		if ok != (i >= 500) {
			t.Fatalf("item %d of the mixed batch: inserted %v, want %v", i, ok, i >= 500)
		}
	}
	if _, err := s.Compact(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, s, `SELECT sum(reports) FROM rollups WHERE dim = 'all'`); n != 2521 {
		t.Fatalf("all rows count %d reports after the mixed batch, want 2521", n)
	}
	before = storetest.Snapshot(t, s)
	ins, err = s.Ingest(ctx(t), batch(3000, 1000, 300, 3, "2.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	for i, ok := range ins {
		if ok {
			t.Fatalf("retried item %d inserted again", i)
		}
	}
	after := storetest.Snapshot(t, s)
	if len(after) != len(before) {
		t.Fatalf("retry changed the rollups: %d rows, was %d", len(after), len(before))
	}
	for i := range after {
		if after[i].Counters != before[i].Counters || !after[i].Installs.Equals(before[i].Installs) {
			t.Fatalf("retry changed row %v", after[i].Key)
		}
	}
	if n := queryInt(t, s, `SELECT max(num) FROM installations`); n != 300 {
		t.Fatalf("known installations drew identity values: max number %d, want 300", n)
	}
}

// TestFailedBatchStoresNothing: when the rollup deltas of a batch fail
// to be written, none of the batch's reports or
// installations stay stored, the error reaches the caller, and the
// connections go back to the pool usable.
func TestFailedBatchStoresNothing(t *testing.T) {
	s := open(t, nil)
	_, err := s.pool.Exec(ctx(t), `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
		$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$;
		CREATE TRIGGER refuse BEFORE INSERT ON rollup_delta_batches FOR EACH ROW EXECUTE FUNCTION refuse()`)
	if err != nil {
		t.Fatal(err)
	}
	items := batch(0, 50, 20, 2, "1.0.0")
	for range maxConns + 1 {
		if _, err := s.Ingest(ctx(t), items); err == nil {
			t.Fatal("Ingest succeeded although its deltas were refused")
		}
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports`); n != 0 {
		t.Fatalf("%d reports of failed batches stored", n)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM installations`); n != 0 {
		t.Fatalf("%d installations of failed batches stored", n)
	}
	if _, err := s.pool.Exec(ctx(t), `DROP TRIGGER refuse ON rollup_delta_batches`); err != nil {
		t.Fatal(err)
	}
	for range maxConns + 1 { // every pooled connection, none left in a transaction
		if _, err := s.Ingest(ctx(t), items); err != nil {
			t.Fatal(err)
		}
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports`); n != 50 {
		t.Fatalf("%d reports stored, want 50", n)
	}
}

// TestConcurrentIngestExact makes workers race to create the same new
// rollup rows: each round every worker sends, at once, a batch under a
// version no row has yet, overlapping the other workers' reports.
func TestConcurrentIngestExact(t *testing.T) {
	s := open(t, nil)
	const workers, rounds, size = 6, 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for r := range rounds {
		version := fmt.Sprintf("9.%d.0", r)
		for w := range workers {
			// Workers overlap by half a batch with the next one.
			first := r*workers*size/2 + w*size/2
			items := batch(first, size, 40, 3, version)
			wg.Go(func() {
				if _, err := s.Ingest(ctx(t), items); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Ingest: %v", err)
	}
	distinct := rounds*workers*size/2 + size/2
	if n := queryInt(t, s, `SELECT count(*) FROM reports`); n != int64(distinct) {
		t.Fatalf("%d reports stored, want %d", n, distinct)
	}
	if _, err := s.Compact(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, dim := range []string{rollup.DimAll, rollup.DimVersion, rollup.DimPostgres} {
		if n := queryInt(t, s, `SELECT sum(reports) FROM rollups WHERE dim = $1`, dim); n != int64(distinct) {
			t.Fatalf("%s rows count %d reports, want %d", dim, n, distinct)
		}
	}
	got := storetest.Snapshot(t, s)
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	equal(t, got, storetest.Snapshot(t, s))
}

// TestDeleteAndRecomputeDuringIngest deletes an installation and
// recomputes while batches that include it keep arriving: no report may
// outlive its installation, batches after the erasure fail whole (the
// installation is not created again), and the rollups must equal a
// recompute.
func TestDeleteAndRecomputeDuringIngest(t *testing.T) {
	s := open(t, nil)
	const victim = "inst-00000000" // storetest.Item's id of installation 0
	// The victim exists before the first erasure: erasing an id never
	// seen leaves no tombstone (nothing was stored to protect), so on a
	// slow machine five erasures that all ran before the workers' first
	// batch would let that batch create it, as it should.
	if _, err := s.Ingest(ctx(t), batch(4200, 7, 7, 3, "1.0.0")); err != nil { // 4200 % 7 == 0: the victim first
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				_, err := s.Ingest(ctx(t), batch((w*10+i)*100, 100, 7, 3, "1.0.0"))
				if err != nil && errCode(err) != codeErased {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := s.DeleteInstallation(ctx(t), victim); err != nil && err != store.ErrNotFound {
				errs <- err
			}
			if err := s.Recompute(ctx(t)); err != nil {
				errs <- err
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports r
		WHERE NOT EXISTS (SELECT 1 FROM installations i WHERE i.num = r.installation_num)`); n != 0 {
		t.Fatalf("%d reports outlived their installation", n)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM installations WHERE installation_id = $1`, victim); n != 0 {
		t.Fatal("the erased installation was created again")
	}
	var live []*rollup.Row
	for _, r := range storetest.Snapshot(t, s) {
		if r.Reports != 0 || r.InstallsN != 0 {
			live = append(live, r)
		}
	}
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	equal(t, live, storetest.Snapshot(t, s))
}

func equal(t *testing.T, got, want []*rollup.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rollup rows, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Counters != w.Counters || g.InstallsN != w.InstallsN || !g.Installs.Equals(w.Installs) {
			t.Fatalf("row %d = %v %+v n=%d, want %v %+v n=%d", i, g.Key, g.Counters, g.InstallsN, w.Key, w.Counters, w.InstallsN)
		}
	}
}

// TestOldDeltasFoldedByMigration010: delta rows that a server older than
// migration 006 left pending in rollup_deltas become delta batches at
// migration 010, which drops the table; they are read and compacted once,
// like the batches' own. Both orders are tried: a database created at
// 006 and upgraded (010 runs before 070 and 090, which then skip the
// dropped table), and one that had every other migration (010 runs last,
// with the columns they added).
func TestOldDeltasFoldedByMigration010(t *testing.T) {
	const cols002 = "reports, total, indexes_created, indexes_recommended, queries_analyzed, perf_sum, perf_n, " +
		"error_reports, errors, lat_p50_sum, lat_p95_sum, lat_p99_sum, lat_n"
	for _, c := range []struct {
		name   string
		before func(version int) bool // the migrations applied before the old row is written
		cols   string                 // rollup_deltas' counter columns then
	}{
		{"from 006", func(v int) bool { return v <= 6 }, cols002 + ", ab_sum"},
		{"010 last", func(v int) bool { return v != 10 }, cols002 + ", ab_sum, perf_sum_sq, usage_cross"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := pgxpool.ParseConfig(pgtest.New(t))
			if err != nil {
				t.Fatal(err)
			}
			s, err := openConfig(ctx(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			ms, err := store.Migrations(migrations)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if c.before(m.Version) {
					if err := s.migrate(ctx(t), m); err != nil {
						t.Fatal(err)
					}
				}
			}
			day := rollup.DayOf(time.Now())
			key := rollup.Key{Day: day, Dim: rollup.DimVersion, Key: "0.9.0 ✓"}
			old := rollup.NewRow(key)
			old.Installs.AddMany([]uint32{4242, 70000, 1 << 20})
			bitmap, err := old.Installs.ToBytes()
			if err != nil {
				t.Fatal(err)
			}
			// Counters with values of one to six varint bytes, and 0 in
			// every column not named.
			n := len(strings.Split(c.cols, ", "))
			values := []any{int32(day), key.Dim, key.Key, int64(3), bitmap}
			ph := "$1, $2, $3, $4, $5"
			for i := range n {
				values = append(values, oldCounter(i))
				ph += fmt.Sprintf(", $%d", 6+i)
			}
			if _, err := s.pool.Exec(ctx(t), `INSERT INTO rollup_deltas (day, dim, key, installs_n, installs, `+c.cols+`)
				SELECT `+ph, values...); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if n := queryInt(t, s, `SELECT count(*) FROM pg_tables WHERE tablename = 'rollup_deltas'`); n != 0 {
				t.Fatal("rollup_deltas still there after migration 010")
			}
			items := batch(0, 20, 5, 1, "1.0.0")
			if _, err := s.Ingest(ctx(t), items); err != nil {
				t.Fatal(err)
			}
			check := func(when string) {
				t.Helper()
				var got *rollup.Row
				for _, r := range storetest.Snapshot(t, s) {
					if r.Key == key {
						got = r
					}
				}
				if got == nil {
					t.Fatalf("%s: the old delta row is gone", when)
				}
				want := map[string]int64{}
				for i, col := range strings.Split(c.cols, ", ") {
					want[col] = oldCounter(i)
				}
				for i, col := range rollup.CounterColumns() {
					if v := *got.Counters.Fields()[i]; v != want[col] {
						t.Errorf("%s: %s = %d, want %d", when, col, v, want[col])
					}
				}
				if got.InstallsN != 3 || !got.Installs.Equals(old.Installs) {
					t.Errorf("%s: installations %v, want %v", when, got.Installs.ToArray(), old.Installs.ToArray())
				}
			}
			check("pending")
			if n, err := s.Compact(ctx(t)); err != nil || n == 0 {
				t.Fatalf("Compact: %d rows, %v", n, err)
			}
			if n := queryInt(t, s, `SELECT count(*) FROM rollup_delta_batches`); n != 0 {
				t.Fatalf("%d delta batches left after compaction", n)
			}
			check("compacted")
		})
	}
}

// oldCounter is the value TestOldDeltasFoldedByMigration010 writes in the
// i-th counter column it names.
func oldCounter(i int) int64 { return int64(i+1) << (7 * (i % 6)) }

// TestInstallationDeletedElsewhere: a process that stored reports of an
// installation, erased meanwhile by another process, neither
// stores the installation's next report under the old number nor creates
// the installation again: the batch fails whole, and the same batch
// without that report is then stored, each report counted once.
func TestInstallationDeletedElsewhere(t *testing.T) {
	url := pgtest.New(t)
	stores := make([]*Store, 2)
	for i := range stores {
		s, err := Open(ctx(t), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx(t)); err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	a, other := stores[0], stores[1]
	if _, err := a.Ingest(ctx(t), batch(0, 20, 4, 1, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ingest(ctx(t), batch(20, 20, 4, 1, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	gone := storetest.Item(1, 0, 0, "1.0.0").Report.InstallationID
	oldNum := queryInt(t, a, `SELECT num FROM installations WHERE installation_id = $1`, gone)
	if n, err := other.DeleteInstallation(ctx(t), gone); err != nil || n != 10 {
		t.Fatalf("DeleteInstallation: %d reports, %v; want 10", n, err)
	}
	late := batch(40, 8, 4, 1, "1.0.0")
	if _, err := a.Ingest(ctx(t), late); errCode(err) != codeErased {
		t.Fatalf("a batch with a report of the erased installation: %v, want SQLSTATE %s", err, codeErased)
	}
	if n := queryInt(t, a, `SELECT count(*) FROM installations WHERE installation_id = $1`, gone); n != 0 {
		t.Fatal("the erased installation was created again")
	}
	if n := queryInt(t, a, `SELECT count(*) FROM reports WHERE installation_num = $1`, oldNum); n != 0 {
		t.Fatalf("%d reports stored under the erased number", n)
	}
	var rest []store.Item
	for _, it := range late {
		if it.Report.InstallationID != gone {
			rest = append(rest, it)
		}
	}
	ingestFresh(t, a, rest)
	for _, r := range storetest.Snapshot(t, a) {
		if r.Dim == rollup.DimAll {
			if r.Reports != 36 || r.Installs.Contains(uint32(oldNum)) {
				t.Fatalf("all row: %d reports, installations %v; want 36 without %d", r.Reports, r.Installs.ToArray(), oldNum)
			}
		}
	}
}

// ingestFresh ingests items, none of them stored before, into s, and
// fails t unless every one of them is inserted.
func ingestFresh(t *testing.T, s *Store, items []store.Item) {
	t.Helper()
	ins, err := s.Ingest(ctx(t), items)
	if err != nil {
		t.Fatal(err)
	}
	for i, ok := range ins {
		if !ok {
			t.Fatalf("item %d of a fresh batch not inserted", i)
		}
	}
}
