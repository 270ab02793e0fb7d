package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// benchBatch is the size of one group commit of the HTTP service.
var benchBatch = envInt("BENCH_BATCH", 500)

// benchItems returns batch number i: benchBatch new reports from 100
// installations over 3 days, under 4 versions.
func benchItems(i int64) []store.Item {
	items := batch(int(i)*benchBatch, benchBatch, envInt("BENCH_INST", 100), 3, fmt.Sprintf("1.%d.0", i%4))
	for j := range items {
		items[j].Key = fmt.Sprintf("bench-%d-%d", i, j)
	}
	return items
}

// BenchmarkIngest ingests batches one after another, as one group-commit
// writer does.
func BenchmarkIngest(b *testing.B) {
	s := open(b, nil)
	b.ResetTimer()
	for i := range b.N {
		items := benchItems(int64(i))
		if _, err := s.Ingest(context.Background(), items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkIngestParallel ingests batches from several goroutines at
// once, contending for the same rollup rows.
func BenchmarkIngestParallel(b *testing.B) {
	s := open(b, nil)
	var next atomic.Int64
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Ingest(context.Background(), benchItems(next.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "reports/s")
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkIngestRetries is BenchmarkIngest with half of each batch
// retries: the new half of the previous batch, sent again (a retry storm
// after an outage). reports/s counts the new reports and the
// retries alike, as the HTTP service answers both.
func BenchmarkIngestRetries(b *testing.B) {
	s := open(b, nil)
	if _, err := s.Ingest(context.Background(), benchItems(0)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		retried := benchItems(int64(i))[benchBatch/2:]
		fresh := benchItems(int64(i) + 1)[benchBatch/2:]
		if _, err := s.Ingest(context.Background(), append(retried, fresh...)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "reports/s")
}
