package weekly_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const adminToken = "weekly-report-admin-token"

// api is the real server over the fleet's store, on loopback, with a
// clock the test moves.
type api struct {
	t     *testing.T
	url   string
	clock atomic.Pointer[time.Time]
}

func startAPI(t *testing.T, st store.Store) *api {
	t.Helper()
	a := &api{t: t}
	a.at(now)
	srv := servertest.New(t, st, servertest.Options{
		Config: func(cfg *server.Config) { cfg.AdminToken = adminToken },
		Now:    func() time.Time { return *a.clock.Load() },
	})
	a.url = servertest.Serve(t, srv.Handler())
	return a
}

// at sets the server's clock.
func (a *api) at(t time.Time) { a.clock.Store(&t) }

// get asks path as the admin and decodes its JSON answer.
func (a *api) get(path string, status int) map[string]any {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		a.t.Fatalf("GET %s: %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	return out
}

// TestEveryFigureIsTheAPIs asks the real server for each week's report
// and checks every figure against the API endpoint that answers it for
// the same days: the overview (summary, changes, trends), the insights
// (priorities, algorithms, release health at the week's Sunday,
// anomalies judged on the Monday after) and the error groups.
func TestEveryFigureIsTheAPIs(t *testing.T) {
	a := startAPI(t, open(t))
	for _, week := range []string{"2026-W48", "2026-W53", "2027-W01"} {
		t.Run(week, func(t *testing.T) {
			a.at(now)
			rep := a.get("/api/v1/reports/weekly?week="+week, http.StatusOK)
			start, end := rep["start"].(string), rep["end"].(string)
			ov := a.get("/api/v1/dashboard/overview?from="+start+"&to="+end, http.StatusOK)
			summaryIsOverview(t, rep, ov)
			trendsAreOverview(t, rep, ov)
			sunday, _ := time.Parse(time.DateOnly, end)
			a.at(sunday.Add(12 * time.Hour))
			in := rep["insights"].(map[string]any)
			if week == "2027-W01" { // the week after the bad release: every kind of finding
				for _, k := range []string{"top_features", "algorithms_needing_work", "error_groups", "releases", "anomalies", "experiments"} {
					if l, _ := in[k].([]any); len(l) == 0 {
						t.Errorf("insights.%s is empty: the comparison proves nothing", k)
					}
				}
			}
			features := a.get("/api/v1/insights/features?days=7", http.StatusOK)["features"].([]any)
			same(t, "top features", in["top_features"], features[:min(5, len(features))])
			algorithms := a.get("/api/v1/insights/algorithms?days=7", http.StatusOK)["algorithms"].([]any)
			allIn(t, "algorithms needing work", in["algorithms_needing_work"], algorithms, "algorithm")
			releases := a.get("/api/v1/insights/releases?days=7", http.StatusOK)["releases"].([]any)
			allIn(t, "releases", in["releases"], releases, "version")
			groupsAreAPIs(t, in, a.get("/api/v1/errors/groups?days=7", http.StatusOK)["groups"].([]any))
			a.at(sunday.Add(24*time.Hour - time.Microsecond)) // the week's end
			experimentsAreAPIs(t, in, a.get("/api/v1/experiments", http.StatusOK)["experiments"].([]any))
			a.at(sunday.Add(36 * time.Hour))
			anomalies := a.get("/api/v1/insights/anomalies?days=7", http.StatusOK)["anomalies"].([]any)
			allIn(t, "anomalies", in["anomalies"], anomalies, "")
		})
	}
}

// summaryIsOverview checks the summary and its changes against the
// overview's figures of the same days and of the week before.
func summaryIsOverview(t *testing.T, rep, ov map[string]any) {
	t.Helper()
	sum, ch := rep["summary"].(map[string]any), rep["changes"].(map[string]any)
	fig, prev := ov["figures"].(map[string]any), ov["previous"].(map[string]any)
	names := map[string]string{"new_installations": "new_installations", "total_installations": "total_installations",
		"active_installations": "active_installations", "reports": "reports", "indexes_created": "total_indexes_created",
		"avg_performance_improvement": "avg_performance_improvement"}
	for mine, theirs := range names {
		same(t, "summary."+mine, sum[mine], fig[theirs])
		same(t, "changes."+mine+".previous", ch[mine].(map[string]any)["previous"], prev[theirs])
	}
	if sum["reports"].(float64) == 0 {
		t.Errorf("a week without a report: the test proves nothing")
	}
}

func trendsAreOverview(t *testing.T, rep, ov map[string]any) {
	t.Helper()
	tr := rep["trends"].(map[string]any)
	same(t, "days", tr["days"], ov["day"])
	same(t, "active installations per day", tr["active_installations"], ov["active_by_day"])
	same(t, "versions by day", tr["versions_by_day"], ov["version_by_day"])
	for mine, theirs := range map[string]string{"version_adoption": "version_adoption", "feature_adoption": "feature_adoption"} {
		got, want := tr[mine].([]any), ov[theirs].([]any)
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, the overview %d", mine, len(got), len(want))
			continue
		}
		for i := range got {
			g, w := got[i].(map[string]any), want[i].(map[string]any)
			for _, k := range []string{"name", "installations", "pct"} {
				same(t, mine+"."+k, g[k], w[k])
			}
		}
	}
}

// groupsAreAPIs checks each new or growing group's figures against the
// error groups API for the same days.
func groupsAreAPIs(t *testing.T, in map[string]any, groups []any) {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, g := range groups {
		byID[g.(map[string]any)["fingerprint"].(string)] = g.(map[string]any)
	}
	list, _ := in["error_groups"].([]any)
	for _, g := range list {
		mine := g.(map[string]any)
		theirs := byID[mine["fingerprint"].(string)]
		for _, k := range []string{"count", "installations_affected", "first_seen", "error_type"} {
			same(t, "error group "+mine["fingerprint"].(string)+"."+k, mine[k], theirs[k])
		}
	}
}

// experimentsAreAPIs checks each decided experiment against the
// experiments API's analysis at the week's end.
func experimentsAreAPIs(t *testing.T, in map[string]any, all []any) {
	t.Helper()
	list, _ := in["experiments"].([]any)
	for _, e := range list {
		mine := e.(map[string]any)
		var theirs map[string]any
		for _, a := range all {
			if a.(map[string]any)["name"] == mine["name"] {
				theirs = a.(map[string]any)
			}
		}
		if theirs == nil {
			t.Errorf("experiment %v is not in the API's list", mine["name"])
			continue
		}
		same(t, "experiment decision", mine["decision"], theirs["decision"])
		effect := theirs["effect"].(map[string]any)
		for _, k := range []string{"estimate", "low", "high"} {
			same(t, "experiment "+k, mine[k], effect[k])
		}
	}
}

// allIn checks that every item of got is an item of want, equal in every
// field; key names the field that identifies one (none: whole items).
func allIn(t *testing.T, what string, got any, want []any, key string) {
	t.Helper()
	list, _ := got.([]any)
	for _, g := range list {
		found := false
		for _, w := range want {
			if key == "" && reflect.DeepEqual(g, w) || key != "" && g.(map[string]any)[key] == w.(map[string]any)[key] {
				same(t, what, g, w)
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: %v is not in the API's answer", what, g)
		}
	}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s: the report says %.300s, the API %.300s", what, g, w)
	}
}

// TestBadWeeks: a malformed, missing or unfinished week, or an unknown
// format, is a 400 naming the field and its rule.
func TestBadWeeks(t *testing.T) {
	a := startAPI(t, open(t))
	for _, c := range []struct{ query, field string }{
		{"week=2026-48", "week"},
		{"week=2026-W54", "week"}, // 2026 has 53 weeks
		{"week=2027-W53", "week"}, // 2027 has 52
		{"week=2027-W00", "week"},
		{"week=2027-W02", "week"}, // in progress at the clock
		{"week=2027-W10", "week"}, // future
		{"week=2027-W01&format=pdf", "format"},
	} {
		body := a.get("/api/v1/reports/weekly?"+c.query, http.StatusBadRequest)
		if body["field"] != c.field || body["rule"] == "" || body["message"] == "" {
			t.Errorf("%s: %v, want the field %s and its rule", c.query, body, c.field)
		}
	}
	if got := a.get("/api/v1/reports/weekly", http.StatusOK)["week"]; got != "2027-W01" {
		t.Errorf("the default week is %v, want the last complete one, 2027-W01", got)
	}
}

// TestReportFormats: the report is for admins only; Markdown and HTML
// come with their types, and the HTML with a policy that allows its
// inline styles and nothing else.
func TestReportFormats(t *testing.T) {
	a := startAPI(t, open(t))
	res, err := http.Get(a.url + "/api/v1/reports/weekly?week=2027-W01")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", res.StatusCode)
	}
	for format, want := range map[string]string{"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"} {
		req, _ := http.NewRequest(http.MethodGet, a.url+"/api/v1/reports/weekly?week=2027-W01&format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != want || !bytes.Contains(body, []byte("IndexPilot weekly report: 2027-W01")) {
			t.Errorf("%s: %d %q\n%.200s", format, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if format == "html" && (!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'unsafe-inline'") ||
			strings.Contains(csp, "script-src") || bytes.Contains(body, []byte("<script")) || bytes.Contains(body, []byte("http://")) || bytes.Contains(body, []byte("https://"))) {
			t.Errorf("html: policy %q, or the page loads something", csp)
		}
	}
}
