package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// reportCSP lets the HTML report keep its inline styles (it is an
// e-mail, which cannot link a style sheet) and nothing else: no script,
// no remote resource.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"

// weeklyReport serves GET /api/v1/reports/weekly?week=2026-W48&format=
// json|md|html: one ISO week's report (docs/weekly.md); the last complete
// week when week is absent.
func (s *Server) weeklyReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	week, err := s.reportWeek(q)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "md" && format != "html" {
		return badParam("format", "json, md or html", "format must be json, md (Markdown) or html")
	}
	rep, err := s.weekly.Build(r.Context(), week)
	if err != nil {
		return unavailable(err)
	}
	return writeReport(w, rep, format)
}

// reportWeek reads ?week=, refusing a week that is malformed, does not
// exist or has not ended.
func (s *Server) reportWeek(q url.Values) (dashboard.Period, error) {
	now := s.now()
	if q.Get("week") == "" {
		return weekly.LastComplete(now), nil
	}
	p, err := weekly.ParseWeek(q.Get("week"), now)
	var we *weekly.WeekError
	if errors.As(err, &we) {
		return p, badParam(we.Field, we.Rule, we.Message)
	}
	return p, err
}

func writeReport(w http.ResponseWriter, rep *weekly.Report, format string) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	switch format {
	case "md":
		h.Set("Content-Type", "text/markdown; charset=utf-8")
		_, err := w.Write([]byte(weekly.Markdown(rep)))
		return err
	case "html":
		page, err := weekly.HTML(rep)
		if err != nil {
			return err
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", reportCSP)
		_, err = w.Write([]byte(page))
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
