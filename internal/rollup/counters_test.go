package rollup

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// TestCounterList checks that counterList declares every field of
// Counters, which must hold int64 fields only (values relies on it), each
// with a column of its own.
func TestCounterList(t *testing.T) {
	typ := reflect.TypeFor[Counters]()
	if typ.NumField() != len(counterList) || NumCounters != len(counterList) {
		t.Fatalf("Counters has %d fields (NumCounters %d), counterList %d entries", typ.NumField(), NumCounters, len(counterList))
	}
	column := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for f := range typ.Fields() {
		if f.Type.Kind() != reflect.Int64 {
			t.Errorf("Counters.%s is %s, not int64", f.Name, f.Type)
		}
	}
	cols := CounterColumns()
	for _, c := range cols {
		if !column.MatchString(c) || slices.Contains([]string{"day", "dim", "key", "installs", "installs_n"}, c) {
			t.Errorf("column %q is not a fresh lower-case name", c)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(cols)))) != len(cols) {
		t.Errorf("columns repeat: %q", cols)
	}
	var c Counters
	for i, p := range c.Fields() {
		*p = int64(i + 1)
	}
	if c.Reports != 1 || c.IndexesCreated != 3 || c.UsageSuccSq != int64(NumCounters) || c.PerfSumSq != int64(NumCounters-4) {
		t.Errorf("Fields() is not in declaration order: %+v", c)
	}
}

// TestDeltasByHand checks every counter of every row two reports add to,
// against figures worked out by hand (not by the code under test).
func TestDeltasByHand(t *testing.T) {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	r1 := &report.Report{Version: "1.1.0", Metrics: report.Metrics{
		FeaturesUsed: []string{"auto_indexing", "ab_testing"}, IndexesCreated: 3, IndexesRecommended: 5, QueriesAnalyzed: 100,
		PerformanceImprovementPct: report.Float(12.5), AlgorithmUsage: map[string]int64{"cert": 4},
		AlgorithmDecisions: map[string]int64{"cert": 2}, Errors: map[string]int64{"E1": 2, "E2": 1},
		QueryLatencyMS: &report.Latency{P50: 1.5, P95: 2.25, P99: 3.125},
		ABExperiments:  []report.ABExperiment{{Experiment: "0123456789abcdef", Variant: "a", N: 10, MeanMS: 2, VarianceMS: 0.5}},
		FeatureUsage:   map[string]report.FeatureUse{"auto_indexing": {Uses: 120, Successes: 117}, "qpg": {Uses: 3}},
	}, Environment: report.Environment{PostgreSQLVersion: "15.4", OS: "linux"}}
	r2 := &report.Report{Version: "1.1.0", Metrics: report.Metrics{
		FeaturesUsed: []string{"auto_indexing"}, IndexesCreated: 1, QueriesAnalyzed: 50,
		AlgorithmUsage: map[string]int64{"cert": 1, "qpg": 6},
		FeatureUsage:   map[string]report.FeatureUse{"auto_indexing": {Uses: 10, Successes: 4}, "big": {Uses: 1 << 27, Successes: 1 << 26}},
	}, Environment: report.Environment{PostgreSQLVersion: "9.6.24", OS: "darwin"}}
	rows := Deltas([]Contribution{{Num: 1, Report: r1, Time: day}, {Num: 2, Report: r2, Time: day}})

	// What each report adds to every row it counts in: perf 12.5 % is
	// 125,000 in 1/10,000ths, its square 156.25 is 1,562,500; latencies
	// in microseconds.
	one := Counters{Reports: 1, IndexesCreated: 3, IndexesRecommended: 5, QueriesAnalyzed: 100, PerfSum: 125_000, PerfN: 1,
		ErrorReports: 1, Errors: 3, LatP50Sum: 1500, LatP95Sum: 2250, LatP99Sum: 3125, LatN: 1, PerfSumSq: 1_562_500}
	two := Counters{Reports: 1, IndexesCreated: 1, QueriesAnalyzed: 50}
	both := Counters{Reports: 2, IndexesCreated: 4, IndexesRecommended: 5, QueriesAnalyzed: 150, PerfSum: 125_000, PerfN: 1,
		ErrorReports: 1, Errors: 3, LatP50Sum: 1500, LatP95Sum: 2250, LatP99Sum: 3125, LatN: 1, PerfSumSq: 1_562_500}
	with := func(c Counters, total int64) Counters { c.Total = total; return c }
	want := map[string]struct {
		c        Counters
		installs []uint32
	}{
		"all/":                  {both, []uint32{1, 2}},
		"version/1.1.0":         {both, []uint32{1, 2}},
		"feature/auto_indexing": {both, []uint32{1, 2}},
		"feature/ab_testing":    {one, []uint32{1}},
		"algorithm/cert":        {with(both, 5), []uint32{1, 2}},
		"algorithm/qpg":         {with(two, 6), []uint32{2}},
		"decision/cert":         {with(one, 2), []uint32{1}},
		"error/E1":              {with(one, 2), []uint32{1}},
		"error/E2":              {with(one, 1), []uint32{1}},
		// The version's errored reports: only r1, and its errors by type.
		"version_errored/1.1.0":  {one, []uint32{1}},
		"version_error/1.1.0/E1": {with(one, 2), []uint32{1}},
		"version_error/1.1.0/E2": {with(one, 1), []uint32{1}},
		"pg/15":                  {one, []uint32{1}},
		"pg/9.6":                 {two, []uint32{2}},
		"os/linux":               {one, []uint32{1}},
		"os/darwin":              {two, []uint32{2}},
		// n 10, mean 2 ms, variance 0.5 ms²: sum 10 × 2 ms = 20,000 µs;
		// sum of squares (9 × 0.5 + 10 × 4) = 44.5 ms² = 4,450 (0.1 ms)².
		"ab/0123456789abcdef/a": {Counters{Reports: 1, Total: 10, ABSum: 20_000, ABSumSq: 4450}, []uint32{1}},
		// Uses 120 + 10, successes 117 + 4; u² 14,400 + 100; s·u 14,040 +
		// 40; s² 13,689 + 16.
		"usage/auto_indexing": {Counters{Reports: 2, Total: 130, UsageSuccesses: 121, UsageUsesSq: 14_500, UsageCross: 14_080,
			UsageSuccSq: 13_705}, []uint32{1, 2}},
		"usage/qpg": {Counters{Reports: 1, Total: 3, UsageUsesSq: 9}, []uint32{1}},
		// 2^27 uses: u² = 2^54 and s·u = 2^53 are held at 2^50; s² = 2^52 too.
		"usage/big": {Counters{Reports: 1, Total: 1 << 27, UsageSuccesses: 1 << 26, UsageUsesSq: 1 << 50, UsageCross: 1 << 50,
			UsageSuccSq: 1 << 50}, []uint32{2}},
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows, want %d", len(rows), len(want))
	}
	for k, r := range rows {
		w, ok := want[k.Dim+"/"+k.Key]
		switch {
		case !ok:
			t.Errorf("unexpected row %v", k)
		case k.Day != DayOf(day):
			t.Errorf("%v: day %v", k, k.Day)
		case r.Counters != w.c:
			t.Errorf("%s/%s:\n got %+v\nwant %+v", k.Dim, k.Key, r.Counters, w.c)
		case !slices.Equal(r.Installs.ToArray(), w.installs):
			t.Errorf("%s/%s: installations %v, want %v", k.Dim, k.Key, r.Installs.ToArray(), w.installs)
		}
	}
}
