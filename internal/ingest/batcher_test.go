package ingest_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

type sizes struct {
	mu    sync.Mutex
	sizes []int
}

func (s *sizes) Batch(n int, _ time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.sizes = append(s.sizes, n)
	}
}

func open(t *testing.T) store.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Concurrent submitters share transactions, and every one of them is
// answered only after its report is readable in the store.
func TestGroupCommit(t *testing.T) {
	st := open(t)
	obs := &sizes{}
	b := ingest.New(st, ingest.Config{MaxBatch: 64, MaxWait: 5 * time.Millisecond}, obs)
	defer b.Close()
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			it := storetest.Item(i%10, 0, i, "1.0.0")
			ok, err := b.Submit(context.Background(), it)
			if err != nil || !ok {
				errs <- err
				return
			}
			exp, err := st.ExportInstallation(context.Background(), it.Report.InstallationID)
			if err != nil {
				errs <- err
				return
			}
			for _, r := range exp.Reports {
				if r.Key == it.Key {
					return
				}
			}
			t.Errorf("report %s acknowledged but not stored", it.Key)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Submit: %v", err)
	}
	total := 0
	for _, s := range obs.sizes {
		total += s
	}
	if total != n || len(obs.sizes) >= n {
		t.Fatalf("%d reports in %d batches; want %d reports in fewer batches than reports", total, len(obs.sizes), n)
	}
	// A retry is acknowledged as a duplicate.
	if ok, err := b.Submit(context.Background(), storetest.Item(0, 0, 0, "1.0.0")); err != nil || ok {
		t.Fatalf("resubmitted report: inserted=%v err=%v, want a duplicate", ok, err)
	}
}

// Close racing with submitters: every acknowledged report is stored, every
// refused one is not, and Close returns only after the last commit.
func TestCloseCommitsQueued(t *testing.T) {
	st := open(t)
	b := ingest.New(st, ingest.Config{MaxBatch: 8}, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := 0
	first := make(chan struct{})
	var once sync.Once
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, err := b.Submit(context.Background(), storetest.Item(1, 0, i, "1.0.0"))
			if err == nil && ok {
				mu.Lock()
				acked++
				mu.Unlock()
				once.Do(func() { close(first) })
			} else if err != ingest.ErrClosed {
				t.Errorf("Submit: %v", err)
			}
		}(i)
	}
	<-first // close while most submitters are still queued or arriving
	b.Close()
	wg.Wait()
	if _, err := b.Submit(context.Background(), storetest.Item(1, 0, 999, "1.0.0")); err != ingest.ErrClosed {
		t.Fatalf("Submit after Close: %v, want ErrClosed", err)
	}
	rows, err := st.Rollups(context.Background(), store.RollupQuery{From: 0, To: rollup.DayOf(storetest.Now) + 1, Dims: []string{rollup.DimAll}})
	var stored int64
	if len(rows) == 1 {
		stored = rows[0].Reports
	}
	if err != nil || stored != int64(acked) || acked == 0 {
		t.Fatalf("%d acknowledged, %d stored (%v)", acked, stored, err)
	}
}

// A failed transaction fails every report of its batch; none is stored.
func TestStoreErrorFailsTheBatch(t *testing.T) {
	st := open(t)
	b := ingest.New(st, ingest.Config{}, nil)
	defer b.Close()
	st.Close()
	if _, err := b.Submit(context.Background(), storetest.Item(1, 0, 1, "1.0.0")); err == nil {
		t.Fatal("Submit on a closed store succeeded")
	}
}
