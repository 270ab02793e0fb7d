package dashboard_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// now is noon, so that "days ago" never crosses midnight.
var now = time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)

// sent describes one report of the test fleet.
type sent struct {
	inst     int
	daysAgo  int
	version  string
	features []string
	errors   int64
	pg, os   string
	perf     float64
	usage    map[string]report.FeatureUse // schema version 3
}

func (s sent) item(seq int) store.Item {
	ts := now.Add(-time.Duration(s.daysAgo)*24*time.Hour + time.Duration(seq)*time.Second)
	perf := s.perf
	r := &report.Report{
		SchemaVersion: 2, ReportID: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq),
		InstallationID: fmt.Sprintf("inst-%08d", s.inst), Version: s.version, Timestamp: ts.Format(time.RFC3339),
		Metrics: report.Metrics{FeaturesUsed: s.features, IndexesCreated: 2, PerformanceImprovementPct: &perf,
			AlgorithmUsage: map[string]int64{"cert": 4}, AlgorithmDecisions: map[string]int64{"cert": 1}},
		Environment: report.Environment{PostgreSQLVersion: s.pg, OS: s.os},
	}
	if s.errors > 0 {
		r.Metrics.Errors = map[string]int64{"OperationalError": s.errors}
	}
	if s.usage != nil {
		r.SchemaVersion, r.Metrics.FeatureUsage = 3, s.usage
	}
	return store.Item{Key: r.ReportID, Report: r, Time: ts, Received: now}
}

func service(t *testing.T, reports []sent) *dashboard.Service {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	items := make([]store.Item, len(reports))
	for i, r := range reports {
		items[i] = r.item(i + 1)
	}
	if _, err := st.Ingest(ctx, items); err != nil {
		t.Fatal(err)
	}
	return &dashboard.Service{Store: st, AggregateDays: 365}
}

// fleet: installations 1, 2 and 4 report in the last 7 days, 3 only in
// the 7 days before; 4 upgrades from 1.1.0 to 1.2.0 on one day.
var fleet = []sent{
	{inst: 1, daysAgo: 0, version: "1.2.0", features: []string{"auto_indexing", "pattern_detection"}, errors: 2, pg: "16.1", os: "linux", perf: 40},
	{inst: 1, daysAgo: 2, version: "1.1.0", features: []string{"auto_indexing"}, pg: "16.1", os: "linux", perf: 20},
	{inst: 2, daysAgo: 1, version: "1.1.0", features: []string{"pattern_detection"}, pg: "15.4", os: "darwin", perf: 10},
	{inst: 3, daysAgo: 10, version: "1.0.0", features: []string{"auto_indexing"}, pg: "14.2", os: "linux", perf: 5},
	{inst: 4, daysAgo: 3, version: "1.1.0", features: []string{"ab_testing"}, pg: "16.1", os: "linux", perf: 30},
	{inst: 4, daysAgo: 3, version: "1.2.0", features: []string{"ab_testing"}, errors: 1, pg: "16.1", os: "linux", perf: 50},
}

func overview(t *testing.T, s *dashboard.Service, days int, version string) *dashboard.Overview {
	t.Helper()
	ov, err := s.Overview(context.Background(), now, dashboard.OverviewQuery{Period: dashboard.LastDays(now, days), Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return ov
}

func ptr(f float64) *float64 { return &f }

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	d := *a - *b
	return d < 1e-9 && d > -1e-9
}

func checkFigures(t *testing.T, name string, got, want dashboard.Figures) {
	t.Helper()
	g, w := got, want
	g.AvgPerformanceImprovement, g.ErrorRatePct, w.AvgPerformanceImprovement, w.ErrorRatePct = nil, nil, nil, nil
	if g != w || !sameFloat(got.AvgPerformanceImprovement, want.AvgPerformanceImprovement) || !sameFloat(got.ErrorRatePct, want.ErrorRatePct) {
		t.Errorf("%s figures:\n got %+v (avg %v, errors %v)\nwant %+v (avg %v, errors %v)", name, got, fmtp(got.AvgPerformanceImprovement),
			fmtp(got.ErrorRatePct), want, fmtp(want.AvgPerformanceImprovement), fmtp(want.ErrorRatePct))
	}
}

func fmtp(f *float64) string {
	if f == nil {
		return "null"
	}
	return fmt.Sprint(*f)
}

func TestOverviewFiguresAndPreviousPeriod(t *testing.T) {
	ov := overview(t, service(t, fleet), 7, "")
	checkFigures(t, "current", ov.Figures, dashboard.Figures{TotalInstallations: 4, ActiveInstallations: 3, NewInstallations: 3, ReportsLastDay: 1,
		Reports: 5, TotalIndexesCreated: 10, AvgPerformanceImprovement: ptr(30), ErrorRatePct: ptr(40)})
	checkFigures(t, "previous", ov.Previous, dashboard.Figures{TotalInstallations: 1, ActiveInstallations: 1, NewInstallations: 1,
		Reports: 1, TotalIndexesCreated: 2, AvgPerformanceImprovement: ptr(5), ErrorRatePct: ptr(0)})
	if ov.Days != 7 || len(ov.Day) != 7 || ov.To != rollup.DayOf(now).String() || ov.PreviousTo != (rollup.DayOf(now)-7).String() {
		t.Errorf("period: %s..%s (%d days), previous %s..%s", ov.From, ov.To, ov.Days, ov.PreviousFrom, ov.PreviousTo)
	}
	if want := []int64{0, 0, 0, 1, 1, 1, 1}; fmt.Sprint(ov.ActiveByDay) != fmt.Sprint(want) {
		t.Errorf("active by day %v, want %v", ov.ActiveByDay, want)
	}
	if fmt.Sprint(ov.Versions) != "[1.2.0 1.1.0]" {
		t.Errorf("versions %v", ov.Versions)
	}
	// Installation 4 upgraded on day -3: counted once, under 1.2.0.
	want := "[{1.2.0 [0 0 0 1 0 0 1]} {1.1.0 [0 0 0 0 1 1 0]}]"
	if got := fmt.Sprint(ov.VersionByDay); got != want {
		t.Errorf("version by day %s, want %s", got, want)
	}
	if p := ov.PerformanceByVersion[0]; p.Name != "1.2.0" || !sameFloat(p.Values[3], ptr(50)) || p.Values[4] != nil || !sameFloat(p.Values[6], ptr(40)) {
		t.Errorf("performance of 1.2.0: %v", p)
	}
	wantAdoption(t, "features", ov.FeatureAdoption, "auto_indexing:1 ab_testing:1 pattern_detection:2", 3)
	wantAdoption(t, "postgresql", ov.PostgresVersions, "16:2 15:1", 3)
	wantAdoption(t, "os", ov.OperatingSystems, "linux:2 darwin:1", 3)
	if len(ov.Algorithms) != 1 || *ov.Algorithms[0].Uses != 20 || *ov.Algorithms[0].Decisions != 5 || !sameFloat(ov.Algorithms[0].DecisionRatePct, ptr(25)) {
		t.Errorf("algorithms: %+v", ov.Algorithms)
	}
}

// wantAdoption compares name:installations pairs, in any order among
// equal counts, and checks the percentages against active.
func wantAdoption(t *testing.T, what string, got []dashboard.Adoption, want string, active float64) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range got {
		seen[fmt.Sprintf("%s:%d", a.Name, a.Installations)] = true
		if !sameFloat(&a.Pct, ptr(float64(a.Installations)/active*100)) {
			t.Errorf("%s: %s at %v %%", what, a.Name, a.Pct)
		}
	}
	var n int
	for _, w := range splitFields(want) {
		n++
		if !seen[w] {
			t.Errorf("%s: got %+v, want %s", what, got, want)
			return
		}
	}
	if n != len(got) {
		t.Errorf("%s: got %+v, want %s", what, got, want)
	}
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func TestOverviewVersionFilterIntersectsPerDay(t *testing.T) {
	ov := overview(t, service(t, fleet), 7, "1.2.0")
	checkFigures(t, "current", ov.Figures, dashboard.Figures{TotalInstallations: 2, ActiveInstallations: 2, NewInstallations: 2, ReportsLastDay: 1,
		Reports: 2, TotalIndexesCreated: 4, AvgPerformanceImprovement: ptr(45), ErrorRatePct: ptr(100)})
	checkFigures(t, "previous", ov.Previous, dashboard.Figures{})
	// pattern_detection: installation 1 used it while on 1.2.0, 2 only on
	// 1.1.0; auto_indexing: 1 used it on 1.2.0's day too.
	wantAdoption(t, "features", ov.FeatureAdoption, "pattern_detection:1 auto_indexing:1 ab_testing:1", 2)
	wantAdoption(t, "postgresql", ov.PostgresVersions, "16:2", 2)
	wantAdoption(t, "os", ov.OperatingSystems, "linux:2", 2)
	if got := fmt.Sprint(ov.VersionByDay); got != "[{1.2.0 [0 0 0 1 0 0 1]}]" {
		t.Errorf("version by day %s", got)
	}
	if len(ov.ErrorRates) != 1 || ov.ErrorRates[0].Version != "1.2.0" || ov.ErrorRates[0].ReportsWithErrors != 2 {
		t.Errorf("error rates %+v", ov.ErrorRates)
	}
	a := ov.Algorithms
	if len(a) != 1 || a[0].Installations != 2 || a[0].Uses != nil || a[0].DecisionRatePct != nil {
		t.Errorf("algorithms under a filter: %+v", a)
	}
	if fmt.Sprint(ov.Versions) != "[1.2.0 1.1.0]" {
		t.Errorf("filter choices %v, want every version of the period", ov.Versions)
	}
}

func TestOverviewGroupsOtherVersionsExactly(t *testing.T) {
	var reports []sent
	inst := 0
	// Version 1.v.0 has v+1 installations, each reporting today.
	for v := range 11 {
		for range v + 1 {
			inst++
			reports = append(reports, sent{inst: inst, version: fmt.Sprintf("1.%d.0", v), perf: float64(v)})
		}
	}
	ov := overview(t, service(t, reports), 30, "")
	if len(ov.VersionByDay) != dashboard.SeriesVersions+1 {
		t.Fatalf("%d series", len(ov.VersionByDay))
	}
	if ov.VersionByDay[0].Name != "1.10.0" || ov.VersionByDay[7].Name != "1.3.0" || ov.VersionByDay[8].Name != dashboard.OtherVersions {
		t.Errorf("series order: %v", ov.VersionByDay)
	}
	var sum int64
	for _, s := range ov.VersionByDay {
		sum += s.Values[29]
	}
	if sum != int64(inst) || ov.VersionByDay[8].Values[29] != 1+2+3 {
		t.Errorf("today's stack sums to %d of %d installations; other versions %d", sum, inst, ov.VersionByDay[8].Values[29])
	}
	// Other versions' average is over their reports: (0 + 2×1 + 3×2) / 6.
	if p := ov.PerformanceByVersion[8].Values[29]; !sameFloat(p, ptr(8.0/6)) {
		t.Errorf("other versions' improvement %v", fmtp(p))
	}
}

func TestOverviewWithoutData(t *testing.T) {
	ov := overview(t, service(t, nil), 90, "")
	if ov.Figures != (dashboard.Figures{}) || len(ov.Day) != 90 || ov.VersionByDay == nil || ov.FeatureAdoption == nil || ov.Versions == nil || ov.ErrorRates == nil {
		t.Errorf("empty overview: %+v", ov)
	}
	s := service(t, nil)
	if _, err := s.Overview(context.Background(), now, dashboard.OverviewQuery{Period: dashboard.LastDays(now, dashboard.MaxOverviewDays+1)}); err == nil {
		t.Error("an over-long period was accepted")
	}
}
