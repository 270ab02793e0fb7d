package postgres

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// bitmapFetches is a pgx tracer that counts the statements fetching
// rollup bitmaps by key: the cache's misses.
type bitmapFetches struct{ n atomic.Int64 }

func (c *bitmapFetches) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, "xmin::text::bigint, installs FROM") {
		c.n.Add(1)
	}
	return ctx
}
func (c *bitmapFetches) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// openOn opens another store (another process's) on dsn, closed after t.
func openOn(t *testing.T, dsn string, tracer pgx.QueryTracer) *Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tracer
	s, err := openConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBitmapCacheAcrossProcesses reads through a caching store while
// another store on the same database adds late reports, compacts, erases
// an installation and recomputes: every read must equal an uncached
// one, and a read after no change must fetch no bitmap.
func TestBitmapCacheAcrossProcesses(t *testing.T) {
	dsn := pgtest.New(t)
	writer := openOn(t, dsn, nil)
	if err := writer.Migrate(ctx(t)); err != nil {
		t.Fatal(err)
	}
	fetches := &bitmapFetches{}
	cached := openOn(t, dsn, fetches)
	uncached := openOn(t, dsn, nil)
	uncached.SetBitmapCache(0)
	all := store.RollupQuery{From: 0, To: rollup.DayOf(storetest.Now) + 400, Bitmaps: true}
	check := func(what string) {
		t.Helper()
		got, err := cached.Rollups(ctx(t), all)
		if err != nil {
			t.Fatal(err)
		}
		want, err := uncached.Rollups(ctx(t), all)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: no rows", what)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Key != w.Key || g.Counters != w.Counters || g.InstallsN != w.InstallsN || !g.Installs.Equals(w.Installs) {
				t.Fatalf("%s: row %v = %+v %v, want %+v %v", what, g.Key, g.Counters, g.Installs.ToArray(), w.Counters, w.Installs.ToArray())
			}
		}
	}
	compact := func() {
		t.Helper()
		for n, err := writer.Compact(ctx(t)); n > 0 || err != nil; n, err = writer.Compact(ctx(t)) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := writer.Ingest(ctx(t), batch(0, 300, 40, 10, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	compact()
	check("first read")
	n := fetches.n.Load()
	// A reader may modify the rows it gets: the cache must not change.
	rows, err := cached.Rollups(ctx(t), all)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[rollup.Key]string{}
	for k, e := range cached.bitmaps.entries {
		kept[k] = string(e.data)
	}
	for _, r := range rows {
		r.Installs.Add(1 << 20)
		r.Installs.AddRange(0, 3000)
		r.Installs.Or(rows[0].Installs)
		r.Installs.Remove(0)
		r.Installs.RunOptimize()
	}
	for k, e := range cached.bitmaps.entries {
		if string(e.data) != kept[k] {
			t.Fatalf("modifying a row read changed the cached bitmap of %v", k)
		}
	}
	check("second read, after a reader modified its rows")
	if fetches.n.Load() != n {
		t.Fatalf("a read after no change fetched bitmaps %d times", fetches.n.Load()-n)
	}

	// Late reports of new installations for past days, pending, then
	// compacted into the rows already cached.
	if _, err := writer.Ingest(ctx(t), batch(1000, 50, 70, 10, "1.1.0")); err != nil {
		t.Fatal(err)
	}
	check("late reports pending")
	compact()
	check("late reports compacted")
	if fetches.n.Load() == n {
		t.Fatal("changed rows were served from the cache without a fetch")
	}

	if _, err := writer.DeleteInstallation(ctx(t), storetest.Item(3, 0, 0, "").Report.InstallationID); err != nil {
		t.Fatal(err)
	}
	check("after an erasure")
	if err := writer.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	check("after Recompute")
	today := rollup.DayOf(storetest.Now)
	if _, err := writer.Retain(ctx(t), today-4, today-7); err != nil {
		t.Fatal(err)
	}
	check("after retention")

	cached.SetBitmapCache(1) // smaller than any bitmap: nothing kept
	check("with a tiny cache")
	n = fetches.n.Load()
	check("with a tiny cache again")
	if fetches.n.Load() == n {
		t.Fatal("a cache of 1 byte served bitmaps")
	}
}
