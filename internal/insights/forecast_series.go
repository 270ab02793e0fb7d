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

// series is one daily series to forecast: its values (NaN on a day
// without one) and how to put its history up to a day on the scales the
// trend models work on.
type series struct {
	name string
	// first is the day of actual[0].
	first  rollup.Day
	unit   string
	method string
	actual []float64
	// scales returns the history up to and including day upTo on each
	// scale it is forecast on.
	scales func(upTo int) []scaled
}

// Methods, as the API names them.
const (
	methodCounts = "local linear trend, damped and undamped, of the count and of its logarithm, combined"
	methodShares = "local linear trend, damped and undamped, of the share and of its log-odds, combined"
)

func identity(v float64) float64 { return v }

// countSeries forecasts a count as it is (a forecast below zero meaning
// zero) and on the logarithmic scale, where growth by a steady rate is a
// straight line.
func countSeries(name string, first rollup.Day, counts []int64) *series {
	s := &series{name: name, first: first, unit: UnitInstallations, method: methodCounts}
	for _, c := range counts {
		s.actual = append(s.actual, float64(c))
	}
	logs := make([]float64, len(s.actual))
	for i, c := range s.actual {
		logs[i] = math.Log1p(c)
	}
	back := func(v float64) float64 { return math.Max(0, v) }
	toLog := func(x float64) float64 { return math.Log1p(math.Max(x, 0)) }
	s.scales = func(upTo int) []scaled {
		return []scaled{{y: s.actual[:upTo+1], to: identity, back: back}, {y: logs[:upTo+1], to: toLog, back: math.Expm1}}
	}
	return s
}

// shareSeries forecasts part/whole, in percent, as it is (kept within 0
// to 100 %) and on the log-odds scale, where a trend is a logistic curve
// that slows as it nears a bound and whose interval never leaves them.
// The empirical logit log((k+½)/(n−k+½)) keeps days at 0 or 100 %
// finite. Days without installations (whole 0) are gaps. The series
// starts on the first day part is not 0: before, the version or feature
// did not exist yet, and its zeros would pass for a history.
func shareSeries(name string, first rollup.Day, part, whole []int64) *series {
	start := 0
	for start < len(part)-1 && part[start] == 0 {
		start++
	}
	s := &series{name: name, first: first + rollup.Day(start), unit: UnitPct, method: methodShares}
	logOdds := make([]float64, len(part)-start)
	for i := range logOdds {
		k, n := float64(min(part[start+i], whole[start+i])), float64(whole[start+i])
		share, lo := math.NaN(), math.NaN()
		if n > 0 {
			share, lo = 100*k/n, math.Log((k+0.5)/(n-k+0.5))
		}
		s.actual, logOdds[i] = append(s.actual, share), lo
	}
	clamp := func(v float64) float64 { return math.Min(100, math.Max(0, v)) }
	toLogOdds := func(x float64) float64 {
		p := math.Min(math.Max(x/100, 1e-12), 1-1e-12)
		return math.Log(p / (1 - p))
	}
	fromLogOdds := func(v float64) float64 { return 100 * sigmoid(v) }
	s.scales = func(upTo int) []scaled {
		return []scaled{{y: s.actual[:upTo+1], to: identity, back: clamp}, {y: logOdds[:upTo+1], to: toLogOdds, back: fromLogOdds}}
	}
	return s
}
