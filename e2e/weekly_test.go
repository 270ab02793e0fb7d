package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWeeklyReportInChromium signs in, opens the Weekly reports page and
// the last complete week's HTML report from it, and checks that the
// report renders without a console error, loads nothing (no script, no
// image, no remote resource: it reads the same with images blocked) and
// shows the API's figures. The screenshot is kept in artifacts/.
func TestWeeklyReportInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 120*time.Second)
	s := startService(t)
	b := newBrowser(t, exe)
	s.loadFleet(ctx)

	b.do("sign in for the weekly reports", chromedp.Navigate(s.url+"/login?next=%2Freports"),
		chromedp.SendKeys(chromedp.ID("token"), adminToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("weeks-table")))
	if cur := eval[string](b, `document.querySelector('nav.views [aria-current=page]').textContent`); cur != "Weekly reports" {
		t.Errorf("the nav marks %q as the current view", cur)
	}
	week := eval[string](b, `document.querySelector('#weeks-table a.week').textContent`)
	reports := eval[float64](b, `fetch('/api/v1/reports/weekly?week=`+week+`').then(r => r.json()).then(j => j.summary.reports)`)
	if reports == 0 {
		t.Fatalf("the last complete week %s has no report: the fleet did not cover it", week)
	}
	b.screenshot("weekly-reports-1280.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the Weekly reports page:\n%s", strings.Join(errs, "\n"))
	}

	href := eval[string](b, `document.querySelector('#weeks-table a.week').href`)
	b.do("open the week's report", chromedp.Navigate(href))
	if h := eval[string](b, `document.querySelector('h1').textContent`); !strings.Contains(h, week) {
		t.Errorf("the report's heading %q does not name %s", h, week)
	}
	loads := eval[int](b, `document.querySelectorAll('script, img, link, iframe, object, [src]').length`)
	if loads != 0 {
		t.Errorf("the report has %d elements that load something", loads)
	}
	row := eval[string](b, `[...document.querySelectorAll('tr')].find(r => r.firstElementChild && r.firstElementChild.textContent === 'Reports').children[1].textContent`)
	if want := formatCount(int64(reports)); row != want {
		t.Errorf("the report shows %q reports, the API %s", row, want)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the report is %d px wide at 1280", w)
	}
	b.screenshot("weekly-report-1280.png")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the weekly report:\n%s", strings.Join(errs, "\n"))
	}
}

// formatCount groups thousands with commas, as the report writes counts.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
