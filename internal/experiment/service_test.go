package experiment_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// The service keeps each day's rows between analyses; a new report, a
// late one and an erasure are all seen at the next analysis.
func TestServiceSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	svc := &experiment.Service{Store: st, Now: func() time.Time { return now }, RawRetention: 90 * 24 * time.Hour}
	start := now.Add(-5 * 24 * time.Hour)
	if _, err := svc.Create(ctx, experiment.Spec{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"},
		Metric: store.MetricPerformance, MinEffect: 1, Start: &start}); err != nil {
		t.Fatal(err)
	}
	seq := 0
	send := func(inst int, daysAgo int, variant string, perf float64) {
		t.Helper()
		seq++
		ts := now.Add(-time.Duration(daysAgo) * 24 * time.Hour)
		r := &report.Report{SchemaVersion: 3, ReportID: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq),
			InstallationID: fmt.Sprintf("inst-%08d", inst), Version: "1.2.0", Timestamp: ts.Format(time.RFC3339),
			Metrics: report.Metrics{PerformanceImprovementPct: &perf, Experiments: map[string]string{"cert_threshold_v2": variant}}}
		if _, err := st.Ingest(ctx, []store.Item{{Key: r.ReportID, Report: r, Time: ts, Received: now}}); err != nil {
			t.Fatal(err)
		}
	}
	means := func() (float64, float64, int) {
		t.Helper()
		a, err := svc.Analyze(ctx, "cert_threshold_v2")
		if err != nil {
			t.Fatal(err)
		}
		return *a.Variants[0].Mean, *a.Variants[1].Mean, a.Variants[0].Installations + a.Variants[1].Installations
	}
	send(1, 3, "control", 10)
	send(2, 3, "treatment", 20)
	if c, tr, n := means(); c != 10 || tr != 20 || n != 2 {
		t.Fatalf("means %v %v of %d installations, want 10, 20 of 2", c, tr, n)
	}
	send(1, 0, "control", 20) // today
	send(3, 2, "control", 30) // a late report, two days back
	if c, _, n := means(); c != (15+30)/2.0 || n != 3 {
		t.Errorf("after a report today and a late one: control mean %v of %d installations, want 22.5 of 3", c, n)
	}
	if _, err := st.DeleteInstallation(ctx, "inst-00000003"); err != nil {
		t.Fatal(err)
	}
	if c, _, n := means(); c != 15 || n != 2 {
		t.Errorf("after erasing an installation: control mean %v of %d installations, want 15 of 2", c, n)
	}
}
