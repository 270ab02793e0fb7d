package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// errorBody is an error report of installation id; extra is spliced in
// after the top-level fields.
func errorBody(id string, ts time.Time, message string, extra string) []byte {
	msg, _ := json.Marshal(message)
	return []byte(fmt.Sprintf(`{"installation_id": %q, "version": "1.1.0", "timestamp": %q,
	 "error_type": "psycopg2.OperationalError", "sqlstate": "08006", "message": %s,
	 "frames": [
	   {"file": "/opt/venv/lib/python3.11/site-packages/indexpilot/cli.py", "function": "main", "line": 40, "in_app": true},
	   {"file": "/opt/venv/lib/python3.11/site-packages/indexpilot/db.py", "function": "connect", "line": 88, "in_app": true},
	   {"file": "/opt/venv/lib/python3.11/site-packages/psycopg2/__init__.py", "function": "connect", "line": 122}
	 ],
	 "context": {"component": "auto_indexer", "operation": "connect", "postgresql_version": "15.4"}%s}`,
		id, ts.UTC().Format(time.RFC3339Nano), msg, extra))
}

func (e *env) sendError(key string, body []byte, header ...string) resp {
	return e.do("POST", "/api/v1/errors", body, append([]string{"Content-Type", "application/json", "X-API-Key", key}, header...)...)
}

// errorGroups returns the groups of GET /api/v1/errors/groups?query.
func (e *env) errorGroups(query string) []map[string]any {
	e.t.Helper()
	r := e.do("GET", "/api/v1/errors/groups?"+query, nil, "Authorization", "Bearer "+adminToken)
	if r.status != 200 {
		e.t.Fatalf("error groups: %d %s", r.status, r.raw)
	}
	var out struct{ Groups []map[string]any }
	if err := json.Unmarshal(r.raw, &out); err != nil || out.Groups == nil {
		e.t.Fatalf("error groups: %v %s", err, r.raw)
	}
	return out.Groups
}

func TestErrorReportStoredAndCountedOnce(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	b := errorBody(id, time.Now(), "server closed the connection unexpectedly", `, "locals": {"password": "x"}`)
	r := e.sendError(key, b)
	if r.status != 200 || r.body["status"] != "success" || r.body["duplicate"] != false || len(r.body["group"].(string)) != 32 {
		t.Fatalf("first send: %d %s", r.status, r.raw)
	}
	if ig := fmt.Sprint(r.body["ignored_fields"]); ig != "[locals]" || fmt.Sprint(r.body["truncated_fields"]) != "[]" {
		t.Fatalf("ignored %s, truncated %v", ig, r.body["truncated_fields"])
	}
	again := e.sendError(key, b)
	if again.status != 200 || again.body["duplicate"] != true || again.body["group"] != r.body["group"] {
		t.Fatalf("retry: %d %s", again.status, again.raw)
	}
	groups := e.errorGroups("")
	if len(groups) != 1 {
		t.Fatalf("groups = %v", groups)
	}
	g := groups[0]
	if g["fingerprint"] != r.body["group"] || g["count"] != 1.0 || g["installations_affected"] != 1.0 || g["total_count"] != 1.0 ||
		g["error_type"] != "psycopg2.OperationalError" || g["sqlstate"] != "08006" || g["culprit"] != "indexpilot.db:connect" {
		t.Fatalf("group after a report and its retry: %v", g)
	}
	if days := g["days"].([]any); len(days) != 1 || days[0].(map[string]any)["count"] != 1.0 {
		t.Fatalf("days = %v", days)
	}
	stored, err := e.store.ErrorReports(context.Background(), id)
	if err != nil || len(stored) != 1 || stored[0].Report.Context.Component != "auto_indexer" || strings.Contains(fmt.Sprint(stored), "locals") {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
}

func TestErrorReportScrubbedAgain(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	msg := `could not connect to "postgresql://indexpilot:s3cr3tpw@db7.corp.example.com:5432/sales": ` +
		`password=hunter2 FATAL for alice.smith@example.com from 203.0.113.77, see /home/alice/indexpilot.log`
	b := errorBody(id, time.Now(), msg, "")
	b = bytes.Replace(b, []byte("/opt/venv"), []byte("/home/alice/venv"), 1)
	if r := e.sendError(key, b); r.status != 200 {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	groups := e.do("GET", "/api/v1/errors/groups", nil, "Authorization", "Bearer "+adminToken)
	stored, err := e.store.ErrorReports(context.Background(), id)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"the groups endpoint": string(groups.raw), "the raw table": string(raw)} {
		for _, secret := range []string{"s3cr3tpw", "hunter2", "db7.corp", "sales", "alice", "203.0.113.77", "example.com"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q:\n%s", name, secret, text)
			}
		}
		for _, kept := range []string{"could not connect to", "[password]", "[email]", "[ip]", "/home/[user]/"} {
			if !strings.Contains(text, kept) {
				t.Errorf("%s lacks %q:\n%s", name, kept, text)
			}
		}
	}
}

func TestErrorReportRejections(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	other, _ := e.register()
	now := time.Now()
	large, bomb := tooLarge(errorBody(id, now, "x", ""))
	ok := errorBody(id, now, "x", "")
	admin := []string{"Authorization", "Bearer " + adminToken}
	cases := []rejection{
		{"invalid error type", e.sendError(key, bytes.Replace(ok, []byte("psycopg2.OperationalError"), []byte("not a type"), 1)), 400, "invalid_report", "error_type"},
		{"invalid sqlstate", e.sendError(key, bytes.Replace(ok, []byte(`"08006"`), []byte(`"8006"`), 1)), 400, "invalid_report", "sqlstate"},
		{"older than the error retention", e.sendError(key, errorBody(id, now.Add(-31*24*time.Hour), "x", "")), 400, "invalid_report", "timestamp"},
		{"invalid once scrubbed", e.sendError(key, bytes.Replace(ok, []byte(`"function": "main"`), []byte(`"function": "sk_live_abcdefghijklmnop1234"`), 1)), 400, "invalid_report", "frames.function"},
		{"not JSON", e.sendError(key, []byte("{nope")), 400, "invalid_report", ""},
		{"missing key", e.do("POST", "/api/v1/errors", ok, "Content-Type", "application/json"), 401, "unauthorized", ""},
		{"unknown key", e.sendError("ipk_0123456789ab_"+strings.Repeat("x", 43), ok), 401, "unauthorized", ""},
		{"another installation's key", e.sendError(key, errorBody(other, now, "x", "")), 401, "unauthorized", ""},
		{"too large", e.sendError(key, large), 413, "too_large", ""},
		{"gzip bomb", e.sendError(key, bomb, "Content-Encoding", "gzip"), 413, "too_large", ""},
		{"not JSON content type", e.do("POST", "/api/v1/errors", ok, "Content-Type", "text/plain", "X-API-Key", key), 415, "unsupported_media_type", ""},
		{"another encoding", e.sendError(key, ok, "Content-Encoding", "br"), 415, "unsupported_encoding", ""},
		{"groups without token", e.do("GET", "/api/v1/errors/groups", nil), 401, "unauthorized", ""},
		{"groups with an installation key", e.do("GET", "/api/v1/errors/groups", nil, "Authorization", "Bearer "+key), 401, "unauthorized", ""},
		{"groups over too many days", e.do("GET", "/api/v1/errors/groups?days=367", nil, admin...), 400, "invalid_parameter", "days"},
		{"groups limit zero", e.do("GET", "/api/v1/errors/groups?limit=0", nil, admin...), 400, "invalid_parameter", "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantError(t, c.r, c.status, c.code, c.field) })
	}
	if groups := e.errorGroups(""); len(groups) != 0 {
		t.Fatalf("rejected error reports were stored: %v", groups)
	}
	if stored, err := e.store.ErrorReports(context.Background(), id); err != nil || len(stored) != 0 {
		t.Fatalf("rejected error reports were stored: %v, %v", stored, err)
	}
}

func TestErrorReportsShareTheTelemetryRateLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.KeyRatePerMinute, c.KeyBurst = 1, 2 })
	id, key := e.register()
	if r := e.send(key, body(id, time.Now(), "")); r.status != 200 {
		t.Fatalf("telemetry: %d %s", r.status, r.raw)
	}
	if r := e.sendError(key, errorBody(id, time.Now(), "x", "")); r.status != 200 {
		t.Fatalf("error report within the burst: %d %s", r.status, r.raw)
	}
	r := e.sendError(key, errorBody(id, time.Now().Add(-time.Minute), "x", ""))
	wantError(t, r, 429, "rate_limited", "")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	for i := range 5 { // fleet keys are not limited
		if r := e.sendError(e.fleet, errorBody(id, time.Now().Add(-time.Duration(i)*time.Hour), "x", "")); r.status != 200 {
			t.Fatalf("fleet send %d: %d %s", i, r.status, r.raw)
		}
	}
}

func TestErrorReportStoreUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	e.sendError(key, errorBody(id, time.Now().Add(-time.Hour), "x", "")) // warm the key cache
	e.store.Close()
	r := e.sendError(key, errorBody(id, time.Now(), "x", ""))
	wantError(t, r, 503, "store_unavailable", "")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	wantError(t, e.do("GET", "/api/v1/errors/groups", nil, "Authorization", "Bearer "+adminToken), 503, "store_unavailable", "")
}

func TestOversizedTracebackTruncated(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	msg := strings.Repeat("Traceback line with a value 42\n", 1000) // 31 KB
	var frames []string
	for i := range 200 {
		frames = append(frames, fmt.Sprintf(`{"file": "/srv/indexpilot/f%d.py", "function": "f%d", "line": %d, "in_app": true}`, i, i, i))
	}
	b := errorBody(id, time.Now(), msg, "")
	b = append(b[:bytes.Index(b, []byte(`"frames"`))], []byte(`"frames": [`+strings.Join(frames, ",")+`]}`)...)
	r := e.sendError(key, b)
	if r.status != 200 || fmt.Sprint(r.body["truncated_fields"]) != "[frames message]" {
		t.Fatalf("oversized traceback: %d %s", r.status, r.raw)
	}
	stored, err := e.store.ErrorReports(context.Background(), id)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored = %v, %v", stored, err)
	}
	rep := stored[0].Report
	if len(rep.Message) > report.MaxMessageBytes || !strings.HasSuffix(rep.Message, report.TruncationMarker) ||
		!strings.HasPrefix(rep.Message, "Traceback line") {
		t.Errorf("stored message of %d bytes: ...%q", len(rep.Message), rep.Message[len(rep.Message)-40:])
	}
	if len(rep.Frames) != report.MaxFrames || rep.Frames[len(rep.Frames)-1].Function != "f199" {
		t.Errorf("stored %d frames, the innermost %+v", len(rep.Frames), rep.Frames[len(rep.Frames)-1])
	}
}

func TestSameErrorFrom50InstallationsIsOneGroup(t *testing.T) {
	now, clock := pinnedNoon()
	e := newEnvAt(t, nil, clock)
	for i := range 50 {
		// Different hosts, users, literals, paths and third-party line
		// numbers: the values an error carries, not the error.
		msg := fmt.Sprintf(`connection to server at "db%d.example.net" (10.1.%d.%d), port %d failed: FATAL: role "user%d" `+
			`does not exist (query SELECT * FROM t WHERE id = %d)`, i, i, i+1, 5432+i, i, i*7)
		b := errorBody(fmt.Sprintf("fleet-installation-%02d", i), now.Add(-time.Duration(i)*time.Minute), msg, "")
		b = bytes.Replace(b, []byte("/opt/venv"), []byte(fmt.Sprintf("/home/user%d/env%d", i, i)), -1)
		b = bytes.Replace(b, []byte(`"line": 122`), []byte(fmt.Sprintf(`"line": %d`, 100+i)), 1)
		if i%2 == 1 {
			b = bytes.Replace(b, []byte(`"version": "1.1.0"`), []byte(`"version": "1.2.0"`), 1)
		}
		if r := e.sendError(e.fleet, b); r.status != 200 {
			t.Fatalf("installation %d: %d %s", i, r.status, r.raw)
		}
	}
	other := bytes.Replace(errorBody("fleet-installation-00", now, "x", ""), []byte("OperationalError"), []byte("InterfaceError"), 1)
	if r := e.sendError(e.fleet, other); r.status != 200 {
		t.Fatalf("another type: %d %s", r.status, r.raw)
	}
	groups := e.errorGroups("days=7")
	if len(groups) != 2 {
		t.Fatalf("%d groups, want the 50 installations' and the other type's: %v", len(groups), groups)
	}
	g := groups[0]
	if g["count"] != 50.0 || g["installations_affected"] != 50.0 || g["error_type"] != "psycopg2.OperationalError" {
		t.Fatalf("the shared group: %v", g)
	}
	if v := fmt.Sprint(g["versions"]); v != "[map[count:25 installations:25 version:1.2.0] map[count:25 installations:25 version:1.1.0]]" {
		t.Errorf("versions = %s", v)
	}
	if only := e.errorGroups("version=1.2.0"); len(only) != 1 || only[0]["count"] != 25.0 {
		t.Errorf("groups of 1.2.0: %v", only)
	}
	if top := e.errorGroups("limit=1"); len(top) != 1 || top[0]["fingerprint"] != g["fingerprint"] {
		t.Errorf("limit=1: %v", top)
	}
	// 1.1.0: 25 reports of the shared group and 1 of the other type from
	// 25 installations, active through their error reports alone.
	for _, r := range e.stats()["error_rates"].([]any) {
		rate := r.(map[string]any)
		want := map[string]float64{"1.1.0": 26.0 / 25, "1.2.0": 1}[rate["version"].(string)]
		if rate["error_reports_per_active_installation"] != want {
			t.Errorf("error rate %v, want %v per active installation", rate, want)
		}
	}
}

func TestErrorRetentionKeepsGroupCounts(t *testing.T) {
	now, clock := pinnedNoon()
	e := newEnvAt(t, nil, clock)
	id, key := e.register()
	for i := range 3 {
		if r := e.sendError(key, errorBody(id, now.Add(-time.Duration(i)*time.Hour), "x", "")); r.status != 200 {
			t.Fatalf("send %d: %d %s", i, r.status, r.raw)
		}
	}
	today := rollup.DayOf(now)
	n, err := e.store.RetainErrors(context.Background(), today+1, today-365) // as if 30 days had passed
	if err != nil || n != 3 {
		t.Fatalf("RetainErrors = %d, %v", n, err)
	}
	if stored, err := e.store.ErrorReports(context.Background(), id); err != nil || len(stored) != 0 {
		t.Fatalf("raw error reports after retention: %v, %v", stored, err)
	}
	if g := e.errorGroups(""); len(g) != 1 || g[0]["count"] != 3.0 || g[0]["installations_affected"] != 1.0 {
		t.Fatalf("groups after retention: %v", g)
	}
}

// What an installation exports holds its error reports too, as stored:
// scrubbed, with their group.
func TestExportIncludesErrorReports(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	r := e.sendError(key, errorBody(id, time.Now(), "connection to server at \"db.example.com\" failed for user \"alice\"", ""))
	if r.status != 200 {
		t.Fatalf("error report: %d %s", r.status, r.raw)
	}
	exp := e.do("GET", "/api/v1/installations/me/export", nil, "X-API-Key", key)
	var got struct {
		ErrorReports []struct {
			Group  string         `json:"group"`
			Report map[string]any `json:"report"`
		} `json:"error_reports"`
	}
	if exp.status != 200 || json.Unmarshal(exp.raw, &got) != nil || len(got.ErrorReports) != 1 || got.ErrorReports[0].Group != r.body["group"] {
		t.Fatalf("export: %d %s", exp.status, exp.raw)
	}
	if strings.Contains(string(exp.raw), "alice") || strings.Contains(string(exp.raw), "db.example.com") {
		t.Fatalf("export holds unscrubbed text: %s", exp.raw)
	}
}
