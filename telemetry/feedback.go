package telemetry

import (
	"context"

	"github.com/indexpilot/indexpilot-telemetry/internal/client"
)

// FeedbackInput is what a user says: a message (required), a rating of
// how well IndexPilot works for them (1 to 5, 0 for none), requested
// features (IndexPilot's feature names or short titles) and IndexPilot's
// version ($INDEXPILOT_VERSION when empty).
type FeedbackInput = client.FeedbackInput

// FeedbackDraft is a feedback built and scrubbed: the exact bytes that
// SendFeedback uploads, where they go, and whether and why they carry the
// installation id.
type FeedbackDraft = client.FeedbackDraft

// FeedbackSent is the service's answer to a sent feedback.
type FeedbackSent = client.FeedbackSent

// ErrInvalidFeedback is feedback the contract refuses (an empty or too
// long message, a rating outside 1 to 5, too many feature requests); it
// wraps the *report.FieldError that names the field. Nothing is sent.
var ErrInvalidFeedback = client.ErrInvalidFeedback

// DraftFeedback checks and scrubs a feedback and returns the exact bytes
// to show the user, writing, sending and registering nothing. Feedback is
// its own act of consent: it works whether telemetry is on or off, and
// carries the installation id only when telemetry is on.
func (c *Client) DraftFeedback(ctx context.Context, in FeedbackInput) (*FeedbackDraft, error) {
	return c.c.DraftFeedback(ctx, in)
}

// SendFeedback uploads a draft the user confirmed, byte for byte.
func (c *Client) SendFeedback(ctx context.Context, d *FeedbackDraft) (*FeedbackSent, error) {
	return c.c.SendFeedback(ctx, d)
}

// SurveyDue returns a one-line invitation to send feedback when one is
// due (at most every 90 days, never with telemetry off or
// INDEXPILOT_TELEMETRY_SURVEY=false), and remembers it was shown; else
// "". Show it only to a person (a terminal), never as a prompt.
func (c *Client) SurveyDue(ctx context.Context) string { return c.c.SurveyDue(ctx) }
