package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// The insights API (issue 12): GET /api/v1/insights/{features,
// algorithms,patterns,forecasts}, admin only, from the rollups. Each
// answers 400 naming the parameter that is wrong.

// insightsDays is the window when the URL names none: the dashboard's
// active window.
const insightsDays = dashboard.ActiveWindow

func (s *Server) insightFeatures(w http.ResponseWriter, r *http.Request) error {
	return replyOverWindow(s, w, r, s.insights.Features)
}

func (s *Server) insightAlgorithms(w http.ResponseWriter, r *http.Request) error {
	return replyOverWindow(s, w, r, s.insights.Algorithms)
}

// replyOverWindow answers what read finds over the window the URL names.
func replyOverWindow[T any](s *Server, w http.ResponseWriter, r *http.Request, read func(context.Context, dashboard.Period) (T, error)) error {
	win, err := insightsWindow(r, s.now())
	if err != nil {
		return err
	}
	ans, err := read(r.Context(), win)
	return reply(w, ans, err)
}

func (s *Server) insightPatterns(w http.ResponseWriter, r *http.Request) error {
	win, err := insightsWindow(r, s.now())
	if err != nil {
		return err
	}
	q, err := patternQuery(r)
	if err != nil {
		return err
	}
	ans, err := s.insights.Patterns(r.Context(), win, q)
	return reply(w, ans, err)
}

func (s *Server) insightForecasts(w http.ResponseWriter, r *http.Request) error {
	asOf, horizons, err := forecastQuery(r, s.now())
	if err != nil {
		return err
	}
	forecasts := s.insights.ForecastFigures
	if r.URL.Query().Get("paths") == "true" {
		forecasts = s.insights.Forecasts
	}
	ans, err := forecasts(r.Context(), asOf, horizons)
	return reply(w, ans, err)
}

// reply writes an answer read from the store, or 503 when the read
// failed.
func reply(w http.ResponseWriter, ans any, err error) error {
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// insightsWindow reads days=N (1 to dashboard.MaxTrendDays; 30 when
// absent): the window ending today (UTC).
func insightsWindow(r *http.Request, now time.Time) (dashboard.Period, error) {
	n, err := intParam(r, "days", insightsDays, 1, dashboard.MaxTrendDays)
	return dashboard.LastDays(now, n), err
}

// patternQuery reads min_support (0 < s ≤ 1; 0.05), min_size and max_size
// (1 to 4; 2 and 4) and limit (1 to 1000; 50).
func patternQuery(r *http.Request) (insights.PatternQuery, error) {
	q := insights.DefaultPatternQuery()
	if s := r.URL.Query().Get("min_support"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(f > 0 && f <= 1) {
			return q, badParam("min_support", "0 < min_support <= 1", "min_support must be a share of installations above 0 and at most 1, such as 0.05")
		}
		q.MinSupport = f
	}
	var err error
	if q.MinSize, err = intParam(r, "min_size", q.MinSize, 1, insights.MaxPatternSize); err != nil {
		return q, err
	}
	if q.MaxSize, err = intParam(r, "max_size", q.MaxSize, q.MinSize, insights.MaxPatternSize); err != nil {
		return q, err
	}
	q.Limit, err = intParam(r, "limit", q.Limit, 1, 1000)
	return q, err
}

// forecastQuery reads as_of=YYYY-MM-DD (a day before today, UTC;
// yesterday when absent, today being incomplete) and horizon=N (1 to
// insights.MaxHorizon days; 30 and 90 when absent). paths=true adds each
// series' daily history and forecast for charts.
func forecastQuery(r *http.Request, now time.Time) (rollup.Day, []int, error) {
	today := rollup.DayOf(now)
	asOf := today - 1
	if s := r.URL.Query().Get("as_of"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return 0, nil, badParam("as_of", "YYYY-MM-DD", "as_of must be a date as YYYY-MM-DD")
		}
		if asOf = rollup.DayOf(t); asOf >= today {
			return 0, nil, badParam("as_of", "as_of < today (UTC)", "as_of must be before today ("+today.String()+", UTC): the day in progress is not complete")
		}
	}
	horizons := insights.DefaultHorizons()
	if r.URL.Query().Get("horizon") != "" {
		h, err := intParam(r, "horizon", 0, 1, insights.MaxHorizon)
		if err != nil {
			return 0, nil, err
		}
		horizons = []int{h}
	}
	return asOf, horizons, nil
}
