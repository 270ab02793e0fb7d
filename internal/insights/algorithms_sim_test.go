package insights

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Seeded simulations behind the claims docs/insights.md makes about the
// algorithm advice: how often a fleet exactly at a threshold is flagged
// anyway (the false-alarm rate, 2.5 % by design of a one-sided look at a
// 95 % interval), and how often a clearly worse one is.
const algorithmRuns = 1000

// simFleetRate draws a fleet of n installations whose success rates
// follow a Beta distribution of mean mu and concentration kappa (2: very
// different installations, 20: alike), each running the algorithm a
// lognormal number of times over 30 days, and returns its AlgorithmUse.
func simFleetRate(r *rand.Rand, n int, mu, kappa float64) AlgorithmUse {
	beta := distuv.Beta{Alpha: mu * kappa, Beta: (1 - mu) * kappa, Src: r}
	u := AlgorithmUse{Name: "sim", Installations: uint64(n)}
	for range n {
		runs := int64(distuv.Poisson{Lambda: 30 * math.Exp(math.Log(30)+0.8*r.NormFloat64()), Src: r}.Rand())
		if runs == 0 {
			continue
		}
		u.Uses += runs
		u.Decisions += int64(distuv.Binomial{N: float64(runs), P: beta.Rand(), Src: r}.Rand())
	}
	return u
}

// simFleetGain draws a fleet of n installations whose average improvement
// is normal around mu (sd 4 points between installations, 3 from report to
// report), 30 reports each.
func simFleetGain(r *rand.Rand, n int, mu float64) AlgorithmUse {
	u := AlgorithmUse{Name: "sim", Installations: uint64(n), DecidingInstallations: uint64(n), Uses: 1, Decisions: 1}
	u.Improvement.Squares = true
	for range n {
		own := mu + 4*r.NormFloat64()
		for range 30 {
			x := own + 3*r.NormFloat64()
			u.Improvement.SumPct += x
			u.Improvement.SumSqPct += x * x
			u.Improvement.Reports++
		}
	}
	return u
}

func TestAlgorithmFalseAlarmsSim(t *testing.T) {
	t.Parallel() // CPU only: overlaps the tests that wait on the stores
	th := DefaultThresholds()
	r := rand.New(rand.NewPCG(12, 12))
	flagged := func(draw func() AlgorithmUse, action string) float64 {
		k := 0
		for range algorithmRuns {
			if advise(draw(), th).Action == action {
				k++
			}
		}
		return float64(k) / algorithmRuns
	}
	// MC error of a rate near 2.5 % over 1,000 runs: about 0.5 points.
	const maxFalse = 0.04
	for _, n := range []int{10, 30, 100} {
		for _, kappa := range []float64{2, 20} {
			atThreshold := flagged(func() AlgorithmUse { return simFleetRate(r, n, th.MinSuccessRate, kappa) }, ActionImprove)
			worse := flagged(func() AlgorithmUse { return simFleetRate(r, n, th.MinSuccessRate-0.2, kappa) }, ActionImprove)
			t.Logf("success rate, %3d installations, concentration %2.0f: improve at 0.70 in %5.1f %% of %d runs, at 0.50 in %5.1f %%",
				n, kappa, 100*atThreshold, algorithmRuns, 100*worse)
			if atThreshold > maxFalse {
				t.Errorf("a fleet at the threshold is flagged improve in %.1f %% of runs", 100*atThreshold)
			}
		}
		atThreshold := flagged(func() AlgorithmUse { return simFleetGain(r, n, th.MinImprovementPct) }, ActionOptimize)
		worse := flagged(func() AlgorithmUse { return simFleetGain(r, n, th.MinImprovementPct-3) }, ActionOptimize)
		t.Logf("improvement,  %3d installations: optimize at 10 %% in %5.1f %% of %d runs, at 7 %% in %5.1f %%", n, 100*atThreshold, algorithmRuns, 100*worse)
		if atThreshold > maxFalse {
			t.Errorf("a fleet at the improvement threshold is flagged optimize in %.1f %% of runs", 100*atThreshold)
		}
	}
}
