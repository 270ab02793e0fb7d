package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
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
