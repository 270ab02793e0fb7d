package server_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// TestErrorsLogNoAddressKeyOrBody drives every kind of refusal and a
// store failure through a server logging at debug level, and checks that
// its log names no client address, no key or token and nothing of a body,
// while it does log the failures.
func TestErrorsLogNoAddressKeyOrBody(t *testing.T) {
	var logged testkit.Buffer
	e := newEnvLog(t, func(cfg *server.Config) { cfg.KeyRatePerMinute, cfg.KeyBurst, cfg.RegisterBurst = 1, 8, 2 }, nil, &logged)

	const secret = "body-marker-ohno-0123456789" // must never reach the log
	id, key := e.register()
	now := time.Now()
	sends := []resp{
		e.send(key, body(id, now, `, "`+secret+`": 1`)),                                                      // accepted, an unknown field
		e.send(key, bytes.Replace(body(id, now, ""), []byte(`"1.1.0"`), []byte(`"`+secret+` x"`), 1)),        // 400
		e.send(key+"x", body(id, now, "")),                                                                   // 401
		e.send(key, body("another-installation", now, "")),                                                   // 401, not its own
		e.send(key, append(body(id, now, ""), bytes.Repeat([]byte(" "), 70_000)...)),                         // 413
		e.do("POST", "/api/v1/telemetry", body(id, now, ""), "Content-Type", "text/plain", "X-API-Key", key), // 415
		e.send(key, body(id, now.Add(time.Second), "")),                                                      // 429
		e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+secret),                       // 401
	}
	for i := range 10 { // past the key's burst: 429
		sends = append(sends, e.send(key, body(id, now.Add(time.Duration(i+1)*time.Second), "")))
	}
	for range 3 { // past the address's burst of registrations: 429
		sends = append(sends, e.do("POST", "/api/v1/installations", []byte("{}"), "Content-Type", "application/json"))
	}
	e.store.Close() // the store fails: 503s, whose causes are logged
	sends = append(sends, e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+adminToken))
	sends = append(sends, e.send(key, body(id, now.Add(-time.Hour), ""))) // an ingest the store fails
	statuses := map[int]bool{}
	for _, r := range sends {
		statuses[r.status] = true
	}
	for _, want := range []int{200, 400, 401, 413, 415, 429, 503} {
		if !statuses[want] {
			t.Errorf("no answer %d among the requests: %v", want, statuses)
		}
	}
	log := logged.String()
	if !strings.Contains(log, "request failed") {
		t.Fatalf("the store failure was not logged:\n%s", log)
	}
	// The store's own words, behind the 503 of the dashboard and of the
	// ingest, whose answer says only that the store is unavailable.
	for _, route := range []string{"GET /api/v1/dashboard/stats", "POST /api/v1/telemetry"} {
		if !regexp.MustCompile(`route="` + route + `" status=503 err="store_unavailable: [^"]*" cause="[^"]*closed`).MatchString(log) {
			t.Errorf("the cause of the store failure on %s was not logged:\n%s", route, log)
		}
	}
	for _, leak := range []string{"127.0.0.1", key, secret, adminToken, "X-Api-Key", "X-API-Key"} {
		if strings.Contains(log, leak) {
			t.Errorf("the log holds %q:\n%s", leak, log)
		}
	}
}
