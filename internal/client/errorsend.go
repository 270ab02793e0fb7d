package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Kinds of report, as Upload.Kind names them.
const (
	KindTelemetry = "telemetry"
	KindError     = "error"
)

// maxSpooledErrors bounds the error reports in the spool (and in local/):
// a storm of errors cannot push the telemetry reports out of it.
const maxSpooledErrors = maxReports / 2

// errorResult is the outcome before anything is done: the mode that
// applies to error reports, which collect_error_reports: false turns off
// whatever the mode.
func (c *Client) errorResult(v *view) *SendResult {
	res := &SendResult{Mode: v.s.mode, Reason: v.s.reason, Debug: v.s.debug}
	if res.Mode != Off && !v.s.collects(v.s.file.CollectErrorReports) {
		res.Mode, res.Reason = Off, "collect_error_reports: false in "+v.s.configPath
	}
	return res
}

// SendError builds an error report and, with telemetry on, keeps it in
// the spool and uploads it at once; what cannot be uploaded now waits in
// the spool for the next Send or Run. In local mode it is kept locally.
// With telemetry off, or collect_error_reports: false, nothing is written
// or sent and the result's Mode is Off, its Reason the setting that said
// so. The whole call takes at most the deadline (Options.Timeout).
//
// An event that cannot be reported is an ErrInvalidEvent; a scrubber
// failure drops the report (ErrScrubFailed).
func (c *Client) SendError(ctx context.Context, ev ErrorEvent) (*SendResult, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v := c.view()
	res := c.errorResult(v)
	if err := v.err(); err != nil || res.Mode == Off {
		return res, err
	}
	b, err := c.buildError(ev, installationOf(v.st)) // before anything is written
	if err != nil {
		return res, err
	}
	res.Notes = b.notes
	if v.s.debug {
		c.logf("INDEXPILOT_TELEMETRY_DEBUG is set: this error report is printed, not kept or sent:")
		_, err = c.stderr.Write(b.data)
		return res, err
	}
	v, unlock, err := c.viewLocked(ctx, v.f)
	if err != nil {
		return res, err
	}
	defer unlock()
	again := c.errorResult(v)
	res.Mode, res.Reason = again.Mode, again.Reason
	if err := v.err(); err != nil || res.Mode == Off {
		return res, err
	}
	errs := []error{c.keepError(v, b, res)}
	if errs[0] == nil && v.s.mode == On {
		e := entry{name: reportName(b.at, b.id), id: b.id, at: b.at}
		errs = append(errs, c.deliverEntries(ctx, v, res, []entry{e}))
	}
	if es, err := (box{v.f.path(spoolDir)}).list(); err == nil {
		res.Pending = len(es)
	}
	errs = append(errs, v.f.save(v.st))
	return res, joinErrs(errs)
}

// installationOf is the id a report is built with: placeholderID before
// the installation registered; the upload binds the real one.
func installationOf(st *state) string {
	if st.InstallationID == "" {
		return placeholderID
	}
	return st.InstallationID
}

// keepError stores a built error report: in the spool with telemetry on,
// in local/ in local mode.
func (c *Client) keepError(v *view, b *builtError, res *SendResult) error {
	to := box{v.f.path(spoolDir)}
	if v.s.mode == Local {
		to, res.KeptLocally = box{v.f.path(localDir)}, true
	}
	dropped, err := to.add(reportName(b.at, b.id), b.data)
	if err == nil {
		var more int
		more, err = capErrors(to)
		dropped += more
	}
	if err != nil {
		return err
	}
	res.Built = b.id
	if v.s.mode == On {
		res.Dropped = dropped
		v.st.Dropped += dropped
	}
	return nil
}

// capErrors drops the oldest error reports of a box beyond
// maxSpooledErrors.
func capErrors(b box) (int, error) {
	es, err := b.list()
	if err != nil {
		return 0, err
	}
	var errs []entry
	for _, e := range es {
		if data, err := b.read(e.name); err == nil && kindOf(data) == KindError {
			errs = append(errs, e)
		}
	}
	dropped := 0
	for ; len(errs)-dropped > maxSpooledErrors; dropped++ {
		if err := b.remove(errs[dropped]); err != nil {
			return dropped, err
		}
	}
	return dropped, nil
}

// PreviewError builds an error report and returns the exact bytes
// SendError would keep and upload, without writing, sending or
// registering anything. With telemetry off, or collect_error_reports:
// false, Mode is Off and Reason says why: nothing would be sent.
func (c *Client) PreviewError(ctx context.Context, ev ErrorEvent) (*Preview, error) {
	v := c.view()
	if err := v.err(); err != nil {
		return nil, err
	}
	b, err := c.buildError(ev, installationOf(v.st))
	if err != nil {
		return nil, err
	}
	res := c.errorResult(v)
	return &Preview{Report: b.data, Mode: res.Mode, Reason: res.Reason, Consented: v.s.consented,
		Notes: b.notes, Registered: v.st.InstallationID != ""}, nil
}

// ReportError reports a Go error with SendError: its type is the type of
// the innermost error of the chain, its message err.Error(), its SQLSTATE
// that of an error with a SQLState method. It returns nil when err is nil,
// when telemetry is off and when error reports are turned off.
//
// It never panics and never blocks longer than the deadline
// (Options.Timeout): work still going on then (a slow disk) finishes in
// the background. Its error is for the caller to log, never to act on.
func (c *Client) ReportError(ctx context.Context, err error, where ErrorContext) error {
	if err == nil {
		return nil
	}
	limit := time.Now().Add(c.timeout)
	sctx, cancel := context.WithDeadline(ctx, limit.Add(-c.timeout/10)) // leaves time to answer
	done := make(chan error, 1)
	go func() {
		defer cancel()
		defer func() {
			if recover() != nil { // the panic's value could quote the error
				done <- errors.New("client: reporting the error failed unexpectedly; nothing was sent")
			}
		}()
		_, rerr := c.SendError(sctx, eventOf(err, where))
		done <- rerr
	}()
	timer := time.NewTimer(time.Until(limit))
	defer timer.Stop()
	select {
	case rerr := <-done:
		return rerr
	case <-timer.C:
		return fmt.Errorf("client: reporting the error took longer than %s; it goes on in the background", c.timeout)
	}
}

// kindOf tells an encoded error report from a telemetry report: only
// error reports have an error_type.
func kindOf(data []byte) string {
	var probe struct {
		ErrorType *json.RawMessage `json:"error_type"`
	}
	if json.Unmarshal(data, &probe) == nil && probe.ErrorType != nil {
		return KindError
	}
	return KindTelemetry
}

// rebindError is rebind for an error report.
func rebindError(data []byte, installationID string) ([]byte, error) {
	return rebindAs(data, "error report", func(r *report.ErrorReport) { r.InstallationID = installationID })
}

// errorAck is the service's answer to an accepted error report.
type errorAck struct {
	Group     string `json:"group"`
	Duplicate bool   `json:"duplicate"`
}

// errorStored is the result an accepted error report is listed with.
func errorStored(body []byte) string {
	var a errorAck
	json.Unmarshal(body, &a) // a 2xx is a delivery whatever its body
	result := "error report stored"
	if a.Duplicate {
		result = "error report: duplicate (already stored)"
	}
	if a.Group != "" {
		result += ", group " + a.Group
	}
	return result
}
