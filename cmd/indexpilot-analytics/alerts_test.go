package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
	contract "github.com/indexpilot/indexpilot-telemetry/report"
)

// newErrorGroup stores, in a fresh SQLite store, error reports of one new
// group from four installations in the last hours: an alert holds.
func newErrorGroup(t *testing.T) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "alerts.db")
	st := openStore(t, dsn)
	defer st.Close()
	now := time.Now().UTC()
	for i := range 4 {
		ts := now.Add(-time.Duration(i) * time.Minute)
		r := &contract.ErrorReport{SchemaVersion: 1, ReportID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i),
			InstallationID: fmt.Sprintf("alerts-cmd-%d", i), Version: "1.2.0", Timestamp: ts.Format(time.RFC3339Nano),
			ErrorType: "psycopg2.errors.DeadlockDetected", Message: "deadlock detected"}
		if _, err := st.IngestError(context.Background(), store.ErrorItem{Key: r.ReportID, Fingerprint: "fp-cmd", Report: r, Time: ts, Received: now}); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

// alertsRun runs `alerts run` and returns its output and exit code.
func alertsRun(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	code, out, _ := runEnv(t, env, append([]string{"alerts", "run"}, args...)...)
	return out, code
}

// TestAlertsRunDeliversOnce: the real binary delivers a new alert to a
// webhook and by e-mail (STARTTLS, the test's certificate trusted through
// $SSL_CERT_FILE), prints it, and delivers nothing at the second run.
func TestAlertsRunDeliversOnce(t *testing.T) {
	dsn := newErrorGroup(t)
	hook, mail := notifytest.StartWebhook(t), notifytest.StartSMTP(t)
	env := []string{"SSL_CERT_FILE=" + mail.CertFile}
	args := []string{"--database", dsn, "--webhook", hook.URL, "--smtp-url", mail.URL, "--alert-email-to", "ops@example.com"}
	out, code := alertsRun(t, env, args...)
	if code != 0 || !strings.Contains(out, "Delivered to webhook") || !strings.Contains(out, "Delivered to email") ||
		!strings.Contains(out, "error-group:fp-cmd") {
		t.Fatalf("first run (exit %d):\n%s", code, out)
	}
	if strings.Contains(out, "XXXXsecretXXXX") || strings.Contains(out, "s3cret") {
		t.Errorf("the output shows a secret:\n%s", out)
	}
	if len(hook.Bodies()) != 1 || len(mail.Mails()) != 1 || !mail.Mails()[0].TLS {
		t.Fatalf("%d posts and %d mails after the first run, want 1 each, over TLS", len(hook.Bodies()), len(mail.Mails()))
	}
	out, code = alertsRun(t, env, args...)
	if code != 0 || !strings.Contains(out, "Nothing new to deliver") {
		t.Errorf("second run (exit %d):\n%s", code, out)
	}
	if len(hook.Bodies()) != 1 || len(mail.Mails()) != 1 {
		t.Errorf("%d posts and %d mails after the second run, want 1 each", len(hook.Bodies()), len(mail.Mails()))
	}
}

// TestAlertsRunFailure: a webhook that refuses the alert makes the run
// exit 1; the alert goes out at the next run.
func TestAlertsRunFailure(t *testing.T) {
	dsn := newErrorGroup(t)
	hook := notifytest.StartWebhook(t)
	hook.FailNext(1, http.StatusBadRequest) // not retried: the run fails at once
	out, code := alertsRun(t, nil, "--database", dsn, "--webhook", hook.URL)
	if code != 1 || !strings.Contains(out, "FAILED to deliver 1 alerts to webhook") {
		t.Errorf("a refused alert (exit %d):\n%s", code, out)
	}
	out, code = alertsRun(t, nil, "--database", dsn, "--webhook", hook.URL)
	if code != 0 || !strings.Contains(out, "Delivered to webhook") || len(hook.Bodies()) != 1 {
		t.Errorf("the run after (exit %d, %d posts):\n%s", code, len(hook.Bodies()), out)
	}
}

// TestServeAlertsAtStart: serve evaluates the alerts as it starts and
// delivers them while it takes reports; a cron run of alerts run beside
// it then finds nothing new, as they share the store's sent ledger.
func TestServeAlertsAtStart(t *testing.T) {
	dsn := newErrorGroup(t)
	hook := notifytest.StartWebhook(t)
	hook.FailNext(1, http.StatusServiceUnavailable) // the first attempt fails: delivery waits for its retry
	cmd, url := startServeLogged(t, dsn, io.Discard, nil, "--webhook", hook.URL)
	defer testkit.Stop(cmd)
	key := fleetKey(t, dsn)
	if !post(http.DefaultClient, url, key, crashReports(1, 1)[0]) {
		t.Error("a report sent while an alert was being retried was not acknowledged")
	}
	hook.Wait(t, 1, 30*time.Second)
	out, code := alertsRun(t, nil, "--database", dsn, "--webhook", hook.URL)
	if code != 0 || !strings.Contains(out, "Nothing new to deliver") {
		t.Errorf("alerts run beside serve (exit %d):\n%s", code, out)
	}
}

// TestAlertSecretsMasked: config and -h show the webhook's host and the
// SMTP user, never the webhook's path or the SMTP password.
func TestAlertSecretsMasked(t *testing.T) {
	env := append(os.Environ(), "INDEXPILOT_ANALYTICS_WEBHOOK=https://hooks.slack.com/services/T0/B0/hook-secret-path",
		"INDEXPILOT_ANALYTICS_SMTP_URL=smtp://alerts:smtp-secret-pass@mail.example.com:587")
	for _, args := range [][]string{{"config"}, {"serve", "-h"}, {"alerts", "run", "-h"}} {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		text := string(out)
		if strings.Contains(text, "hook-secret-path") || strings.Contains(text, "smtp-secret-pass") {
			t.Errorf("%v shows a secret:\n%s", args, text)
		}
		if !strings.Contains(text, "https://hooks.slack.com/(masked)") || !strings.Contains(text, "smtp://alerts:masked@mail.example.com:587") {
			t.Errorf("%v does not show the masked webhook and SMTP URL:\n%s", args, text)
		}
	}
}
