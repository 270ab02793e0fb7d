package fleet_test

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func TestGenerateDeterministic(t *testing.T) {
	c := fleet.Config{Installations: 30, Days: 20, Seed: 7, RetryRate: 0.05, Now: testNow}
	a, b := fleet.Generate(c), fleet.Generate(c)
	if len(a) == 0 {
		t.Fatal("no reports")
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	c.Seed = 8
	if other := fleet.Generate(c); len(other) > 0 && other[0].Report.ReportID == a[0].Report.ReportID {
		t.Fatal("another seed gives the same report ids")
	}
}

// TestGenerateValid checks every report against the contract, over the
// longest period so that the oldest reports test the retention margin.
func TestGenerateValid(t *testing.T) {
	now := time.Date(2026, 11, 20, 23, 50, 0, 0, time.UTC) // day 0 begins 10 minutes after the retention limit
	c := fleet.Config{Installations: 40, Days: fleet.MaxDays, Seed: 1, RetryRate: 0.1, Now: now}
	plan := fleet.Generate(c)
	start := now.Add(-time.Duration(c.Days) * 24 * time.Hour)
	ids := map[string]bool{}
	resent := 0
	for i, pl := range plan {
		body, err := json.Marshal(pl.Report)
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.Decode(body, now, 90*24*time.Hour)
		if err != nil {
			t.Fatalf("report %d: %v\n%s", i, err, body)
		}
		// Run sends the oldest reports first, but a server's clock moves on.
		if _, err := report.Decode(body, now.Add(30*time.Minute), 90*24*time.Hour); err != nil {
			t.Fatalf("report %d, half an hour later: %v", i, err)
		}
		if d.SchemaVersion != 2+min(len(d.Metrics.FeatureUsage), 1) || len(d.Ignored) > 0 {
			t.Errorf("report %d: schema_version %d, ignored %v", i, d.SchemaVersion, d.Ignored)
		}
		if !d.Time.Equal(pl.Time) || d.Time.Before(start) || !d.Time.Before(now) {
			t.Errorf("report %d: time %v (planned %v) outside [%v, %v)", i, d.Time, pl.Time, start, now)
		}
		if i > 0 && pl.Time.Truncate(24*time.Hour).Before(plan[i-1].Time.Truncate(24*time.Hour)) {
			t.Errorf("report %d: the day goes back", i) // Run sends day after day
		}
		if u, err := uuid.Parse(pl.Report.ReportID); err != nil || u.Version() != 4 {
			t.Errorf("report %d: report_id %q is not a UUID v4", i, pl.Report.ReportID)
		}
		if ids[pl.Report.ReportID] {
			t.Errorf("report %d: report_id %s used twice", i, pl.Report.ReportID)
		}
		ids[pl.Report.ReportID] = true
		if pl.Resend {
			resent++
		}
		m := pl.Report.Metrics
		if m.IndexesCreated > m.IndexesRecommended {
			t.Errorf("report %d: %d indexes created of %d recommended", i, m.IndexesCreated, m.IndexesRecommended)
		}
		for name, n := range m.AlgorithmDecisions {
			if n > m.AlgorithmUsage[name] {
				t.Errorf("report %d: %s decided %d times in %d runs", i, name, n, m.AlgorithmUsage[name])
			}
		}
	}
	if share := float64(resent) / float64(len(plan)); share < 0.07 || share > 0.13 {
		t.Errorf("%d of %d reports are re-sent, want about 10%%", resent, len(plan))
	}
}

// TestGenerateRealism checks the patterns the insights are meant to find.
func TestGenerateRealism(t *testing.T) {
	c := fleet.Config{Installations: 300, Days: 60, Seed: 42, Now: testNow}
	plan := fleet.Generate(c)
	type stat struct {
		reports, errs, perfN int
		perf                 float64
	}
	byVersion := map[string]*stat{}
	perDay := make([]map[int]bool, c.Days)
	predictive := make([]int, c.Days)
	auto := 0
	for _, pl := range plan {
		r := pl.Report
		s := byVersion[r.Version]
		if s == nil {
			s = &stat{}
			byVersion[r.Version] = s
		}
		s.reports++
		for _, n := range r.Metrics.Errors {
			s.errs += int(n)
		}
		if p := r.Metrics.PerformanceImprovementPct; p != nil {
			s.perf += *p
			s.perfN++
		}
		day := dayOf(c, pl.Time)
		if perDay[day] == nil {
			perDay[day] = map[int]bool{}
		}
		perDay[day][pl.Installation] = true
		if slices.Contains(r.Metrics.FeaturesUsed, "predictive_indexing") {
			predictive[day]++
			if report.CompareVersions(r.Version, "1.1.0a8") < 0 {
				t.Errorf("predictive_indexing reported by %s", r.Version)
			}
		}
		if slices.Contains(r.Metrics.FeaturesUsed, "auto_indexing") {
			auto++
		}
	}
	for _, v := range []string{"1.0.0", "1.0.1", "1.1.0a8", "1.1.0", "1.1.1"} {
		if byVersion[v] == nil || byVersion[v].perfN < 20 {
			t.Fatalf("version %s: too few reports: %+v", v, byVersion[v])
		}
	}
	perf := func(v string) float64 { return byVersion[v].perf / float64(byVersion[v].perfN) }
	errRate := func(v string) float64 { return float64(byVersion[v].errs) / float64(byVersion[v].reports) }
	if !(perf("1.1.0a8") < perf("1.0.1") && perf("1.0.1") < perf("1.1.0") && perf("1.1.0") < perf("1.1.1")) {
		t.Errorf("mean improvement 1.0.1 %.1f, 1.1.0a8 %.1f, 1.1.0 %.1f, 1.1.1 %.1f: want the a8 regression and newer better",
			perf("1.0.1"), perf("1.1.0a8"), perf("1.1.0"), perf("1.1.1"))
	}
	for _, v := range []string{"1.0.0", "1.0.1", "1.1.0", "1.1.1"} {
		if errRate("1.1.0a8") < 1.5*errRate(v) {
			t.Errorf("errors per report: 1.1.0a8 %.2f, %s %.2f: want a8 clearly worse", errRate("1.1.0a8"), v, errRate(v))
		}
	}
	// The first and last days are partial: use the ones next to them.
	first, last := len(perDay[1]), len(perDay[c.Days-2])
	if last < first*5/4 {
		t.Errorf("installations reporting on the first day %d, on the last %d: want the fleet to grow", first, last)
	}
	if predictive[c.Days-2] <= 3*predictive[c.Days/3] {
		t.Errorf("predictive_indexing reports on day %d: %d, on day %d: %d: want adoption to rise",
			c.Days/3, predictive[c.Days/3], c.Days-2, predictive[c.Days-2])
	}
	if share := float64(auto) / float64(len(plan)); math.Abs(share-0.9) > 0.06 {
		t.Errorf("auto_indexing in %.0f%% of reports, want about 90%%", 100*share)
	}
	churned := 0
	for inst := range c.Installations {
		if perDay[c.Days/2][inst] && !perDay[c.Days-2][inst] && !perDay[c.Days-3][inst] && !perDay[c.Days-4][inst] {
			churned++
		}
	}
	if churned == 0 {
		t.Error("no installation stopped reporting")
	}
}

// dayOf returns the index of t's UTC day in the period of c, which ends
// with the day of c.Now.
func dayOf(c fleet.Config, t time.Time) int {
	start := c.Now.Truncate(24 * time.Hour).Add(-time.Duration(c.Days-1) * 24 * time.Hour)
	return int(t.Sub(start) / (24 * time.Hour))
}
