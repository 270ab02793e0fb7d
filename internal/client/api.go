package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout is the hard deadline of each network call.
const DefaultTimeout = 5 * time.Second

// The API's routes, relative to the endpoint.
const (
	routeRegister  = "/api/v1/installations"
	routeTelemetry = "/api/v1/telemetry"
	routeErrors    = "/api/v1/errors"
	routeFeedback  = "/api/v1/feedback"
	routeMe        = "/api/v1/installations/me"
	routeExport    = "/api/v1/installations/me/export"
)

const userAgent = "indexpilot-telemetry"

// policy bounds retries. A request is tried at most attempts times; after
// a network error or a 5xx it waits an exponential backoff from first up
// to most, with jitter; after a 429 or 503 it waits the Retry-After, but
// one longer than maxRetryAfter ends the request with a *retryLater (the
// caller keeps the report and comes back). No other 4xx is retried.
type policy struct {
	attempts      int
	first, most   time.Duration
	maxRetryAfter time.Duration
}

var defaultPolicy = policy{attempts: 4, first: 500 * time.Millisecond, most: 8 * time.Second, maxRetryAfter: 30 * time.Second}

// api talks to the analytics service.
type api struct {
	base    string
	http    *http.Client
	timeout time.Duration
	policy  policy
	now     func() time.Time
}

// answer is a response that ended the retries: a 2xx or a 4xx.
type answer struct {
	status int
	body   []byte
}

// serverError is an answer other than 2xx, as the service describes it.
type serverError struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
	Field   string `json:"field"`
	Rule    string `json:"rule"`
}

func (e *serverError) Error() string {
	s := fmt.Sprintf("the server answered %d %s", e.Status, http.StatusText(e.Status))
	switch {
	case e.Field != "" || e.Rule != "":
		s += ": " + e.Field + ": " + e.Rule
	case e.Message != "":
		s += ": " + e.Message
	}
	return s
}

func (a answer) err() *serverError {
	e := &serverError{Status: a.status}
	json.Unmarshal(a.body, e) // a body that is not the service's JSON leaves the status alone
	return e
}

// retryLater is a 429 or 503 whose Retry-After is too far off to wait for.
type retryLater struct{ until time.Time }

func (e *retryLater) Error() string {
	return "the server asked to retry after " + e.until.UTC().Format(time.RFC3339)
}

// do sends a request, retrying as the policy says, and returns the answer
// that ended the retries (a 2xx or a 4xx other than 429). It returns an
// error when the attempts ran out, the context ended, or the server asked
// to wait too long (*retryLater). limit bounds the answer's size.
func (a *api) do(ctx context.Context, method, route, key string, body []byte, limit int64) (answer, error) {
	for attempt := 1; ; attempt++ {
		ans, wait, err := a.once(ctx, method, route, key, body, limit)
		switch {
		case wait < 0: // final: an answer, or a request that cannot be made
			return ans, err
		case err == nil:
			err = ans.err()
		}
		if ctx.Err() != nil {
			return answer{}, fmt.Errorf("client: %s %s: %w", method, route, context.Cause(ctx))
		}
		if wait > a.policy.maxRetryAfter {
			return answer{}, &retryLater{until: a.now().Add(wait)}
		}
		if attempt >= a.policy.attempts {
			return answer{}, fmt.Errorf("client: %s %s: %d attempts: %w", method, route, attempt, err)
		}
		if wait == 0 {
			wait = a.backoff(attempt)
		}
		select {
		case <-ctx.Done():
			return answer{}, fmt.Errorf("client: %s %s: %w", method, route, context.Cause(ctx))
		case <-time.After(wait):
		}
	}
}

// once makes one attempt within the deadline. wait is negative when the
// answer is final, the Retry-After when the server gave one, else 0 for
// "retry after a backoff".
func (a *api) once(ctx context.Context, method, route, key string, body []byte, limit int64) (answer, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+route, bytes.NewReader(body))
	if err != nil {
		return answer{}, -1, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return answer{}, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("the answer is larger than %d bytes", limit)
	}
	if err != nil {
		return answer{}, 0, fmt.Errorf("client: reading the answer to %s %s: %w", method, route, err)
	}
	ans := answer{status: resp.StatusCode, body: data}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusServiceUnavailable:
		return ans, retryAfter(resp.Header.Get("Retry-After"), a.now()), nil
	case resp.StatusCode >= 500:
		return ans, 0, nil
	}
	return ans, -1, nil
}

// backoff is the wait before attempt+1: exponential with jitter, so that a
// fleet that failed together does not retry together.
func (a *api) backoff(attempt int) time.Duration {
	d := a.policy.first << (attempt - 1)
	if d > a.policy.most || d <= 0 {
		d = a.policy.most
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable, so the caller backs off instead.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// registration is the service's answer to POST /api/v1/installations.
type registration struct {
	InstallationID string `json:"installation_id"`
	APIKey         string `json:"api_key"`
}

// register asks the service for a new installation id and key. The body
// is empty: nothing about the machine goes into the identity.
func (a *api) register(ctx context.Context) (registration, error) {
	ans, err := a.do(ctx, http.MethodPost, routeRegister, "", []byte("{}"), 4<<10)
	if err != nil {
		return registration{}, err
	}
	if ans.status != http.StatusCreated && ans.status != http.StatusOK {
		return registration{}, ans.err()
	}
	var r registration
	if err := json.Unmarshal(ans.body, &r); err != nil || r.InstallationID == "" || r.APIKey == "" {
		return registration{}, errors.New("client: the registration answer holds no installation_id and api_key")
	}
	return r, nil
}

// ack is the service's answer to an accepted report.
type ack struct {
	Status         string   `json:"status"`
	NextCollection string   `json:"next_collection"`
	IgnoredFields  []string `json:"ignored_fields"`
	Duplicate      bool     `json:"duplicate"`
}
