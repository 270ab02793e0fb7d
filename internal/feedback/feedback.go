// Package feedback turns what users say into what the store keeps and
// what the maintainers read (docs/feedback.md): it scrubs a received
// feedback again (the client scrubbed it already; the service does not
// rely on that), reads a GitHub issue export and its mapping to feature
// votes, and summarises stored feedback for the API and the Feedback
// page.
//
// It must never let unscrubbed text through: when the scrubber fails, the
// feedback is dropped (ErrScrub), not stored as it came. It does no I/O
// but through the store it is given.
package feedback

import (
	"errors"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// ErrScrub is returned for a feedback the scrubber failed on; it must be
// dropped. The scrubber's panic value is not kept: it could quote the
// text.
var ErrScrub = errors.New("feedback: the scrubber failed on this feedback; it was dropped")

// Scrubber scrubs the free text of a feedback: its message and feature
// requests. Its zero value uses scrub.String, as error reports do; tests
// replace Text.
type Scrubber struct {
	Text func(string) string
}

// Prepare scrubs a copy of d and returns what the store keeps of it,
// received at the given time (d.Time instead, when the sender could date
// it). linked says whether d's installation_id may be kept: only a key
// proves it. Scrubbing may lengthen the message past the contract's
// limit: it is then cut, never refused (the sender kept to the limit).
func (s Scrubber) Prepare(d *report.DecodedFeedback, received time.Time, linked bool) (store.FeedbackItem, error) {
	f := d.Feedback
	if err := s.scrub(&f); err != nil {
		return store.FeedbackItem{}, err
	}
	f.Message = report.CutChars(f.Message, report.MaxFeedbackChars)
	for i, r := range f.FeatureRequests {
		f.FeatureRequests[i] = report.CutChars(r, report.MaxFeatureRequestChars)
	}
	if err := f.Validate(); err != nil {
		return store.FeedbackItem{}, err
	}
	it := store.FeedbackItem{Source: store.SourceClient, Received: received, Version: f.Version, Rating: f.Rating,
		Message: f.Message, Requests: f.FeatureRequests, Votes: 1}
	if !d.Time.IsZero() {
		it.Received = d.Time
	}
	if f.FeedbackID != "" {
		it.Key = "client:" + f.FeedbackID
	}
	if linked {
		it.InstallationID = f.InstallationID
	}
	return it, nil
}

// scrub replaces the free text of f, whose requests it copies first. A
// panic of the scrubber becomes ErrScrub.
func (s Scrubber) scrub(f *report.Feedback) (err error) {
	defer func() {
		if recover() != nil {
			err = ErrScrub
		}
	}()
	text := s.Text
	if text == nil {
		text = scrub.String
	}
	f.Message = text(f.Message)
	requests := make([]string, len(f.FeatureRequests))
	for i, r := range f.FeatureRequests {
		requests[i] = text(r)
	}
	f.FeatureRequests = requests
	return nil
}
