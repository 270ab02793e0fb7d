package alerts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/alerts"
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet/fleettest"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// load fills st with a fleet whose release 1.2.0 (day 56 of 63) errs four
// times as often as 1.1.1, and with a new error group that four
// installations reported this morning.
func load(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	c := fleet.Config{Installations: 100, Days: 63, Seed: 9, Now: now, Scenario: fleet.Scenario{Releases: []fleet.Release{
		{Version: "1.2.0", At: 0.9, ErrorMultiplier: 2, Improvement: 15, MedianLagDays: 1.5, LagSpread: 0.7, Share: 0.8}}}}
	if err := fleettest.Store(ctx, st, fleet.Generate(c), now); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		ts := now.Add(-time.Duration(i+1) * time.Hour)
		r := &report.ErrorReport{SchemaVersion: 1, ReportID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i),
			InstallationID: fmt.Sprintf("new-error-installation-%d", i), Version: "1.2.0", Timestamp: ts.Format(time.RFC3339Nano),
			ErrorType: "psycopg2.errors.DeadlockDetected", Message: "deadlock detected"}
		if _, err := st.IngestError(ctx, store.ErrorItem{Key: r.ReportID, Fingerprint: "fp-deadlock", Report: r, Time: ts, Received: now}); err != nil {
			t.Fatal(err)
		}
	}
}

func stores() map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "a.db") },
		"postgres": func(t *testing.T) string { return pgtest.New(t) },
	}
}

// evaluator delivers to a real webhook receiver and a real SMTP server.
func evaluator(t *testing.T, st store.Store, hook *notifytest.Webhook, mail *notifytest.SMTP, at time.Time) *alerts.Evaluator {
	t.Helper()
	cfg, err := notify.ParseConfig(hook.URL, mail.URL, "ops@example.com", "alerts@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = mail.ClientTLS
	n := notify.New(cfg, nil, slog.Default())
	n.Attempts, n.Backoff = 2, 10*time.Millisecond
	return &alerts.Evaluator{Health: insights.NewHealth(&dashboard.Service{Store: st}), Ledger: st, Notifier: n, Now: func() time.Time { return at }}
}

func run(t *testing.T, ev *alerts.Evaluator) *alerts.Result {
	t.Helper()
	res, err := ev.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAlertsDeliveredOnce: the first evaluation delivers the rollback,
// the new release's anomalies and the new error group to the webhook and
// by e-mail; a second one, an hour later, delivers nothing new.
func TestAlertsDeliveredOnce(t *testing.T) {
	for name, dsn := range stores() {
		t.Run(name, func(t *testing.T) {
			st := databasetest.Open(t, dsn(t))
			load(t, st)
			hook, mail := notifytest.StartWebhook(t), notifytest.StartSMTP(t)

			res := run(t, evaluator(t, st, hook, mail, now))
			keys := map[string]bool{}
			for _, a := range res.Alerts {
				keys[a.Key] = true
			}
			for _, want := range []string{"rollback:1.2.0", "error-group:fp-deadlock", "anomaly:error_rate:fleet:up"} {
				if !keys[want] {
					t.Errorf("alert %s missing; alerts: %v", want, keys)
				}
			}
			if len(res.Deliveries) != 2 || res.Deliveries[0].Err != nil || res.Deliveries[1].Err != nil ||
				len(res.Deliveries[0].Keys) != len(res.Alerts) || len(res.Deliveries[1].Keys) != len(res.Alerts) {
				t.Fatalf("deliveries %+v, want every alert to both channels", res.Deliveries)
			}
			var body struct {
				Text   string         `json:"text"`
				Alerts []alerts.Alert `json:"alerts"`
			}
			if err := json.Unmarshal(hook.Wait(t, 1, 10*time.Second)[0], &body); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body.Text, "Rollback recommended: 1.2.0") || !strings.Contains(body.Text, "New error: psycopg2.errors.DeadlockDetected") ||
				len(body.Alerts) != len(res.Alerts) {
				t.Errorf("webhook text:\n%s", body.Text)
			}
			m := mail.Wait(t, 1, 10*time.Second)[0]
			if !m.TLS || !strings.Contains(m.Data, "Rollback recommended: 1.2.0") || !slices.Equal(m.To, []string{"ops@example.com"}) {
				t.Errorf("mail (TLS %v) to %v:\n%s", m.TLS, m.To, m.Data)
			}

			again := run(t, evaluator(t, st, hook, mail, now.Add(time.Hour)))
			if len(again.Alerts) == 0 || len(again.Deliveries) != 0 {
				t.Errorf("second evaluation: %d alerts hold, deliveries %+v; want the same alerts and nothing delivered", len(again.Alerts), again.Deliveries)
			}
			time.Sleep(100 * time.Millisecond)
			if len(hook.Bodies()) != 1 || len(mail.Mails()) != 1 {
				t.Errorf("after a second evaluation: %d posts and %d mails, want 1 each", len(hook.Bodies()), len(mail.Mails()))
			}
		})
	}
}

// TestAlertsRetriedAfterAFailure: a webhook that fails every attempt
// gets the alerts at the next evaluation; the e-mails, delivered the
// first time, are not sent again.
func TestAlertsRetriedAfterAFailure(t *testing.T) {
	st := databasetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	load(t, st)
	hook, mail := notifytest.StartWebhook(t), notifytest.StartSMTP(t)
	hook.FailNext(2, http.StatusServiceUnavailable) // both attempts
	first := run(t, evaluator(t, st, hook, mail, now))
	if first.Deliveries[0].Channel != "webhook" || first.Deliveries[0].Err == nil || first.Deliveries[1].Err != nil {
		t.Fatalf("first evaluation: %+v, want the webhook to fail and the e-mail to go", first.Deliveries)
	}
	second := run(t, evaluator(t, st, hook, mail, now.Add(time.Hour)))
	if len(second.Deliveries) != 1 || second.Deliveries[0].Channel != "webhook" || second.Deliveries[0].Err != nil ||
		len(second.Deliveries[0].Keys) != len(first.Alerts) {
		t.Errorf("second evaluation: %+v, want every alert to the webhook only", second.Deliveries)
	}
	if len(hook.Bodies()) != 1 || len(mail.Mails()) != 1 {
		t.Errorf("%d posts and %d mails, want 1 each", len(hook.Bodies()), len(mail.Mails()))
	}
}
