package weekly

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// LedgerKind is the sent ledger's kind of a weekly report.
const LedgerKind = "weekly-report"

// claimLease is how long a claim on a week holds off other senders:
// longer than notify's retries and a report's build.
const claimLease = 10 * time.Minute

// Message is the message that carries a report: the subject names the
// week; the text is the Markdown (the webhook's "text", the e-mail's
// plain part) and the HTML the e-mail's alternative.
func Message(r *Report) (notify.Message, error) {
	html, err := HTML(r)
	if err != nil {
		return notify.Message{}, err
	}
	return notify.Message{Subject: Subject(r), Text: Markdown(r), HTML: html,
		Fields: map[string]any{"week": r.Week, "start": r.Start, "end": r.End}}, nil
}

// Subject is the e-mail subject of a report.
func Subject(r *Report) string {
	return fmt.Sprintf("[IndexPilot analytics] Weekly report %s (%s to %s)", r.Week, r.Start, r.End)
}

// LedgerKey is the sent ledger's key of week's delivery through channel.
func LedgerKey(week, channel string) string { return "report:weekly:" + week + "@" + channel }

// Delivery is one channel's delivery of one week.
type Delivery struct {
	Week    string `json:"week"`
	Channel string `json:"channel"`
	Target  string `json:"target"` // secrets masked
	// Skipped: the ledger says the week was sent through this channel
	// already, or another sender holds the claim.
	Skipped bool  `json:"skipped"`
	Err     error `json:"-"`
}

// Sender delivers reports through the alert channels and records each
// delivery in the sent ledger.
type Sender struct {
	Builder  *Builder
	Ledger   store.Ledger
	Notifier *notify.Notifier
}

// Send delivers week's report through every channel that has not had it
// (once ever, per channel), or through every channel when force is set
// (a maintainer asked). A failed channel's claim is released so the next
// attempt tries again; its error is in its Delivery.
func (s *Sender) Send(ctx context.Context, week dashboard.Period, now time.Time, force bool) ([]Delivery, error) {
	var msg *notify.Message
	var out []Delivery
	for _, ch := range s.Notifier.Channels() {
		d := Delivery{Week: Name(week), Channel: ch.Name(), Target: ch.Target()}
		key := LedgerKey(d.Week, d.Channel)
		if !force {
			ok, err := s.Ledger.ClaimSend(ctx, store.SendClaim{Key: key, Kind: LedgerKind, Now: now, Suppress: store.Forever, Lease: claimLease})
			if err != nil {
				return out, fmt.Errorf("weekly: claim %s: %w", key, err)
			}
			if d.Skipped = !ok; d.Skipped {
				out = append(out, d)
				continue
			}
		}
		if msg == nil {
			m, err := s.message(ctx, week)
			if err != nil {
				s.release(ctx, key, force)
				return out, err
			}
			msg = &m
		}
		d.Err = s.Notifier.Deliver(ctx, ch, *msg)
		if err := s.record(ctx, key, now, d.Err == nil, force); err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Sender) message(ctx context.Context, week dashboard.Period) (notify.Message, error) {
	r, err := s.Builder.Build(ctx, week)
	if err != nil {
		return notify.Message{}, err
	}
	return Message(r)
}

// record marks key sent, or releases its claim after a failure.
func (s *Sender) record(ctx context.Context, key string, now time.Time, sent, force bool) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	switch {
	case sent:
		err = s.Ledger.MarkSent(ctx, key, LedgerKind, now)
	case !force:
		err = s.Ledger.ReleaseSend(ctx, key)
	}
	if err != nil {
		return fmt.Errorf("weekly: record %s: %w", key, err)
	}
	return nil
}

func (s *Sender) release(ctx context.Context, key string, force bool) {
	if !force {
		s.Ledger.ReleaseSend(context.WithoutCancel(ctx), key) //nolint:errcheck // the lease frees it anyway
	}
}
