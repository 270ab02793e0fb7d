package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
)

func TestOverviewDataParameters(t *testing.T) {
	e := newEnv(t, nil)
	e.send(e.fleet, body("overview-inst-1", time.Now(), ""))
	today := time.Now().UTC().Format(time.DateOnly)
	future := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	for _, c := range []struct {
		query string
		field string // "" for a 200
	}{
		{"", ""},
		{"days=7", ""},
		{"days=366&version=1.1.0", ""},
		{"days=custom&from=" + today + "&to=" + today, ""},
		{"from=2026-01-01&to=2026-01-31&days=", ""},
		{"days=0", "days"},
		{"days=367", "days"},
		{"days=seven", "days"},
		{"days=7&from=" + today + "&to=" + today, "days"},
		{"from=" + today, "to"},
		{"days=custom", "from"},
		{"from=2026-02-30&to=2026-03-01", "from"},
		{"from=" + today + "&to=" + future, "to"},
		{"from=2026-03-02&to=2026-03-01", "from"},
		{"from=2024-01-01&to=2025-06-01", "from"},
		{"version=" + url.QueryEscape("<script>"), "version"},
		{"version=" + strings.Repeat("9", 33), "version"},
	} {
		r := e.do("GET", "/api/v1/dashboard/overview?"+c.query, nil, "Authorization", "Bearer "+adminToken)
		if c.field == "" {
			if r.status != 200 || r.body["figures"] == nil {
				t.Errorf("?%s: %d %s", c.query, r.status, r.raw)
			}
			continue
		}
		wantError(t, r, http.StatusBadRequest, "invalid_parameter", c.field)
	}
}

func TestOverviewDataFigures(t *testing.T) {
	now, clock := pinnedNoon()
	e := newEnvAt(t, nil, clock)
	e.send(e.fleet, body("overview-inst-1", now, ""))
	e.send(e.fleet, body("overview-inst-2", now.Add(-10*24*time.Hour), ""))
	r := e.do("GET", "/api/v1/dashboard/overview?days=7", nil, "Authorization", "Bearer "+adminToken)
	f, _ := r.body["figures"].(map[string]any)
	p, _ := r.body["previous"].(map[string]any)
	if r.status != 200 || f["active_installations"] != 1.0 || f["total_installations"] != 2.0 || p["active_installations"] != 1.0 ||
		f["total_indexes_created"] != 42.0 || f["avg_performance_improvement"] != 30.5 {
		t.Fatalf("overview: %d %s", r.status, r.raw)
	}
	// The series and lists the page draws are arrays, never null.
	for _, k := range []string{"day", "active_by_day", "version_by_day", "performance_by_version", "feature_adoption",
		"algorithms", "error_rates", "postgresql_versions", "operating_systems", "versions"} {
		if _, ok := r.body[k].([]any); !ok {
			t.Errorf("%s is %v, not an array", k, r.body[k])
		}
	}
	// The previous dashboard endpoints are unchanged.
	if st := e.stats(); st["active_installations"] != 2.0 {
		t.Errorf("stats: %v", st)
	}
}

// signIn returns a session cookie for the admin token.
// noRedirects is a client that returns a redirect as the answer.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signedOut GETs path without a session, not following a redirect, and
// returns the status and the Location it answers.
func (e *env) signedOut(path string) (int, string) {
	e.t.Helper()
	res, err := noRedirects().Get(e.url + path)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// signInComesBack checks that a signed-out visitor of path is sent to the
// sign-in form, and that signing in there leads back to path.
func signInComesBack(t *testing.T, e *env, path string) {
	t.Helper()
	status, to := e.signedOut(path)
	loc, _ := url.Parse(to)
	if status != http.StatusSeeOther || loc.Path != "/login" || loc.Query().Get("next") != path {
		t.Fatalf("signed out: %d to %q", status, to)
	}
	signInWith(t, e, adminToken, path) // and back to path
}

// signIn signs in with the admin token and returns the session cookie.
func signIn(t *testing.T, e *env) string {
	t.Helper()
	return signInWith(t, e, adminToken, "")
}

func TestOverviewDataNeedsAdmin(t *testing.T) {
	e := newEnv(t, nil)
	wantError(t, e.do("GET", "/api/v1/dashboard/overview", nil), 401, "unauthorized", "")
	wantError(t, e.do("GET", "/api/v1/dashboard/overview", nil, "Authorization", "Bearer wrong-token-0123456789"), 401, "unauthorized", "")
	wantError(t, e.do("GET", "/api/v1/dashboard/overview", nil, "Cookie", "ipa_session=9999999999.forged"), 401, "unauthorized", "")
	if r := e.do("GET", "/api/v1/dashboard/overview", nil, "Cookie", signIn(t, e)); r.status != 200 {
		t.Fatalf("with a session: %d %s", r.status, r.raw)
	}
}

func TestOverviewPageKeepsTheViewThroughSignIn(t *testing.T) {
	e := newEnv(t, nil)
	status, next := e.signedOut("/?days=7&version=1.1.0")
	if status != http.StatusSeeOther || !strings.HasPrefix(next, "/login?next=") {
		t.Fatalf("signed out: %d to %q", status, next)
	}
	u, _ := url.Parse(next)
	noFollow := noRedirects()
	for _, c := range []struct{ next, want string }{
		{u.Query().Get("next"), "/?days=7&version=1.1.0"},
		{"https://evil.example/?days=7", "/"},
		{"//evil.example/", "/"},
		{"/static/x?y=1", "/"},
		{"/\\evil.example", "/"},
	} {
		res, err := noFollow.PostForm(e.url+"/login", url.Values{"token": {adminToken}, "next": {c.next}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Location"); got != c.want {
			t.Errorf("next=%q: redirected to %q, want %q", c.next, got, c.want)
		}
	}
}

func TestDashboardPage(t *testing.T) {
	now, clock := pinnedNoon()
	e := newEnvAt(t, nil, clock)
	e.send(e.fleet, body("page-inst-1", now, ""))
	cookie := signIn(t, e)
	r := e.do("GET", "/?days=7&refresh=5", nil, "Cookie", cookie)
	page := string(r.raw)
	for _, want := range []string{
		`id="active_installations">1<`, `id="error_rate_pct">0.0 %<`, `id="reports_last_day_label">Reports today<`,
		`<option value="7" selected>`, `data-refresh="5"`, `id="chart-features"`, `<td>auto_indexing</td>`,
		`<script src="/static/dashboard.js?v=`, `href="/static/vendor/uplot/uPlot.min.css?v=`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"<script>", " style=", "onload=", "onclick="} {
		if strings.Contains(page, unwanted) {
			t.Errorf("page has %q: the CSP forbids inline script and style", unwanted)
		}
	}
	if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("security headers: %v", r.header)
	}
	// A bad parameter: 400, said on the page, and the default view.
	r = e.do("GET", "/?days=1000", nil, "Cookie", cookie)
	if page := string(r.raw); r.status != 400 || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, `id="active_installations">1<`) {
		t.Errorf("bad days: %d\n%s", r.status, page)
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t, nil)
	total := 0
	for _, c := range []struct{ path, ctype string }{
		{"/static/dashboard.js", "text/javascript"},
		{"/static/style.css", "text/css"},
		{"/static/vendor/uplot/uPlot.iife.min.js", "text/javascript"},
		{"/static/vendor/uplot/uPlot.min.css", "text/css"},
	} {
		r := e.do("GET", c.path+"?v=1", nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), c.ctype) || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q %q", c.path, r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
		}
		total += len(r.raw)
	}
	// The budget for the JavaScript and CSS a page ships.
	if total > 300<<10 {
		t.Errorf("the dashboard ships %d bytes of JS and CSS, over 300 KiB", total)
	}
}

func TestSignInAttemptsAreLimited(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.RegisterPerMinute, c.RegisterBurst = 1, 3 })
	noFollow := noRedirects()
	try := func(token string) *http.Response {
		res, err := noFollow.PostForm(e.url+"/login", url.Values{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for range 3 {
		if res := try("wrong-token-0123456789"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", res.StatusCode)
		}
	}
	// Out of attempts, even the right token is not looked at: guessing
	// gains nothing from answers.
	res := try(adminToken)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("over the limit: %d, Retry-After %q, cookie %q", res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Set-Cookie"))
	}
}
