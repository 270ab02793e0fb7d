package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Size limits of the service's answers the client reads.
const (
	maxAckBytes    = 64 << 10
	maxExportBytes = 32 << 20
)

// maxNextCollection bounds how far off a server's next_collection is
// believed: further means a broken server, and the daily schedule holds.
const maxNextCollection = 7 * 24 * time.Hour

// SendResult is what Send did.
type SendResult struct {
	Mode   Mode
	Reason string
	// Debug: INDEXPILOT_TELEMETRY_DEBUG is set; the report was printed to
	// stderr and neither kept nor sent.
	Debug bool
	// Built is the report_id of the report built by this call, if any.
	Built string
	// KeptLocally: local mode; the report is in the state folder, never to
	// be sent.
	KeptLocally bool
	Uploaded    []Upload // accepted by the server during this call
	Rejected    []Upload // refused by the server (never retried)
	Pending     int      // still waiting in the spool
	Dropped     int      // dropped by this call to keep the spool within bounds
	Notes       []string // what the collector left out, and why
}

// Send builds a report now and, with telemetry on, uploads every report
// waiting in the spool, oldest first. With telemetry off it does nothing
// at all. A report whose upload fails stays in the spool; the error says
// why, and the caller decides whether that is a failure (--strict) or a
// line on stderr.
func (c *Client) Send(ctx context.Context) (*SendResult, error) {
	return c.send(ctx, true)
}

// send is Send; with build unset it only delivers what is waiting.
func (c *Client) send(ctx context.Context, build bool) (*SendResult, error) {
	v := c.view()
	res := &SendResult{Mode: v.s.mode, Reason: v.s.reason, Debug: v.s.debug}
	if err := v.err(); err != nil || v.s.mode == Off {
		return res, err
	}
	if v.s.debug {
		return res, c.debugPrint(ctx, v)
	}
	v, unlock, err := c.viewLocked(ctx, v.f)
	if err != nil {
		return res, err
	}
	defer unlock()
	res.Mode, res.Reason = v.s.mode, v.s.reason
	if err := v.err(); err != nil || v.s.mode == Off {
		return res, err
	}
	if v.s.mode == On && !v.st.NoticeShown { // turned on by the environment or the config file
		fmt.Fprint(c.stderr, notice(v.s.endpoint))
		v.st.NoticeShown = true
	}
	var errs []error
	if build {
		errs = append(errs, c.buildAndKeep(ctx, v, res))
	}
	if v.s.mode == On {
		err := c.deliver(ctx, v, res)
		errs = append(errs, err)
		if err == nil { // the service answers: the list of experiments, on the same connection (experiments.go)
			_ = c.refreshExperiments(ctx, v, true) // a failure keeps the last list; the next send tries again
		}
	}
	if es, err := (box{v.f.path(spoolDir)}).list(); err == nil {
		res.Pending = len(es)
	}
	errs = append(errs, v.f.save(v.st))
	return res, joinErrs(errs)
}

// errList is several errors on one line: Send's problems are one line on
// stderr.
type errList []error

func (l errList) Error() string {
	msgs := make([]string, len(l))
	for i, err := range l {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (l errList) Unwrap() []error { return l }

// joinErrs drops the nil errors of errs and returns nil, the one error, or
// an errList.
func joinErrs(errs []error) error {
	var l errList
	for _, err := range errs {
		if err != nil {
			l = append(l, err)
		}
	}
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

// debugPrint builds a report and prints it to stderr, writing nothing.
func (c *Client) debugPrint(ctx context.Context, v *view) error {
	b, err := c.build(ctx, c.inputFor(v))
	if err != nil {
		return err
	}
	c.logf("INDEXPILOT_TELEMETRY_DEBUG is set: this report is printed, not kept or sent:")
	_, err = c.stderr.Write(b.data)
	return err
}

// buildAndKeep builds a report and keeps it: in the spool with telemetry
// on, in local/ in local mode. The collector's cursor moves on once the
// report is kept, so each period is reported once.
func (c *Client) buildAndKeep(ctx context.Context, v *view, res *SendResult) error {
	salt, err := v.f.salt(true)
	if err != nil {
		return err
	}
	in := c.inputFor(v)
	in.salt = salt
	b, err := c.build(ctx, in)
	if err != nil {
		return err
	}
	res.Notes = b.notes
	to := box{v.f.path(spoolDir)}
	if v.s.mode == Local {
		to, res.KeptLocally = box{v.f.path(localDir)}, true
	}
	var dropped int
	err = v.f.takeUsage(b, func() (err error) {
		dropped, err = to.add(reportName(b.at, b.id), b.data)
		return err
	})
	if err != nil {
		return err
	}
	res.Built = b.id
	if v.s.mode == On { // local/ is a log, not a queue: trimming it loses nothing unsent
		res.Dropped = dropped
		v.st.Dropped += dropped
	}
	v.st.Cursor = b.cursor
	v.st.NextReport = c.daily()
	return nil
}

// daily is when the next report is due without word from the server: a
// day from now, give or take an hour, so a fleet spreads out.
func (c *Client) daily() time.Time {
	return c.now().UTC().Add(23*time.Hour + rand.N(2*time.Hour)).Truncate(time.Second)
}

// deliver uploads the spool, oldest first. It stops at the first report
// that cannot be delivered now (network, 5xx, 429, an unknown key twice),
// leaving it and the later ones in the spool.
func (c *Client) deliver(ctx context.Context, v *view, res *SendResult) error {
	es, err := box{v.f.path(spoolDir)}.list()
	if err != nil {
		return err
	}
	return c.deliverEntries(ctx, v, res, es)
}

// deliverEntries uploads the given reports of the spool, in order, as
// deliver does.
func (c *Client) deliverEntries(ctx context.Context, v *view, res *SendResult, es []entry) error {
	if len(es) == 0 {
		return nil
	}
	if now := c.now(); now.Before(v.st.NotBefore) {
		return &retryLater{until: v.st.NotBefore}
	}
	d := &delivery{c: c, v: v, api: c.api(v.s), spool: box{v.f.path(spoolDir)}, res: res}
	for _, e := range es {
		if err := d.one(ctx, e); err != nil {
			v.st.LastAttempt = &Attempt{At: c.now().UTC(), ReportID: e.id, Result: "failed: " + err.Error()}
			var rl *retryLater
			if errors.As(err, &rl) {
				v.st.NotBefore = rl.until
			}
			return fmt.Errorf("%w (%d report(s) wait in the spool)", err, len(es)-len(res.Uploaded)-len(res.Rejected))
		}
	}
	return nil
}

// delivery is one pass over the spool.
type delivery struct {
	c            *Client
	v            *view
	api          *api
	spool        box
	res          *SendResult
	reregistered bool
}

// one uploads one spooled report: a telemetry report, or an error report
// (to its own route, answered in its own words).
func (d *delivery) one(ctx context.Context, e entry) error {
	st := d.v.st
	if st.APIKey == "" {
		if err := d.register(ctx); err != nil {
			return err
		}
	}
	data, kind, err := d.bind(e, st.InstallationID)
	if err != nil { // unreadable: it could never be sent
		d.c.logf("setting aside the unreadable spooled report %s: %v", e.name, err)
		return d.file(e, kind, rejectedDir, 0, nil, "rejected: unreadable in the spool")
	}
	route, prefix := routeTelemetry, ""
	if kind == KindError {
		route, prefix = routeErrors, "error report "
	}
	ans, err := d.api.do(ctx, http.MethodPost, route, st.APIKey, data, maxAckBytes)
	if err != nil {
		return err
	}
	switch {
	case ans.status >= 200 && ans.status <= 299 && kind == KindError:
		return d.file(e, kind, sentDir, ans.status, ans.body, errorStored(ans.body))
	case ans.status >= 200 && ans.status <= 299:
		var a ack
		json.Unmarshal(ans.body, &a) // a 2xx is a delivery whatever its body
		result := "stored"
		if a.Duplicate {
			result = "duplicate (already stored)"
		}
		if t, err := time.Parse(time.RFC3339, a.NextCollection); err == nil && t.Before(d.c.now().Add(maxNextCollection)) {
			st.NextReport = t
		}
		return d.file(e, kind, sentDir, ans.status, ans.body, result)
	case ans.status == http.StatusUnauthorized && !d.reregistered:
		// The service no longer knows the key (forgotten elsewhere, or a
		// new service): register afresh, once, and retry this report.
		st.dropIdentity()
		d.reregistered = true
		return d.one(ctx, e)
	case ans.status == http.StatusBadRequest, ans.status == http.StatusRequestEntityTooLarge:
		return d.file(e, kind, rejectedDir, ans.status, ans.body, prefix+"rejected: "+ans.err().Error())
	}
	return ans.err() // another 4xx: not retried now, kept for the next send
}

// register obtains and stores the installation's id and key.
func (d *delivery) register(ctx context.Context) error {
	reg, err := d.api.register(ctx)
	if err != nil {
		return fmt.Errorf("registering: %w", err)
	}
	st := d.v.st
	st.InstallationID, st.APIKey, st.Registered = reg.InstallationID, reg.APIKey, d.c.now().UTC()
	// The key is shown once: keep it before anything else can fail.
	return d.v.f.save(st)
}

// bind returns the spooled report with the installation's id, and its
// kind, rewriting the spooled file first when the id changed (a report
// built before the registration), so the spool always holds the exact
// bytes uploaded.
func (d *delivery) bind(e entry, id string) ([]byte, string, error) {
	data, err := d.spool.read(e.name)
	if err != nil {
		return nil, KindTelemetry, err
	}
	kind, rebindKind := kindOf(data), rebind
	if kind == KindError {
		rebindKind = rebindError
	}
	bound, err := rebindKind(data, id)
	if err != nil || string(bound) == string(data) {
		return data, kind, err
	}
	return bound, kind, writeAtomic(d.spool.path(e.name), bound)
}

// record is the answer sidecar of a sent or rejected report.
type record struct {
	At       time.Time       `json:"uploaded_at"`
	Endpoint string          `json:"endpoint"`
	Status   int             `json:"http_status,omitempty"`
	Result   string          `json:"result"`
	Response json.RawMessage `json:"response,omitempty"`
}

// file moves a report of a kind out of the spool into sent/ or
// rejected/, with the server's answer beside it.
func (d *delivery) file(e entry, kind, dir string, status int, body []byte, result string) error {
	now := d.c.now().UTC()
	to := box{d.v.f.path(dir)}
	name := reportName(now, e.id)
	if err := d.spool.moveTo(e, to, name); err != nil {
		return err
	}
	rec := record{At: now, Endpoint: d.v.s.endpoint, Status: status, Result: result}
	if json.Valid(body) {
		rec.Response = body
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err == nil {
		err = writeAtomic(to.path(answerName(name)), append(data, '\n'))
	}
	if err != nil {
		return err
	}
	if _, err := to.trim(); err != nil {
		return err
	}
	up := Upload{ID: e.id, Kind: kind, At: now, Status: status, Result: result, Response: rec.Response, Rejected: dir == rejectedDir}
	if up.Rejected {
		d.res.Rejected = append(d.res.Rejected, up)
	} else {
		d.res.Uploaded = append(d.res.Uploaded, up)
	}
	d.v.st.LastAttempt = &Attempt{At: now, ReportID: e.id, OK: !up.Rejected, Result: result}
	return nil
}
