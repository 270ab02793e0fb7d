package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// defaultReleaseDays is the period of the insights endpoints and page
// when none is asked.
const defaultReleaseDays = 30

// releaseDays reads ?days= (1 to insights.MaxDays; defaultReleaseDays when
// absent).
func releaseDays(v url.Values) (int, *apiError) {
	s := v.Get("days")
	if s == "" {
		return defaultReleaseDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > insights.MaxDays {
		max := strconv.Itoa(insights.MaxDays)
		return 0, badParam("days", "1 <= days <= "+max, "days must be a whole number from 1 to "+max)
	}
	return n, nil
}

// insightReleases serves GET /api/v1/insights/releases?days=N: the health
// of every version reported in the last N days.
func (s *Server) insightReleases(w http.ResponseWriter, r *http.Request) error {
	return replyOverDays(s, w, r, s.releaseHealth.Releases)
}

// insightAnomalies serves GET /api/v1/insights/anomalies?days=N: the
// anomalies of the last N whole days.
func (s *Server) insightAnomalies(w http.ResponseWriter, r *http.Request) error {
	return replyOverDays(s, w, r, s.releaseHealth.Anomalies)
}

// replyOverDays answers what read finds over the last days the URL names
// (releaseDays).
func replyOverDays[T any](s *Server, w http.ResponseWriter, r *http.Request, read func(context.Context, time.Time, int) (T, error)) error {
	days, bad := releaseDays(r.URL.Query())
	if bad != nil {
		return bad
	}
	ans, err := read(r.Context(), s.now(), days)
	return reply(w, ans, err)
}
