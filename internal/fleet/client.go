package fleet

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/backoff"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// The retry policy: a request is tried at most maxAttempts times; between
// tries it waits Retry-After (at most maxRetryAfter) after a 429 or 503,
// else an exponential backoff from firstBackoff up to maxBackoff.
const (
	maxAttempts   = 6
	maxRetryAfter = time.Minute
	firstBackoff  = 200 * time.Millisecond
	maxBackoff    = 10 * time.Second
	maxAnswer     = 64 << 10 // bytes of a response read, to reuse the connection
	userAgent     = "indexpilot-analytics-simulate"
)

// credentials are what an installation sends with: its id and API key.
type credentials struct{ id, key string }

// sender delivers reports for all installations of a run.
type sender struct {
	target string
	client *http.Client
	tally  *tally
	stop   context.CancelCauseFunc // ends the run on a wrong key or target
	creds  []func(ctx context.Context) (credentials, error)
}

func newSender(c Config, p *plan, client *http.Client, t *tally, stop context.CancelCauseFunc) *sender {
	s := &sender{target: c.Target, client: client, tally: t, stop: stop}
	s.creds = make([]func(context.Context) (credentials, error), len(p.profiles))
	for i, pr := range p.profiles {
		if c.Key != "" {
			cr := credentials{id: pr.id, key: c.Key}
			s.creds[i] = func(context.Context) (credentials, error) { return cr, nil }
			continue
		}
		s.creds[i] = s.registerOnce(i)
	}
	return s
}

// registerOnce returns a function that registers installation inst the
// first time it is called and returns the same answer ever after: an
// installation registers before its first report, once.
func (s *sender) registerOnce(inst int) func(context.Context) (credentials, error) {
	var (
		once sync.Once
		cr   credentials
		err  error
	)
	return func(ctx context.Context) (credentials, error) {
		once.Do(func() {
			var retries int
			cr, retries, err = s.register(ctx)
			s.tally.retried(retries)
			if err != nil {
				err = fmt.Errorf("fleet: registering installation %d: %w", inst, err)
			}
		})
		return cr, err
	}
}

// register asks the server for a new installation id and key.
func (s *sender) register(ctx context.Context) (credentials, int, error) {
	status, body, retries, err := s.do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target+"/api/v1/installations", bytes.NewReader([]byte("{}")))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
	if err != nil {
		return credentials{}, retries, err
	}
	if status < 200 || status > 299 {
		s.stopOn(status, "/api/v1/installations")
		return credentials{}, retries, statusError(status, body)
	}
	var answer struct {
		InstallationID string `json:"installation_id"`
		APIKey         string `json:"api_key"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.InstallationID == "" || answer.APIKey == "" {
		return credentials{}, retries, fmt.Errorf("status %d without an installation_id and api_key", status)
	}
	return credentials{id: answer.InstallationID, key: answer.APIKey}, retries, nil
}

// deliver sends one planned report, twice when it is to be re-sent, and
// records the outcomes.
func (s *sender) deliver(ctx context.Context, pl Planned) {
	times := 1
	if pl.Resend {
		times = 2
	}
	if ctx.Err() != nil {
		return
	}
	cr, err := s.creds[pl.Installation](ctx)
	if err != nil {
		for range times {
			s.tally.record(pl.Installation, failedUnlessCancelled(ctx), 0, err)
		}
		return
	}
	r := pl.Report
	r.InstallationID = cr.id
	body, err := encode(&r, pl.Gzip)
	if err != nil { // cannot happen with the types of package report
		s.tally.record(pl.Installation, failed, 0, err)
		return
	}
	for range times {
		o, retries, err := s.post(ctx, body, pl.Gzip, cr.key)
		if err != nil {
			err = fmt.Errorf("fleet: report %s of installation %d: %w", r.ReportID, pl.Installation, err)
		}
		s.tally.record(pl.Installation, o, retries, err)
		if o != acknowledged && o != duplicate {
			return
		}
	}
}

// post sends one report body and says how it ended.
func (s *sender) post(ctx context.Context, body []byte, gz bool, key string) (outcome, int, error) {
	return s.postTo(ctx, "/api/v1/telemetry", body, gz, key)
}

// postTo is post to another endpoint that answers like it.
func (s *sender) postTo(ctx context.Context, path string, body []byte, gz bool, key string) (outcome, int, error) {
	status, answer, retries, err := s.do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", key)
		if gz {
			req.Header.Set("Content-Encoding", "gzip")
		}
		return req, nil
	})
	switch {
	case err != nil:
		return failedUnlessCancelled(ctx), retries, err
	case status >= 200 && status <= 299:
		var ack struct {
			Duplicate bool `json:"duplicate"`
		}
		if json.Unmarshal(answer, &ack) == nil && ack.Duplicate {
			return duplicate, retries, nil
		}
		return acknowledged, retries, nil
	}
	s.stopOn(status, path)
	return rejected, retries, statusError(status, answer)
}

// stopOn ends the run when status means that every further request would
// fail as well.
func (s *sender) stopOn(status int, path string) {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		s.stop(fmt.Errorf("fleet: %s%s answered %d %s: check the target and the key",
			s.target, path, status, http.StatusText(status)))
	}
}

// do sends the request newReq builds, again while the answer is worth
// retrying (429, 5xx, a network error) and attempts are left, and returns
// the last answer's status and body and the number of retries.
func (s *sender) do(ctx context.Context, newReq func() (*http.Request, error)) (int, []byte, int, error) {
	for attempt := 0; ; attempt++ {
		req, err := newReq()
		if err != nil {
			return 0, nil, attempt, err
		}
		req.Header.Set("User-Agent", userAgent)
		status, body, wait, err := s.try(req, attempt)
		switch {
		case err == nil && wait < 0:
			return status, body, attempt, nil
		case ctx.Err() != nil:
			return 0, nil, attempt, context.Cause(ctx)
		case attempt+1 == maxAttempts:
			if err == nil {
				err = statusError(status, body)
			}
			return status, body, attempt, fmt.Errorf("giving up after %d attempts: %w", maxAttempts, err)
		}
		if err := backoff.Sleep(ctx, wait); err != nil {
			return 0, nil, attempt + 1, err
		}
	}
}

// try makes one attempt. wait is how long to wait before the next attempt,
// negative when the answer is final.
func (s *sender) try(req *http.Request, attempt int) (status int, body []byte, wait time.Duration, err error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, retryWait(attempt), err
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer)) // drain, so the connection is reused
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, nil, retryWait(attempt), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return resp.StatusCode, body, retryAfter(resp.Header.Get("Retry-After"), retryWait(attempt)), nil
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return resp.StatusCode, body, retryWait(attempt), nil
	}
	return resp.StatusCode, body, -1, nil
}

// retryAfter parses a Retry-After header, seconds or an HTTP date, capped
// at maxRetryAfter; def when it is missing or invalid.
func retryAfter(h string, def time.Duration) time.Duration {
	if h == "" {
		return def
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(time.Until(t), 0), maxRetryAfter)
	}
	return def
}

// retryWait is the wait before attempt+1 after a network error or a 5xx:
// exponential, with jitter so that the workers do not retry in step.
func retryWait(attempt int) time.Duration {
	d := min(firstBackoff<<attempt, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// failedUnlessCancelled is the outcome of a delivery that got no answer.
func failedUnlessCancelled(ctx context.Context) outcome {
	if ctx.Err() != nil {
		return cancelled
	}
	return failed
}

// statusError describes an answer that is not a success. A 400 carries
// the server's *report.FieldError, for errors.As.
func statusError(status int, body []byte) error {
	var answer struct {
		Error string `json:"error"`
		report.FieldError
	}
	_ = json.Unmarshal(body, &answer) // best effort: the status says enough
	if status == http.StatusBadRequest && answer.Rule != "" {
		return fmt.Errorf("status 400 %s: %w", answer.Error, &answer.FieldError)
	}
	if answer.Error != "" {
		return fmt.Errorf("status %d %s", status, answer.Error)
	}
	return fmt.Errorf("status %d %s", status, http.StatusText(status))
}

// encode marshals a report, gzipped when gz is set.
func encode(r *report.Report, gz bool) ([]byte, error) {
	body, err := json.Marshal(r)
	if err != nil || !gz {
		return body, err
	}
	var buf bytes.Buffer
	w, _ := gzipWriters.Get().(*gzip.Writer)
	if w == nil {
		w = gzip.NewWriter(&buf)
	} else {
		w.Reset(&buf)
	}
	defer gzipWriters.Put(w)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gzipWriters keeps gzip writers between reports: a new one allocates
// about 800 KB of compressor state, which made a demo spend most of its
// time compressing once the fleet's newer clients (which gzip) took over.
var gzipWriters sync.Pool
