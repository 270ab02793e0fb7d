package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// apiError is an error with the status and JSON body a client gets.
type apiError struct {
	Status     int    `json:"-"`
	Code       string `json:"error"`
	Message    string `json:"message,omitempty"`
	Field      string `json:"field,omitempty"`
	Rule       string `json:"rule,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"` // seconds; also sent as Retry-After
	cause      error
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (e *apiError) Unwrap() error { return e.cause }

func errorf(status int, code, message string) *apiError {
	return &apiError{Status: status, Code: code, Message: message}
}

func unauthorized(message string) *apiError {
	return errorf(http.StatusUnauthorized, "unauthorized", message)
}

func tooMany(retryAfter int, message string) *apiError {
	e := errorf(http.StatusTooManyRequests, "rate_limited", message)
	e.RetryAfter = retryAfter
	return e
}

// unavailable is a 503 for a store that failed; the cause is logged, not
// shown.
func unavailable(cause error) *apiError {
	e := errorf(http.StatusServiceUnavailable, "store_unavailable", "the store failed; retry later: a report may or may not be stored, and sent again with the same report_id it counts once")
	e.RetryAfter, e.cause = 5, cause
	return e
}

// scrubFailed is the 400 for text the scrubber failed on: it is dropped,
// and sending it again will not help. The cause is logged, never the text.
func scrubFailed(what string, cause error) *apiError {
	e := errorf(http.StatusBadRequest, "scrub_failed", "the "+what+" could not be scrubbed, so it was dropped; sending it again will not help")
	e.cause = cause
	return e
}

func invalid(fe *report.FieldError) *apiError {
	e := errorf(http.StatusBadRequest, "invalid_report", fe.Error())
	e.Field, e.Rule = fe.Field, fe.Rule
	return e
}

// handlerFunc is a handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle turns a handlerFunc into an http.HandlerFunc: the one place that
// maps errors to status codes and logs internal detail.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "internal", "internal error")
		ae.cause = err
	}
	if ae.cause != nil || ae.Status >= 500 {
		// Never the client address, a key or a body: the route, the answer
		// and its cause (the store's own error, say, behind a 503).
		args := []any{"route", r.Pattern, "status", ae.Status, "err", ae.Error()}
		if ae.cause != nil {
			args = append(args, "cause", ae.cause.Error())
		}
		s.log.Error("request failed", args...)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	writeJSON(w, ae.Status, ae)
}

func writeJSON(w http.ResponseWriter, status int, v any) { writeJSONCached(w, status, v, "no-store") }

// writeJSONCached is writeJSON with a Cache-Control other than no-store.
func writeJSONCached(w http.ResponseWriter, status int, v any, cacheControl string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client may have gone; nothing to do about it
}
