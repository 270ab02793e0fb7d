package insights

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The simulations behind the anomaly detector's documented figures
// (docs/insights.md): clean series with a weekly profile and daily
// overdispersion, 56 days of history, judged day by day for a year.

// weekProfile is a workload's week, Sunday first: quiet weekends.
var weekProfile = [7]float64{0.6, 1.08, 1.12, 1.12, 1.08, 1.0, 0.62}

const simFrom = rollup.Day(20000) // any day: only weekdays matter

// simSeries draws days of a clean series of kind k around level, with the
// weekly profile and a day-to-day variation of cv (10 %) on top of the
// sampling noise: counts are gamma–Poisson, rates beta–binomial over den
// trials a day, means normal over den values with spread 8.
func simSeries(rng *rand.Rand, k SeriesKind, days int, level, den, cv float64) *Series {
	s := &Series{Metric: "sim", Scope: "fleet", Kind: k, From: simFrom, Num: make([]float64, days)}
	if k != KindCount {
		s.Den = make([]float64, days)
	}
	for i := range days {
		w := weekProfile[weekday(simFrom+rollup.Day(i))]
		day := 1 + cv*rng.NormFloat64()
		switch k {
		case KindCount:
			lambda := level * w * math.Max(0.01, day)
			s.Num[i] = distuv.Poisson{Lambda: lambda, Src: rng}.Rand()
		case KindRate:
			n := math.Round(den * w)
			p := math.Min(0.99, math.Max(0, level*day))
			s.Den[i] = n
			s.Num[i] = distuv.Binomial{N: n, P: p, Src: rng}.Rand()
		case KindMean:
			n := math.Round(den * w)
			s.Den[i] = n
			s.Num[i] = n * (level*(0.95+0.05*w)*day + 8/math.Sqrt(n)*rng.NormFloat64())
		}
	}
	return s
}

// TestAnomalyFalseAlarms: on clean seasonal series with 56 days of
// history, at most one false alarm per metric per year.
func TestAnomalyFalseAlarms(t *testing.T) {
	p := DefaultAnomalyParams()
	const years = 40
	cases := []struct {
		name       string
		kind       SeriesKind
		level, den float64
	}{
		{"count, mean 3 a day", KindCount, 3, 0},
		{"count, mean 20 a day", KindCount, 20, 0},
		{"count, mean 300 a day", KindCount, 300, 0},
		{"count, mean 20,000 a day", KindCount, 20000, 0},
		{"rate 0.08 of 300 reports", KindRate, 0.08, 300},
		{"rate 0.4 of 5,000 uses", KindRate, 0.4, 5000},
		{"mean 18 of 200 values", KindMean, 18, 200},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range cases {
		alarms := 0
		for range years {
			s := simSeries(rng, c.kind, p.History+365, c.level, c.den, 0.1)
			alarms += len(p.Detect(s, simFrom+rollup.Day(p.History), simFrom+rollup.Day(p.History+364)))
		}
		rate := float64(alarms) / years
		t.Logf("%-28s %d false alarms in %d simulated years: %.2f a year", c.name, alarms, years, rate)
		if rate > 1 {
			t.Errorf("%s: %.2f false alarms a year, the target is at most 1", c.name, rate)
		}
	}
}

// TestAnomalyDetectsDoubling: an error count that doubles is flagged
// within two days (on the first or the second day) in at least 95 % of
// runs, from a baseline of 50 a day up (below that, a doubling is within
// the noise more often: the test logs how often).
func TestAnomalyDetectsDoubling(t *testing.T) {
	p := DefaultAnomalyParams()
	const runs = 1000
	rng := rand.New(rand.NewPCG(21, 22))
	for _, level := range []float64{10, 20, 50, 200} {
		found, high := 0, 0
		for range runs {
			s := simSeries(rng, KindCount, p.History+2, level, 0, 0.1)
			start := p.History + rng.IntN(1) // the doubling begins on the day after the history
			for i := start; i < len(s.Num); i++ {
				w := weekProfile[weekday(simFrom+rollup.Day(i))]
				s.Num[i] += distuv.Poisson{Lambda: level * w, Src: rng}.Rand() // a second, independent source as big
			}
			as := p.Detect(s, simFrom+rollup.Day(start), simFrom+rollup.Day(start+1))
			if len(as) > 0 {
				found++
				if as[0].Severity == SeverityHigh {
					high++
				}
			}
		}
		rate := float64(found) / runs
		t.Logf("error count doubling from %v a day: flagged within 2 days in %d of %d runs (%.3f), %d of them high severity", level, found, runs, rate, high)
		if level >= 50 && rate < 0.95 {
			t.Errorf("doubling from %v a day flagged in %.3f of runs, the target is 0.95", level, rate)
		}
	}
}
