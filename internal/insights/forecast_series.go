package insights

import (
	"math"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Units of a forecast series.
const (
	UnitInstallations = "installations"
	UnitPct           = "pct" // percent of the day's active installations
)

// series is one daily series ready to forecast: its values on their own
// scale (actual) and on the scale the model works on (model), with the
// way back. NaN marks a day without a value.
type series struct {
	name string
	// first is the day of actual[0] and model[0].
	first  rollup.Day
	unit   string
	method string
	actual []float64
	model  []float64
	back   func(float64) float64 // model scale to actual scale, increasing
}

// Methods, as the API names them.
const (
	methodCounts = "damped-trend exponential smoothing, ETS(A,Ad,N)"
	methodShares = "damped-trend exponential smoothing of the log-odds (a local logistic curve), ETS(A,Ad,N) on logit"
)

// countSeries forecasts a count as it is; a forecast below zero means zero.
func countSeries(name string, first rollup.Day, counts []int64) *series {
	s := &series{name: name, first: first, unit: UnitInstallations, method: methodCounts,
		back: func(v float64) float64 { return math.Max(0, v) }}
	for _, c := range counts {
		s.actual = append(s.actual, float64(c))
	}
	s.model = s.actual
	return s
}

// shareSeries forecasts part/whole, in percent, on the log-odds scale: a
// trend there is a logistic curve, so the forecast slows as it nears 0 or
// 100 % and its interval never leaves them. The empirical logit
// log((k+½)/(n−k+½)) keeps days at 0 or 100 % finite. Days without
// installations (whole 0) are gaps. The series starts on the first day
// part is not 0: before, the version or feature did not exist yet, and
// its zeros would pass for a history.
func shareSeries(name string, first rollup.Day, part, whole []int64) *series {
	start := 0
	for start < len(part)-1 && part[start] == 0 {
		start++
	}
	part, whole = part[start:], whole[start:]
	s := &series{name: name, first: first + rollup.Day(start), unit: UnitPct, method: methodShares,
		back: func(v float64) float64 { return 100 * sigmoid(v) }}
	s.actual = make([]float64, len(whole))
	s.model = make([]float64, len(whole))
	for i, n := range whole {
		if n <= 0 {
			s.actual[i], s.model[i] = math.NaN(), math.NaN()
			continue
		}
		k := float64(min(part[i], n))
		s.actual[i] = 100 * k / float64(n)
		s.model[i] = math.Log((k + 0.5) / (float64(n) - k + 0.5))
	}
	return s
}
