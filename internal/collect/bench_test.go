package collect

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchSize is the speed target: a large IndexPilot database.
var benchSize = fixtureSize{QueryStats: 1_000_000, MutationLog: 100_000, AlgorithmUsage: 200_000, ABResults: 20_000, Tenants: 250, Span: 30 * 24 * time.Hour}

// BenchmarkCollect measures a first report (7 days, no cursor) and a
// report one day after the previous one, on benchSize. Run with
//
//	go test ./internal/collect -run XXX -bench Collect -benchtime 5x
//
// It reports the wall time of the first collection and the median one,
// and the process's peak RSS (VmHWM), which includes the test binary and
// the fixture set-up.
func BenchmarkCollect(b *testing.B) {
	url := newIndexPilotDB(b, benchSize)
	conn := connect(b, url)
	now := time.Now()
	dayAgo := now.Add(-24 * time.Hour)
	incremental := Cursor{Until: dayAgo}
	err := conn.QueryRow(context.Background(), `SELECT
		(SELECT max(id) FROM query_stats WHERE created_at < $1::timestamptz),
		(SELECT max(id) FROM mutation_log WHERE created_at < $1::timestamptz),
		(SELECT max(id) FROM algorithm_usage WHERE created_at < $1::timestamptz),
		(SELECT max(id) FROM ab_experiment_results WHERE created_at < $1::timestamptz)`, dayAgo).Scan(
		&incremental.QueryStatsID, &incremental.MutationLogID, &incremental.AlgorithmUsageID, &incremental.ABResultsID)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		cursor Cursor
	}{{"full-7d", Cursor{}}, {"incremental-1d", incremental}} {
		b.Run(c.name, func(b *testing.B) {
			o := Options{DatabaseURL: url, Version: "1.1.0a8", Salt: testSalt, ConfigPath: "/nonexistent",
				Now: func() time.Time { return now }, Getenv: func(string) string { return "" }, Cursor: c.cursor}
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := Collect(context.Background(), o)
				times = append(times, time.Since(start))
				if err != nil || len(res.Notes) > 0 || res.Metrics.QueriesAnalyzed == 0 {
					b.Fatalf("Collect: %v, notes %q", err, res.Notes)
				}
			}
			b.ReportMetric(ms(times[0]), "first-ms")
			slices.Sort(times)
			b.ReportMetric(ms(times[len(times)/2]), "median-ms")
			b.ReportMetric(peakRSSMB(b), "peak-RSS-MB")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSSMB reads VmHWM, the process's peak resident set, from /proc.
func peakRSSMB(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0 // not Linux
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	return 0
}
