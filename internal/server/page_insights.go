package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// insightsView is what the Insights page renders: the four answers, and
// every number, heading and table cell as the server writes them (Text,
// complete without JavaScript). The page embeds both as JSON for
// web/static/insights.js: the answers' values to plot, the text to show.
type insightsView struct {
	Error      string
	Days       []option
	Supports   []option
	AsOf, Max  string // the forecasts' day, and the latest allowed
	Features   *insights.FeaturesAnswer
	Algorithms *insights.AlgorithmsAnswer
	Patterns   *insights.PatternsAnswer
	Forecasts  *insights.Forecasts
	Data       insightsData
	Text       insightsText
}

// insightsData is the four answers, the values the page's charts plot.
type insightsData struct {
	Features   *insights.FeaturesAnswer   `json:"features"`
	Algorithms *insights.AlgorithmsAnswer `json:"algorithms"`
	Patterns   *insights.PatternsAnswer   `json:"patterns"`
	Forecasts  *insights.Forecasts        `json:"forecasts"`
}

// insightsText is what the page shows of the answers, written once, here:
// each card's title, description, note and table, whose headings and
// cells a chart's legend shows, and the forecast paths' values for the
// forecast chart's legend.
type insightsText struct {
	Charts   []chartView  `json:"charts"`
	Forecast forecastText `json:"forecast"`
}

// insightsPage is GET /insights?days=N&min_support=S&as_of=YYYY-MM-DD, the
// same parameters as the API. A bad one is shown on the page, which falls
// back to the defaults.
func (s *Server) insightsPage(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.signedIn(w, r); !ok || err != nil {
		return err
	}
	now, status, problem := s.now(), http.StatusOK, ""
	win, q, asOf, horizons, err := insightsParams(r, now)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			return err
		}
		status, problem = http.StatusBadRequest, ae.Message
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = ""
		win, q, asOf, horizons, _ = insightsParams(r2, now)
	}
	v := &insightsView{Error: problem, AsOf: asOf.String(), Max: (rollup.DayOf(now) - 1).String()}
	ctx := r.Context()
	// The four answers are independent reads: at once.
	var errs [4]error
	var wg sync.WaitGroup
	wg.Go(func() { v.Features, errs[0] = s.insights.Features(ctx, win) })
	wg.Go(func() { v.Algorithms, errs[1] = s.insights.Algorithms(ctx, win) })
	wg.Go(func() { v.Patterns, errs[2] = s.insights.Patterns(ctx, win, q) })
	wg.Go(func() { v.Forecasts, errs[3] = s.insights.Forecasts(ctx, asOf, horizons) })
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return unavailable(err)
	}
	v.Days = choices([]string{"7", "30", "90"}, strconv.Itoa(win.Days()), " days")
	v.Supports = choices([]string{"0.01", "0.02", "0.05", "0.1", "0.2"}, strconv.FormatFloat(q.MinSupport, 'g', -1, 64), "")
	v.Data = insightsData{Features: v.Features, Algorithms: v.Algorithms, Patterns: v.Patterns, Forecasts: v.Forecasts}
	v.Text = insightsText{Charts: insightCharts(v), Forecast: forecastTexts(v.Forecasts, asOf)}
	return render(w, status, "insights", v)
}

// insightsParams reads the page's parameters as the API reads them.
func insightsParams(r *http.Request, now time.Time) (dashboard.Period, insights.PatternQuery, rollup.Day, []int, error) {
	win, err := insightsWindow(r, now)
	if err != nil {
		return win, insights.PatternQuery{}, 0, nil, err
	}
	q, err := patternQuery(r)
	if err != nil {
		return win, q, 0, nil, err
	}
	asOf, horizons, err := forecastQuery(r, now)
	return win, q, asOf, horizons, err
}

// choices are a select's options, with the current value added when it
// is not one of them.
func choices(values []string, current, suffix string) []option {
	var out []option
	found := false
	for _, v := range values {
		out = append(out, option{Value: v, Label: v + suffix, Selected: v == current})
		found = found || v == current
	}
	if !found {
		out = append(out, option{Value: current, Label: current + suffix, Selected: true})
	}
	return out
}

// insightCharts are the page's four cards with their tables. The IDs and
// columns match web/static/insights.js: a chart's legend shows the cells
// of its table.
func insightCharts(v *insightsView) []chartView {
	return withRows(prioritiesChart(v.Features), algorithmAdviceChart(v.Algorithms), patternsChart(v.Patterns), forecastsChart(v.Forecasts))
}

func prioritiesChart(a *insights.FeaturesAnswer) chartView {
	w := a.Weights
	total := w.Usage + w.Performance + w.Requests
	weighted := func(part string, weight float64) string { return part + " × " + dashboard.FormatDecimal(weight/total) }
	c := chartView{ID: "priorities", Title: "Feature priorities",
		Desc: "Score = usage × " + fmtWeight(w.Usage) + " + performance × " + fmtWeight(w.Performance) + " + requests × " + fmtWeight(w.Requests) +
			" (weights normalised to sum to 1), each part 0–100; bars show each part's share of the score.",
		Note: "Performance compares the average improvement of reports with the feature and without it: an association, not proof that the feature causes it.",
		Head: []string{"Rank", "Feature", "Score", weighted("Usage", w.Usage), weighted("Performance", w.Performance), weighted("Requests", w.Requests),
			"Installations", "Votes", "Avg. improvement with", "without"},
		Empty: len(a.Features) == 0}
	if a.RequestsSource == insights.RequestsNone {
		c.Note += " No feedback channel is configured, so every requests score is 0."
	}
	for i, p := range a.Features {
		b := p.Breakdown
		c.Rows = append(c.Rows, []string{strconv.Itoa(i + 1), p.Feature, dashboard.FormatPlain(p.Score), dashboard.FormatPlain(b.Usage), dashboard.FormatPlain(b.Performance),
			dashboard.FormatPlain(b.Requests), dashboard.FormatCount(int64(p.Installations)), dashboard.FormatCount(p.Votes), dashboard.FormatPct(p.ImprovementWithPct), dashboard.FormatPct(p.ImprovementWithoutPct)})
	}
	return c
}

func algorithmAdviceChart(a *insights.AlgorithmsAnswer) chartView {
	t := a.Thresholds
	c := chartView{ID: "advice", Title: "Algorithms to improve",
		Desc: "Success rate (decisions per run) with its 95 % interval, counting each installation once. improve: the interval lies below " +
			dashboard.FormatDecimal(t.MinSuccessRate) + "; optimize: the average improvement's interval lies below " + dashboard.FormatPlain(t.MinImprovementPct) +
			" %; insufficient_data: fewer than " + strconv.Itoa(t.MinInstallations) + " installations.",
		Head:  []string{"Algorithm", "Action", "Success rate", "95 % interval", "Avg. improvement", "95 % interval", "Uses", "Installations", "Why"},
		Empty: len(a.Algorithms) == 0}
	for _, x := range a.Algorithms {
		c.Rows = append(c.Rows, []string{x.Algorithm, x.Action, dashboard.FormatOptDecimal(x.SuccessRate), formatRange(x.SuccessRateLow, x.SuccessRateHigh, dashboard.FormatOptDecimal),
			dashboard.FormatPct(x.AvgImprovementPct), formatRange(x.ImprovementLowPct, x.ImprovementHighPct, dashboard.FormatPct),
			dashboard.FormatCount(x.Uses), dashboard.FormatCount(int64(x.Installations)), x.Reason})
	}
	return c
}

func patternsChart(a *insights.PatternsAnswer) chartView {
	c := chartView{ID: "patterns", Title: "Feature combinations",
		Desc: "Installations that used at least these features in the period (of " + dashboard.FormatCount(int64(a.Installations)) +
			"), with at least " + dashboard.FormatPlain(100*a.MinSupport) + " % support. Lift above 1: used together more often than if independent.",
		Head:  []string{"Features", "Installations", "Support", "Lift", "Exactly these", "Exactly these (share)"},
		Empty: len(a.Combinations) == 0}
	for _, x := range a.Combinations {
		support, exact := 100*x.Support, 100*x.ExactlySupport
		c.Rows = append(c.Rows, []string{strings.Join(x.Features, " + "), dashboard.FormatCount(int64(x.Installations)), dashboard.FormatPct(&support),
			dashboard.FormatDecimal(x.Lift), dashboard.FormatCount(int64(x.Exactly)), dashboard.FormatPct(&exact)})
	}
	return c
}

func forecastsChart(a *insights.Forecasts) chartView {
	c := chartView{ID: "forecasts", Title: "Forecasts",
		Desc: "From " + a.AsOf + " (UTC), using only the days up to it, with 80 % intervals. Back-test: forecasts from earlier days of the same history; " +
			"MASE below 1 beats repeating the last value; coverage is the share of actual values inside the interval (80 % is right).",
		Head:  []string{"Series", "Horizon", "Day", "On " + a.AsOf, "Forecast", "80 % interval", "MASE", "Coverage", "Back-test origins"},
		Empty: len(a.Forecasts) == 0}
	for _, f := range a.Forecasts {
		val := func(x float64) string { return forecastValue(f.Unit, &x) }
		c.Rows = append(c.Rows, []string{f.Series, strconv.Itoa(f.HorizonDays) + " days", f.Day, val(f.Current), val(f.Value),
			val(f.Lower) + " – " + val(f.Upper), dashboard.FormatOptDecimal(f.Backtest.MASE), dashboard.FormatRate(f.Backtest.Coverage80), dashboard.FormatCount(int64(f.Backtest.Origins))})
	}
	return c
}

// forecastText is the forecast chart's legend as the server writes it:
// the days of the longest path, and each path's values. Every path ends on
// the same day (as_of and the longest horizon), so a path's days are the
// last of Days.
type forecastText struct {
	Head  []string   `json:"head"` // the legend's labels: the day, then each line's
	Days  []string   `json:"days"`
	Paths []pathText `json:"paths"` // in the order of Forecasts.Paths
}

// pathText is one path's values as written, where its chart draws them:
// Actual a day from the path's first day to as_of, and Value, Lower and
// Upper a day from as_of to its last.
type pathText struct {
	Actual []string `json:"actual"`
	Value  []string `json:"value"`
	Lower  []string `json:"lower"`
	Upper  []string `json:"upper"`
}

func forecastTexts(f *insights.Forecasts, asOf rollup.Day) forecastText {
	out := forecastText{Head: []string{"Day (UTC)", "Actual", "Forecast", "80 % low", "80 % high"}, Days: []string{}, Paths: []pathText{}}
	if len(f.Paths) == 0 {
		return out
	}
	horizon, longest := slices.Max(f.Horizons), 0
	for _, p := range f.Paths {
		longest = max(longest, len(p.Actual))
		history := len(p.Actual) - horizon // the days up to as_of
		texts := func(values []*float64) []string {
			var written []string
			for _, v := range values {
				written = append(written, forecastValue(p.Unit, v))
			}
			return written
		}
		out.Paths = append(out.Paths, pathText{Actual: texts(p.Actual[:history]),
			Value: texts(p.Value[history-1:]), Lower: texts(p.Lower[history-1:]), Upper: texts(p.Upper[history-1:])})
	}
	out.Days = dashboard.EndingOn(asOf+rollup.Day(horizon), longest).DayNames()
	return out
}

// forecastValue writes a forecast series' value: a share as a percentage,
// installations as a whole number.
func forecastValue(unit string, x *float64) string {
	switch {
	case x == nil:
		return dashboard.Missing
	case unit == insights.UnitPct:
		return dashboard.FormatPct(x)
	}
	return dashboard.FormatCount(int64(*x + 0.5))
}

func fmtWeight(w float64) string { return strconv.FormatFloat(w, 'g', -1, 64) }

func formatRange(lo, hi *float64, format func(*float64) string) string {
	if lo == nil || hi == nil {
		return dashboard.Missing
	}
	return format(lo) + " – " + format(hi)
}
