package rollup

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// shareContributions are reports that reach every kind of row: versions,
// features, algorithms, decisions, errors, A/B variants, feature usage,
// latency, extreme counters, and two installations sharing rows.
func shareContributions() []Contribution {
	pct, big := 12.5, -1e12
	day := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	full := &report.Report{Version: "1.2.0", Metrics: report.Metrics{
		FeaturesUsed: []string{"auto_indexing", "pattern_detection"}, IndexesCreated: 4, QueriesAnalyzed: 90_000,
		PerformanceImprovementPct: &pct, AlgorithmUsage: map[string]int64{"cert": 3, "qpg": 0},
		Errors:             map[string]int64{"timeout": 2, "lock": 0},
		QueryLatencyMS:     &report.Latency{P50: 1.5, P95: 9, P99: 30},
		AlgorithmDecisions: map[string]int64{"create": 7},
		ABExperiments:      []report.ABExperiment{{Experiment: "e1", Variant: "a", N: 10, MeanMS: 3.5, VarianceMS: 2}},
		FeatureUsage:       map[string]report.FeatureUse{"auto_indexing": {Uses: 5, Successes: 4}},
	}, Environment: report.Environment{PostgreSQLVersion: "16.2", OS: "linux"}}
	plain := &report.Report{Version: "1.2.0", Metrics: report.Metrics{FeaturesUsed: []string{"auto_indexing"}}}
	extreme := &report.Report{Version: "0.9.0", Metrics: report.Metrics{
		IndexesCreated: math.MaxInt64, QueriesAnalyzed: math.MinInt64, PerformanceImprovementPct: &big,
		ABExperiments: []report.ABExperiment{{Experiment: "e1", Variant: "a", N: math.MaxInt64, MeanMS: 1e300}},
	}}
	return []Contribution{
		{Num: 1, Report: full, Time: day},
		{Num: 70_000, Report: plain, Time: day.Add(time.Hour)},
		{Num: 1, Report: plain, Time: day.Add(-24 * time.Hour)}, // the day before
		{Num: 3, Report: extreme, Time: day},
		{Num: math.MaxInt32, Report: full, Time: day},
	}
}

// numberedShares encodes cs as PostgreSQL assembles a delta batch of
// shares: FormatShares, then each installation's number (int4send) and
// the report's share.
func numberedShares(cs []Contribution) (b []byte, ends []int) {
	b = []byte{FormatShares}
	for _, c := range cs {
		b = binary.BigEndian.AppendUint32(b, c.Num)
		b = AppendShare(b, c.Report, c.Time)
		ends = append(ends, len(b))
	}
	return b, ends
}

// TestSharesAddUpToDeltas: the shares of reports, numbered and decoded,
// are exactly the rows Deltas computes from the same reports.
func TestSharesAddUpToDeltas(t *testing.T) {
	cs := shareContributions()
	for n := range len(cs) + 1 {
		b, _ := numberedShares(cs[:n])
		got, err := DecodeRows(b)
		if err != nil {
			t.Fatal(err)
		}
		want := Deltas(cs[:n])
		keys := SortedKeys(want)
		if len(got) != len(keys) {
			t.Fatalf("%d reports: decoded %d rows, want %d", n, len(got), len(keys))
		}
		for i, k := range keys {
			g, w := got[i], want[k]
			if g.Key != k || g.Counters != w.Counters || !g.Installs.Equals(w.Installs) || g.InstallsN != int64(w.Installs.GetCardinality()) {
				t.Fatalf("%d reports, row %v: got %+v (%v), want %+v (%v)", n, k, g.Counters, g.Installs, w.Counters, w.Installs)
			}
		}
	}
}

// TestDecodeSharesRefusesDamage: a batch cut inside a share, or a share
// of more counters than this release knows, is an error, never a
// silently different set of rows. (A cut between two shares leaves a
// valid batch of fewer reports: the shares carry no count, as the
// database concatenates them.)
func TestDecodeSharesRefusesDamage(t *testing.T) {
	b, ends := numberedShares(shareContributions())
	boundary := map[int]bool{1: true}
	for _, e := range ends {
		boundary[e] = true
	}
	for n := range len(b) {
		if _, err := DecodeRows(b[:n]); err == nil && !boundary[n] && n > 0 {
			t.Fatalf("the first %d of %d bytes decoded without error", n, len(b))
		}
	}
	one := binary.BigEndian.AppendUint32([]byte{FormatShares}, 1)
	one = AppendShare(one, shareContributions()[1].Report, time.Unix(0, 0))
	if int(one[6]) != NumCounters { // after the number and a one-byte day
		t.Fatalf("the counter count is %d, want %d", one[6], NumCounters)
	}
	one[6]++ // a newer release's share
	if _, err := DecodeRows(one); err == nil {
		t.Fatal("a share of more counters than this release knows decoded")
	}
}

// BenchmarkAppendShare encodes the share of a report that reaches every
// kind of row, as each request's handler does.
func BenchmarkAppendShare(b *testing.B) {
	c := shareContributions()[0]
	var buf []byte
	for b.Loop() {
		buf = AppendShare(buf[:0], c.Report, c.Time)
	}
	b.ReportMetric(float64(len(buf)), "bytes/share")
}
