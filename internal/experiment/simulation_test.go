//go:build !race

// The simulations are pure arithmetic, one goroutine per run: the race
// detector would only make them ten times slower, so scripts/test.sh runs
// them without it.

package experiment

import (
	"runtime"
	"slices"
	"sync"
	"testing"
)

// The figures these simulations print are the ones docs/experiments.md
// quotes; each is seeded, so a run gives the same figures anywhere.

// count runs fn for seeds 1..runs on every core and counts the runs for
// which it returns true.
func count(runs int, fn func(seed uint64) bool) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := 0
	seeds := make(chan uint64)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for s := range seeds {
				if fn(s) {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		})
	}
	for s := range uint64(runs) {
		seeds <- s + 1
	}
	close(seeds)
	wg.Wait()
	return n
}

// TestAAFalsePositivesUnderDailyLooks: A/A experiments, looked at every
// day for 30 days, are declared different in at most 5 % of 1,000 runs.
func TestAAFalsePositivesUnderDailyLooks(t *testing.T) {
	const runs = 1000
	var mu sync.Mutex
	srm, noDifference := 0, 0
	fp := count(runs, func(seed uint64) bool {
		a := standard.analyze(standard.rows(seed), 2)
		mu.Lock()
		defer mu.Unlock()
		if slices.ContainsFunc(a.History, func(d Day) bool { return d.SRMWarning }) {
			srm++
		}
		if a.Decision == NoDifference {
			noDifference++
		}
		return declaredDifferent(a)
	})
	rate := float64(fp) / runs
	t.Logf("A/A, installation as the unit, 30 daily looks: %d of %d runs declared different (%.1f %%); "+
		"no_difference at day 30 in %d; a sample-ratio warning on some day in %d (%.1f %%)",
		fp, runs, 100*rate, noDifference, srm, 100*float64(srm)/runs)
	if rate > 0.05 {
		t.Errorf("A/A declared different in %.1f %% of runs, want at most 5 %%", 100*rate)
	}
	if srm > runs/20 {
		t.Errorf("sample-ratio warnings in %d of %d A/A runs looked at daily, want at most 5 %%", srm, runs)
	}
}

// TestReportLevelAnalysisFailsAA keeps the unit trap visible: the same
// A/A data analysed as if every report were independent is declared
// different far more often than 5 %.
func TestReportLevelAnalysisFailsAA(t *testing.T) {
	const runs = 200
	fp := count(runs, func(seed uint64) bool {
		return declaredDifferent(standard.analyze(perReport(standard.rows(seed)), 2))
	})
	rate := float64(fp) / runs
	t.Logf("A/A, each report as a unit (the trap), 30 daily looks: %d of %d runs declared different (%.1f %%)", fp, runs, 100*rate)
	if rate < 0.20 {
		t.Errorf("the report-level analysis declared only %.1f %% of A/A runs different; the trap should show (> 20 %%)", 100*rate)
	}
}

// TestPowerAtMinimumEffect: with the documented sample (1,600
// installations entering over 30 days, about 780 per variant measured by
// the end), a real effect of the minimum size is found in at least 80 %
// of runs, and never in the wrong direction.
func TestPowerAtMinimumEffect(t *testing.T) {
	const runs = 1000
	sim := standard
	sim.effect = 2
	var mu sync.Mutex
	wrong, measured, days := 0, 0, 0
	found := count(runs, func(seed uint64) bool {
		a := sim.analyze(sim.rows(seed), 2)
		day, decision := firstDecision(a)
		mu.Lock()
		defer mu.Unlock()
		measured += a.Variants[0].Measured + a.Variants[1].Measured
		if decision == ControlBetter {
			wrong++
		}
		if decision == TreatmentBetter {
			days += day
		}
		return decision == TreatmentBetter
	})
	power := float64(found) / runs
	t.Logf("effect = minimum effect = 2 (baseline sd 10, daily sd 2): treatment_better in %d of %d runs (power %.1f %%), "+
		"after %.1f days on average; %.0f installations measured per variant at day 30; %d wrong-way decisions",
		found, runs, 100*power, float64(days)/float64(max(found, 1)), float64(measured)/2/runs, wrong)
	if power < 0.8 {
		t.Errorf("power %.1f %% at the minimum effect, want at least 80 %%", 100*power)
	}
	if wrong > 0 {
		t.Errorf("%d runs decided control_better for a better treatment", wrong)
	}
}

// TestSRMDetectsLostReports: when the treatment loses a fifth of its
// reports, the check warns within 30 days in at least 95 % of 200 runs,
// whether reports go missing at random (the reporting test, at the
// standard fleet's size) or whole installations go silent (the split
// test, which needs more installations: twice the standard fleet).
func TestSRMDetectsLostReports(t *testing.T) {
	const runs = 200
	silent, lossy := standard, standard
	silent.installations, silent.lostInstallations = 2*standard.installations, 0.2
	lossy.lostReports = 0.2
	for _, tc := range []struct {
		name string
		sim  fleetSim
	}{
		{"a fifth of its reports lost at random", lossy},
		{"a fifth of its installations silent", silent},
	} {
		var mu sync.Mutex
		firstDays := 0
		found := count(runs, func(seed uint64) bool {
			a := tc.sim.analyze(tc.sim.rows(seed), 2)
			first := slices.IndexFunc(a.History, func(d Day) bool { return d.SRMWarning })
			mu.Lock()
			defer mu.Unlock()
			firstDays += first + 1
			return first >= 0
		})
		t.Logf("%s (%d installations): a warning within 30 days in %d of %d runs, first on day %.1f on average",
			tc.name, tc.sim.installations, found, runs, float64(firstDays)/float64(max(found, 1)))
		if found < runs*95/100 {
			t.Errorf("%s: warned in %d of %d runs, want at least 95 %%", tc.name, found, runs)
		}
	}
}
