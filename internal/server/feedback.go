package server

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/feedback"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// FeedbackConfig holds the feedback settings (docs/feedback.md).
type FeedbackConfig struct {
	// Retention is how long feedback is kept; a fleet key's older
	// timestamp is refused.
	Retention time.Duration
	// AnonymousPerHour is how much feedback without a key one client
	// address may send per hour (and at once); 0 refuses feedback without
	// a key. The address lives in memory only, for this limit.
	AnonymousPerHour float64
}

// DefaultFeedbackConfig returns the documented defaults.
func DefaultFeedbackConfig() FeedbackConfig {
	return FeedbackConfig{Retention: 365 * 24 * time.Hour, AnonymousPerHour: 6}
}

// RetentionDays is the retention in whole days (at least one).
func (c FeedbackConfig) RetentionDays() int { return max(1, int(c.Retention/(24*time.Hour))) }

// feedbackRoutes is what the feedback endpoints keep between requests.
type feedbackRoutes struct {
	cfg       FeedbackConfig
	summaries *feedback.Service
	anonymous *limiters // by client address
}

func newFeedbackRoutes(cfg FeedbackConfig, processes int, st store.Store) *feedbackRoutes {
	perHour := cfg.AnonymousPerHour
	return &feedbackRoutes{cfg: cfg, summaries: &feedback.Service{Store: st},
		anonymous: newLimiters(perHour/60, max(1, int(math.Ceil(perHour))), processes)}
}

// feedbackAck is the answer to a feedback that was stored (or was a retry
// of a stored one).
type feedbackAck struct {
	Status        string   `json:"status"`
	ID            int64    `json:"id"`
	Duplicate     bool     `json:"duplicate"`
	IgnoredFields []string `json:"ignored_fields"`
}

// postFeedback stores one feedback: POST /api/v1/feedback with an
// installation or fleet key, or none (anonymous, limited per address).
// The message is scrubbed again before it is stored and never logged.
func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	who, anonymous, err := s.feedbackSender(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, report.MaxBodyBytes)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d, err := report.DecodeFeedback(body, now, s.cfg.Feedback.Retention)
	if err != nil {
		return feedbackError(err)
	}
	if err := s.mayClaim(who, d, anonymous); err != nil {
		return err
	}
	it, err := feedback.Scrubber{}.Prepare(d, now, !anonymous)
	if errors.Is(err, feedback.ErrScrub) {
		return scrubFailed("feedback", err)
	}
	if err != nil {
		return feedbackError(err)
	}
	id, inserted, err := s.store.AddFeedback(r.Context(), it)
	if err != nil {
		return unavailable(err)
	}
	status := http.StatusCreated
	if !inserted {
		status = http.StatusOK
	}
	writeJSON(w, status, feedbackAck{Status: "received", ID: id, Duplicate: !inserted, IgnoredFields: orEmpty(d.Ignored)})
	return nil
}

// feedbackSender authenticates the optional X-API-Key of a feedback and
// takes a token from the right bucket: the installation key's (shared with
// its reports), the client address's when there is no key, none for a
// fleet key.
func (s *Server) feedbackSender(r *http.Request) (who sender, anonymous bool, err error) {
	now := s.now()
	if r.Header.Get("X-API-Key") == "" {
		if s.cfg.Feedback.AnonymousPerHour <= 0 {
			return sender{}, true, unauthorized("this service takes feedback with an X-API-Key only")
		}
		if ok, wait := s.feedback.anonymous.allow("feedback:"+s.clientAddr(r), now); !ok {
			return sender{}, true, tooMany(wait, "too much feedback from this address; retry after the given seconds")
		}
		return sender{}, true, nil
	}
	if who, err = s.reportSender(r); err != nil {
		return sender{}, false, err
	}
	if who.installationID != "" {
		if ok, wait := s.keyLimits.allow(who.keyID, now); !ok {
			return sender{}, false, tooMany(wait, "this installation sends too often; retry after the given seconds")
		}
	}
	return who, false, nil
}

// mayClaim checks what a feedback says about its sender: an
// installation_id only with that installation's key (or a fleet key), a
// timestamp only from a fleet key.
func (s *Server) mayClaim(who sender, d *report.DecodedFeedback, anonymous bool) error {
	fleet := !anonymous && who.installationID == ""
	switch {
	case anonymous && d.InstallationID != "":
		return badField("installation_id", "only with the installation's X-API-Key", "feedback without a key is anonymous: leave installation_id out")
	case d.Timestamp != "" && !fleet:
		return badField("timestamp", "only with a fleet key", "the service dates feedback when it receives it: leave timestamp out")
	case d.InstallationID != "":
		return s.admit(who, d.InstallationID)
	}
	return nil
}

// feedbackError maps a contract error to its 400.
func feedbackError(err error) error {
	var fe *report.FieldError
	if errors.As(err, &fe) {
		e := invalid(fe)
		e.Code = "invalid_feedback"
		return e
	}
	return err
}

func badField(field, rule, message string) *apiError {
	e := errorf(http.StatusBadRequest, "invalid_feedback", message)
	e.Field, e.Rule = field, rule
	return e
}

// listFeedback is GET /api/v1/feedback?days=N (30) &version=V &limit=L
// (100): the feedback received in the last N UTC days, with counts by
// rating and the votes per requested feature.
func (s *Server) listFeedback(w http.ResponseWriter, r *http.Request) error {
	q, err := s.feedbackQuery(r)
	if err != nil {
		return err
	}
	sum, err := s.feedback.summaries.Summary(r.Context(), s.now(), q)
	if err != nil {
		return unavailable(err)
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// feedbackQuery reads days, version and limit; a bad one is a 400 naming
// it.
func (s *Server) feedbackQuery(r *http.Request) (feedback.Query, error) {
	days, err := intParam(r, "days", 30, 1, s.cfg.Feedback.RetentionDays())
	if err != nil {
		return feedback.Query{}, err
	}
	limit, err := intParam(r, "limit", 100, 0, 1000)
	if err != nil {
		return feedback.Query{}, err
	}
	version := r.URL.Query().Get("version")
	if bad := badVersion(version); bad != nil {
		return feedback.Query{}, bad
	}
	return feedback.Query{Days: days, Version: version, Limit: limit}, nil
}
