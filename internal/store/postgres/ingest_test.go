package postgres

import (
	"context"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// TestInstallationCreatedMeanwhile: when another transaction creates one
// of a batch's installations while the batch's statement runs, the
// statement waits for it, cannot see it (its snapshot is older) and
// leaves that installation's reports out; the store sends them in a
// transaction of its own. Every report is stored and acknowledged once,
// under the number the other transaction gave the installation, and the
// rollups are what Recompute makes of the reports.
func TestInstallationCreatedMeanwhile(t *testing.T) {
	tracer := &counter{}
	s := open(t, tracer)
	items := batch(0, 12, 3, 1, "1.0.0")
	late := items[1].Report.InstallationID
	// Connections of their own, so that the tracer counts the store's
	// round trips alone.
	conns := make([]*pgx.Conn, 2)
	for i := range conns {
		c, err := pgx.Connect(ctx(t), s.pool.Config().ConnString())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		conns[i] = c
	}
	other, watch := conns[0], conns[1]
	if _, err := other.Exec(ctx(t), `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var num int64
	if err := other.QueryRow(ctx(t), `INSERT INTO installations (installation_id, created_at) VALUES ($1, now())
		RETURNING num`, late).Scan(&num); err != nil {
		t.Fatal(err)
	}
	before := tracer.n.Load()
	type result struct {
		ins []bool
		err error
	}
	done := make(chan result, 1)
	go func() {
		ins, err := s.Ingest(ctx(t), items)
		done <- result{ins, err}
	}()
	// The batch's statement waits for the other transaction's row.
	deadline := ctx(t) // a hang fails the test instead
	for waiting := 0; waiting == 0; runtime.Gosched() {
		if err := watch.QueryRow(deadline, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.Exec(ctx(t), `COMMIT`); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	for i, ok := range r.ins {
		if !ok {
			t.Fatalf("report %d not acknowledged as new", i)
		}
	}
	if n := tracer.n.Load() - before; n != 2 {
		t.Fatalf("%d round trips, want 2: the batch, then the reports of the installation created meanwhile", n)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports WHERE installation_num = $1`, num); n != 4 {
		t.Fatalf("%d reports under the number the other transaction gave, want 4", n)
	}
	again, err := s.Ingest(ctx(t), items)
	if err != nil {
		t.Fatal(err)
	}
	for i, ok := range again {
		if ok {
			t.Fatalf("retried report %d stored again", i)
		}
	}
	storetest.RecomputeMatches(t, s, "after a batch split by an installation created meanwhile")
	var all int64
	for _, row := range storetest.Snapshot(t, s) {
		if row.Dim == rollup.DimAll {
			all += row.Reports
		}
	}
	if all != int64(len(items)) {
		t.Fatalf("the all rows count %d reports, want %d", all, len(items))
	}
}
