package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Message is what is delivered: a subject (the e-mail's; webhooks ignore
// it), a plain text that every channel shows, and extra fields the
// webhook's JSON carries beside "text". HTML, when set, is the e-mail's
// alternative to the text (multipart/alternative); webhooks ignore it.
type Message struct {
	Subject string
	Text    string
	HTML    string
	Fields  map[string]any
}

// Channel is one way of delivering messages.
type Channel interface {
	// Name is "webhook" or "email".
	Name() string
	// Target is where it delivers, with secrets masked, for logs.
	Target() string
	// Send makes one attempt.
	Send(ctx context.Context, m Message) error
}

// Notifier delivers messages through the configured channels, retrying
// each with backoff.
type Notifier struct {
	channels []Channel
	// Attempts is how many times a channel is tried per message;
	// Backoff the wait before the second attempt, doubled before each
	// next one; Timeout bounds one attempt.
	Attempts int
	Backoff  time.Duration
	Timeout  time.Duration
	log      *slog.Logger
}

// Defaults of a Notifier: four attempts over about 14 s.
const (
	DefaultAttempts = 4
	DefaultBackoff  = 2 * time.Second
	DefaultTimeout  = 15 * time.Second
)

// New returns a notifier for cfg. client sends the webhook's requests
// (nil: a client of its own); log receives one line per message a
// channel gave up on.
func New(cfg Config, client *http.Client, log *slog.Logger) *Notifier {
	n := &Notifier{Attempts: DefaultAttempts, Backoff: DefaultBackoff, Timeout: DefaultTimeout, log: log}
	if cfg.Webhook != "" {
		if client == nil {
			client = &http.Client{}
		}
		n.channels = append(n.channels, &webhook{url: cfg.Webhook, client: client})
	}
	if cfg.SMTP != nil {
		n.channels = append(n.channels, newMailer(cfg))
	}
	return n
}

// Channels returns the configured channels, in a fixed order.
func (n *Notifier) Channels() []Channel { return n.channels }

// Deliver sends m through ch, retrying with backoff after errors that
// may pass (a network error, a 5xx or 429, an SMTP 4xx). When it gives
// up it logs one line and returns the last error.
func (n *Notifier) Deliver(ctx context.Context, ch Channel, m Message) error {
	attempts, wait := max(n.Attempts, 1), n.Backoff
	var err error
	attempt := 1
	for ; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, n.Timeout)
		err = ch.Send(actx, m)
		cancel()
		var perm *permanentError
		if err == nil || errors.As(err, &perm) || ctx.Err() != nil || attempt == attempts {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		wait *= 2
	}
	if err != nil && n.log != nil {
		n.log.Warn("notify: delivery failed", "channel", ch.Name(), "target", ch.Target(), "attempts", attempt,
			"subject", m.Subject, "err", err)
	}
	return err
}

// permanentError is an error that retrying cannot fix (a 4xx, an SMTP
// 5xx).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
