package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
)

const adminToken = "test-admin-token-0123456789"

type env struct {
	t       *testing.T
	url     string
	store   store.Store
	fleet   string // a fleet key
	db      string // the SQLite file
	handler http.Handler
}

func newEnv(t *testing.T, tune func(*server.Config)) *env { t.Helper(); return newEnvAt(t, tune, nil) }

// newEnvAt is newEnv with the server's clock (nil: time.Now).
func newEnvAt(t *testing.T, tune func(*server.Config), now func() time.Time) *env {
	t.Helper()
	return newEnvLog(t, tune, now, io.Discard)
}

// newEnvLog is newEnvAt whose server logs to log, at debug level.
func newEnvLog(t *testing.T, tune func(*server.Config), now func() time.Time, log io.Writer) *env {
	t.Helper()
	st, db := sqlitetest.Open(t)
	srv := servertest.New(t, st, servertest.Options{Config: adminConfig(tune), Log: log, LogLevel: slog.LevelDebug, Now: now})
	url := servertest.Serve(t, srv.Handler())
	return &env{t: t, url: url, store: st, fleet: servertest.FleetKey(t, st, "t"), db: db, handler: srv.Handler()}
}

// adminConfig sets the tests' admin token, then applies tune (when not
// nil).
func adminConfig(tune func(*server.Config)) func(*server.Config) {
	return func(cfg *server.Config) {
		cfg.AdminToken = adminToken
		if tune != nil {
			tune(cfg)
		}
	}
}

type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (e *env) do(method, path string, body []byte, header ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

func (e *env) send(key string, body []byte, header ...string) resp {
	return e.do("POST", "/api/v1/telemetry", body, append([]string{"Content-Type", "application/json", "X-API-Key", key}, header...)...)
}

func (e *env) register() (id, key string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/installations", []byte("{}"), "Content-Type", "application/json")
	if r.status != http.StatusCreated {
		e.t.Fatalf("register: %d %s", r.status, r.raw)
	}
	return r.body["installation_id"].(string), r.body["api_key"].(string)
}

func body(id string, ts time.Time, extra string) []byte {
	return []byte(fmt.Sprintf(`{"installation_id": %q, "version": "1.1.0", "timestamp": %q,
	 "metrics": {"features_used": ["auto_indexing", "pattern_detection"], "indexes_created": 42,
	             "queries_analyzed": 10000, "performance_improvement_pct": 30.5,
	             "algorithm_usage": {"predictive_indexing": 15, "cert": 8, "qpg": 12}%s},
	 "environment": {"python_version": "3.11.0", "postgresql_version": "15.0", "os": "linux", "cpu_cores": 8}}`,
		id, ts.UTC().Format(time.RFC3339), extra))
}

func wantError(t *testing.T, r resp, status int, code, field string) {
	t.Helper()
	if r.status != status || r.body["error"] != code {
		t.Fatalf("got %d %s, want %d with error %q", r.status, r.raw, status, code)
	}
	if field != "" && r.body["field"] != field {
		t.Fatalf("field = %v, want %q (%s)", r.body["field"], field, r.raw)
	}
	if msg, _ := r.body["message"].(string); msg == "" {
		t.Fatalf("error body without a message: %s", r.raw)
	}
}

func (e *env) stats() map[string]any {
	e.t.Helper()
	r := e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+adminToken)
	if r.status != 200 {
		e.t.Fatalf("stats: %d %s", r.status, r.raw)
	}
	return r.body
}

// pinnedNoon is today's noon (UTC): a test that sends reports stamped with
// it to a server on that clock, and reads the day's figures back, cannot
// see the day change in between.
func pinnedNoon() (time.Time, func() time.Time) {
	now := time.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
	return now, func() time.Time { return now }
}

func TestSeedReportAcceptedAndCountedOnce(t *testing.T) {
	now, clock := pinnedNoon()
	e := newEnvAt(t, nil, clock)
	id, key := e.register()
	b := body(id, now, `, "shoe_size": 44`)
	r := e.send(key, b)
	if r.status != 200 || r.body["status"] != "success" || r.body["message"] != "Telemetry received" || r.body["duplicate"] != false {
		t.Fatalf("first send: %d %s", r.status, r.raw)
	}
	if next, err := time.Parse(time.RFC3339, r.body["next_collection"].(string)); err != nil || next.Before(now.Add(23*time.Hour)) {
		t.Fatalf("next_collection = %v (%v), want about a day ahead", r.body["next_collection"], err)
	}
	if ig := fmt.Sprint(r.body["ignored_fields"]); ig != "[metrics.shoe_size]" {
		t.Fatalf("ignored_fields = %s, want [metrics.shoe_size]", ig)
	}
	r = e.send(key, b)
	if r.status != 200 || r.body["duplicate"] != true {
		t.Fatalf("retry: %d %s, want 200 duplicate", r.status, r.raw)
	}
	st := e.stats()
	if st["active_installations"] != 1.0 || st["reports"] != 1.0 || st["total_indexes_created"] != 42.0 || st["avg_performance_improvement"] != 30.5 {
		t.Fatalf("stats after a report and its retry: %v", st)
	}
	exp := e.do("GET", "/api/v1/installations/me/export", nil, "X-API-Key", key)
	if exp.status != 200 || strings.Contains(string(exp.raw), "shoe_size") || !strings.Contains(string(exp.raw), `"indexes_created": 42`) {
		t.Fatalf("export: %d %s", exp.status, exp.raw)
	}
}

// TestAckEscapesIgnoredNames: the ack is written by hand; a field name
// the sender made up comes back as valid JSON, exactly.
func TestAckEscapesIgnoredNames(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	r := e.send(key, body(id, time.Now(), `, "a\"b\\c\u2028\u0001</script>": 1`))
	var ack struct {
		Ignored   []string `json:"ignored_fields"`
		Duplicate *bool    `json:"duplicate"`
	}
	if err := json.Unmarshal(r.raw, &ack); err != nil || r.status != 200 || ack.Duplicate == nil || *ack.Duplicate {
		t.Fatalf("ack %d %s: %v", r.status, r.raw, err)
	}
	if want := "metrics.a\"b\\c\u2028\u0001</script>"; len(ack.Ignored) != 1 || ack.Ignored[0] != want {
		t.Fatalf("ignored_fields = %q, want [%q]", ack.Ignored, want)
	}
}

func TestGzipBody(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.send(e.fleet, gzipBytes(body("gzip-installation", time.Now(), "")), "Content-Encoding", "gzip"); r.status != 200 {
		t.Fatalf("gzip body: %d %s", r.status, r.raw)
	}
}

// rejection is a request the server must refuse, and how.
type rejection struct {
	name        string
	r           resp
	status      int
	code, field string
}

// tooLarge returns valid followed by 70 KiB of spaces, past the body
// limit, plain and gzipped: the gzipped one compresses to little and
// inflates past the limit.
func tooLarge(valid []byte) (plain, gzipped []byte) {
	plain = append(bytes.Clone(valid), bytes.Repeat([]byte(" "), 70<<10)...)
	return plain, gzipBytes(plain)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestRejections(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	other, _ := e.register()
	now := time.Now()
	large, bomb := tooLarge(body(id, now, ""))
	cases := []rejection{
		{"invalid count", e.send(key, body(id, now, `, "indexes_recommended": -1`)), 400, "invalid_report", "metrics.indexes_recommended"},
		{"future timestamp", e.send(key, body(id, now.Add(49*time.Hour), "")), 400, "invalid_report", "timestamp"},
		{"not JSON", e.send(key, []byte("{nope")), 400, "invalid_report", ""},
		{"missing key", e.do("POST", "/api/v1/telemetry", body(id, now, ""), "Content-Type", "application/json"), 401, "unauthorized", ""},
		{"unknown key", e.send("ipk_0123456789ab_"+strings.Repeat("x", 43), body(id, now, "")), 401, "unauthorized", ""},
		{"malformed key", e.send("hunter2", body(id, now, "")), 401, "unauthorized", ""},
		{"another installation's key", e.send(key, body(other, now, "")), 401, "unauthorized", ""},
		{"too large", e.send(key, large), 413, "too_large", ""},
		{"gzip bomb", e.send(key, bomb, "Content-Encoding", "gzip"), 413, "too_large", ""},
		{"not JSON content type", e.do("POST", "/api/v1/telemetry", body(id, now, ""), "Content-Type", "text/plain", "X-API-Key", key), 415, "unsupported_media_type", ""},
		{"bad trends days", e.do("GET", "/api/v1/dashboard/trends?days=0", nil, "Authorization", "Bearer "+adminToken), 400, "invalid_parameter", "days"},
		{"stats without token", e.do("GET", "/api/v1/dashboard/stats", nil), 401, "unauthorized", ""},
		{"stats with wrong token", e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer wrong-token-wrong-token"), 401, "unauthorized", ""},
		{"stats with a fleet key", e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+e.fleet), 401, "unauthorized", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantError(t, c.r, c.status, c.code, c.field) })
	}
	if st := e.stats(); st["reports"] != 0.0 || st["total_installations"] != 0.0 {
		t.Fatalf("rejected reports were stored: %v", st)
	}
}

func TestFleetKeySendsForAnyInstallation(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < 3; i++ {
		if r := e.send(e.fleet, body(fmt.Sprintf("fleet-inst-%d", i), time.Now(), "")); r.status != 200 {
			t.Fatalf("fleet send %d: %d %s", i, r.status, r.raw)
		}
	}
	if st := e.stats(); st["active_installations"] != 3.0 {
		t.Fatalf("active_installations = %v, want 3", st["active_installations"])
	}
}

func TestRevokedKeyRefused(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.KeyCacheTTL = time.Nanosecond })
	sec, _ := auth.Parse(e.fleet)
	if err := e.store.RevokeKey(context.Background(), sec.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.send(e.fleet, body("fleet-inst-9", time.Now(), "")), 401, "unauthorized", "")
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.KeyRatePerMinute, c.KeyBurst = 1, 2
		c.RegisterPerMinute, c.RegisterBurst = 1, 2
	})
	id, key := e.register()
	e.register()
	r := e.do("POST", "/api/v1/installations", nil, "Content-Type", "application/json")
	wantError(t, r, 429, "rate_limited", "")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	for i := 0; i < 2; i++ {
		if r := e.send(key, body(id, time.Now().Add(-time.Duration(i)*time.Hour), "")); r.status != 200 {
			t.Fatalf("send %d within burst: %d %s", i, r.status, r.raw)
		}
	}
	r = e.send(key, body(id, time.Now().Add(-5*time.Hour), ""))
	wantError(t, r, 429, "rate_limited", "")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	for i := 0; i < 5; i++ { // fleet keys are not limited per installation
		if r := e.send(e.fleet, body(id, time.Now().Add(-time.Duration(10+i)*time.Hour), "")); r.status != 200 {
			t.Fatalf("fleet send %d: %d %s", i, r.status, r.raw)
		}
	}
}

func TestStoreUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	e.send(key, body(id, time.Now().Add(-time.Hour), "")) // warm the key cache
	e.store.Close()
	r := e.send(key, body(id, time.Now(), ""))
	wantError(t, r, 503, "store_unavailable", "")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	wantError(t, e.do("GET", "/healthz", nil), 503, "store_unavailable", "")
}

func TestForget(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	keep, keepKey := e.register()
	e.send(key, body(id, time.Now(), ""))
	e.send(key, body(id, time.Now().Add(-25*time.Hour), ""))
	e.send(keepKey, body(keep, time.Now(), ""))
	r := e.do("DELETE", "/api/v1/installations/me", nil, "X-API-Key", key)
	if r.status != 200 || r.body["reports_deleted"] != 2.0 {
		t.Fatalf("forget: %d %s", r.status, r.raw)
	}
	if st := e.stats(); st["reports"] != 1.0 || st["active_installations"] != 1.0 {
		t.Fatalf("stats after forget: %v", st)
	}
	wantError(t, e.do("GET", "/api/v1/installations/me/export", nil, "X-API-Key", key), 401, "unauthorized", "")
	wantError(t, e.send(key, body(id, time.Now(), "")), 401, "unauthorized", "")
}

func TestEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do("GET", "/healthz", nil); r.status != 200 || r.body["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.status, r.raw)
	}
	r := e.do("GET", "/api/v1/schema", nil)
	var schema map[string]any
	if r.status != 200 || json.Unmarshal(r.raw, &schema) != nil || schema["$schema"] == nil {
		t.Fatalf("schema: %d %.200s", r.status, r.raw)
	}
	e.send(e.fleet, body("metrics-inst", time.Now(), ""))
	m := e.do("GET", "/metrics", nil)
	for _, want := range []string{`indexpilot_http_requests_total{code="200",route="POST /api/v1/telemetry"} 1`, "indexpilot_ingest_batch_size_count 1", `indexpilot_reports_total{result="stored"} 1`} {
		if !strings.Contains(string(m.raw), want) {
			t.Fatalf("/metrics lacks %q", want)
		}
	}
	tr := e.do("GET", "/api/v1/dashboard/trends?days=7", nil, "Authorization", "Bearer "+adminToken)
	days, _ := tr.body["days"].([]any)
	reports, _ := tr.body["reports"].([]any)
	if tr.status != 200 || len(days) != 7 || reports[6] != 1.0 {
		t.Fatalf("trends: %d %s", tr.status, tr.raw)
	}
}

func TestOverviewPage(t *testing.T) {
	e := newEnv(t, nil)
	e.send(e.fleet, body("page-inst-1", time.Now(), ""))
	if status, loc := e.signedOut("/"); status != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("signed-out overview: %d to %q", status, loc)
	}
	noFollow := noRedirects()
	res, err := noFollow.PostForm(e.url+"/login", url.Values{"token": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	res, err = noFollow.PostForm(e.url+"/login", url.Values{"token": {adminToken}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookie := res.Header.Get("Set-Cookie")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Fatalf("login: %d, cookie %q", res.StatusCode, cookie)
	}
	req, _ := http.NewRequest("GET", e.url+"/", nil)
	req.Header.Set("Cookie", strings.Split(cookie, ";")[0])
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`id="active_installations">1<`, `id="total_indexes_created">42<`, "auto_indexing", "predictive_indexing"} {
		if !strings.Contains(string(page), want) {
			t.Fatalf("overview lacks %q:\n%s", want, page)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: CSP %q, XFO %q", csp, res.Header.Get("X-Frame-Options"))
	}
}

// Schema version 2 fields are aggregated: decision rates per algorithm,
// latency percentiles per version, pooled A/B summaries per experiment.
func TestSchema2Aggregates(t *testing.T) {
	e := newEnv(t, nil)
	v2 := func(id string, n int, mean float64) []byte {
		return []byte(fmt.Sprintf(`{"schema_version": 2, "installation_id": %q, "version": "1.2.0", "timestamp": %q,
		 "metrics": {"algorithm_usage": {"cert": 10}, "algorithm_decisions": {"cert": 4},
		   "query_latency_ms": {"p50": 2, "p95": 10, "p99": 40},
		   "ab_experiments": [{"experiment": "0123456789abcdef", "variant": "a", "n": %d, "mean_ms": %g, "variance_ms2": 0}]},
		 "environment": {}}`, id, time.Now().UTC().Format(time.RFC3339), n, mean))
	}
	for i, r := range []resp{e.send(e.fleet, v2("schema2-a", 10, 5)), e.send(e.fleet, v2("schema2-b", 30, 9))} {
		if r.status != 200 {
			t.Fatalf("report %d: %d %s", i, r.status, r.raw)
		}
	}
	var st struct {
		AlgorithmUsage []struct {
			Name         string  `json:"name"`
			DecisionRate float64 `json:"decision_rate"`
		} `json:"algorithm_usage"`
		LatencyByVersion []struct {
			Version string  `json:"version"`
			P95MS   float64 `json:"p95_ms"`
		} `json:"latency_by_version"`
		ABExperiments []struct {
			N             int64   `json:"n"`
			MeanMS        float64 `json:"mean_ms"`
			Installations int     `json:"installations"`
		} `json:"ab_experiments"`
	}
	r := e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+adminToken)
	if err := json.Unmarshal(r.raw, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.AlgorithmUsage) != 1 || st.AlgorithmUsage[0].DecisionRate != 0.4 {
		t.Errorf("algorithm_usage = %+v, want cert at a 0.4 decision rate", st.AlgorithmUsage)
	}
	if len(st.LatencyByVersion) != 1 || st.LatencyByVersion[0].P95MS != 10 {
		t.Errorf("latency_by_version = %+v, want 1.2.0 at p95 10 ms", st.LatencyByVersion)
	}
	// Pooled: (10×5 + 30×9) / 40 = 8 ms over 40 samples from 2 installations.
	if len(st.ABExperiments) != 1 || st.ABExperiments[0].N != 40 || st.ABExperiments[0].MeanMS != 8 || st.ABExperiments[0].Installations != 2 {
		t.Errorf("ab_experiments = %+v, want one variant with n 40, mean 8 ms, 2 installations", st.ABExperiments)
	}
}
