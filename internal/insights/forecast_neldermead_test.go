package insights

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// TestNelderMeadIsGonums holds nelderMead to the steps of gonum's
// optimize.Minimize with the settings it replaces, bit for bit, on the
// fits the forecasts make (the Kalman filter's likelihood of simulated
// series, cold and warm starts, with and without φ) and on Rosenbrock's
// function: the back-test's figures depend on every step.
func TestNelderMeadIsGonums(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	gonums := func(f func([]float64) float64, x0 []float64, size float64) ([]float64, float64) {
		res, _ := optimize.Minimize(optimize.Problem{Func: f}, x0,
			&optimize.Settings{Converger: &optimize.FunctionConverge{Absolute: nmAbsolute, Relative: nmRelative, Iterations: nmStall}, FuncEvaluations: nmMaxEvals},
			&optimize.NelderMead{SimplexSize: size})
		return res.X, res.F
	}
	check := func(name string, f func([]float64) float64, x0 []float64, size float64) {
		t.Helper()
		wantX, wantF := gonums(f, x0, size)
		gotX, gotF, _ := nelderMead(f, x0, size)
		same := math.Float64bits(gotF) == math.Float64bits(wantF) && len(gotX) == len(wantX)
		for i := range gotX {
			same = same && math.Float64bits(gotX[i]) == math.Float64bits(wantX[i])
		}
		if !same {
			t.Errorf("%s from %v: got %v at %v, gonum %v at %v", name, x0, gotF, gotX, wantF, wantX)
		}
	}
	for i := range 60 {
		days := 20 + r.IntN(300)
		y := make([]float64, days)
		level, trend := 100+900*r.Float64(), 5*r.NormFloat64()
		for d := range y {
			trend = 0.95*trend + r.NormFloat64()
			level += trend
			y[d] = level + 20*r.NormFloat64()
			if r.IntN(20) == 0 {
				y[d] = math.NaN() // a gap
			}
		}
		cost := func(x []float64) float64 { m := fromParams(x); return m.filter(y) }
		x0 := []float64{math.Log(0.1), math.Log(0.001), 0}
		size := 2.0
		if i%2 == 1 { // a warm start
			x0, size = []float64{4 * r.NormFloat64(), 4 * r.NormFloat64(), 3 * r.NormFloat64()}, 0.5
		}
		check("damped", cost, x0, size)
		check("straight", cost, x0[:2], size)
	}
	rosenbrock := func(x []float64) float64 {
		var s float64
		for i := range len(x) - 1 {
			s += 100*math.Pow(x[i+1]-x[i]*x[i], 2) + math.Pow(1-x[i], 2)
		}
		return s
	}
	for dim := 1; dim <= 4; dim++ {
		x0 := make([]float64, dim)
		for i := range x0 {
			x0[i] = 3 * r.NormFloat64()
		}
		check("rosenbrock", rosenbrock, x0, 0.7)
	}
	check("not finite", func([]float64) float64 { return math.NaN() }, []float64{1, 2}, 1)
}
