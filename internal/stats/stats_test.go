package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g (±%g)", what, got, want, tol)
	}
}

func TestRobustEstimates(t *testing.T) {
	near(t, "median odd", Median([]float64{5, 1, 3}), 3, 0)
	near(t, "median even", Median([]float64{4, 1, 3, 2}), 2.5, 0)
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	xs := []float64{1, 2, 3, 4, 100}
	near(t, "robust sigma ignores the outlier", RobustSigma(xs, Median(xs)), 1.4826, 1e-9)
	// A line with two wild points: Theil–Sen recovers it.
	var x, y []float64
	for i := range 20 {
		x, y = append(x, float64(i)), append(y, 3+0.5*float64(i))
	}
	y[4], y[15] = 400, -300
	slope, icept := TheilSen(x, y)
	near(t, "slope", slope, 0.5, 1e-9)
	near(t, "intercept", icept, 3, 1e-9)
	y[7] = math.NaN()
	slope, _ = TheilSen(x, y)
	near(t, "slope with a gap", slope, 0.5, 1e-9)
}

// The count tails agree with gonum's Poisson and with the negative
// binomial's probabilities summed term by term.
func TestCountTails(t *testing.T) {
	for _, mu := range []float64{0.7, 4.2, 20, 150} {
		pois := distuv.Poisson{Lambda: mu}
		for _, k := range []float64{0, 1, 3, 10, 25, 200} {
			near(t, "P(Poisson ≤ k)", CountAtMost(k, mu, 0), pois.CDF(k), 1e-9)
			near(t, "P(Poisson ≥ k)", CountAtLeast(k, mu, 0), 1-pois.CDF(k-1), 1e-9)
		}
	}
	for _, c := range []struct{ mu, phi float64 }{{3, 0.5}, {20, 0.1}, {80, 0.02}} {
		r := 1 / c.phi
		p := r / (r + c.mu)
		cdf, pmf := 0.0, math.Pow(p, r) // P(X = 0)
		for k := 0.0; k < 150; k++ {
			cdf += pmf
			near(t, "P(NB ≤ k)", CountAtMost(k, c.mu, c.phi), cdf, 1e-9)
			near(t, "P(NB ≥ k+1)", CountAtLeast(k+1, c.mu, c.phi), 1-cdf, 1e-9)
			pmf *= (k + r) / (k + 1) * (1 - p)
		}
		q := CountQuantile(0.99, c.mu, c.phi)
		if CountAtMost(q, c.mu, c.phi) < 0.99 || CountAtMost(q-1, c.mu, c.phi) >= 0.99 {
			t.Errorf("quantile 0.99 of NB(%v, %v) = %v is not the smallest count reaching it", c.mu, c.phi, q)
		}
	}
	near(t, "UpperZ(0.025)", UpperZ(0.025), 1.959964, 1e-5)
	if z := UpperZ(0); math.IsInf(z, 0) || z < 30 {
		t.Errorf("UpperZ(0) = %v, want a large finite z", z)
	}
}

// Welch's t on two groups of 10 with different variances, against values
// computed independently (the p-value by integrating Student's density).
func TestWelch(t *testing.T) {
	a := []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6}
	b := []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2}
	ma, mb := meanOf(a), meanOf(b)
	diff, se, df := Welch(ma, mb)
	tval := diff / se
	near(t, "t", tval, -2.035662, 1e-5)
	near(t, "df", df, 15.497899, 1e-5)
	near(t, "two-sided p", 2*StudentSurvival(math.Abs(tval), df), 0.059254, 1e-5)
}

func meanOf(xs []float64) Mean {
	var s, ss float64
	for _, x := range xs {
		s += x
		ss += x * x
	}
	n := float64(len(xs))
	return MeanOf(s, ss, n, n)
}

// The ratio's interval covers the truth at its level when the units'
// outcomes cluster: installations with their own error rates (beta
// distributed around the mean) and a few days each. Reports treated as
// independent would cover far less often.
func TestRatioCoverageWithClusters(t *testing.T) {
	const runs = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	rate := func(mean float64) float64 { // beta with concentration 4: strong clustering
		return distuv.Beta{Alpha: 4 * mean, Beta: 4 * (1 - mean), Src: rng}.Rand()
	}
	draw := func(units int, mean float64) Ratio {
		num, den := make([]float64, units), make([]float64, units)
		for i := range units {
			p, days := rate(mean), 1+rng.IntN(7)
			den[i] = float64(days)
			for range days {
				if rng.Float64() < p {
					num[i]++
				}
			}
		}
		return NewRatio(num, den)
	}
	covered, naive := 0, 0
	for range runs {
		a, b := draw(60, 0.2), draw(400, 0.1)
		if lo, hi := RatioInterval(a, b, 0.95); lo <= 2 && 2 <= hi {
			covered++
		}
		// The same counts as independent reports.
		ai := Ratio{Num: a.Num, Den: a.Den, Var: a.Value() * (1 - a.Value()) / a.Den}
		bi := Ratio{Num: b.Num, Den: b.Den, Var: b.Value() * (1 - b.Value()) / b.Den}
		if lo, hi := RatioInterval(ai, bi, 0.95); lo <= 2 && 2 <= hi {
			naive++
		}
	}
	cov, nv := float64(covered)/runs, float64(naive)/runs
	t.Logf("95%% interval of a ratio of 2 over %d runs: covered %.3f with installations as units, %.3f with reports as units", runs, cov, nv)
	if cov < 0.93 || cov > 0.975 {
		t.Errorf("coverage %.3f, want about 0.95", cov)
	}
	if nv > cov-0.05 {
		t.Errorf("reports as units covered %.3f, not clearly less than %.3f: the test does not show clustering", nv, cov)
	}
}

func TestRatioEdges(t *testing.T) {
	r := NewRatio([]float64{0, 0, 0}, []float64{2, 3, 1})
	if r.Value() != 0 || r.Var <= 0 {
		t.Errorf("zero events: value %v, variance %v; want 0 with a positive variance", r.Value(), r.Var)
	}
	if !math.IsNaN(NewRatio(nil, nil).Value()) {
		t.Error("a ratio without units is not NaN")
	}
	a := NewRatio([]float64{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, []float64{5, 5, 5, 5, 5, 5, 5, 5, 5, 5})
	if p := RatioPValue(a, a); math.Abs(p-1) > 1e-9 {
		t.Errorf("a ratio against itself: two-sided p %v, want 1", p)
	}
}

func TestTrimmedEstimates(t *testing.T) {
	near(t, "trimmed mean drops the outliers", TrimmedMean([]float64{1, 2, 3, 4, 5, 6, 1000}, 0.15), 4, 1e-12)
	near(t, "trimmed mean of two is their median's lower", TrimmedMean([]float64{3, 1}, 0.5), 2, 1e-12)
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 20000)
	for i := range xs {
		xs[i] = 5 + 2*rng.NormFloat64()
	}
	near(t, "trimmed sigma of N(5, 2²)", TrimmedSigma(xs, 5, 0.1), 2, 0.03)
	near(t, "untrimmed sigma of N(5, 2²)", TrimmedSigma(xs, 5, 0), 2, 0.03)
	xs[0], xs[1] = 1e6, -1e6
	near(t, "trimmed sigma with two wild values", TrimmedSigma(xs, 5, 0.1), 2, 0.03)
}

// The always-valid p-value checked after every one of 500 observations
// errs at most α of the time under the null, where a fixed-sample p-value
// checked as often errs far more; and it finds a real effect.
func TestAlwaysValidP(t *testing.T) {
	const runs, looks, alpha = 2000, 500, 0.05
	rng := rand.New(rand.NewPCG(7, 8))
	run := func(effect float64) (seq, fixed int) {
		for range runs {
			sum, seqHit, fixHit := 0.0, false, false
			for n := 1; n <= looks; n++ {
				sum += effect + rng.NormFloat64()
				se := 1 / math.Sqrt(float64(n))
				z := sum / float64(n) / se
				seqHit = seqHit || AlwaysValidP(z, se, 0.5) < alpha
				fixHit = fixHit || NormalSurvival(z) < alpha
			}
			if seqHit {
				seq++
			}
			if fixHit {
				fixed++
			}
		}
		return seq, fixed
	}
	seq, fixed := run(0)
	t.Logf("no effect, %d looks: always-valid p < %.2f in %d of %d runs, fixed-sample p in %d", looks, alpha, seq, runs, fixed)
	if float64(seq)/runs > alpha {
		t.Errorf("always-valid p erred in %.3f of runs, more than α = %.2f", float64(seq)/runs, alpha)
	}
	if float64(fixed)/runs < 3*alpha {
		t.Errorf("the fixed-sample p checked %d times erred in only %.3f of runs: the test shows nothing", looks, float64(fixed)/runs)
	}
	if seq, _ = run(0.3); float64(seq)/runs < 0.95 {
		t.Errorf("an effect of 0.3 sd over %d looks found in %.3f of runs", looks, float64(seq)/runs)
	}
}
