package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Experiment returns a valid experiment called name that starts start.
func Experiment(name string, start time.Time) store.Experiment {
	return store.Experiment{Name: name, Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5},
		Metric: store.MetricPerformance, HigherIsBetter: true, MinEffect: 1, Start: start, Created: start}
}

// testExperimentRegistry: what is created reads back the same, names are
// unique, and an experiment ends once.
func testExperimentRegistry(t *testing.T, s store.Store) {
	c := ctx(t)
	if _, err := s.Experiment(c, "nothing_here"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown experiment: %v, want ErrNotFound", err)
	}
	later := Experiment("later_one", Now.Add(-time.Hour))
	end := Now.Add(30*24*time.Hour + 1500*time.Microsecond)
	first := store.Experiment{Name: "cert_threshold_v2", Variants: []string{"control", "a", "b"},
		Split: []float64{0.5, 0.3, 0.2}, Metric: store.MetricLatencyP95, HigherIsBetter: false, MinEffect: 0.25,
		Start: Now.Add(-48*time.Hour + 123*time.Microsecond), End: &end, Created: Now}
	for _, e := range []store.Experiment{later, first} {
		if err := s.CreateExperiment(c, e); err != nil {
			t.Fatalf("create %s: %v", e.Name, err)
		}
	}
	if err := s.CreateExperiment(c, Experiment("later_one", Now)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the same name again: %v, want ErrConflict", err)
	}
	got, err := s.Experiment(c, first.Name)
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("read back:\n got %+v (%v)\nwant %+v", got, err, first)
	}
	list, err := s.ListExperiments(c)
	if err != nil || len(list) != 2 || list[0].Name != first.Name || list[1].Name != later.Name {
		t.Fatalf("list: %+v (%v), want by start time", list, err)
	}
	if !reflect.DeepEqual(list[1], later) {
		t.Errorf("listed:\n got %+v\nwant %+v", list[1], later)
	}

	// Ending: now for the open-ended one; a later end leaves an earlier one.
	if err := s.EndExperiment(c, later.Name, Now); err != nil {
		t.Fatal(err)
	}
	if err := s.EndExperiment(c, later.Name, Now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.EndExperiment(c, first.Name, Now); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{later.Name, first.Name} {
		e, err := s.Experiment(c, name)
		if err != nil || e.End == nil || !e.End.Equal(Now) {
			t.Errorf("%s after ending at %s: end %v (%v)", name, Now, e.End, err)
		}
		if e.Running(Now) || !e.Running(Now.Add(-time.Minute)) {
			t.Errorf("%s: running at its end, or not a minute before", name)
		}
	}
	if err := s.EndExperiment(c, "nothing_here", Now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ending an unknown experiment: %v, want ErrNotFound", err)
	}
}

// testReportDayCounts: a day's count changes when a report of it is
// stored or deleted, and only then.
func testReportDayCounts(t *testing.T, s store.Store) {
	c := ctx(t)
	today := rollup.DayOf(Now)
	counts := func() map[rollup.Day]int64 {
		t.Helper()
		m, err := s.ReportDayCounts(c, today-5, today)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ingest(t, s, []store.Item{Item(1, 0, 1, "1.1.0"), Item(2, 0, 2, "1.1.0"), Item(1, 2, 3, "1.1.0"), Item(3, 9, 4, "1.1.0")})
	if got := counts(); len(got) != 2 || got[today] != 2 || got[today-2] != 1 {
		t.Fatalf("counts %v: want 2 reports today, 1 two days ago, none outside the days asked", got)
	}
	ingest(t, s, []store.Item{Item(1, 0, 1, "1.1.0"), Item(4, 2, 5, "1.1.0")}) // a retry, and a late report
	if got := counts(); got[today] != 2 || got[today-2] != 2 {
		t.Errorf("after a retry and a late report two days back: %v", got)
	}
	if _, err := s.DeleteInstallation(c, "inst-00000002"); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got[today] != 1 {
		t.Errorf("after erasing one of today's installations: %v, want 1 report today", got)
	}
}

// assigned is Item with an assignment to each named experiment (pairs of
// name and variant) and the given improvement (nil: none), errors and
// p95 latency.
func assigned(inst, daysAgo, seq int, perf *float64, errs int64, p95 float64, pairs ...string) store.Item {
	it := Item(inst, daysAgo, seq, "1.2.0")
	m := &it.Report.Metrics
	it.Report.SchemaVersion = 3
	m.PerformanceImprovementPct, m.Errors, m.IndexesCreated = perf, nil, int64(seq)
	if errs > 0 {
		m.Errors = map[string]int64{"OperationalError": errs}
	}
	m.QueryLatencyMS = &report.Latency{P50: 1, P95: p95, P99: p95}
	for i := 0; i+1 < len(pairs); i += 2 {
		if m.Experiments == nil {
			m.Experiments = map[string]string{}
		}
		m.Experiments[pairs[i]] = pairs[i+1]
	}
	return it
}

// testExperimentUnitDays: the reports that carry an assignment to the
// experiment, of the days asked, in day order, with each metric as
// store.ExperimentMetrics defines it.
func testExperimentUnitDays(t *testing.T, s store.Store) {
	c := ctx(t)
	const exp = "cert_threshold_v2"
	ingest(t, s, []store.Item{
		assigned(1, 0, 1, report.Float(12.5), 0, 20, exp, "control", "other_one", "a"),
		assigned(1, 2, 2, report.Float(10), 3, 30, exp, "control"),
		assigned(2, 1, 3, nil, 1, 40, exp, "treatment"),
		assigned(3, 1, 4, report.Float(-5), 0, 50, "other_one", "b"), // another experiment only
		assigned(4, 9, 5, report.Float(1), 0, 60, exp, "treatment"),  // before the days asked
		Item(5, 0, 6, "1.1.0"), // no assignment at all
	})
	today := rollup.DayOf(Now)
	for _, tc := range []struct {
		metric string
		want   []store.UnitDay // Installation left 0: numbers are the store's own
	}{
		{store.MetricPerformance, []store.UnitDay{
			{Day: today - 2, Variant: "control", Reports: 1, Sum: 10, N: 1},
			{Day: today - 1, Variant: "treatment", Reports: 1},
			{Day: today, Variant: "control", Reports: 1, Sum: 12.5, N: 1}}},
		{store.MetricErrorRate, []store.UnitDay{
			{Day: today - 2, Variant: "control", Reports: 1, Sum: 100, N: 1},
			{Day: today - 1, Variant: "treatment", Reports: 1, Sum: 100, N: 1},
			{Day: today, Variant: "control", Reports: 1, Sum: 0, N: 1}}},
		{store.MetricLatencyP95, []store.UnitDay{
			{Day: today - 2, Variant: "control", Reports: 1, Sum: 30, N: 1},
			{Day: today - 1, Variant: "treatment", Reports: 1, Sum: 40, N: 1},
			{Day: today, Variant: "control", Reports: 1, Sum: 20, N: 1}}},
		{store.MetricIndexesCreated, []store.UnitDay{
			{Day: today - 2, Variant: "control", Reports: 1, Sum: 2, N: 1},
			{Day: today - 1, Variant: "treatment", Reports: 1, Sum: 3, N: 1},
			{Day: today, Variant: "control", Reports: 1, Sum: 1, N: 1}}},
	} {
		rows, err := s.ExperimentUnitDays(c, store.ExperimentQuery{Name: exp, Metric: tc.metric, From: today - 5, To: today})
		if err != nil {
			t.Fatalf("%s: %v", tc.metric, err)
		}
		if len(rows) == 3 && (rows[0].Installation != rows[2].Installation || rows[1].Installation == rows[0].Installation) {
			t.Errorf("%s: installations %v: want the same one on the first and last day", tc.metric, rows)
		}
		for i := range rows {
			rows[i].Installation = 0
		}
		if !reflect.DeepEqual(rows, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.metric, rows, tc.want)
		}
	}
	if _, err := s.ExperimentUnitDays(c, store.ExperimentQuery{Name: exp, Metric: "happiness", From: today, To: today}); err == nil {
		t.Error("an unknown metric was read")
	}
}
