package fleet_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// server is a stand-in for indexpilot-analytics on loopback: it speaks the
// same API, decodes every report with report.Decode and records what
// arrived. Its knobs make some requests fail on purpose.
type server struct {
	*httptest.Server
	fleetKey string

	// Knobs, set before the run.
	unavailable int    // answer 503, Retry-After: 1, to the first try of this many reports
	hangUp      int    // close the connection without an answer on the first try of this many reports
	limitFirst  bool   // answer 429, Retry-After: 1, to the first registration
	reject      string // report_id answered 400 invalid_report

	mu            sync.Mutex
	deliveries    map[string]int    // report_id: acknowledged deliveries
	installOf     map[string]string // report_id: installation_id
	keys          map[string]string // installation API key: installation_id
	registrations int
	refusedOnce   map[string]bool      // report_ids already answered 503 or hung up on
	unavailAt     map[string]time.Time // when a report_id was answered 503
	limitedAt     time.Time            // when the first registration was answered 429
	waits         []time.Duration      // from each 503 or 429 to the next try of that request
	gzipped       int
	// opened counts connections opened by clients. It is an atomic, not
	// under mu: httptest calls the ConnState hook holding its own lock,
	// and a handler hijacking a connection under mu takes that lock too,
	// so taking mu in the hook would deadlock the two.
	opened     atomic.Int64
	decodeErrs []error
}

func newServer(t *testing.T, fleetKey string) *server {
	s := &server{
		fleetKey:    fleetKey,
		deliveries:  map[string]int{},
		installOf:   map[string]string{},
		keys:        map[string]string{},
		refusedOnce: map[string]bool{},
		unavailAt:   map[string]time.Time{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/installations", s.register)
	mux.HandleFunc("POST /api/v1/telemetry", s.telemetry)
	s.Server = httptest.NewUnstartedServer(mux)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.opened.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) register(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registrations++
	if s.limitFirst && s.registrations == 2 {
		s.waits = append(s.waits, time.Since(s.limitedAt))
	}
	if s.limitFirst && s.registrations == 1 {
		s.limitedAt = time.Now()
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate_limited"})
		return
	}
	id, key := fmt.Sprintf("srv-%06d", len(s.keys)), fmt.Sprintf("key-%06d", len(s.keys))
	s.keys[key] = id
	writeJSON(w, http.StatusCreated, map[string]string{"installation_id": id, "api_key": key})
}

func (s *server) telemetry(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("X-API-Key")
	var body io.Reader = http.MaxBytesReader(w, r.Body, report.MaxBodyBytes)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_report", "rule": "bad gzip"})
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(io.LimitReader(body, report.MaxBodyBytes+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_report", "rule": err.Error()})
		return
	}
	d, err := report.Decode(raw, time.Now(), report.DefaultRetention)

	s.mu.Lock()
	defer s.mu.Unlock()
	owner, isInstallKey := s.keys[key]
	if key == "" || (key != s.fleetKey && !isInstallKey) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	var fe *report.FieldError
	if errors.As(err, &fe) {
		s.decodeErrs = append(s.decodeErrs, err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_report", "field": fe.Field, "rule": fe.Rule})
		return
	}
	if isInstallKey && d.InstallationID != owner {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "wrong_installation"})
		return
	}
	if d.ReportID == s.reject {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_report", "field": "metrics.indexes_created", "rule": "planted rejection"})
		return
	}
	if !s.refusedOnce[d.ReportID] {
		switch {
		case s.unavailable > 0:
			s.unavailable--
			s.refusedOnce[d.ReportID] = true
			s.unavailAt[d.ReportID] = time.Now()
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "overloaded"})
			return
		case s.hangUp > 0:
			s.hangUp--
			s.refusedOnce[d.ReportID] = true
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
	}
	if at, ok := s.unavailAt[d.ReportID]; ok && s.deliveries[d.ReportID] == 0 {
		s.waits = append(s.waits, time.Since(at))
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		s.gzipped++
	}
	dup := s.deliveries[d.ReportID] > 0
	s.deliveries[d.ReportID]++
	s.installOf[d.ReportID] = d.InstallationID
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "success", "message": "Telemetry received", "next_collection": time.Now().Add(24 * time.Hour),
		"ignored_fields": d.Ignored, "duplicate": dup,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// checkWaits checks that the client waited as long as Retry-After said
// before each of n retries.
func (s *server) checkWaits(t *testing.T, n int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waits) != n {
		t.Errorf("%d requests retried after a Retry-After, want %d", len(s.waits), n)
	}
	for _, w := range s.waits {
		if w < 950*time.Millisecond {
			t.Errorf("retried after %v despite Retry-After: 1", w)
		}
	}
}
