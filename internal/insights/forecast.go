package insights

import (
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Forecast horizons: the seed design's 30 and 90 days by default, at most
// MaxHorizon.
const (
	MaxHorizon = 180
	// pathDays is how much history a path shows before as_of.
	pathDays = 90
)

// DefaultHorizons are the horizons forecast when none is asked for.
func DefaultHorizons() []int { return []int{30, 90} }

// Series names.
const (
	SeriesActive  = "active_installations"
	versionPrefix = "version:"
	featurePrefix = "feature:"
)

// History is the daily history up to and including as_of, oldest first:
// installations that reported each day, in all and by version and by
// feature. Every slice has one value per day from First.
type History struct {
	First    rollup.Day
	Active   []int64
	Versions map[string][]int64
	Features map[string][]int64
}

// Forecast is one series forecast at one horizon.
type Forecast struct {
	Series      string   `json:"series"`
	Unit        string   `json:"unit"` // installations, or pct of the day's active installations
	HorizonDays int      `json:"horizon_days"`
	Day         string   `json:"day"`     // the day forecast
	Current     float64  `json:"current"` // the value on as_of
	Value       float64  `json:"value"`
	Lower       float64  `json:"lower"` // the 80 % interval
	Upper       float64  `json:"upper"`
	Method      string   `json:"method"`
	Backtest    Backtest `json:"backtest"`
}

// Path is a series' history and its forecast for every day up to the
// longest horizon, for charts: one value a day from From, Actual null
// after as_of, the forecast null before it (and equal to the actual
// value on as_of, so that the lines join). Values are rounded to
// hundredths.
type Path struct {
	Series string     `json:"series"`
	Unit   string     `json:"unit"`
	From   string     `json:"from"`
	Actual []*float64 `json:"actual"`
	Value  []*float64 `json:"value"`
	Lower  []*float64 `json:"lower"`
	Upper  []*float64 `json:"upper"`
}

// Skipped is a series left out, and why.
type Skipped struct {
	Series string `json:"series"`
	Reason string `json:"reason"`
}

// Forecasts are every series' forecasts from one day.
type Forecasts struct {
	AsOf        string     `json:"as_of"`
	HistoryDays int        `json:"history_days"`
	Horizons    []int      `json:"horizons"`
	Forecasts   []Forecast `json:"forecasts"`
	// Paths are left out of the API's answer unless asked for (paths=true):
	// the page draws them.
	Paths   []Path    `json:"paths,omitempty"`
	Skipped []Skipped `json:"skipped"`
}

// ForecastAll forecasts every series of h at each horizon, with the
// back-test beside each, and draws their paths.
func ForecastAll(h History, horizons []int) Forecasts {
	run := runForecasts(h, horizons)
	out := run.figures
	out.Paths = run.paths()
	return out
}

// forecastRun is every series' forecasts from one day without their
// paths, and what drawing them takes: the API leaves paths out unless
// asked, and each costs as many interval searches as its longest horizon
// has days.
type forecastRun struct {
	figures Forecasts
	fitted  []seriesResult // the series not skipped
	horizon int
}

// runForecasts forecasts every series of h at each horizon, with the
// back-test beside each. Series are independent, so they run in
// parallel.
func runForecasts(h History, horizons []int) *forecastRun {
	asOf := h.First + rollup.Day(len(h.Active)) - 1
	run := &forecastRun{horizon: slices.Max(horizons), figures: Forecasts{AsOf: asOf.String(), HistoryDays: len(h.Active), Horizons: horizons,
		Forecasts: []Forecast{}, Skipped: []Skipped{}}}
	all := h.series()
	results := make([]seriesResult, len(all))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(all)) {
		wg.Go(func() {
			for i := range work {
				results[i] = all[i].forecastAll(horizons)
			}
		})
	}
	for i := range all {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, r := range results {
		if r.skipped != nil {
			run.figures.Skipped = append(run.figures.Skipped, *r.skipped)
			continue
		}
		run.figures.Forecasts = append(run.figures.Forecasts, r.forecasts...)
		run.fitted = append(run.fitted, r)
	}
	return run
}

// paths draws the path of every series forecast.
func (run *forecastRun) paths() []Path {
	out := make([]Path, len(run.fitted))
	for i, r := range run.fitted {
		out[i] = r.series.path(r.fit, run.horizon)
	}
	return out
}

// series builds the series to forecast: active installations, then each
// version's and each feature's share of them, by name.
func (h History) series() []*series {
	out := []*series{countSeries(SeriesActive, h.First, h.Active)}
	for _, group := range []struct {
		prefix string
		m      map[string][]int64
	}{{versionPrefix, h.Versions}, {featurePrefix, h.Features}} {
		for _, name := range slices.Sorted(maps.Keys(group.m)) {
			out = append(out, shareSeries(group.prefix+name, h.First, group.m[name], h.Active))
		}
	}
	return out
}

type seriesResult struct {
	forecasts []Forecast
	series    *series
	fit       ensemble // on the whole history
	skipped   *Skipped
}

// forecastAll back-tests s, fits it on its whole history and forecasts
// each horizon.
func (s *series) forecastAll(horizons []int) seriesResult {
	last := len(s.actual) - 1
	current, ok := s.lastActual(last)
	if !ok || observed(s.actual) < minFitPoints {
		return seriesResult{skipped: &Skipped{Series: s.name, Reason: "fewer than 14 days with a value"}}
	}
	backtests, warm := s.backtest(horizons)
	fit, _, _ := fitEnsemble(s.scales(last), warm)
	asOf := s.first + rollup.Day(last)
	r := seriesResult{series: s, fit: fit}
	for i, h := range horizons {
		mean, lo, hi := fit.forecast(h)
		r.forecasts = append(r.forecasts, Forecast{Series: s.name, Unit: s.unit, HorizonDays: h, Day: (asOf + rollup.Day(h)).String(),
			Current: current, Value: mean, Lower: lo, Upper: hi, Method: s.method, Backtest: backtests[i]})
	}
	return r
}

// path is the last pathDays of s and its forecast up to horizon days on.
func (s *series) path(fit ensemble, horizon int) Path {
	last := len(s.actual) - 1
	from := max(0, last-pathDays+1)
	p := Path{Series: s.name, Unit: s.unit, From: (s.first + rollup.Day(from)).String()}
	means, lows, highs := fit.forecasts(horizon)
	for i := from; i <= last+horizon; i++ {
		if i <= last {
			p.Actual = append(p.Actual, number(s.actual[i]))
			p.Value, p.Lower, p.Upper = append(p.Value, nil), append(p.Lower, nil), append(p.Upper, nil)
			continue
		}
		mean, lo, hi := means[i-last-1], lows[i-last-1], highs[i-last-1]
		p.Actual = append(p.Actual, nil)
		p.Value, p.Lower, p.Upper = append(p.Value, number(mean)), append(p.Lower, number(lo)), append(p.Upper, number(hi))
	}
	// The forecast line starts at the last actual value, so it joins it.
	if c, ok := s.lastActual(last); ok && last >= from {
		i := last - from
		p.Value[i], p.Lower[i], p.Upper[i] = number(c), number(c), number(c)
	}
	return p
}

func number(v float64) *float64 {
	if v != v { // NaN: a day without a value
		return nil
	}
	v = math.Round(v*100) / 100
	return &v
}
