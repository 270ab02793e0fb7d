package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Kinds of alerts.
const (
	KindRollback = "rollback"
	KindAnomaly  = "anomaly"
	KindNewGroup = "new_error_group"
)

// Alert is one thing to tell the maintainers.
type Alert struct {
	// Key identifies it in the sent ledger: the same condition has the
	// same key from one evaluation to the next.
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// Suppress is how long after a delivery it is not delivered again.
	Suppress time.Duration `json:"-"`
	// Detail is the insight behind it, as the API reports it.
	Detail any `json:"detail"`
}

// DefaultSuppress is the default suppression window of a repeated alert.
const DefaultSuppress = 24 * time.Hour

// claimLease is how long a claim on an alert holds off other senders:
// longer than notify's retries.
const claimLease = 10 * time.Minute

// Evaluator finds alerts and delivers the new ones.
type Evaluator struct {
	Health   *insights.Health
	Ledger   store.Ledger
	Notifier *notify.Notifier
	// Suppress is the repeat window of rollback and anomaly alerts.
	Suppress time.Duration
	Now      func() time.Time
}

// Delivery is one channel's delivery of some alerts.
type Delivery struct {
	Channel string   `json:"channel"`
	Target  string   `json:"target"` // secrets masked
	Keys    []string `json:"keys"`
	Err     error    `json:"-"`
}

// Result is what one evaluation found and delivered.
type Result struct {
	At         time.Time  `json:"at"`
	Alerts     []Alert    `json:"alerts"`     // every alert that holds now
	Deliveries []Delivery `json:"deliveries"` // what each channel sent (or failed to)
}

// Run evaluates once and delivers, through each channel, the alerts it
// has not delivered within their suppression window. The error is the
// evaluation's; failed deliveries are in the result (and logged once by
// notify).
func (e *Evaluator) Run(ctx context.Context) (*Result, error) {
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	alerts, err := e.Find(ctx, now)
	if err != nil {
		return nil, err
	}
	res := &Result{At: now.UTC(), Alerts: alerts}
	if e.Notifier == nil {
		return res, nil
	}
	for _, ch := range e.Notifier.Channels() {
		d, err := e.deliver(ctx, ch, alerts, now)
		if err != nil {
			return res, err
		}
		if len(d.Keys) > 0 {
			res.Deliveries = append(res.Deliveries, d)
		}
	}
	return res, nil
}

// deliver claims, through ch, the alerts not yet delivered to it, sends
// them as one message, and marks or releases the claims.
func (e *Evaluator) deliver(ctx context.Context, ch notify.Channel, alerts []Alert, now time.Time) (Delivery, error) {
	d := Delivery{Channel: ch.Name(), Target: ch.Target()}
	var claimed []Alert
	for _, a := range alerts {
		ok, err := e.Ledger.ClaimSend(ctx, store.SendClaim{Key: ledgerKey(a, ch), Kind: "alert", Now: now,
			Suppress: a.Suppress, Lease: claimLease})
		if err != nil {
			return d, fmt.Errorf("alerts: claim %s: %w", a.Key, err)
		}
		if ok {
			claimed = append(claimed, a)
			d.Keys = append(d.Keys, a.Key)
		}
	}
	if len(claimed) == 0 {
		return d, nil
	}
	d.Err = e.Notifier.Deliver(ctx, ch, Message(claimed))
	for _, a := range claimed {
		var err error
		if d.Err == nil {
			err = e.Ledger.MarkSent(context.WithoutCancel(ctx), ledgerKey(a, ch), "alert", now)
		} else {
			err = e.Ledger.ReleaseSend(context.WithoutCancel(ctx), ledgerKey(a, ch))
		}
		if err != nil {
			return d, fmt.Errorf("alerts: record %s: %w", a.Key, err)
		}
	}
	return d, nil
}

// ledgerKey is the sent ledger's key of a's delivery through ch.
func ledgerKey(a Alert, ch notify.Channel) string { return "alert:" + a.Key + "@" + ch.Name() }

// Message is the one message that carries alerts: a line each, in the
// text every channel shows, and the alerts themselves for the webhook.
func Message(alerts []Alert) notify.Message {
	var b strings.Builder
	titles := make([]string, 0, len(alerts))
	fmt.Fprintf(&b, "IndexPilot analytics: %d new alert%s\n", len(alerts), plural(len(alerts)))
	for _, a := range alerts {
		fmt.Fprintf(&b, "\n• %s\n  %s\n", a.Title, a.Text)
		titles = append(titles, a.Title)
	}
	subject := fmt.Sprintf("[IndexPilot analytics] %s", strings.Join(titles, "; "))
	if len(subject) > 160 {
		subject = fmt.Sprintf("[IndexPilot analytics] %d alerts: %s …", len(alerts), titles[0])
	}
	return notify.Message{Subject: subject, Text: b.String(), Fields: map[string]any{"alerts": alerts}}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
