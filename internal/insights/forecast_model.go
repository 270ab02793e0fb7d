package insights

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// trendModel is the local linear trend model with a damped trend (Harvey,
// "Forecasting, Structural Time Series Models and the Kalman Filter",
// 1989, §2.3; the damped trend of Gardner and McKenzie, 1985):
//
//	y(t)   = μ(t) + ε(t)                   ε ~ N(0, σ²)
//	μ(t+1) = μ(t) + φ·ν(t) + η(t)          η ~ N(0, qη·σ²)
//	ν(t+1) = φ·ν(t) + ζ(t)                 ζ ~ N(0, qζ·σ²)
//
// Its steady-state Kalman filter is Holt's damped-trend exponential
// smoothing, ETS(A,Ad,N): the forecasts are the same. Fitting it with the
// Kalman filter by maximum likelihood also gives the uncertainty of the
// level and trend estimated on the last day, which the exponential
// smoothing formulas for the interval leave out, and which dominates a
// 30-day interval when the data are noisy and the trend steady.
type trendModel struct {
	qLevel, qTrend, phi float64
	sigma2              float64    // σ², the observation noise variance
	state               [2]float64 // level and trend predicted for the day after the last
	cov                 [3]float64 // their covariance over σ²: p00, p01, p11
}

const (
	// phiMin and phiMax bound a damped trend's φ as R's forecast::ets
	// does: below, the trend vanishes within days; above, it barely damps.
	phiMin, phiMax = 0.8, 0.98
	// minFitPoints is the shortest history a model is fitted to: two
	// weeks, so that a weekly rhythm cannot pass for a trend.
	minFitPoints = 14
	// diffuse is the initial variance of level and trend (in units of σ²):
	// large enough to mean "unknown", small enough for float64 to carry.
	diffuse = 1e7
	// diffuseObs is how many first observations only settle the diffuse
	// start and are left out of the likelihood.
	diffuseObs = 2
)

// trendFit is the forecast method: the equal-weight combination of the
// model with a damped trend (φ estimated in [phiMin, phiMax]) and with an
// undamped one (φ = 1, Holt's linear trend). Neither alone is calibrated
// on the series telemetry gives: damping lags a steady trend, the straight
// line overshoots a curve that flattens. Their average hedges, as the
// simple combinations that did well in the M4 competition do, and the
// interval of the mixture of their forecast distributions widens exactly
// where they disagree: far ahead on a bending trend.
type trendFit struct {
	damped, straight trendModel
}

// fitStart is where the optimiser starts for each of the two fits.
type fitStart struct {
	damped, straight []float64
}

// fitTrend fits both models to y by maximum likelihood. NaN values are
// gaps: the filter predicts across them. It reports false when y has
// fewer than minFitPoints values. warm, when not nil, is where the
// optimiser starts (the optimum of a neighbouring fit, as the back-test
// passes on): a start near the optimum saves most of the work.
func fitTrend(y []float64, warm *fitStart) (trendFit, fitStart, bool) {
	if observed(y) < minFitPoints {
		return trendFit{}, fitStart{}, false
	}
	start, size := fitStart{damped: []float64{math.Log(0.1), math.Log(0.001), 0}, straight: []float64{math.Log(0.1), math.Log(0.001)}}, 2.0
	if warm != nil {
		start, size = *warm, 0.5
	}
	var f trendFit
	var next fitStart
	f.damped, next.damped = fitModel(y, start.damped, size)
	f.straight, next.straight = fitModel(y, start.straight, size)
	return f, next, true
}

// scaled is a history on the scale a model works on, with the maps
// between that scale and the series' own (both increasing).
type scaled struct {
	y        []float64
	to, back func(float64) float64
}

// ensemble is the forecast method: trendFit on each scale the series is
// forecast on, every model weighing the same. Shares are forecast both as
// they are and on the log-odds scale: the log-odds follow an S-curve's
// steep middle, the share itself a plateau short of 100 % (a feature a
// third of the fleet never turns on), and either alone misses the other.
type ensemble struct {
	fits   []trendFit
	scales []scaled
}

// fitEnsemble fits each scale, the optimisers starting from warm (one
// start per scale) when it is not nil.
func fitEnsemble(scales []scaled, warm []fitStart) (ensemble, []fitStart, bool) {
	e := ensemble{scales: scales}
	next := make([]fitStart, len(scales))
	for i, sc := range scales {
		var w *fitStart
		if warm != nil {
			w = &warm[i]
		}
		f, n, ok := fitTrend(sc.y, w)
		if !ok {
			return ensemble{}, nil, false
		}
		e.fits, next[i] = append(e.fits, f), n
	}
	return e, next, true
}

// forecast returns, on the series' own scale, the point forecast h days
// after the last day of the history (the models' mean) and the 10th and
// 90th percentiles of the equal mixture of their forecast distributions.
func (e ensemble) forecast(h int) (mean, lower, upper float64) {
	steps := e.stepper()
	for range h - 1 {
		steps.step()
	}
	return e.mixture(steps)
}

// forecasts returns forecast(h) for every h from 1 to horizon, the models
// stepped once a day rather than from the start for each day.
func (e ensemble) forecasts(horizon int) (mean, lower, upper []float64) {
	steps := e.stepper()
	for h := 1; h <= horizon; h++ {
		if h > 1 {
			steps.step()
		}
		m, lo, hi := e.mixture(steps)
		mean, lower, upper = append(mean, m), append(lower, lo), append(upper, hi)
	}
	return mean, lower, upper
}

// stepper is each model of an ensemble (a scale's damped, then its
// undamped one, scale by scale) moved some days past the history.
type stepper []trendStep

type trendStep struct {
	m             trendModel
	a             [2]float64
	p00, p01, p11 float64
}

func (e ensemble) stepper() stepper {
	var s stepper
	for _, f := range e.fits {
		for _, m := range [2]trendModel{f.damped, f.straight} {
			s = append(s, trendStep{m: m, a: m.state, p00: m.cov[0], p01: m.cov[1], p11: m.cov[2]})
		}
	}
	return s
}

func (s stepper) step() {
	for i := range s {
		t := &s[i]
		t.a, t.p00, t.p01, t.p11 = t.m.step(t.a, t.p00, t.p01, t.p11)
	}
}

// mixture is the forecast of models stepped to one day: their mean, and
// the 10th and 90th percentiles of the equal mixture of their forecast
// distributions. A mixture's percentile lies between its components'
// own, so the search starts there.
func (e ensemble) mixture(s stepper) (mean, lower, upper float64) {
	mus, sds := make([]float64, len(s)), make([]float64, len(s))
	loA, loB, hiA, hiB := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, t := range s {
		sc := e.scales[i/2]
		mu, sd := t.a[0], math.Sqrt((t.p00+1)*t.m.sigma2)
		mus[i], sds[i] = mu, sd
		mean += sc.back(mu)
		lo, hi := sc.back(mu-z80*sd), sc.back(mu+z80*sd)
		loA, loB, hiA, hiB = math.Min(loA, lo), math.Max(loB, lo), math.Min(hiA, hi), math.Max(hiB, hi)
	}
	// Both models of a scale share its map of x.
	cdf := func(x float64) float64 {
		var p, to float64
		for i := range mus {
			if i%2 == 0 {
				to = e.scales[i/2].to(x)
			}
			p += normalCDF(to, mus[i], sds[i])
		}
		return p / float64(len(mus))
	}
	n := float64(len(mus))
	return mean / n, solve(cdf, 0.1, loA, loB), solve(cdf, 0.9, hiA, hiB)
}

func normalCDF(x, mu, sd float64) float64 {
	if sd <= 0 {
		if x >= mu {
			return 1
		}
		return 0
	}
	return distuv.UnitNormal.CDF((x - mu) / sd)
}

// solve finds x in [lo, hi] with cdf(x) = p by bisection, to a
// millionth of the interval.
func solve(cdf func(float64) float64, p, lo, hi float64) float64 {
	for range 20 {
		mid := (lo + hi) / 2
		if cdf(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// fitModel fits one model from start by Nelder-Mead on the concentrated
// likelihood: with φ free when start has three coordinates, φ = 1 with
// two. It returns the model and the optimum's coordinates, kept within
// the bounds so that a warm start from them can move.
func fitModel(y, start []float64, simplex float64) (trendModel, []float64) {
	cost := func(x []float64) float64 {
		m := fromParams(x)
		return m.filter(y)
	}
	x := start
	// A stop at the evaluation limit still returns the best point found.
	if best, f, f0 := nelderMead(cost, start, simplex); f < f0 {
		x = best
	}
	x = clampParams(x)
	m := fromParams(x)
	m.filter(y)
	return m, x
}

// Bounds of the optimiser's coordinates: the logarithms of the variance
// ratios, and φ's logistic coordinate (±6 is within 0.25 % of a bound).
var (
	logRatioMin, logRatioMax = math.Log(1e-8), math.Log(100)
	phiCoordMax              = 6.0
)

func clampParams(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		if i < 2 {
			out[i] = math.Max(math.Min(v, logRatioMax), logRatioMin)
		} else {
			out[i] = math.Max(math.Min(v, phiCoordMax), -phiCoordMax)
		}
	}
	return out
}

// fromParams maps optimiser coordinates into the model's bounds: the
// variance ratios between 1e-8 and 100; φ in [phiMin, phiMax] from a
// third coordinate, or 1 without one.
func fromParams(x []float64) trendModel {
	ratio := func(v float64) float64 { return math.Exp(math.Max(math.Min(v, logRatioMax), logRatioMin)) }
	m := trendModel{qLevel: ratio(x[0]), qTrend: ratio(x[1]), phi: 1}
	if len(x) > 2 {
		m.phi = phiMin + (phiMax-phiMin)*sigmoid(x[2])
	}
	return m
}

// filter runs the Kalman filter over y from a diffuse start, leaves σ²
// and the prediction for the day after y in m, and returns the
// concentrated -2·log-likelihood (without constants).
func (m *trendModel) filter(y []float64) float64 {
	a := [2]float64{firstValue(y), 0}
	p00, p01, p11 := diffuse, 0.0, diffuse
	var sumLogF, sumV2 float64
	seen, n := 0, 0
	for _, v := range y {
		if !math.IsNaN(v) {
			e, f := v-a[0], p00+1
			k0, k1 := p00/f, p01/f
			a[0], a[1] = a[0]+k0*e, a[1]+k1*e
			p00, p01, p11 = p00-k0*p00, p01-k0*p01, p11-k1*p01
			if seen >= diffuseObs {
				sumLogF += math.Log(f)
				sumV2 += e * e / f
				n++
			}
			seen++
		}
		a, p00, p01, p11 = m.step(a, p00, p01, p11)
	}
	m.state, m.cov = a, [3]float64{p00, p01, p11}
	if n == 0 {
		return math.Inf(1)
	}
	m.sigma2 = math.Max(sumV2/float64(n), 1e-12)
	return sumLogF + float64(n)*math.Log(m.sigma2)
}

// step moves the state and its covariance one day ahead.
func (m *trendModel) step(a [2]float64, p00, p01, p11 float64) ([2]float64, float64, float64, float64) {
	phi := m.phi
	a = [2]float64{a[0] + phi*a[1], phi * a[1]}
	n00 := p00 + 2*phi*p01 + phi*phi*p11 + m.qLevel
	n01 := phi*p01 + phi*phi*p11
	n11 := phi*phi*p11 + m.qTrend
	return a, n00, n01, n11
}

func firstValue(y []float64) float64 {
	for _, v := range y {
		if !math.IsNaN(v) {
			return v
		}
	}
	return 0
}

func observed(y []float64) int {
	n := 0
	for _, v := range y {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
