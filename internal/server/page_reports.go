package server

import (
	"net/http"
	"net/url"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// listedWeeks is how many past weeks the Weekly reports page lists (at
// most: never beyond the rollup retention).
const listedWeeks = 26

// reportsView is the Weekly reports page: the past weeks, newest first.
type reportsView struct {
	Weeks []weekLink
}

type weekLink struct {
	Week, Start, End string
	Query            string // week=…, for the API's links
}

// reportsPage lists the past weeks, each opening its HTML report (and its
// Markdown and JSON) from GET /api/v1/reports/weekly.
func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.isAdmin(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login?"+url.Values{"next": {"/reports"}}.Encode(), http.StatusSeeOther)
		return nil
	}
	now := s.now()
	oldest := s.dash.Retained(rollup.DayOf(now)).From
	var v reportsView
	for p := weekly.LastComplete(now); len(v.Weeks) < listedWeeks && p.From >= oldest; p = p.Previous() {
		v.Weeks = append(v.Weeks, newWeekLink(p))
	}
	return render(w, http.StatusOK, "reports", v)
}

func newWeekLink(p dashboard.Period) weekLink {
	name := weekly.Name(p)
	return weekLink{Week: name, Start: p.From.String(), End: p.To.String(), Query: url.Values{"week": {name}}.Encode()}
}
