package insights

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// simKind is one kind of daily series the simulations draw: the shapes
// telemetry series take.
type simKind struct {
	name string
	draw func(r *rand.Rand, days int) *series
}

func poissonDraw(r *rand.Rand, mu float64) int64 {
	return int64(distuv.Poisson{Lambda: math.Max(mu, 0), Src: r}.Rand())
}

func binomialDraw(r *rand.Rand, n int64, p float64) int64 {
	if n == 0 {
		return 0
	}
	return int64(distuv.Binomial{N: float64(n), P: math.Min(math.Max(p, 0), 1), Src: r}.Rand())
}

func logisticAt(t, k, rate, mid float64) float64 { return k / (1 + math.Exp(-rate*(t-mid))) }

// activeCounts draws a fleet's active installations a day: a base, a
// growth (linear or saturating) and Poisson noise.
func activeCounts(r *rand.Rand, days int, saturating bool) []int64 {
	base := math.Exp(math.Log(100) + 3*r.Float64()) // 100 to 2,000
	growth := base * (0.002 + 0.01*r.Float64())     // a day
	out := make([]int64, days)
	mid, cap := float64(days)*(0.3+0.6*r.Float64()), base*(1.5+r.Float64())
	for t := range out {
		mu := base + growth*float64(t)
		if saturating {
			mu = base + logisticAt(float64(t), cap-base, 0.05+0.1*r.Float64(), mid)
		}
		out[t] = poissonDraw(r, mu)
	}
	return out
}

// shareCounts draws how many of active use something whose share follows p.
func shareCounts(r *rand.Rand, active []int64, p func(t float64) float64) []int64 {
	out := make([]int64, len(active))
	for t, n := range active {
		out[t] = binomialDraw(r, n, p(float64(t)))
	}
	return out
}

var simKinds = []simKind{
	{"linear count", func(r *rand.Rand, days int) *series {
		return countSeries("c", 0, activeCounts(r, days, false))
	}},
	{"saturating count", func(r *rand.Rand, days int) *series {
		return countSeries("c", 0, activeCounts(r, days, true))
	}},
	{"linear share", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, false)
		p0, slope := 0.05+0.4*r.Float64(), (0.1+0.3*r.Float64())/float64(days)
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return p0 + slope*t }), active)
	}},
	{"logistic share", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, false)
		k, rate, mid := 0.4+0.55*r.Float64(), 0.05+0.15*r.Float64(), float64(days)*(0.1+0.6*r.Float64())
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return logisticAt(t, k, rate, mid) }), active)
	}},
	{"replaced share", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, false)
		rate, mid := 0.05+0.15*r.Float64(), float64(days)*(0.2+0.6*r.Float64())
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return 1 - logisticAt(t, 0.95, rate, mid) }), active)
	}},
}

func TestBacktestCoverageSim(t *testing.T) {
	const perKind, days = 40, 120
	horizons := []int{7, 30}
	r := rand.New(rand.NewPCG(12, 1))
	for _, k := range simKinds {
		var inside, n [2]float64
		var mase [2]float64
		for range perKind {
			s := k.draw(r, days)
			bt, _ := s.backtest(horizons)
			for i, b := range bt {
				if b.Coverage80 != nil {
					inside[i] += *b.Coverage80 * float64(b.Origins)
					n[i] += float64(b.Origins)
				}
				if b.MASE != nil {
					mase[i] += *b.MASE / perKind
				}
			}
		}
		t.Logf("%-18s h=7: coverage %.3f MASE %.2f | h=30: coverage %.3f MASE %.2f", k.name, inside[0]/n[0], mase[0], inside[1]/n[1], mase[1])
	}
}
