// Package errorgroup turns a decoded error report into what the store
// keeps: it scrubs the report again (the client scrubbed it already; the
// server does not rely on that), checks it again, and computes the
// fingerprint that puts reports of one error into one group. It also
// summarises stored counters for the errors API. It does no I/O.
//
// It must never let unscrubbed text through: when the scrubber fails, the
// report is dropped (ErrScrub), not stored as it came.
package errorgroup

import (
	"errors"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// ErrScrub is returned for a report the scrubber failed on; the report
// must be dropped. The scrubber's panic value is not kept: it could quote
// the text.
var ErrScrub = errors.New("errorgroup: the scrubber failed on this report; it was dropped")

// Scrubber scrubs the free text of an error report. The zero value uses
// package scrub; tests replace the functions.
type Scrubber struct {
	Text func(string) string // messages, function names; scrub.String when nil
	Path func(string) string // frame files, before Text; scrub.Path when nil
}

// Prepared is a report ready to store, and the fields that were truncated
// on the way (before or after scrubbing).
type Prepared struct {
	Item      store.ErrorItem
	Truncated []string
}

// Prepare scrubs a copy of d, checks the scrubbed report against the
// contract again (scrubbing lengthens text, which is then truncated) and
// fingerprints it. It returns ErrScrub when the scrubber failed and a
// *report.FieldError when the scrubbed report breaks a rule.
func (s Scrubber) Prepare(d *report.DecodedError, received time.Time) (*Prepared, error) {
	r := d.ErrorReport
	if err := s.scrub(&r); err != nil {
		return nil, err
	}
	cut, err := r.Validate()
	if err != nil {
		return nil, err
	}
	return &Prepared{
		Item: store.ErrorItem{Key: d.Key(), Fingerprint: Fingerprint(&r), Culprit: Culprit(&r), Report: &r,
			Time: d.Time, Received: received},
		Truncated: union(d.Truncated, cut),
	}, nil
}

// scrub replaces the free text of r, whose Frames it copies first. A
// panic of the scrubber becomes ErrScrub.
func (s Scrubber) scrub(r *report.ErrorReport) (err error) {
	defer func() {
		if recover() != nil {
			err = ErrScrub
		}
	}()
	text, path := s.Text, s.Path
	if text == nil {
		text = scrub.String
	}
	if path == nil {
		path = scrub.Path
	}
	r.Message = text(r.Message)
	frames := make([]report.Frame, len(r.Frames))
	for i, f := range r.Frames {
		f.File = text(path(f.File))
		f.Function = text(f.Function)
		frames[i] = f
	}
	if len(frames) > 0 {
		r.Frames = frames
	}
	return nil
}

func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
