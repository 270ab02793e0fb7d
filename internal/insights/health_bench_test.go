package insights_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// BenchmarkHealth times release health and anomalies in process on a
// SQLite store of $INDEXPILOT_BENCH_FILL reports (100,000 by default) from
// bench.ReleaseBody's fleet of 20,000 installations; BENCHMARKS.md has the
// end-to-end figures (bench --only releases).
func BenchmarkHealth(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("INDEXPILOT_BENCH_FILL")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := database.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := bench.FillWith(ctx, st, n, func(rng *rand.Rand, now time.Time) []byte { return bench.ReleaseBody(rng, 20000, now) },
		func(string) {}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	h := insights.NewHealth(&dashboard.Service{Store: st})
	now := time.Now()
	for _, days := range []int{30, 90} {
		b.Run("releases/"+strconv.Itoa(days), func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := h.Releases(ctx, now, days); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("anomalies/"+strconv.Itoa(days), func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := h.Anomalies(ctx, now, days); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cpuPerOp reports the process's CPU time per operation (user and
// system), which a machine shared with other work inflates less than the
// wall time: call its result when the loop is done.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N)/1e6, "cpu-ms/op") }
}
