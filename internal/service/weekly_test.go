package service

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// TestServeSendsTheWeeklyReportOnce runs the service twice on Monday after
// the hour: the first run posts the last week's report to the webhook by
// itself; the second, with an e-mail channel added, mails it (the new
// channel has not had it) but does not post it again. Channels are tried
// in a fixed order, webhook first, so once the mail has arrived the
// second run has already decided about the webhook.
func TestServeSendsTheWeeklyReportOnce(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	monday := time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC)
	st, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Ingest(ctx, []store.Item{item(1, monday.Add(-3*24*time.Hour)), item(2, monday.Add(-2*24*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	hook, smtp := notifytest.StartWebhook(t), notifytest.StartSMTP(t)

	run := func(c notify.Config, until func()) {
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- Run(runCtx, Options{Listen: "127.0.0.1:0", Database: dsn, Server: server.DefaultConfig(),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return monday },
				Alerts: AlertOptions{Notify: c}, WeeklyHour: 8})
		}()
		until()
		stop()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	hookOnly, err := notify.ParseConfig(hook.URL, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	run(hookOnly, func() {
		waitWeekly(t, hook, 1)
		waitSent(t, dsn, weekly.LedgerKey("2027-W01", "webhook")) // stopped before, a send may be taken back
	})
	both, err := notify.ParseConfig(hook.URL, smtp.URL, "maintainers@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	both.TLS = smtp.ClientTLS
	run(both, func() { smtp.Wait(t, 1, 30*time.Second) })
	if n := weeklyPosts(t, hook); n != 1 {
		t.Errorf("the webhook got the weekly report %d times, want once", n)
	}
}

// weeklyPosts counts the webhook's posts of the 2027-W01 report (alerts
// go to the same webhook).
func weeklyPosts(t *testing.T, hook *notifytest.Webhook) int {
	t.Helper()
	n := 0
	for _, b := range hook.Bodies() {
		var body struct{ Week string }
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Week == "2027-W01" {
			n++
		}
	}
	return n
}

// waitSent waits until the ledger records key as sent.
func waitSent(t *testing.T, dsn, key string) {
	t.Helper()
	st, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(30 * time.Second) // a bound for a busy machine, not a speed goal
	for {
		rec, err := st.Sent(context.Background(), key)
		if err == nil && rec.Sends > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ledger never recorded %s: %+v %v", key, rec, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitWeekly waits until the webhook has had n weekly reports.
func waitWeekly(t *testing.T, hook *notifytest.Webhook, n int) {
	t.Helper()
	for i := 1; weeklyPosts(t, hook) < n; i++ {
		hook.Wait(t, i, 30*time.Second)
	}
}
