package experiment

import (
	"math"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// At the planned size the boundary's square is u+1, where u solves
// u − ln(1+u) = 2·ln(1/α): for α = 0.05, u = 8.2120 and the interval is
// ±3.0351 standard errors (a fixed-sample test would use ±1.96). Away
// from the planned size it is wider.
func TestSequenceIsTightestAtThePlannedSize(t *testing.T) {
	s := DefaultMethod.sequence(0.05)
	u := DefaultMethod.Planned / s.rho
	if !near(u-math.Log1p(u), 2*math.Log(20), 1e-9) || !near(u, 8.2120, 1e-3) {
		t.Errorf("u = %v: u − ln(1+u) = %v, want 2·ln 20 = %v", u, u-math.Log1p(u), 2*math.Log(20))
	}
	at := s.multiplier(DefaultMethod.Planned)
	if !near(at, 3.0351, 1e-3) {
		t.Errorf("multiplier at the planned size: %v, want 3.0351", at)
	}
	for _, n := range []float64{100, 1000, 1900, 2100, 5000, 50000} {
		if s.multiplier(n) <= at {
			t.Errorf("multiplier at %v installations: %v, not above %v at the planned size", n, s.multiplier(n), at)
		}
	}
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		low, high float64
		higher    bool
		want      string
	}{
		{0.1, 3, true, TreatmentBetter},
		{0.1, 3, false, ControlBetter},
		{-3, -0.1, true, ControlBetter},
		{-3, -0.1, false, TreatmentBetter},
		{-0.9, 0.9, true, NoDifference}, // within ± the minimum effect 1
		{-0.9, 1.1, true, KeepRunning},
		{-1.1, 0.5, false, KeepRunning},
		{0.2, 0.6, true, TreatmentBetter}, // excludes 0: better, however small
	} {
		if got := decide(tc.low, tc.high, 1, tc.higher); got != tc.want {
			t.Errorf("decide(%v, %v, higher is better: %v) = %s, want %s", tc.low, tc.high, tc.higher, got, tc.want)
		}
	}
}

func TestSplitAndReportingTests(t *testing.T) {
	// 60 against 40 planned even: chi-square 4 on 1 degree of freedom.
	if p := splitPValue([]int{60, 40}, []float64{0.5, 0.5}); !near(p, 0.0455003, 1e-6) {
		t.Errorf("split p-value of 60/40: %v, want 0.0455003", p)
	}
	// A 90/10 plan observed 90/10 is no mismatch; too few expected is no test.
	if p := splitPValue([]int{90, 10}, []float64{0.9, 0.1}); p != 1 {
		t.Errorf("split p-value of a split as planned: %v, want 1", p)
	}
	if p := splitPValue([]int{30, 3}, []float64{0.9, 0.1}); !math.IsNaN(p) {
		t.Errorf("split p-value with 3.3 expected installations: %v, want none", p)
	}
	// Welch: means 5 and 3, variances 4, 10 each: t = 2.2361 on 18
	// degrees of freedom, two-sided p = 0.03818.
	if p := welch(summary{10, 5, 4}, summary{10, 3, 4}); !near(p, 0.03818, 1e-4) {
		t.Errorf("Welch p-value: %v, want 0.03818", p)
	}
}

// rowsOf builds rows for one day: installation number, variant, value.
func rowsOf(day rollup.Day, units ...any) []store.UnitDay {
	var out []store.UnitDay
	for i := 0; i < len(units); i += 3 {
		out = append(out, store.UnitDay{Installation: uint32(units[i].(int)), Day: day, Variant: units[i+1].(string),
			Reports: 1, N: 1, Sum: units[i+2].(float64)})
	}
	return out
}

// The unit is the installation: an installation that sent nine reports
// counts once, with its average; one that changed variant stays in its
// first; a variant the experiment does not have is left out.
func TestInstallationIsTheUnit(t *testing.T) {
	day := rollup.DayOf(simStart)
	var rows []store.UnitDay
	rows = append(rows, rowsOf(day, 1, "control", 10.0, 2, "control", 20.0, 3, "treatment", 5.0, 4, "treatment", 7.0,
		5, "bogus", 99.0)...)
	for d := rollup.Day(1); d <= 8; d++ {
		rows = append(rows, rowsOf(day+d, 1, "control", 10.0, 3, "control", 100.0)...) // 3 switched: stays treatment
	}
	rows = append(rows, store.UnitDay{Installation: 6, Day: day + 8, Variant: "control", Reports: 2}) // no metric
	e := standard.experiment(1)
	a := DefaultMethod.Analyze(e, rows, day, day+9, simStart.Add(240*time.Hour))
	c, tr := a.Variants[0], a.Variants[1]
	if c.Installations != 3 || c.Measured != 2 || c.Reports != 12 || !near(*c.Mean, 15, 1e-9) {
		t.Errorf("control: %+v (mean %v), want 3 installations, 2 measured, 12 reports, mean of installations 15", c, *c.Mean)
	}
	// Installation 3: (5 + 8·100)/9; installation 4: 7.
	if want := ((5.0+800)/9 + 7) / 2; tr.Installations != 2 || tr.Reports != 10 || !near(*tr.Mean, want, 1e-9) {
		t.Errorf("treatment: %+v (mean %v), want 2 installations, 10 reports, mean %v", tr, *tr.Mean, want)
	}
	if a.MixedInstallations != 1 || len(a.History) != 10 || a.Decision != InsufficientData {
		t.Errorf("mixed %d, history %d days, decision %s; want 1, 10, insufficient_data", a.MixedInstallations, len(a.History), a.Decision)
	}
	if a.Effect == nil || !near(*a.Effect.Estimate, *tr.Mean-15, 1e-9) || a.Effect.Low != nil {
		t.Errorf("effect %+v: want the estimate without an interval below the minimum installations", a.Effect)
	}
}

// A clear effect is found, and the history shows the interval narrowing
// as installations enter.
func TestHistoryNarrowsAndDecides(t *testing.T) {
	sim := fleetSim{installations: 400, days: 20, baseline: 20, baselineSD: 4, dailySD: 1, effect: 3}
	a := sim.analyze(sim.rows(7), 1)
	if a.Decision != TreatmentBetter || a.Status != Running || *a.Effect.Low <= 0 {
		t.Fatalf("decision %s (status %s, interval %v..%v), want treatment_better", a.Decision, a.Status, *a.Effect.Low, *a.Effect.High)
	}
	if !near(*a.Effect.Estimate, 3, 1) || !near(*a.Effect.Relative, 3.0/20, 0.06) {
		t.Errorf("estimate %v (relative %v), want about 3 (0.15)", *a.Effect.Estimate, *a.Effect.Relative)
	}
	first, last := a.History[0], a.History[len(a.History)-1]
	if first.Low == nil || *last.High-*last.Low >= *first.High-*first.Low {
		t.Errorf("the interval did not narrow: day 1 %v..%v, day %d %v..%v", first.Low, first.High, len(a.History), *last.Low, *last.High)
	}
	if last.Installations[0] <= first.Installations[0] || last.Decision != TreatmentBetter {
		t.Errorf("history: day 1 %+v, last %+v", first, last)
	}
	if a.SRMWarning || a.SRMPValue == nil || a.ExpectedDays != nil {
		t.Errorf("srm %v (p %v), expected days %v: want no warning, a p-value, no projection once decided", a.SRMWarning, a.SRMPValue, a.ExpectedDays)
	}
}

// keep_running says when a decision is expected: by hand, two variants of
// 100 installations with outcome variance 101.01 (±10, n − 1) and an
// estimate of 2.5 gain one installation each a day; the interval
// ±sqrt(2·101.01/n)·m(2n) first excludes 0 at n = 325 (half-width 2.4960;
// 2.5007 at 324), day 225.
func TestExpectedDays(t *testing.T) {
	z := &analyzer{m: DefaultMethod, e: standard.experiment(1), seq: DefaultMethod.sequence(0.05), t: newTally([]string{"control", "treatment"})}
	for i := range 100 {
		for a, base := range []float64{0, 2.5} {
			// outcomes ±10 around the arm's mean: sd 10.05 (n − 1)
			x := base + 10
			if i%2 == 1 {
				x = base - 10
			}
			z.t.add(store.UnitDay{Installation: uint32(2*i + a), Variant: z.e.Variants[a], Reports: 1, N: 1, Sum: x})
		}
	}
	got := z.expectedDays(1, []int{7, 7})
	_, v := z.t.moments(0)
	want := 0
	for d := 1; want == 0; d++ { // the rule by hand, with the sample variance
		n := 100 + float64(d)
		w := 2 * math.Log((2*n+2000/8.21197)/(2000/8.21197*0.0025))
		if 2.5 > math.Sqrt(2*v/n)*math.Sqrt((2*n+2000/8.21197)/(2*n)*w/2) {
			want = d
		}
	}
	if got == nil || *got != want || want != 225 {
		t.Errorf("expected days %v, want %d", got, want)
	}
	if z.expectedDays(1, []int{0, 0}) != nil {
		t.Error("with no installation entering any more, a day was still expected")
	}
}
