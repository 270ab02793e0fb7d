package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// overviewData serves everything the overview page draws as one JSON
// document: GET /api/v1/dashboard/overview?days=30 or ?from=&to=, and
// &version=.
func (s *Server) overviewData(w http.ResponseWriter, r *http.Request) error {
	ov, err := s.overviewOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ov)
	return nil
}

// overviewViewData serves the overview page's view as JSON, what its
// script refreshes from: the Overview with every figure, heading and table
// written for people. GET /api/v1/dashboard/overview/view, with the
// parameters of overviewData.
func (s *Server) overviewViewData(w http.ResponseWriter, r *http.Request) error {
	ov, err := s.overviewOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newOverviewView(ov))
	return nil
}

// overviewOf computes the overview the API request r asks for.
func (s *Server) overviewOf(r *http.Request) (*dashboard.Overview, error) {
	now := s.now()
	q, bad := overviewQuery(r.URL.Query(), rollup.DayOf(now), true)
	if bad != nil {
		return nil, bad
	}
	ov, err := s.dash.Overview(r.Context(), now, q)
	if err != nil {
		return nil, unavailable(err)
	}
	return ov, nil
}

// overview is the dashboard page. The key figures and every table are
// rendered here, so the page is useful before (or without) JavaScript;
// the script draws the charts and refreshes from overviewData. Signed-out
// visitors are sent to the sign-in form, which brings them back to the
// same view.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.isAdmin(r)
	if err != nil {
		return err
	}
	if !ok {
		to := "/login"
		if r.URL.RawQuery != "" {
			to += "?" + url.Values{"next": {"/?" + r.URL.RawQuery}}.Encode()
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
	now := s.now()
	status, problem := http.StatusOK, ""
	q, qerr := overviewQuery(r.URL.Query(), rollup.DayOf(now), false)
	if qerr != nil {
		status, problem = http.StatusBadRequest, qerr.Message
		q = dashboard.OverviewQuery{Period: dashboard.LastDays(now, dashboard.ActiveWindow)}
	}
	ov, err := s.dash.Overview(r.Context(), now, q)
	if err != nil {
		return unavailable(err)
	}
	return render(w, status, "overview", newOverviewPage(ov, r.URL.Query(), problem, now))
}

// overviewQuery reads the period and filter from a URL: days=N (1 to
// dashboard.MaxOverviewDays; dashboard.ActiveWindow when absent) or from=YYYY-MM-DD and
// to=YYYY-MM-DD (days absent or "custom"), and version=. Empty values
// count as absent, as forms send them. Strict (the API) refuses days
// together with from and to; the page lets days win, so a form that
// still holds old dates keeps working.
func overviewQuery(v url.Values, today rollup.Day, strict bool) (dashboard.OverviewQuery, *apiError) {
	var q dashboard.OverviewQuery
	if ver := v.Get("version"); ver != "" {
		if bad := badVersion(ver); bad != nil {
			return q, bad
		}
		q.Version = ver
	}
	days, from, to := v.Get("days"), v.Get("from"), v.Get("to")
	custom := days == "custom" || (days == "" && (from != "" || to != ""))
	if days != "" && days != "custom" && (from != "" || to != "") && strict {
		return q, badParam("days", "days, or from and to", "give either days or from and to, not both")
	}
	if !custom {
		n := dashboard.ActiveWindow
		if days != "" {
			var err error
			if n, err = strconv.Atoi(days); err != nil || n < 1 || n > dashboard.MaxOverviewDays {
				max := strconv.Itoa(dashboard.MaxOverviewDays)
				return q, badParam("days", "1 <= days <= "+max, "days must be a whole number from 1 to "+max+", or custom")
			}
		}
		q.Period = dashboard.Period{From: today - rollup.Day(n) + 1, To: today}
		return q, nil
	}
	p, err := customPeriod(from, to, today)
	q.Period = p
	return q, err
}

func customPeriod(from, to string, today rollup.Day) (dashboard.Period, *apiError) {
	var p dashboard.Period
	for _, f := range []struct {
		name, value string
		day         *rollup.Day
	}{{"from", from, &p.From}, {"to", to, &p.To}} {
		t, err := time.Parse(time.DateOnly, f.value)
		if err != nil {
			return p, badParam(f.name, "YYYY-MM-DD", f.name+" must be a date as YYYY-MM-DD; a custom period needs from and to")
		}
		*f.day = rollup.DayOf(t)
	}
	switch max := dashboard.MaxOverviewDays; {
	case p.To > today:
		return p, badParam("to", "to <= today (UTC)", "to must not be after today ("+today.String()+", UTC)")
	case p.From > p.To:
		return p, badParam("from", "from <= to", "from must not be after to")
	case p.Days() > max:
		return p, badParam("from", "to - from < "+strconv.Itoa(max)+" days", "the period may span at most "+strconv.Itoa(max)+" days")
	}
	return p, nil
}

// badVersion refuses a version filter that no report could carry (the
// contract's version pattern): a mistake worth a 400.
func badVersion(v string) *apiError {
	if v == "" || report.Matches("version", v) {
		return nil
	}
	return badParam("version", "must match "+report.Pattern("version"), "version is not a version IndexPilot could report")
}

func badParam(field, rule, message string) *apiError {
	e := errorf(http.StatusBadRequest, "invalid_parameter", message)
	e.Field, e.Rule = field, rule
	return e
}
