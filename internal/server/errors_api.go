package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/errorgroup"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// errorAck is the answer to an error report that was stored (or was a
// retry of a stored one).
type errorAck struct {
	Status          string   `json:"status"`
	Group           string   `json:"group"`
	Duplicate       bool     `json:"duplicate"`
	IgnoredFields   []string `json:"ignored_fields"`
	TruncatedFields []string `json:"truncated_fields"`
}

// errorReport stores one error report (docs/errors.md): the telemetry
// endpoint's checks and status codes, then the report is scrubbed again,
// checked again and grouped, and stored in one transaction. It is never
// stored as it came: when the scrubber fails the report is dropped.
func (s *Server) errorReport(w http.ResponseWriter, r *http.Request) error {
	who, body, err := s.receive(w, r)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d, err := report.DecodeError(body, now, s.cfg.ErrorRetention)
	if err != nil {
		return reportError(err)
	}
	if err := s.admit(who, d.InstallationID); err != nil {
		return err
	}
	p, err := errorgroup.Scrubber{}.Prepare(d, now)
	if errors.Is(err, errorgroup.ErrScrub) {
		return scrubFailed("report", err)
	}
	if err != nil {
		return reportError(err)
	}
	inserted, err := s.store.IngestError(r.Context(), p.Item)
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, errorAck{Status: "success", Group: p.Item.Fingerprint, Duplicate: !inserted,
		IgnoredFields: orEmpty(d.Ignored), TruncatedFields: orEmpty(p.Truncated)})
	return nil
}

// reportError maps a contract error to its 400.
func reportError(err error) error {
	var fe *report.FieldError
	if errors.As(err, &fe) {
		return invalid(fe)
	}
	return err
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// errorGroupList is the answer of GET /api/v1/errors/groups.
type errorGroupList struct {
	From    string             `json:"from"`
	To      string             `json:"to"`
	Version string             `json:"version,omitempty"`
	Groups  []errorgroup.Group `json:"groups"`
}

// errorGroups lists the error groups seen in the last ?days= days (30),
// of one ?version= (all), the most frequent first, at most ?limit= (100).
func (s *Server) errorGroups(w http.ResponseWriter, r *http.Request) error {
	days, err := intParam(r, "days", 30, 1, dashboard.MaxTrendDays)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	to := rollup.DayOf(s.now())
	from := to - rollup.Day(days) + 1
	win, err := s.store.ErrorWindow(r.Context(), store.ErrorQuery{From: from, To: to, Groups: true})
	if err != nil {
		return unavailable(err)
	}
	version := r.URL.Query().Get("version")
	groups := errorgroup.Summarize(win, version)
	writeJSON(w, http.StatusOK, errorGroupList{From: from.String(), To: to.String(), Version: version,
		Groups: groups[:min(limit, len(groups))]})
	return nil
}

// intParam reads an optional whole-number query parameter within lo..hi.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		rule := strconv.Itoa(lo) + " <= " + name + " <= " + strconv.Itoa(hi)
		e := errorf(http.StatusBadRequest, "invalid_parameter", name+" must be a whole number between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		e.Field, e.Rule = name, rule
		return 0, e
	}
	return n, nil
}
