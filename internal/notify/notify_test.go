package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
)

func TestParseConfig(t *testing.T) {
	bad := []struct{ webhook, smtp, to, from, want string }{
		{"ftp://x/y", "", "", "", "--webhook"},
		{"", "smtp://u:hunter22@mail.example:99999", "a@example.com", "", "port"},
		{"", "http://u:hunter22@mail.example", "a@example.com", "", "--smtp-url"},
		{"", "smtp://mail.example", "", "", "needs --alert-email-to"},
		{"", "", "a@example.com", "", "needs --smtp-url"},
		{"", "smtp://mail.example", "not an address", "", "--alert-email-to"},
		{"", "smtp://mail.example", "a@example.com", "nope", "--alert-email-from"},
	}
	for _, b := range bad {
		_, err := notify.ParseConfig(b.webhook, b.smtp, b.to, b.from)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseConfig(%q, %q, %q, %q) = %v, want an error naming %s", b.webhook, b.smtp, b.to, b.from, err, b.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter22") {
			t.Errorf("an error quotes the SMTP password: %v", err)
		}
	}
	c, err := notify.ParseConfig("https://hooks.slack.com/services/T1/B2/sekrit", "smtps://alerts@example.com:pw@mail.example",
		"a@example.com, Ops <ops@example.com>", "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled() || c.From != "alerts@example.com" || len(c.To) != 2 || c.To[1] != "ops@example.com" {
		t.Errorf("config %+v", c)
	}
	c, _ = notify.ParseConfig("", "smtp://mail.example:2525", "a@example.com", "")
	if c.From != "indexpilot-analytics@mail.example" {
		t.Errorf("default sender %q", c.From)
	}
	if c, _ := notify.ParseConfig("", "", "", ""); c.Enabled() {
		t.Error("an empty configuration is enabled")
	}
}

func TestMasks(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T1/B2/sekrit": "https://hooks.slack.com/(masked)",
		"https://example.com/hook?token=sekrit":         "https://example.com/(masked)",
		"https://example.com":                           "https://example.com",
		"":                                              "",
	} {
		if got := notify.MaskWebhook(raw); got != want {
			t.Errorf("MaskWebhook(%q) = %q, want %q", raw, got, want)
		}
	}
	for raw, want := range map[string]string{
		"smtp://user:sekrit@mail.example:587": "smtp://user:masked@mail.example:587",
		"smtp://mail.example":                 "smtp://mail.example",
		"smtps://user@mail.example":           "smtps://user@mail.example",
	} {
		if got := notify.MaskSMTP(raw); got != want {
			t.Errorf("MaskSMTP(%q) = %q, want %q", raw, got, want)
		}
	}
}

// newNotifier returns a notifier with fast retries, logging to a buffer.
func newNotifier(t *testing.T, c notify.Config) (*notify.Notifier, *bytes.Buffer) {
	var log bytes.Buffer
	n := notify.New(c, nil, slog.New(slog.NewTextHandler(&log, nil)))
	n.Attempts, n.Backoff, n.Timeout = 3, 20*time.Millisecond, 10*time.Second
	return n, &log
}

func TestWebhookDelivery(t *testing.T) {
	w := notifytest.StartWebhook(t)
	c, err := notify.ParseConfig(w.URL, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	n, log := newNotifier(t, c)
	if len(n.Channels()) != 1 || n.Channels()[0].Name() != "webhook" {
		t.Fatalf("channels %v", n.Channels())
	}
	ch := n.Channels()[0]
	if strings.Contains(ch.Target(), "secret") {
		t.Errorf("target %q shows the webhook's secret path", ch.Target())
	}
	w.FailNext(2, http.StatusServiceUnavailable) // two 503s, then it takes the message
	msg := notify.Message{Subject: "s", Text: "Release 1.2.0: rollback", Fields: map[string]any{"alerts": []string{"a"}}}
	if err := n.Deliver(context.Background(), ch, msg); err != nil {
		t.Fatalf("deliver after two 503s: %v", err)
	}
	var body struct {
		Text   string   `json:"text"`
		Alerts []string `json:"alerts"`
	}
	if err := json.Unmarshal(w.Bodies()[0], &body); err != nil || body.Text != msg.Text || len(body.Alerts) != 1 {
		t.Errorf("body %s (%v)", w.Bodies()[0], err)
	}
	if log.Len() != 0 {
		t.Errorf("a delivery that succeeded on its third attempt logged: %s", log)
	}
	w.FailNext(5, http.StatusServiceUnavailable)
	if err := n.Deliver(context.Background(), ch, msg); err == nil {
		t.Fatal("five 503s against three attempts: no error")
	}
	if lines := strings.Count(log.String(), "\n"); lines != 1 || strings.Contains(log.String(), "secret") {
		t.Errorf("a failed delivery logged %d lines (want 1, without the URL's path): %s", lines, log)
	}
	// A 4xx is not retried.
	w.FailNext(1, http.StatusBadRequest)
	before := w.Requests()
	if err := n.Deliver(context.Background(), ch, msg); err == nil || w.Requests() != before+1 {
		t.Errorf("a 400 answer: error %v after %d attempts, want an error after 1", err, w.Requests()-before)
	}
}

func TestMailOverSTARTTLS(t *testing.T) {
	s := notifytest.StartSMTP(t)
	c, err := notify.ParseConfig("", s.URL, "ops@example.com,oncall@example.com", "IndexPilot alerts <alerts@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	c.TLS = s.ClientTLS
	n, log := newNotifier(t, c)
	ch := n.Channels()[0]
	if ch.Name() != "email" || strings.Contains(ch.Target(), "s3cret") {
		t.Fatalf("channel %s %s", ch.Name(), ch.Target())
	}
	s.FailNext(1) // a 451 first: retried
	msg := notify.Message{Subject: "[IndexPilot] rollback 1.2.0", Text: "Release 1.2.0: rollback recommended."}
	if err := n.Deliver(context.Background(), ch, msg); err != nil {
		t.Fatalf("deliver: %v (log: %s)", err, log)
	}
	m := s.Wait(t, 1, 10*time.Second)[0]
	if !m.TLS || m.User == "" {
		t.Errorf("mail delivered without STARTTLS (%v) or authentication (%q)", m.TLS, m.User)
	}
	if m.From != "alerts@example.com" || len(m.To) != 2 || !strings.Contains(m.Data, "Subject: [IndexPilot] rollback 1.2.0") ||
		!strings.Contains(m.Data, "rollback recommended") {
		t.Errorf("mail from %q to %v:\n%s", m.From, m.To, m.Data)
	}
}

func TestMailRefusesUnknownCertificate(t *testing.T) {
	s := notifytest.StartSMTP(t)
	c, err := notify.ParseConfig("", s.URL, "ops@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	n, log := newNotifier(t, c) // no ClientTLS: the throwaway certificate is not trusted
	if err := n.Deliver(context.Background(), n.Channels()[0], notify.Message{Subject: "x", Text: "y"}); err == nil {
		t.Fatal("mail went out to a server whose certificate is not trusted")
	}
	if len(s.Mails()) != 0 {
		t.Error("the server received the message")
	}
	if strings.Contains(log.String(), "s3cret") {
		t.Errorf("the log shows the SMTP password: %s", log)
	}
}
