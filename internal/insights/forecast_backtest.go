package insights

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// z80 is the standard normal quantile of an 80 % two-sided interval.
var z80 = distuv.UnitNormal.Quantile(0.9)

// Back-test settings: origins need four weeks of history before them; at
// most maxOrigins of them, evenly spread, keep a year of history cheap.
const (
	minTrainDays = 28
	maxOrigins   = 15
)

// Backtest is how a forecast method did on the series' own past: fitted
// at each origin on the days up to it only, then compared with what
// happened HorizonDays later.
type Backtest struct {
	// MASE is the forecasts' mean absolute error divided by that of the
	// naive forecast (the value on the origin day) at the same origins and
	// horizon: below 1 beats the naive forecast. Null without origins, or
	// when the naive forecast was never wrong.
	MASE *float64 `json:"mase"`
	// Coverage80 is the share of origins whose actual value fell inside
	// the 80 % interval; null without origins.
	Coverage80 *float64 `json:"coverage_80"`
	// Origins counts the forecasts compared.
	Origins int `json:"origins"`
}

// prediction is a forecast on the series' own scale.
type prediction struct {
	value, lower, upper float64
}

// predictAt fits s's models on its days 0..origin (the optimisers
// starting from warm when not nil) and forecasts each horizon after it;
// ok is false when there is too little history.
func (s *series) predictAt(origin int, horizons []int, warm []fitStart) ([]prediction, []fitStart, bool) {
	e, next, ok := fitEnsemble(s.scales(origin), warm)
	if !ok {
		return nil, nil, false
	}
	out := make([]prediction, len(horizons))
	for i, h := range horizons {
		out[i].value, out[i].lower, out[i].upper = e.forecast(h)
	}
	return out, next, true
}

// backtest runs the rolling-origin back-test of s for each horizon,
// refitting at every origin, oldest first. One fit per origin serves every
// horizon it can be checked at, and each starts the optimiser from the
// previous origin's optimum, which saw only older days. It also returns
// the last origin's optima (nil without origins), a start for the fit on
// the whole series.
func (s *series) backtest(horizons []int) ([]Backtest, []fitStart) {
	var warm []fitStart
	last := len(s.actual) - 1
	type tally struct {
		absErr, naiveErr float64
		inside, n        int
	}
	tallies := make([]tally, len(horizons))
	for _, o := range origins(last, minHorizon(horizons)) {
		naive, ok := s.lastActual(o)
		if !ok {
			continue
		}
		var hs []int
		var idx []int
		for i, h := range horizons {
			if o+h <= last && !math.IsNaN(s.actual[o+h]) {
				hs, idx = append(hs, h), append(idx, i)
			}
		}
		if len(hs) == 0 {
			continue
		}
		preds, next, ok := s.predictAt(o, hs, warm)
		if !ok {
			continue
		}
		warm = next
		for j, p := range preds {
			t, y := &tallies[idx[j]], s.actual[o+hs[j]]
			t.absErr += math.Abs(p.value - y)
			t.naiveErr += math.Abs(naive - y)
			t.n++
			if y >= p.lower && y <= p.upper {
				t.inside++
			}
		}
	}
	out := make([]Backtest, len(horizons))
	for i, t := range tallies {
		out[i].Origins = t.n
		if t.n == 0 {
			continue
		}
		cov := float64(t.inside) / float64(t.n)
		out[i].Coverage80 = &cov
		if t.naiveErr > 0 {
			mase := t.absErr / t.naiveErr
			out[i].MASE = &mase
		}
	}
	return out, warm
}

// origins are the last training days of the back-test for the shortest
// horizon h, oldest first: from minTrainDays-1 to last-h, at most
// maxOrigins of them, the latest always included.
func origins(last, h int) []int {
	first, end := minTrainDays-1, last-h
	if end < first {
		return nil
	}
	step := (end-first)/maxOrigins + 1
	var out []int
	for o := end; o >= first; o -= step {
		out = append(out, o)
	}
	slices.Reverse(out)
	return out
}

func minHorizon(hs []int) int {
	m := hs[0]
	for _, h := range hs {
		m = min(m, h)
	}
	return m
}

// lastActual is the naive forecast from origin o: the last value observed
// up to it.
func (s *series) lastActual(o int) (float64, bool) {
	for i := o; i >= 0; i-- {
		if !math.IsNaN(s.actual[i]) {
			return s.actual[i], true
		}
	}
	return 0, false
}
