package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to read the store's file as it is

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (e *env) sendFeedback(key string, body string) resp {
	h := []string{"Content-Type", "application/json"}
	if key != "" {
		h = append(h, "X-API-Key", key)
	}
	return e.do("POST", "/api/v1/feedback", []byte(body), h...)
}

// stored reads every feedback of the last year.
func (e *env) stored() []store.StoredFeedback {
	e.t.Helper()
	w, err := e.store.FeedbackWindow(context.Background(), store.FeedbackQuery{From: time.Now().Add(-366 * 24 * time.Hour),
		To: time.Now().Add(48 * time.Hour), Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return w.Latest
}

const plantedFeedback = `It broke with postgres://admin:hunter2@db.internal:5432/prod; mail me at jane.doe@example.org ` +
	`(host 10.1.2.3, token ghp_abcdefghijklmnopqrstuvwxyz0123456789)`

var plantedSecrets = []string{"hunter2", "db.internal", "jane.doe@example.org", "10.1.2.3", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}

// TestAnonymousFeedback sends feedback without a key: it is stored,
// scrubbed again, and nothing in the database holds the sender's address
// or an installation.
func TestAnonymousFeedback(t *testing.T) {
	e := newEnv(t, nil)
	msg, _ := json.Marshal(plantedFeedback)
	r := e.sendFeedback("", `{"message":`+string(msg)+`,"rating":4,"feature_requests":["Auto Rollback","alerts to jane.doe@example.org"],
		"version":"1.1.0","client_ip":"203.0.113.9"}`)
	if r.status != http.StatusCreated || r.body["status"] != "received" || r.body["id"] == nil || r.body["duplicate"] != false ||
		fmt.Sprint(r.body["ignored_fields"]) != "[client_ip]" {
		t.Fatalf("anonymous feedback: %d %s", r.status, r.raw)
	}
	got := e.stored()
	if len(got) != 1 || got[0].Rating != 4 || got[0].Version != "1.1.0" || got[0].Source != store.SourceClient ||
		fmt.Sprint(got[0].FeatureRequests) != "[alerts to [email] auto_rollback]" {
		t.Fatalf("stored %+v", got)
	}
	for _, s := range plantedSecrets {
		if strings.Contains(got[0].Message, s) {
			t.Errorf("%q survived the server's scrubbing: %q", s, got[0].Message)
		}
	}
	noAddressNorInstallation(t, e.db)
}

// noAddressNorInstallation reads every value of every table of the
// store's file: no client address, no feedback linked to an installation,
// no installation at all.
func noAddressNorInstallation(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var linked, installations int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM feedback WHERE installation_num IS NOT NULL),
		(SELECT count(*) FROM installations)`).Scan(&linked, &installations); err != nil {
		t.Fatal(err)
	}
	if linked != 0 || installations != 0 {
		t.Errorf("anonymous feedback left %d linked feedback and %d installations", linked, installations)
	}
	tables, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := db.Query(`SELECT * FROM "` + n + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				if s := fmt.Sprintf("%s", v); strings.Contains(s, "127.0.0.1") || strings.Contains(s, "203.0.113.9") {
					t.Errorf("%s.%s holds a client address: %q", n, cols[i], s)
				}
			}
		}
		rows.Close()
	}
}

func TestFeedbackWithAKey(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	r := e.sendFeedback(key, fmt.Sprintf(`{"message":"Works well","rating":5,"installation_id":%q,
		"feedback_id":"0A1B2C3D-0000-4000-8000-000000000001"}`, id))
	if r.status != http.StatusCreated {
		t.Fatalf("keyed feedback: %d %s", r.status, r.raw)
	}
	first := r.body["id"]
	// A retry (the answer was lost) is the same feedback.
	r = e.sendFeedback(key, fmt.Sprintf(`{"message":"Works well","rating":5,"installation_id":%q,
		"feedback_id":"0a1b2c3d-0000-4000-8000-000000000001"}`, id))
	if r.status != http.StatusOK || r.body["duplicate"] != true || r.body["id"] != first {
		t.Fatalf("retry: %d %s (first id %v)", r.status, r.raw, first)
	}
	// A key without installation_id sends unlinked feedback.
	if r := e.sendFeedback(key, `{"message":"no id this time"}`); r.status != http.StatusCreated {
		t.Fatalf("keyed feedback without an id: %d %s", r.status, r.raw)
	}
	exp := e.do("GET", "/api/v1/installations/me/export", nil, "X-API-Key", key)
	fb, _ := exp.body["feedback"].([]any)
	if exp.status != 200 || len(fb) != 1 || fb[0].(map[string]any)["message"] != "Works well" {
		t.Fatalf("export: %d %s", exp.status, exp.raw)
	}
	// Another installation's id with this key is refused.
	other, _ := e.register()
	wantError(t, e.sendFeedback(key, fmt.Sprintf(`{"message":"hi","installation_id":%q}`, other)), 401, "unauthorized", "")
	// Forgetting the installation deletes its feedback.
	if r := e.do("DELETE", "/api/v1/installations/me", nil, "X-API-Key", key); r.status != 200 {
		t.Fatalf("forget: %d %s", r.status, r.raw)
	}
	if got := e.stored(); len(got) != 1 || got[0].Message != "no id this time" {
		t.Errorf("after forget: %+v", got)
	}
}

// TestFeedbackRejections: every rule broken is a 400 naming the field,
// and nothing of it is stored.
func TestFeedbackRejections(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.Feedback.AnonymousPerHour = 100 })
	_, key := e.register()
	for _, tc := range []struct{ key, body, code, field string }{
		{"", `{"message":""}`, "invalid_feedback", "message"},
		{"", `{"rating":5}`, "invalid_feedback", "message"},
		{"", `{"message":"` + strings.Repeat("x", 2001) + `"}`, "invalid_feedback", "message"},
		{"", `{"message":"hi","rating":7}`, "invalid_feedback", "rating"},
		{"", `{"message":"hi","feature_requests":["a","b","c","d","e","f"]}`, "invalid_feedback", "feature_requests"},
		{"", `{"message":"hi","version":"<b>"}`, "invalid_feedback", "version"},
		{"", `{"message":"hi","installation_id":"inst-00000001"}`, "invalid_feedback", "installation_id"},
		{"", `{"message":"hi","timestamp":"2026-01-01T00:00:00Z"}`, "invalid_feedback", "timestamp"},
		{key, `{"message":"hi","timestamp":"2026-01-01T00:00:00Z"}`, "invalid_feedback", "timestamp"},
		{"", `not json`, "invalid_feedback", ""},
	} {
		r := e.sendFeedback(tc.key, tc.body)
		wantError(t, r, http.StatusBadRequest, tc.code, tc.field)
	}
	wantError(t, e.do("POST", "/api/v1/feedback", []byte(`{"message":"hi"}`), "Content-Type", "text/plain"), 415, "unsupported_media_type", "")
	wantError(t, e.sendFeedback("ipt_i_nope.nope", `{"message":"hi"}`), 401, "unauthorized", "")
	if got := e.stored(); len(got) != 0 {
		t.Errorf("refused feedback was stored: %+v", got)
	}
}

func TestFleetKeyDatesFeedback(t *testing.T) {
	e := newEnv(t, nil)
	at := time.Now().UTC().Add(-20 * 24 * time.Hour).Truncate(time.Second)
	r := e.sendFeedback(e.fleet, fmt.Sprintf(`{"message":"from the simulator","installation_id":"sim-00000042","timestamp":%q}`,
		at.Format(time.RFC3339)))
	if r.status != http.StatusCreated {
		t.Fatalf("fleet feedback: %d %s", r.status, r.raw)
	}
	got := e.stored()
	if len(got) != 1 || !got[0].Received.Equal(at) {
		t.Fatalf("stored %+v, want received at %v", got, at)
	}
	if mine, _ := e.store.FeedbackOf(context.Background(), "sim-00000042"); len(mine) != 1 {
		t.Errorf("fleet feedback not linked to its installation: %+v", mine)
	}
	old := time.Now().Add(-400 * 24 * time.Hour).UTC().Format(time.RFC3339)
	wantError(t, e.sendFeedback(e.fleet, `{"message":"too old","timestamp":"`+old+`"}`), 400, "invalid_feedback", "timestamp")
}

func TestAnonymousFeedbackIsLimitedPerAddress(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.Feedback.AnonymousPerHour = 2 })
	for i := range 2 {
		if r := e.sendFeedback("", `{"message":"hi"}`); r.status != http.StatusCreated {
			t.Fatalf("feedback %d: %d %s", i, r.status, r.raw)
		}
	}
	r := e.sendFeedback("", `{"message":"once more"}`)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited", "")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if r := e.sendFeedback(e.fleet, `{"message":"a fleet key is not limited"}`); r.status != http.StatusCreated {
		t.Errorf("fleet feedback after the anonymous limit: %d %s", r.status, r.raw)
	}
	if n := len(e.stored()); n != 3 {
		t.Errorf("%d stored, want 3", n)
	}
}

func TestListFeedback(t *testing.T) {
	e := newEnv(t, nil)
	for _, b := range []string{
		`{"message":"great","rating":5,"feature_requests":["qpg"],"version":"1.1.0"}`,
		`{"message":"meh","rating":2,"feature_requests":["qpg","cortex"],"version":"1.0.1"}`,
		`{"message":"no rating"}`,
	} {
		if r := e.sendFeedback(e.fleet, b); r.status != 201 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	}
	wantError(t, e.do("GET", "/api/v1/feedback", nil), 401, "unauthorized", "")
	admin := []string{"Authorization", "Bearer " + adminToken}
	for q, field := range map[string]string{"days=0": "days", "days=366": "days", "limit=5000": "limit", "version=" + url.QueryEscape("1 0"): "version"} {
		wantError(t, e.do("GET", "/api/v1/feedback?"+q, nil, admin...), 400, "invalid_parameter", field)
	}
	r := e.do("GET", "/api/v1/feedback?days=7", nil, admin...)
	var sum struct {
		Feedback []struct {
			Message string
			Rating  *int
			Source  string
		}
		Ratings         map[string]int64
		FeatureRequests []struct {
			Feature string
			Votes   int64
		} `json:"feature_requests"`
	}
	if err := json.Unmarshal(r.raw, &sum); err != nil || r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	if len(sum.Feedback) != 3 || sum.Feedback[0].Message != "no rating" || sum.Feedback[0].Rating != nil || sum.Feedback[2].Source != "client" ||
		fmt.Sprint(sum.Ratings) != "map[1:0 2:1 3:0 4:0 5:1]" || len(sum.FeatureRequests) != 2 ||
		sum.FeatureRequests[0].Feature != "qpg" || sum.FeatureRequests[0].Votes != 2 {
		t.Errorf("list: %s", r.raw)
	}
}

func TestFeedbackPage(t *testing.T) {
	e := newEnv(t, nil)
	e.sendFeedback("", `{"message":"<script>alert(1)</script> \u003cimg src=x onerror=alert(2)\u003e","rating":3,"feature_requests":["<b>bold</b>"]}`)
	r := e.do("GET", "/feedback?days=7", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.raw), `action="/login"`) {
		// The client follows the redirect to the sign-in form.
		t.Fatalf("signed out: %d", r.status)
	}
	page := e.do("GET", "/feedback?days=7", nil, "Authorization", "Bearer "+adminToken)
	html := string(page.raw)
	if page.status != 200 || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(html, "<script>alert") ||
		strings.Contains(html, "<img src=x") || strings.Contains(html, "<b>bold") || !strings.Contains(html, "&lt;b&gt;bold&lt;/b&gt;") {
		t.Errorf("the page does not escape feedback:\n%s", html)
	}
	if !strings.Contains(html, `href="/feedback" aria-current="page"`) || !strings.Contains(html, "rated 3 of 5") {
		t.Errorf("page without its navigation or rating:\n%s", html)
	}
	if bad := e.do("GET", "/feedback?days=9999", nil, "Authorization", "Bearer "+adminToken); bad.status != 400 ||
		!strings.Contains(string(bad.raw), "Showing the last 30 days instead") {
		t.Errorf("bad period: %d", bad.status)
	}
}
