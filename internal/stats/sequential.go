package stats

import "math"

// A decision that is re-evaluated every day (or hour) as data accrue
// meets a fixed-sample test's α at every look: over weeks of looks, the
// chance that one of them errs grows several-fold. A normal-mixture
// sequential test (Robbins' mixture martingale; the confidence sequences
// of Howard et al. that GrowthBook uses) keeps α over all looks at once.
//
// For an estimate θ̂ with standard error se (information I = 1/se²) and
// z = θ̂/se, the mixture over a N(0, τ²) prior on θ of the likelihood
// ratio against θ = 0 is
//
//	Λ = (1 + Iτ²)^(−1/2) · exp(Iτ²·z² / (2(1 + Iτ²))),
//
// a nonnegative martingale under θ = 0, so P(Λ ever ≥ 1/α) ≤ α (Ville's
// inequality). τ sets the effect sizes the test is quickest to find.

// AlwaysValidP returns the always-valid one-sided p-value of "the
// parameter is at most 0" for an estimate with z-score z and standard
// error se, with mixture scale tau: min(1, 1/Λ) when z > 0, else 1. It
// may be checked after every new datum; the chance that it ever falls
// below α under the null is at most α.
func AlwaysValidP(z, se, tau float64) float64 {
	if z <= 0 || se <= 0 || math.IsInf(se, 0) {
		return 1
	}
	v := tau * tau / (se * se)
	logLambda := -0.5*math.Log1p(v) + v*z*z/(2*(1+v))
	return math.Min(1, math.Exp(-logLambda))
}
