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

// activeCounts draws a fleet's active installations a day: a base of 100
// to 2,000, a growth (steady, accelerating as the fleet's joins are, or
// an S-curve to 1.3–2 times the base) and Poisson noise.
func activeCounts(r *rand.Rand, days int, shape string) []int64 {
	base := math.Exp(math.Log(100) + 3*r.Float64())
	growth := base * (0.002 + 0.01*r.Float64()) // a day
	mid, cap, rate := float64(days)*(0.3+0.6*r.Float64()), base*(1.3+0.7*r.Float64()), 0.03+0.07*r.Float64()
	out := make([]int64, days)
	for t := range out {
		x := float64(t)
		mu := base + growth*x
		switch shape {
		case "accelerating":
			mu = base + growth*x*x/float64(days)
		case "s-curve":
			mu = base + logisticAt(x, cap-base, rate, mid)
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

// simKinds are the shapes telemetry series take: active installations
// growing steadily, faster and faster, or in an S-curve; a feature's share
// growing linearly or along a logistic curve to a plateau of 30–95 %; a new
// version's share rising fast; an old version's falling to a floor.
var simKinds = []simKind{
	{"steady count", func(r *rand.Rand, days int) *series {
		return countSeries("c", 0, activeCounts(r, days, "steady"))
	}},
	{"accelerating count", func(r *rand.Rand, days int) *series {
		return countSeries("c", 0, activeCounts(r, days, "accelerating"))
	}},
	{"s-curve count", func(r *rand.Rand, days int) *series {
		return countSeries("c", 0, activeCounts(r, days, "s-curve"))
	}},
	{"linear adoption", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, "steady")
		p0, slope := 0.05+0.4*r.Float64(), (0.1+0.3*r.Float64())/float64(days)
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return p0 + slope*t }), active)
	}},
	{"adoption to a plateau", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, "steady")
		k, rate, mid := 0.3+0.65*r.Float64(), 0.03+0.12*r.Float64(), float64(days)*(0.1+0.6*r.Float64())
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return logisticAt(t, k, rate, mid) }), active)
	}},
	{"version rollout", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, "steady")
		k, rate, mid := 0.7+0.25*r.Float64(), 0.1+0.2*r.Float64(), float64(days)*(0.2+0.6*r.Float64())
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return logisticAt(t, k, rate, mid) }), active)
	}},
	{"version replaced", func(r *rand.Rand, days int) *series {
		active := activeCounts(r, days, "steady")
		floor, rate, mid := 0.02+0.08*r.Float64(), 0.05+0.15*r.Float64(), float64(days)*(0.2+0.6*r.Float64())
		return shareSeries("s", 0, shareCounts(r, active, func(t float64) float64 { return 1 - logisticAt(t, 1-floor, rate, mid) }), active)
	}},
}

// TestBacktestCoverageSim runs the back-test on seeded simulated series of
// every kind (90 days, the demo's and the retention's history) and checks
// that, over all of them, the 80 % intervals hold the actual values of
// 70 to 90 % of the forecasts. Each kind's figures are logged; docs/insights.md
// quotes them.
func TestBacktestCoverageSim(t *testing.T) {
	t.Parallel() // CPU only: overlaps the tests that wait on the stores
	const perKind, days = 25, 90
	horizons := []int{7, 30}
	r := rand.New(rand.NewPCG(12, 1))
	var allInside, allN float64
	for _, k := range simKinds {
		var inside, n, mase [2]float64
		for range perKind {
			bt, _ := k.draw(r, days).backtest(horizons)
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
		t.Logf("%-22s h=7: coverage %.3f MASE %.2f | h=30: coverage %.3f MASE %.2f (%d series, %.0f and %.0f forecasts)",
			k.name, inside[0]/n[0], mase[0], inside[1]/n[1], mase[1], perKind, n[0], n[1])
		allInside += inside[0] + inside[1]
		allN += n[0] + n[1]
	}
	cov := allInside / allN
	t.Logf("all: coverage %.3f over %.0f forecasts of %d series", cov, allN, perKind*len(simKinds))
	if cov < 0.70 || cov > 0.90 {
		t.Errorf("the 80 %% intervals held %.1f %% of the actual values, want 70–90 %%", 100*cov)
	}
}
