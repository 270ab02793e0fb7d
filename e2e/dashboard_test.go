package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// charts are the ids of the dashboard's charts.
var charts = []string{"active", "versions", "features", "feature-success", "algorithms", "performance", "errors", "postgresql", "os"}

// chromium returns the browser to drive, or skips (or, where a browser is
// required, fails) the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("INDEXPILOT_TEST_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found (install Debian's chromium, or set CHROMIUM); the browser test is required here")
	}
	t.Skip("no Chromium found; install Debian's chromium or set CHROMIUM to run the browser test")
	return ""
}

// browserTest finds Chromium, as chromium does, and returns its path and
// the test's context, which ends after limit or with the test.
func browserTest(t *testing.T, limit time.Duration) (string, context.Context) {
	t.Helper()
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	return exe, ctx
}

// browser is one headless Chromium tab, with every console message and
// uncaught exception collected.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T, exec string) *browser {
	t.Helper()
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exec), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true))
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	b := &browser{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// consoleErrors returns the errors so far and forgets them.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs JavaScript in the page and returns its value, awaited when
// it is a promise.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.60q: %v", js, err)
	}
	return v
}

// atPhoneWidth loads the page again at a phone's width, 390 px, by
// load, waits until ready holds, and checks that the page is no wider
// than the screen.
func atPhoneWidth(t *testing.T, b *browser, load chromedp.Action[chromedp.Void], ready string, timeout time.Duration) {
	t.Helper()
	b.do("narrow the window", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), load)
	b.waitFor("the phone-width load", ready, timeout)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("at 390 px the page is %d px wide", w)
	}
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(what, js string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(timeout))); err != nil {
		b.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// loads is how many times the page's script has drawn the data.
func (b *browser) loads() int {
	return eval[int](b, `Number(document.getElementById('dashboard').dataset.loads || 0)`)
}

func TestDashboardInChromium(t *testing.T) {
	exe, ctx := browserTest(t, 90*time.Second)
	s := startService(t)
	b := newBrowser(t, exe)

	signIn(t, s, b)
	b.waitFor("the first data load", `Number(document.getElementById('dashboard').dataset.loads || 0) >= 1`, 15*time.Second)
	noDataYet(t, b)

	// The fleet's reports arrive; the page shows them at its next refresh
	// (the second load from now is one that started after the fleet).
	s.loadFleet(ctx)
	loads := b.loads()
	b.waitFor("the refresh after the fleet", fmt.Sprintf(`Number(document.getElementById('dashboard').dataset.loads) >= %d + 2`, loads), 15*time.Second)
	gridMatchesAPI(t, b, s.api("days=30"))
	everyChartDrew(t, b)
	numbersOneClickAway(t, b)
	b.screenshot("overview-1280.png")

	// A report sent after the page loaded shows at the next refresh (the
	// second load from now: the first may have started before the report).
	before := gridCount(t, b, "active_installations")
	loads = b.loads()
	s.sendReport("e2e-late-installation-1", "1.1.0")
	b.waitFor("the next refresh", fmt.Sprintf(`Number(document.getElementById('dashboard').dataset.loads) >= %d + 2`, loads), 10*time.Second)
	if after := gridCount(t, b, "active_installations"); after != before+1 {
		t.Errorf("active installations after a new installation's report: %d, want %d", after, before+1)
	}
	gridMatchesAPI(t, b, s.api("days=30"))

	versionFilter(t, s, b)
	phoneWidth(t, b)
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors on the dashboard:\n%s", strings.Join(errs, "\n"))
	}
	signOut(t, s, b)
}

// signIn checks that signed-out visitors meet the form, that a wrong token
// is refused, and that the right one brings back the view that was asked.
func signIn(t *testing.T, s *service, b *browser) {
	b.do("open a shared view", chromedp.Navigate(s.url+"/?days=30&refresh=2"))
	if loc := eval[string](b, `location.pathname + location.search`); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("signed out, the dashboard went to %q, not the sign-in form", loc)
	}
	if code := eval[int](b, `fetch('/api/v1/dashboard/overview').then(r => r.status)`); code != 401 {
		t.Errorf("signed-out data endpoint: %d, want 401", code)
	}
	b.do("type a wrong token", chromedp.SendKeys(chromedp.ID("token"), "not-the-admin-token-at-all"),
		chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.ID("login-error")))
	if msg := eval[string](b, `document.getElementById('login-error').textContent`); !strings.Contains(msg, "not valid") {
		t.Errorf("wrong token: %q", msg)
	}
	if code := eval[int](b, `fetch('/api/v1/dashboard/overview').then(r => r.status)`); code != 401 {
		t.Errorf("after a wrong token the data endpoint answered %d, want 401", code)
	}
	b.screenshot("login-refused.png")
	b.consoleErrors() // the refused sign-in's 401 is logged by the browser
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), adminToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("figures")))
	if loc := eval[string](b, `location.pathname + location.search`); loc != "/?days=30&refresh=2" {
		t.Errorf("after signing in: %q, want the view asked for", loc)
	}
	if c := eval[string](b, `document.cookie`); strings.Contains(c, "ipa_session") {
		t.Errorf("the session cookie is readable by scripts: %q", c)
	}
}

// noDataYet checks that on an empty store every chart says so, and none
// draws.
func noDataYet(t *testing.T, b *browser) {
	t.Helper()
	shown := eval[map[string]bool](b, `Object.fromEntries(`+jsList(charts)+`.map(id => [id,
		!document.getElementById('empty-' + id).hidden && document.querySelector('#chart-' + id + ' canvas') === null]))`)
	for _, id := range charts {
		if !shown[id] {
			t.Errorf("chart %s on an empty store: no \"no data yet\" state, or a canvas", id)
		}
	}
	b.screenshot("overview-empty-1280.png")
}

// gridText reads every figure of the grid.
func gridText(b *browser) map[string]string {
	return eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#figures .value')].map(e => [e.id, e.textContent]))`)
}

func gridCount(t *testing.T, b *browser, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.ReplaceAll(gridText(b)[id], ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return n
}

// gridMatchesAPI checks each figure shown against the API's number.
func gridMatchesAPI(t *testing.T, b *browser, ov overview) {
	t.Helper()
	grid := gridText(b)
	if len(grid) != 7 {
		t.Fatalf("grid has %d figures: %v", len(grid), grid)
	}
	for id, text := range grid {
		want, ok := ov.Figures[id]
		if !ok {
			t.Errorf("grid figure %s is not in the API", id)
			continue
		}
		if want == nil {
			if text != "–" {
				t.Errorf("%s: grid %q, API null", id, text)
			}
			continue
		}
		got, err := strconv.ParseFloat(strings.TrimSuffix(strings.ReplaceAll(text, ",", ""), " %"), 64)
		if err != nil || math.Abs(got-*want) > 0.05+1e-9 {
			t.Errorf("%s: grid %q, API %v", id, text, *want)
		}
	}
	if *ov.Figures["active_installations"] == 0 {
		t.Error("the API reports no active installation: the fleet did not load")
	}
}

// everyChartDrew checks that each chart has a canvas with pixels drawn
// and that no chart shows its "no data yet" state.
func everyChartDrew(t *testing.T, b *browser) {
	t.Helper()
	chartsDrew(t, b, charts)
}

// numbersOneClickAway opens each chart's table with one click.
func numbersOneClickAway(t *testing.T, b *browser) {
	t.Helper()
	for _, id := range charts {
		b.do("open the table of "+id, chromedp.Click(chromedp.CSS("#details-"+id+" summary")))
	}
	rows := eval[map[string]int](b, `Object.fromEntries(`+jsList(charts)+`.map(id => {
		const t = document.getElementById('table-' + id);
		return [id, t.offsetParent === null ? -1 : t.tBodies[0].rows.length];
	}))`)
	for _, id := range charts {
		if rows[id] < 1 {
			t.Errorf("table of %s after one click: %d rows (-1: not visible)", id, rows[id])
		}
	}
	for _, id := range charts {
		b.do("close the table of "+id, chromedp.Click(chromedp.CSS("#details-"+id+" summary")))
	}
}

// versionFilter picks a version: the URL carries it, and the grid shows
// the API's figures for it.
func versionFilter(t *testing.T, s *service, b *browser) {
	t.Helper()
	version := eval[string](b, `(() => {
		const s = document.getElementById('version');
		s.value = s.options[1].value;
		s.dispatchEvent(new Event('change'));
		return s.value;
	})()`)
	b.waitFor("the filtered view", fmt.Sprintf(`document.getElementById('period').textContent.endsWith(', version %s')`, version), 10*time.Second)
	q, err := url.ParseQuery(strings.TrimPrefix(eval[string](b, `location.search`), "?"))
	if err != nil || q.Get("version") != version || q.Get("refresh") != "2" {
		t.Errorf("URL after choosing version %s: %v", version, q)
	}
	gridMatchesAPI(t, b, s.api("days=30&version="+url.QueryEscape(version)))
	b.screenshot("overview-version-1280.png")
	// The shared URL opens the same view.
	b.do("reload the shared view", chromedp.Reload())
	b.waitFor("the reloaded view", `Number(document.getElementById('dashboard').dataset.loads || 0) >= 1`, 15*time.Second)
	if got := eval[string](b, `document.getElementById('version').value`); got != version {
		t.Errorf("reloaded view's version: %q, want %q", got, version)
	}
}

// phoneWidth checks the page at 390 px: nothing wider than the screen,
// every chart drawn.
func phoneWidth(t *testing.T, b *browser) {
	t.Helper()
	atPhoneWidth(t, b, chromedp.Navigate(strings.Split(eval[string](b, `location.href`), "?")[0]+"?days=30&refresh=2"),
		`Number(document.getElementById('dashboard').dataset.loads || 0) >= 1`, 15*time.Second)
	everyChartDrew(t, b)
	b.screenshot("overview-390.png")
	b.do("widen the window", chromedp.EmulateViewport(1280, 900))
}

func signOut(t *testing.T, s *service, b *browser) {
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("token")))
	if code := eval[int](b, `fetch('/api/v1/dashboard/overview').then(r => r.status)`); code != 401 {
		t.Errorf("after signing out the data endpoint answered %d, want 401", code)
	}
	b.consoleErrors()
}

func jsList(ids []string) string { return `['` + strings.Join(ids, `','`) + `']` }
