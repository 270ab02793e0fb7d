package fleet_test

import (
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

func TestScenarioRelease(t *testing.T) {
	c := fleet.Config{Installations: 300, Days: 40, Seed: 3, Now: testNow, Scenario: fleet.Scenario{Releases: []fleet.Release{
		{Version: "1.2.0", At: 0.75, ErrorMultiplier: 2, Improvement: 12, MedianLagDays: 2, LagSpread: 0.5},
	}}}
	release := 30 // 0.75 of 40 days
	type tally struct{ reports, errored, installs int }
	byVersion := map[string]*tally{}
	adopted := map[int]map[string]bool{} // day → installations on 1.2.0
	var perf float64
	for _, pl := range fleet.Generate(c) {
		d := dayOf(c, pl.Time)
		v := pl.Report.Version
		if v == "1.2.0" {
			if d < release {
				t.Fatalf("1.2.0 reported on day %d, before its release on day %d", d, release)
			}
			if adopted[d] == nil {
				adopted[d] = map[string]bool{}
			}
			adopted[d][pl.Report.InstallationID] = true
			if p := pl.Report.Metrics.PerformanceImprovementPct; p != nil {
				perf += *p
			}
		}
		if d < release+4 {
			continue
		}
		if byVersion[v] == nil {
			byVersion[v] = &tally{}
		}
		byVersion[v].reports++
		if len(pl.Report.Metrics.Errors) > 0 {
			byVersion[v].errored++
		}
	}
	bad, prev := byVersion["1.2.0"], byVersion["1.1.1"]
	if bad == nil || prev == nil {
		t.Fatalf("versions after the release: %v", byVersion)
	}
	rb, rp := float64(bad.errored)/float64(bad.reports), float64(prev.errored)/float64(prev.reports)
	t.Logf("after day %d: 1.2.0 %d reports, %.1f %% with errors; 1.1.1 %d reports, %.1f %%", release+4, bad.reports, 100*rb, prev.reports, 100*rp)
	if rb < 1.5*rp {
		t.Errorf("a release with 4× 1.1.1's error multiplier has %.1f %% errored reports against %.1f %%", 100*rb, 100*rp)
	}
	// Median lag 2 days: few on the release day, most a week later.
	if n0, n7 := len(adopted[release]), len(adopted[release+7]); n0 > n7/3 || n7 < 150 {
		t.Errorf("installations on 1.2.0: %d on its first day, %d a week later", n0, n7)
	}
}

func TestScenarioSpikeAndWeekends(t *testing.T) {
	c := fleet.Config{Installations: 200, Days: 28, Seed: 4, Now: testNow, Scenario: fleet.Scenario{
		Spikes:          []fleet.ErrorSpike{{Type: "UniqueViolation", Day: -3, Days: 2, Multiplier: 5}},
		WeekendActivity: 0.5,
	}}
	perDay := make([]float64, c.Days)
	reports := make([]float64, c.Days)
	weekday := make([]time.Weekday, c.Days)
	for _, pl := range fleet.Generate(c) {
		d := dayOf(c, pl.Time)
		perDay[d] += float64(pl.Report.Metrics.Errors["UniqueViolation"])
		reports[d]++
		weekday[d] = pl.Time.Weekday()
	}
	before := (perDay[20] + perDay[21] + perDay[22] + perDay[23]) / 4
	spike := (perDay[25] + perDay[26]) / 2 // days -3 and -2
	if spike < 3*before {
		t.Errorf("UniqueViolation errors a day: %.0f in the spike, %.0f before", spike, before)
	}
	var we, wd, nwe, nwd float64
	for d := 1; d < c.Days-1; d++ { // whole days only
		if weekday[d] == time.Saturday || weekday[d] == time.Sunday {
			we, nwe = we+reports[d], nwe+1
		} else {
			wd, nwd = wd+reports[d], nwd+1
		}
	}
	if ratio := (we / nwe) / (wd / nwd); ratio < 0.4 || ratio > 0.6 {
		t.Errorf("weekend reports are %.2f of weekday reports, want about 0.5", ratio)
	}
}

func TestScenarioValidation(t *testing.T) {
	for _, s := range []fleet.Scenario{
		{Releases: []fleet.Release{{Version: "1.1.0"}}},
		{Releases: []fleet.Release{{Version: "not a version!"}}},
		{Spikes: []fleet.ErrorSpike{{Type: "NoSuchError", Days: 1, Multiplier: 2}}},
		{WeekendActivity: 2},
	} {
		_, err := fleet.Run(t.Context(), fleet.Config{Target: "http://127.0.0.1:1", Installations: 1, Days: 1, Scenario: s})
		if err == nil || !strings.Contains(err.Error(), "scenario") {
			t.Errorf("scenario %+v: %v, want a scenario error", s, err)
		}
	}
}
