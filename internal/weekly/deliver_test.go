package weekly_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify/notifytest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// ownCopy opens a copy of the fleet's store that this test may write to
// (the sent ledger).
func ownCopy(t *testing.T) (store.Store, string) {
	t.Helper()
	src := strings.TrimPrefix(fleetDB, "sqlite:")
	dst := filepath.Join(t.TempDir(), "fleet.db")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return databasetest.Open(t, "sqlite:"+dst), "sqlite:" + dst
}

// channels starts a real SMTP server and webhook receiver and returns the
// notify configuration that reaches both, as --webhook, --smtp-url and
// --alert-email-to give it.
func channels(t *testing.T) (notify.Config, *notifytest.SMTP, *notifytest.Webhook) {
	t.Helper()
	smtp, hook := notifytest.StartSMTP(t), notifytest.StartWebhook(t)
	c, err := notify.ParseConfig(hook.URL, smtp.URL, "maintainers@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	c.TLS = smtp.ClientTLS
	return c, smtp, hook
}

func schedule(st store.Store, c notify.Config, at *time.Time) *weekly.Schedule {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &weekly.Schedule{Sender: &weekly.Sender{Builder: builder(st), Ledger: st, Notifier: notify.New(c, nil, log)},
		Hour: 8, Now: func() time.Time { return *at }, Log: log}
}

// TestScheduledDeliveryOnce: on Monday at the hour the last week's report
// goes to a real SMTP server (HTML with a plain-text part, the subject
// naming the week) and a webhook (the Markdown in "text"); a restarted
// sender on the same store sends it to neither again.
func TestScheduledDeliveryOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := ownCopy(t)
	c, smtp, hook := channels(t)
	at := time.Date(2027, 1, 11, 7, 59, 0, 0, time.UTC)
	sched := schedule(st, c, &at)
	if ds, err := sched.Tick(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("before the hour: %v %v, want nothing sent", ds, err)
	}
	at = at.Add(time.Minute)
	ds, err := sched.Tick(ctx)
	if err != nil || len(ds) != 2 {
		t.Fatalf("at the hour: %+v %v, want two deliveries", ds, err)
	}
	for _, d := range ds {
		if d.Err != nil || d.Skipped || d.Week != "2027-W01" {
			t.Errorf("delivery %+v", d)
		}
	}
	week, _ := weekly.ParseWeek("2027-W01", at)
	r, err := builder(st).Build(ctx, week)
	if err != nil || r.Empty() || len(r.Recommendations) == 0 {
		t.Fatalf("the copied store's report: %v (empty: the copy lost the fleet)", err)
	}
	checkMail(t, smtp.Wait(t, 1, 30*time.Second)[0], r)
	checkWebhook(t, hook.Wait(t, 1, 30*time.Second)[0], r)

	at = at.Add(3 * time.Hour) // a restart: a new sender over the same store
	ds, err = schedule(st, c, &at).Tick(ctx)
	if err != nil || len(ds) != 2 || !ds[0].Skipped || !ds[1].Skipped {
		t.Errorf("after a restart: %+v %v, want both channels skipped", ds, err)
	}
	if len(smtp.Mails()) != 1 || len(hook.Bodies()) != 1 {
		t.Errorf("%d mails and %d posts, want one each", len(smtp.Mails()), len(hook.Bodies()))
	}
	rec, err := st.Sent(ctx, weekly.LedgerKey("2027-W01", "email"))
	if err != nil || rec.Sends != 1 || rec.Kind != weekly.LedgerKind {
		t.Errorf("the ledger: %+v %v, want one send", rec, err)
	}
}

// checkMail parses the message as a mail client would: valid headers, a
// subject naming the week, and a multipart/alternative with the Markdown
// as text/plain and the report as text/html.
func checkMail(t *testing.T, m notifytest.Mail, r *weekly.Report) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatalf("the mail does not parse: %v", err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || !strings.Contains(subject, "2027-W01") || subject != weekly.Subject(r) {
		t.Errorf("subject %q (%v), want %q", subject, err, weekly.Subject(r))
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if _, err := mail.ParseAddress(h.Get("From")); err != nil {
		t.Errorf("From %q: %v", h.Get("From"), err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "maintainers@example.com" {
		t.Errorf("To %q: %v", h.Get("To"), err)
	}
	if h.Get("Message-Id") == "" || h.Get("Mime-Version") != "1.0" {
		t.Errorf("Message-Id %q, MIME-Version %q", h.Get("Message-Id"), h.Get("Mime-Version"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = decodePart(t, p)
	}
	if got := strings.ReplaceAll(parts["text/plain"], "\r\n", "\n"); got != weekly.Markdown(r) {
		t.Errorf("the plain-text part is not the Markdown:\n%.400s", got)
	}
	html, _ := weekly.HTML(r)
	if got := strings.ReplaceAll(parts["text/html"], "\r\n", "\n"); got != html {
		t.Errorf("the HTML part is not the report:\n%.400s", got)
	}
}

// decodePart reads a part, undoing base64 (multipart undoes
// quoted-printable itself).
func decodePart(t *testing.T, p *multipart.Part) string {
	t.Helper()
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		if b, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(b))); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}

func checkWebhook(t *testing.T, body []byte, r *weekly.Report) {
	t.Helper()
	var got struct{ Text, Week, Start, End string }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text != weekly.Markdown(r) || got.Week != r.Week || got.Start != r.Start || got.End != r.End {
		t.Errorf("the webhook got week %q %s–%s and text:\n%.400s", got.Week, got.Start, got.End, got.Text)
	}
}

// TestFailedChannelRetried: a webhook that refuses the report leaves the
// week unsent for it (the claim released) while the e-mail goes out; the
// next check sends it to the webhook only.
func TestFailedChannelRetried(t *testing.T) {
	ctx := context.Background()
	st, _ := ownCopy(t)
	c, smtp, hook := channels(t)
	hook.FailNext(1, 400) // refused: not retried within the attempt
	at := time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC)
	ds, err := schedule(st, c, &at).Tick(ctx)
	if err != nil || len(ds) != 2 || ds[0].Channel != "webhook" || ds[0].Err == nil || ds[1].Err != nil {
		t.Fatalf("first check: %+v %v, want the webhook failed and the e-mail sent", ds, err)
	}
	if rec, err := st.Sent(ctx, weekly.LedgerKey("2027-W01", "webhook")); err == nil && (rec.Sends > 0 || rec.Claimed) {
		t.Errorf("the failed webhook is recorded %+v", rec)
	}
	at = at.Add(weekly.CheckEvery)
	ds, err = schedule(st, c, &at).Tick(ctx)
	if err != nil || len(ds) != 2 || ds[0].Skipped || ds[0].Err != nil || !ds[1].Skipped {
		t.Fatalf("next check: %+v %v, want the webhook sent and the e-mail skipped", ds, err)
	}
	if len(hook.Bodies()) != 1 || len(smtp.Mails()) != 1 {
		t.Errorf("%d posts and %d mails, want one each", len(hook.Bodies()), len(smtp.Mails()))
	}
}
