package dashboard

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// usageFleet is a simulated fleet's use of one feature: each installation
// has a success rate of its own, drawn from a Beta distribution of mean
// rate (fixed at rate when spread is 0), and a daily number of uses drawn
// from a Poisson distribution whose mean is log-normal across
// installations (median medianUses, σ 1: a few installations use the
// feature far more than the rest). An installation reports on a day with
// probability 0.9 when it used the feature.
type usageFleet struct {
	installs, days int
	rate, spread   float64 // spread: the Beta's 1/(α+β+1), the share of variance between installations
	medianUses     float64
}

// simulate returns the window's summed usage counters and the number of
// installations that reported, as the rollup rows would hold them.
func (f usageFleet) simulate(rng *rand.Rand) (rollup.Counters, uint64) {
	var c rollup.Counters
	var installs uint64
	for range f.installs {
		p := f.rate
		if f.spread > 0 {
			k := 1/f.spread - 1 // α+β
			p = betaSample(rng, f.rate*k, (1-f.rate)*k)
		}
		lambda := f.medianUses * math.Exp(rng.NormFloat64())
		reported := false
		for range f.days {
			u := poisson(rng, lambda)
			if u == 0 || rng.Float64() >= 0.9 {
				continue
			}
			s := binomial(rng, u, p)
			c.Reports++
			c.Total += u
			c.UsageSuccesses += s
			c.UsageUsesSq += u * u
			c.UsageCross += s * u
			c.UsageSuccSq += s * s
			reported = true
		}
		if reported {
			installs++
		}
	}
	return c, installs
}

// TestSuccessIntervalCoverage measures, over 1,000 seeded simulated windows
// of each fleet, how often the 95 % interval holds the fleet's true
// success rate (the Beta's mean: uses and rates are drawn independently),
// against Wilson's interval with every use counted as independent. The
// figures are in docs/feature-usage.md.
func TestSuccessIntervalCoverage(t *testing.T) {
	const runs = 1000
	for _, tc := range []struct {
		name       string
		fleet      usageFleet
		min        float64 // the interval's coverage must reach this
		naiveBelow float64 // the naive interval's must stay under this (0: not checked)
	}{
		{"40 installations, rates differ", usageFleet{installs: 40, days: 30, rate: 0.9, spread: 0.05, medianUses: 20}, 0.93, 0.6},
		{"10 installations, rates differ", usageFleet{installs: 10, days: 30, rate: 0.9, spread: 0.05, medianUses: 20}, 0.9, 0.6},
		{"200 installations, rates differ a little", usageFleet{installs: 200, days: 14, rate: 0.97, spread: 0.01, medianUses: 50}, 0.93, 0.6},
		{"40 installations, one rate", usageFleet{installs: 40, days: 30, rate: 0.9, medianUses: 20}, 0.95, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(19, uint64(tc.fleet.installs)))
			covered, naive, width, naiveWidth, shown := 0, 0, 0.0, 0.0, 0
			for range runs {
				c, installs := tc.fleet.simulate(rng)
				low, high, ok := SuccessInterval(c, installs)
				if !ok {
					continue
				}
				shown++
				width += high - low
				if low <= tc.fleet.rate && tc.fleet.rate <= high {
					covered++
				}
				r := float64(c.UsageSuccesses) / float64(c.Total)
				nl, nh := wilson(r, float64(c.Total), z95)
				naiveWidth += nh - nl
				if nl <= tc.fleet.rate && tc.fleet.rate <= nh {
					naive++
				}
			}
			cov, naiveCov := float64(covered)/float64(shown), float64(naive)/float64(shown)
			t.Logf("%d of %d windows with an interval: coverage %.3f (mean width %.4f); uses as independent: %.3f (%.4f)",
				shown, runs, cov, width/float64(shown), naiveCov, naiveWidth/float64(shown))
			if shown < runs*9/10 || cov < tc.min {
				t.Errorf("coverage %.3f over %d windows, want at least %.2f", cov, shown, tc.min)
			}
			if tc.naiveBelow > 0 && naiveCov >= tc.naiveBelow {
				t.Errorf("the naive interval covers %.3f: the simulation no longer shows why installations are the unit", naiveCov)
			}
		})
	}
}

// TestSuccessIntervalByHand checks the interval against figures worked
// out by hand, and its refusals.
func TestSuccessIntervalByHand(t *testing.T) {
	// Five installations, one report each: (u, s) = (10, 9), (10, 10),
	// (10, 8), (10, 9), (10, 9). U = 50, S = 45, R = 0.9; residuals
	// s − 0.9u = 0, 1, −1, 0, 0: Σe² = 2. Variance 2/2500 × 5/4 × 1 ×
	// 5/4 = 0.00125; effective uses 0.09/0.00125 = 72, more than U, so 50.
	c := rollup.Counters{Reports: 5, Total: 50, UsageSuccesses: 45, UsageUsesSq: 500, UsageCross: 450, UsageSuccSq: 81 + 100 + 64 + 81 + 81}
	low, high, ok := SuccessInterval(c, 5)
	wantLow, wantHigh := wilson(0.9, 50, z95) // 0.7864…, 0.9565…
	if !ok || math.Abs(low-wantLow) > 1e-12 || math.Abs(high-wantHigh) > 1e-12 || math.Abs(low-0.78639) > 1e-4 {
		t.Errorf("interval (%v, %v, %v), want (%.5f, %.5f)", low, high, ok, wantLow, wantHigh)
	}
	// The same reports from fewer installations: no interval.
	if _, _, ok := SuccessInterval(c, 4); ok {
		t.Error("an interval from 4 installations")
	}
	// All successful: no spread is seen, so each installation counts once.
	all := rollup.Counters{Reports: 6, Total: 600, UsageSuccesses: 600, UsageUsesSq: 60_000, UsageCross: 60_000, UsageSuccSq: 60_000}
	low, high, _ = SuccessInterval(all, 6)
	if wl, _ := wilson(1, 6, z95); high != 1 || math.Abs(low-wl) > 1e-12 || low > 0.62 {
		t.Errorf("all successes: (%v, %v), want (%v, 1)", low, high, wl)
	}
}

// betaSample draws from Beta(a, b) as the ratio of two Gamma draws.
func betaSample(rng *rand.Rand, a, b float64) float64 {
	x, y := gammaSample(rng, a), gammaSample(rng, b)
	return x / (x + y)
}

// gammaSample draws from Gamma(k, 1) by Marsaglia and Tsang's method.
func gammaSample(rng *rand.Rand, k float64) float64 {
	if k < 1 {
		return gammaSample(rng, k+1) * math.Pow(rng.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if u := rng.Float64(); math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// poisson draws from a Poisson distribution of mean lambda: Knuth's
// product of uniforms, or a rounded normal for large means.
func poisson(rng *rand.Rand, lambda float64) int64 {
	if lambda > 15 {
		return max(0, int64(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
	limit, p, n := math.Exp(-lambda), rng.Float64(), int64(0)
	for p > limit {
		p *= rng.Float64()
		n++
	}
	return n
}

// binomial draws the successes of n trials of probability p exactly, by
// jumping from one rarer outcome to the next (geometric gaps), which
// costs about n·min(p, 1−p) draws.
func binomial(rng *rand.Rand, n int64, p float64) int64 {
	q := min(p, 1-p)
	var rare int64
	if q > 0 {
		for at := int64(0); ; rare++ {
			at += int64(math.Log(1-rng.Float64())/math.Log1p(-q)) + 1
			if at > n {
				break
			}
		}
	}
	if q == p {
		return rare
	}
	return n - rare
}
