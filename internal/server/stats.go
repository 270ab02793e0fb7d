package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.dash.Stats(r.Context(), s.now())
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) trends(w http.ResponseWriter, r *http.Request) error {
	days := dashboard.ActiveWindow
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > dashboard.MaxTrendDays {
			e := errorf(http.StatusBadRequest, "invalid_parameter", "days must be a whole number between 1 and "+strconv.Itoa(dashboard.MaxTrendDays))
			e.Field, e.Rule = "days", "1 <= days <= "+strconv.Itoa(dashboard.MaxTrendDays)
			return e
		}
		days = n
	}
	t, err := s.dash.Trends(r.Context(), s.now(), days)
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
