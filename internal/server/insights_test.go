package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

var insightEndpoints = []string{"features", "algorithms", "patterns", "forecasts"}

func (e *env) insight(endpoint, query string, header ...string) resp {
	e.t.Helper()
	if len(header) == 0 {
		header = []string{"Authorization", "Bearer " + adminToken}
	}
	return e.do("GET", "/api/v1/insights/"+endpoint+"?"+query, nil, header...)
}

// TestInsightsParameters checks that every endpoint answers its
// parameters' defaults and bounds, and names the parameter it refuses.
func TestInsightsParameters(t *testing.T) {
	e := newEnv(t, nil)
	e.send(e.fleet, body("insights-inst-1", time.Now(), ""))
	today := time.Now().UTC().Format(time.DateOnly)
	for _, c := range []struct {
		endpoint, query string
		field           string // "" for a 200
	}{
		{"features", "", ""}, {"features", "days=366", ""}, {"features", "days=0", "days"}, {"features", "days=x", "days"},
		{"algorithms", "days=7", ""}, {"algorithms", "days=367", "days"},
		{"patterns", "days=90&min_support=0.05", ""}, {"patterns", "min_support=1&min_size=1&max_size=1&limit=1", ""},
		{"patterns", "min_support=0", "min_support"}, {"patterns", "min_support=1.5", "min_support"}, {"patterns", "min_support=five", "min_support"},
		{"patterns", "min_size=0", "min_size"}, {"patterns", "max_size=5", "max_size"}, {"patterns", "min_size=3&max_size=2", "max_size"},
		{"patterns", "limit=0", "limit"}, {"patterns", "days=-1", "days"},
		{"forecasts", "", ""}, {"forecasts", "horizon=30&as_of=2026-01-05", ""}, {"forecasts", "horizon=180", ""},
		{"forecasts", "horizon=0", "horizon"}, {"forecasts", "horizon=181", "horizon"}, {"forecasts", "as_of=" + today, "as_of"},
		{"forecasts", "as_of=2026-02-30", "as_of"}, {"forecasts", "as_of=yesterday", "as_of"},
	} {
		r := e.insight(c.endpoint, c.query)
		if c.field == "" {
			if r.status != http.StatusOK {
				t.Errorf("%s?%s: %d %s", c.endpoint, c.query, r.status, r.raw)
			}
			continue
		}
		wantError(t, r, http.StatusBadRequest, "invalid_parameter", c.field)
	}
}

// TestInsightsAnswers checks the names the issue fixes for others.
func TestInsightsAnswers(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.Insights.Weights = insights.Weights{Usage: 1} })
	for i := range 12 {
		for d := range 20 { // enough days for a forecast
			e.send(e.fleet, body("answers-inst-"+string(rune('a'+i)), time.Now().Add(-time.Duration(d)*24*time.Hour), ""))
		}
	}
	want := map[string][]string{
		"features":   {"feature", "score", "breakdown", "installations"},
		"algorithms": {"algorithm", "uses", "installations", "success_rate", "success_rate_low", "success_rate_high", "avg_improvement_pct", "action"},
		"patterns":   {"features", "installations", "support", "lift"},
	}
	lists := map[string]string{"features": "features", "algorithms": "algorithms", "patterns": "combinations"}
	for endpoint, keys := range want {
		r := e.insight(endpoint, "days=30")
		items, _ := r.body[lists[endpoint]].([]any)
		if r.status != 200 || len(items) == 0 {
			t.Fatalf("%s: %d %s", endpoint, r.status, r.raw)
		}
		first := items[0].(map[string]any)
		for _, k := range keys {
			if _, ok := first[k]; !ok {
				t.Errorf("%s: %q missing in %v", endpoint, k, first)
			}
		}
	}
	f := e.insight("features", "").body
	first := f["features"].([]any)[0].(map[string]any)
	if f["requests_source"] != "feedback" || first["score"] != first["breakdown"].(map[string]any)["usage"] {
		t.Errorf("with --priority-weights 1,0,0 the score is the usage: %v", f)
	}
	if p := e.insight("patterns", "min_support=0.5").body; p["installations"] != 12.0 {
		t.Errorf("patterns: %v", p)
	}
	r := e.insight("forecasts", "horizon=30")
	if fs, _ := r.body["forecasts"].([]any); r.status != 200 || len(fs) == 0 || r.body["as_of"] != time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Errorf("forecasts: %d %s", r.status, r.raw)
	}
	for _, k := range []string{"forecasts", "skipped"} {
		if _, ok := r.body[k].([]any); !ok {
			t.Errorf("forecasts: %s is not an array: %s", k, r.raw)
		}
	}
	if _, ok := r.body["paths"]; ok {
		t.Error("forecasts: paths without paths=true")
	}
	if r := e.insight("forecasts", "horizon=30&paths=true"); r.body["paths"] == nil {
		t.Errorf("forecasts?paths=true: no paths: %s", r.raw)
	}
}

func TestInsightsNeedAdmin(t *testing.T) {
	e := newEnv(t, nil)
	for _, endpoint := range insightEndpoints {
		wantError(t, e.insight(endpoint, "", "X-Nothing", "1"), 401, "unauthorized", "")
		wantError(t, e.insight(endpoint, "", "Authorization", "Bearer wrong-token-0123456789"), 401, "unauthorized", "")
	}
}

// TestInsightsPage checks the page signed out (sent to sign in, and back),
// signed in (every card, its table, the data for the script, the current
// link) and with a bad parameter (named, the defaults shown).
func TestInsightsPage(t *testing.T) {
	e := newEnv(t, nil)
	e.send(e.fleet, body("page-inst-1", time.Now(), ""))
	signInComesBack(t, e, "/insights?days=7")
	cookie := signIn(t, e)
	r := e.do("GET", "/insights?days=7", nil, "Cookie", cookie)
	page := string(r.raw)
	if r.status != 200 {
		t.Fatalf("page: %d", r.status)
	}
	for _, id := range []string{"card-priorities", "card-advice", "card-patterns", "card-forecasts", `href="/insights" aria-current="page"`} {
		if !strings.Contains(page, id) {
			t.Errorf("the page has no %s", id)
		}
	}
	if !strings.Contains(page, "<td>auto_indexing</td>") {
		t.Error("the priorities table does not list the reported feature")
	}
	data := page[strings.Index(page, `id="insights-data">`)+len(`id="insights-data">`):]
	data = data[:strings.Index(data, "</script>")]
	var parsed map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &parsed); err != nil || len(parsed) != 4 {
		t.Errorf("the data for the script is not the four answers: %v %.200s", err, data)
	}
	// What the script shows: the four tables as rendered, and the forecast
	// paths' (none: one day is too short a history).
	text := page[strings.Index(page, `id="insights-text">`)+len(`id="insights-text">`):]
	text = text[:strings.Index(text, "</script>")]
	var written struct {
		Charts []struct {
			ID   string     `json:"id"`
			Rows [][]string `json:"rows"`
		} `json:"charts"`
		Forecast struct {
			Paths []json.RawMessage `json:"paths"`
		} `json:"forecast"`
	}
	if err := json.Unmarshal([]byte(text), &written); err != nil || len(written.Charts) != 4 || written.Forecast.Paths == nil {
		t.Fatalf("the text for the script is not the four tables and the forecast paths: %v %.200s", err, text)
	}
	if c := written.Charts[0]; c.ID != "priorities" || len(c.Rows) == 0 || c.Rows[0][1] != "auto_indexing" || !strings.Contains(page, "<td>"+c.Rows[0][2]+"</td>") {
		t.Errorf("the priorities text %+v is not the table rendered", c)
	}
	r = e.do("GET", "/insights?min_support=7", nil, "Cookie", cookie)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.raw), "min_support must be") {
		t.Errorf("a bad parameter: %d", r.status)
	}
}

// TestInsightsRequestsFromFeedback sends feature requests through the
// feedback API and imports a GitHub issue's votes: both count in the
// features' requests.
func TestInsightsRequestsFromFeedback(t *testing.T) {
	e := newEnv(t, nil)
	e.send(e.fleet, body("requests-inst-1", time.Now(), ""))
	for _, msg := range []string{`{"message":"more please","feature_requests":["auto_indexing"]}`, `{"message":"and this","feature_requests":["brin_support"]}`} {
		if r := e.sendFeedback("", msg); r.status != http.StatusCreated {
			t.Fatalf("feedback: %d %s", r.status, r.raw)
		}
	}
	url := "https://github.com/indexpilot/indexpilot/issues/12"
	if _, err := e.store.ImportFeedback(context.Background(), []store.FeedbackItem{{Key: "github:" + url, Source: store.SourceGitHub,
		Received: time.Now(), Message: "BRIN support", URL: url, Requests: []string{"brin_support"}, Votes: 4}}); err != nil {
		t.Fatal(err)
	}
	r := e.insight("features", "days=7")
	votes := map[string]float64{}
	requests := map[string]float64{}
	for _, f := range r.body["features"].([]any) {
		m := f.(map[string]any)
		votes[m["feature"].(string)] = m["votes"].(float64)
		requests[m["feature"].(string)] = m["breakdown"].(map[string]any)["requests"].(float64)
	}
	if r.body["requests_source"] != "feedback" || votes["auto_indexing"] != 1 || votes["brin_support"] != 5 || requests["brin_support"] != 100 ||
		requests["auto_indexing"] != 20 {
		t.Errorf("votes %v, requests %v: %s", votes, requests, r.raw)
	}
}
