package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Feedback (docs/feedback.md) is its own act of consent: it works whether
// telemetry is on or off, is sent only when the user confirms the exact
// bytes, is scrubbed like an error report before it is shown, and carries
// the installation's id only when telemetry is on (and the installation
// registered). Nothing of it is kept on this machine.

// ErrInvalidFeedback is feedback that breaks the contract's rules (an
// empty or too long message, a rating outside 1 to 5, too many feature
// requests): nothing is sent, and the command line exits 2. The error
// wraps the *report.FieldError naming the field.
var ErrInvalidFeedback = errors.New("this feedback cannot be sent")

// ErrFeedbackScrubFailed is returned when the scrubber failed on a
// feedback: it is not shown and not sent.
var ErrFeedbackScrubFailed = errors.New("the scrubber failed on this feedback, so it was not sent; please rephrase it")

// FeedbackInput is what a user says.
type FeedbackInput struct {
	Message string // required: at most report.MaxFeedbackChars characters
	Rating  int    // how well IndexPilot works for the user, 1 to 5; 0 for none
	// Features are requested features: names from IndexPilot's feature
	// list (report.Features) or short free-text titles; at most
	// report.MaxFeatureRequests.
	Features []string
	// Version is IndexPilot's version; default $INDEXPILOT_VERSION, left
	// out when unknown.
	Version string
}

// FeedbackDraft is a feedback built and scrubbed, ready to be shown and,
// once the user confirms, sent as it is.
type FeedbackDraft struct {
	Body     []byte // the exact bytes SendFeedback uploads
	Endpoint string // the service it goes to
	// Linked says whether it carries the installation id; Why is the id
	// or "none", and the setting that decided.
	Linked bool
	Why    string
	// Scrubbed says whether scrubbing changed the text (secrets,
	// addresses, names replaced with [tokens]).
	Scrubbed bool
	// Debug: INDEXPILOT_TELEMETRY_DEBUG is set; SendFeedback prints the
	// body to stderr and sends nothing.
	Debug bool

	key string // the installation key, when Linked
}

// FeedbackSent is the service's answer to a sent feedback.
type FeedbackSent struct {
	ID        int64 // the service's number for it
	Duplicate bool  // a retry of a feedback it had already stored
}

// DraftFeedback checks, scrubs and encodes a feedback, writing, sending
// and registering nothing. A setting the client cannot use is a
// *ConfigError; input that breaks the contract an ErrInvalidFeedback.
func (c *Client) DraftFeedback(ctx context.Context, in FeedbackInput) (*FeedbackDraft, error) {
	v := c.view()
	if v.settingsErr != nil { // the endpoint or the config file; a missing state folder does not matter
		return nil, v.settingsErr
	}
	f := report.Feedback{Message: in.Message, Rating: in.Rating, FeatureRequests: in.Features, Version: in.Version}
	if f.Version == "" {
		if env := c.getenv("INDEXPILOT_VERSION"); isVersion(env) {
			f.Version = env
		}
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidFeedback, err)
	}
	d := &FeedbackDraft{Endpoint: v.s.endpoint, Debug: v.s.debug}
	before := f.Message + "\x00" + strings.Join(f.FeatureRequests, "\x00")
	if err := c.scrubFeedback(&f); err != nil {
		return nil, err
	}
	d.Scrubbed = before != f.Message+"\x00"+strings.Join(f.FeatureRequests, "\x00")
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("client: the scrubbed feedback breaks the contract: %w", err)
	}
	d.Linked, d.Why = linkage(v)
	if d.Linked {
		f.InstallationID, d.key = v.st.InstallationID, v.st.APIKey
	}
	f.FeedbackID = c.newID() // a retry counts once
	var err error
	d.Body, err = marshalReport(f)
	return d, err
}

// scrubFeedback scrubs a feedback's message and requests with the error
// reports' scrubber, and cuts what scrubbing lengthened past a limit. A
// panic of the scrubber is ErrFeedbackScrubFailed.
func (c *Client) scrubFeedback(f *report.Feedback) (err error) {
	defer func() {
		if recover() != nil { // the panic's value could quote the text
			err = ErrFeedbackScrubFailed
		}
	}()
	text := c.scrubber.textFunc()
	f.Message = report.CutChars(text(f.Message), report.MaxFeedbackChars)
	requests := make([]string, len(f.FeatureRequests))
	for i, r := range f.FeatureRequests {
		requests[i] = report.CutChars(text(r), report.MaxFeatureRequestChars)
	}
	f.FeatureRequests = requests
	return nil
}

// linkage says whether feedback carries the installation id, and why:
// the id, or "none", and the setting that decided.
func linkage(v *view) (bool, string) {
	switch {
	case v.s.mode == On && v.st.InstallationID != "":
		return true, v.st.InstallationID + ", since telemetry is on (" + v.s.reason +
			"); it links this feedback to the version and environment of the installation's reports"
	case v.s.mode == On:
		return false, "none: telemetry is on, but this installation has not uploaded a report yet, so it has no id"
	}
	return false, "none, since telemetry is " + string(v.s.mode) + " (" + v.s.reason + ")"
}

// SendFeedback uploads a draft as it is, within three times the network
// deadline, retrying as reports are retried. With
// INDEXPILOT_TELEMETRY_DEBUG it prints the body to stderr instead. A
// refusal of the service is an error naming the field and the rule.
func (c *Client) SendFeedback(ctx context.Context, d *FeedbackDraft) (*FeedbackSent, error) {
	if d.Debug {
		c.logf("INDEXPILOT_TELEMETRY_DEBUG is set: this feedback is printed, not sent:")
		_, err := c.stderr.Write(d.Body)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*c.timeout)
	defer cancel()
	a := &api{base: d.Endpoint, http: c.http, timeout: c.timeout, policy: c.policy, now: c.now}
	ans, err := a.do(ctx, http.MethodPost, routeFeedback, d.key, d.Body, maxAckBytes)
	if err != nil {
		return nil, err
	}
	if ans.status < 200 || ans.status > 299 {
		return nil, ans.err()
	}
	var sent FeedbackSent
	json.Unmarshal(ans.body, &sent) // a 2xx is a delivery whatever its body
	c.feedbackGiven()
	return &sent, nil
}

// feedbackGiven restarts the survey's clock: someone who just gave
// feedback is not invited for the next 90 days. It writes only where
// telemetry already keeps state (never with telemetry off).
func (c *Client) feedbackGiven() {
	v := c.view()
	if v.err() != nil || v.s.mode == Off || !v.f.exists() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if unlock, err := v.f.lock(ctx); err == nil {
		writeAtomic(v.f.path(surveyFile), []byte(c.now().UTC().Format(time.RFC3339)+"\n")) // best effort: a survey, nothing more
		unlock()
	}
}
