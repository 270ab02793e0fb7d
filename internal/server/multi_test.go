package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// node is one server process's worth: its own pool on the shared
// database, its own caches, its change watch.
type node struct {
	*env
	logs *testkit.Buffer
}

func newNode(t *testing.T, dsn string) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := databasetest.Open(t, dsn)
	logs := &testkit.Buffer{}
	srv := servertest.New(t, st, servertest.Options{Config: adminConfig(nil), Log: logs})
	watched := make(chan struct{})
	go func() { srv.Watch(ctx); close(watched) }()
	t.Cleanup(func() { cancel(); <-watched })
	n := &node{env: &env{t: t, url: servertest.Serve(t, srv.Handler()), store: st}, logs: logs}
	testkit.WaitFor(t, "the change watch", 10*time.Second, func() bool { return strings.Contains(logs.String(), "caches on") })
	return n
}

func newAdminKey(t *testing.T, st store.Store) (text, id string) {
	t.Helper()
	text, sec, err := auth.New(auth.PrefixAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(context.Background(), store.Key{ID: sec.ID, Kind: store.KindAdmin, Name: "ops", Hash: sec.Hash(), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return text, sec.ID
}

// TestChangesReachEveryProcess: two servers on one PostgreSQL, each with
// warm caches. What one of them (or the keys command) changes, the other
// acts on within a second: an erased installation, a revoked key, an
// ended session; and a session made by one works on the other.
func TestChangesReachEveryProcess(t *testing.T) {
	dsn := pgtest.New(t)
	a, b := newNode(t, dsn), newNode(t, dsn)
	ctx := context.Background()

	id, key := a.register()
	for i := range 2 { // the second one through b's cache
		if r := b.send(key, body(id, time.Now().Add(-time.Duration(i)*time.Hour), "")); r.status != 200 {
			t.Fatalf("send through b: %d %s", r.status, r.raw)
		}
	}
	if r := a.do("DELETE", "/api/v1/installations/me", nil, "X-API-Key", key); r.status != 200 {
		t.Fatalf("erase through a: %d %s", r.status, r.raw)
	}
	took := testkit.WaitFor(t, "b refusing the erased installation's key", time.Second, func() bool {
		return b.send(key, body(id, time.Now(), "")).status == http.StatusUnauthorized
	})
	t.Logf("erasure reached the other process in %s", took)
	fleetText := servertest.FleetKey(t, a.store, "f")
	wantError(t, b.send(fleetText, body(id, time.Now(), "")), http.StatusGone, "installation_erased", "")
	if _, err := b.store.ExportInstallation(ctx, id); err != store.ErrNotFound {
		t.Fatalf("the erased installation is back: %v", err)
	}

	admin, adminID := newAdminKey(t, a.store)
	bearer := func(n *node) int {
		return n.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+admin).status
	}
	cookie := signInWith(t, a.env, admin, "")
	withCookie := func(n *node, c string) int {
		return n.do("GET", "/api/v1/dashboard/stats", nil, "Cookie", c).status
	}
	for _, n := range []*node{a, b, b} {
		if s, c := bearer(n), withCookie(n, cookie); s != 200 || c != 200 {
			t.Fatalf("before revocation: bearer %d, session %d", s, c)
		}
	}
	if err := b.store.RevokeKey(ctx, adminID, time.Now()); err != nil { // as `keys revoke` does
		t.Fatal(err)
	}
	took = testkit.WaitFor(t, "both refusing the revoked key and its session", time.Second, func() bool {
		return bearer(a) == 401 && bearer(b) == 401 && withCookie(a, cookie) == 401 && withCookie(b, cookie) == 401
	})
	t.Logf("revocation reached both processes in %s", took)

	cookie = signInWith(t, a.env, adminToken, "")
	if withCookie(b, cookie) != 200 || withCookie(b, cookie) != 200 {
		t.Fatal("a session made by one process is refused by the other")
	}
	noFollow := noRedirects()
	req, _ := http.NewRequest("POST", a.url+"/logout", nil)
	req.Header.Set("Cookie", cookie)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	took = testkit.WaitFor(t, "the signed-out session refused everywhere", time.Second, func() bool {
		return withCookie(a, cookie) == 401 && withCookie(b, cookie) == 401
	})
	t.Logf("sign-out reached both processes in %s", took)
}

// TestClientAddressBehindProxy: behind a trusted proxy each client has a
// budget of its own, taken from X-Forwarded-For; a failed-token flood from
// one client does not lock out the admin at another address, and a
// client cannot escape its budget by sending X-Forwarded-For itself.
// Without --trusted-proxies the header is ignored: everyone behind the
// proxy shares the proxy's budget.
func TestClientAddressBehindProxy(t *testing.T) {
	const attacker, admin = "203.0.113.7", "198.51.100.2"
	stats := func(e *env, token, xff string) int {
		return e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+token, "X-Forwarded-For", xff).status
	}
	flood := func(e *env) {
		t.Helper()
		for i := range 3 {
			if s := stats(e, "wrong-token-0123456789", attacker); s != 401 {
				t.Fatalf("wrong token %d: %d, want 401", i, s)
			}
		}
		r := e.do("GET", "/api/v1/dashboard/stats", nil, "Authorization", "Bearer "+adminToken, "X-Forwarded-For", attacker)
		wantError(t, r, 429, "rate_limited", "")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	limited := func(c *server.Config) { c.RegisterPerMinute, c.RegisterBurst = 1, 3 }

	behind := newEnv(t, func(c *server.Config) {
		limited(c)
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	flood(behind)
	if s := stats(behind, adminToken, admin); s != 200 {
		t.Fatalf("the admin at another address: %d, want 200", s)
	}
	if s := stats(behind, adminToken, admin+", "+attacker); s != 429 {
		t.Fatalf("the attacker prepending another address: %d, want 429 (the right-most untrusted hop counts)", s)
	}
	for range 5 { // good tokens cost nothing
		if s := stats(behind, adminToken, admin); s != 200 {
			t.Fatalf("the admin's repeated requests: %d", s)
		}
	}

	direct := newEnv(t, limited)
	flood(direct)
	if s := stats(direct, adminToken, admin); s != 429 {
		t.Fatalf("untrusted X-Forwarded-For was believed: %d, want 429", s)
	}
}

// TestRateLimitsDividedAmongProcesses: with --processes 3 one process
// allows a third of the key's burst, so three together allow the burst.
func TestRateLimitsDividedAmongProcesses(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.KeyRatePerMinute, c.KeyBurst, c.Processes = 6, 30, 3 })
	id, key := e.register()
	accepted := 0
	for i := range 15 {
		if r := e.send(key, body(id, time.Now().Add(-time.Duration(i)*time.Minute), "")); r.status == 200 {
			accepted++
		} else if r.status != 429 {
			t.Fatalf("send %d: %d %s", i, r.status, r.raw)
		}
	}
	if accepted != 10 {
		t.Fatalf("one of 3 processes accepted %d of a burst of 30, want 10", accepted)
	}
}

// TestStalledBodyShowsNoAddress: a body that stops arriving gets a 408
// whose text names no socket address.
func TestStalledBodyShowsNoAddress(t *testing.T) {
	e := newEnv(t, nil)
	hs := httptest.NewUnstartedServer(e.handler)
	hs.Config.ReadTimeout = 300 * time.Millisecond
	hs.Start()
	defer hs.Close()
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"X-API-Key: %s\r\nContent-Length: 500\r\n\r\n{\"installation_id\":", e.fleet)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	raw.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(raw.String(), "body_timeout") {
		t.Fatalf("stalled body: %d %s, want 408 body_timeout", res.StatusCode, raw.String())
	}
	if strings.Contains(raw.String(), "127.0.0.1") || strings.Contains(raw.String(), "tcp") {
		t.Fatalf("the answer names the connection: %s", raw.String())
	}
}
