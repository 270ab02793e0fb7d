package ingest_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/postgres"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// holdFirst is a PostgreSQL store whose first batch, once staged, waits
// until another batch has begun (or, if none does, gives up after a
// minute so that the test fails instead of hanging): it shows the
// batcher starting the next batch while one commits.
type holdFirst struct {
	*postgres.Store
	calls      atomic.Int32
	second     chan struct{} // closed when the second batch begins
	overlapped atomic.Bool   // the second began while the first was held
}

func (h *holdFirst) IngestStaged(ctx context.Context, items []store.Item, staged func()) ([]bool, error) {
	if h.calls.Add(1) == 2 {
		close(h.second)
	}
	return h.Store.IngestStaged(ctx, items, func() {
		staged()
		if len(items) == 1 && items[0].Key == "first" {
			select {
			case <-h.second:
				h.overlapped.Store(true)
			case <-time.After(time.Minute):
			}
		}
	})
}

func openPostgres(t *testing.T) *postgres.Store {
	t.Helper()
	return databasetest.Open(t, pgtest.New(t)).(*postgres.Store)
}

// TestNextBatchWhileOneCommits: with two committers, a batch that is
// sent gives the front up, and the next batch is formed
// and stored while the first has not committed; both are answered.
func TestNextBatchWhileOneCommits(t *testing.T) {
	h := &holdFirst{Store: openPostgres(t), second: make(chan struct{})}
	b := ingest.New(h, ingest.Config{Committers: 2}, nil)
	defer b.Close()
	first := storetest.Item(0, 0, 0, "1.0.0")
	first.Key = "first"
	done := make(chan error, 1)
	go func() {
		_, err := b.Submit(context.Background(), first)
		done <- err
	}()
	for h.calls.Load() == 0 { // the first batch has begun
		runtime.Gosched()
	}
	// The first batch is held after its stage until this one begins.
	if ok, err := b.Submit(context.Background(), storetest.Item(1, 0, 1, "1.0.0")); err != nil || !ok {
		t.Fatalf("second report: inserted=%v err=%v", ok, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first report: %v", err)
	}
	if !h.overlapped.Load() {
		t.Fatal("the second batch began only after the first had committed")
	}
}

// TestStagedBatchesCountOnce: many submitters with three committers, half
// of them sending a report another sends too: every report is stored and
// counted once, and each is acknowledged as new exactly once.
func TestStagedBatchesCountOnce(t *testing.T) {
	st := openPostgres(t)
	b := ingest.New(st, ingest.Config{Committers: 3, MaxBatch: 16}, nil)
	const n = 400
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			it := storetest.Item(i/2%20, 0, i/2, "1.0.0") // reports i and i+1 are one report when i is even
			ok, err := b.Submit(context.Background(), it)
			if err != nil {
				t.Errorf("Submit %d: %v", i, err)
			}
			if ok {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	b.Close()
	if fresh.Load() != n/2 {
		t.Fatalf("%d reports acknowledged as new, want %d", fresh.Load(), n/2)
	}
	rows, err := st.Rollups(context.Background(), store.RollupQuery{From: 0, To: rollup.DayOf(storetest.Now) + 1, Dims: []string{rollup.DimAll}})
	if err != nil || len(rows) != 1 || rows[0].Reports != n/2 {
		t.Fatalf("all rows %v (%v), want one of %d reports", rows, err, n/2)
	}
}
