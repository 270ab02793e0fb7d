package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPublicAndAuditPagesInChromium opens the public page, signed out,
// and the audit log page, signed in, in headless Chromium: the public
// page draws every chart from its own tables, sets no cookie and breaks
// no rule of the Content-Security-Policy; the audit page lists the
// sign-in.
func TestPublicAndAuditPagesInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 90*time.Second)
	s := startService(t, "--public-page")
	b := newBrowser(t, exe)
	s.loadFleet(ctx)

	b.do("open the public page", chromedp.Navigate(s.url+"/public?days=30"))
	b.waitFor("the charts", `document.getElementById('public').dataset.drawn === '6'`, 15*time.Second)
	if n := eval[int](b, `document.querySelectorAll('.chart canvas').length`); n < 6 {
		t.Errorf("%d charts drew a canvas, want 6", n)
	}
	if c := eval[string](b, `document.cookie`); c != "" {
		t.Errorf("the public page set a cookie: %q", c) // the HTTP test checks HttpOnly ones too
	}
	if got := eval[string](b, `document.getElementById('active_installations').textContent`); got == "" || strings.HasPrefix(got, "fewer") {
		t.Errorf("active installations: %q", got)
	}
	b.screenshot("public-1280.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the public page:\n%s", strings.Join(errs, "\n"))
	}

	b.do("sign in for the audit log", chromedp.Navigate(s.url+"/login?next=%2Faudit"),
		chromedp.SendKeys(chromedp.ID("token"), adminToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("audit-table")))
	if text := eval[string](b, `document.getElementById('audit-table').textContent`); !strings.Contains(text, "admin.sign_in") ||
		!strings.Contains(text, "environment admin token") {
		t.Errorf("the audit log does not show the sign-in:\n%s", text)
	}
	b.screenshot("audit-1280.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the audit page:\n%s", strings.Join(errs, "\n"))
	}
}
