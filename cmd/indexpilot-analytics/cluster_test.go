package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// The addresses the cluster test's clients claim (documentation ranges):
// they must reach the rate limits and nothing else.
const (
	attackerAddr = "203.0.113.99"
	adminAddr    = "198.51.100.20"
	clusterToken = "cluster-admin-token-0123456789"
)

// cluster is three serve processes on one PostgreSQL behind HAProxy run
// with deploy/haproxy.cfg, as docs/deploy.md describes.
type cluster struct {
	t     *testing.T
	dsn   string
	procs []*exec.Cmd
	urls  []string // each process, directly
	lb    string   // through HAProxy
	logs  *testkit.Buffer
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, dsn: pgtest.New(t), logs: &testkit.Buffer{}}
	env := []string{"INDEXPILOT_ANALYTICS_ADMIN_TOKEN=" + clusterToken}
	for range 3 {
		cmd, u := startServeLogged(t, c.dsn, c.logs, env, "--processes", "3", "--trusted-proxies", "127.0.0.1")
		c.procs, c.urls = append(c.procs, cmd), append(c.urls, u)
	}
	t.Cleanup(func() {
		for _, p := range c.procs {
			if p.ProcessState == nil { // not the killed one
				testkit.Stop(p)
			}
		}
	})
	c.lb = startHAProxy(t, c.urls, c.logs)
	// Every process up behind the proxy: six answers in a row.
	testkit.WaitFor(t, "HAProxy and its three servers", 30*time.Second, func() bool {
		for range 6 {
			if res, err := http.Get(c.lb + "/healthz"); err != nil || res.StatusCode != 200 {
				return false
			} else {
				res.Body.Close()
			}
		}
		return true
	})
	return c
}

// startHAProxy runs Debian's haproxy on the committed example config and
// returns its URL. A missing haproxy is a failure: scripts/test.sh
// installs it.
func startHAProxy(t *testing.T, servers []string, logs io.Writer) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed (scripts/test.sh installs Debian's haproxy); the multi-process test needs it")
	}
	env := os.Environ()
	for i, s := range servers {
		env = append(env, fmt.Sprintf("IPA_SERVER_%d=%s", i+1, strings.TrimPrefix(s, "http://")))
	}
	for attempt := 0; ; attempt++ {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "-db", "-f", filepath.Join("..", "..", "deploy", "haproxy.cfg"))
		cmd.Env = append(env, "IPA_LISTEN="+addr)
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if listening(addr, exited) {
			t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); <-exited })
			return "http://" + addr
		}
		cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			t.Fatal("haproxy did not start (its output is in the test log)")
		}
	}
}

// freeAddr returns a loopback address with a port free a moment ago
// (HAProxy cannot report a port it picked itself).
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func listening(addr string, exited <-chan struct{}) bool {
	for range 100 {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// call sends one request and returns its status and body.
func call(t *testing.T, method, u string, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if c := res.Header.Get("Set-Cookie"); c != "" {
		return res.StatusCode, strings.Split(c, ";")[0]
	}
	return res.StatusCode, string(b)
}

var noRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func report(installation string, ts time.Time) string {
	return fmt.Sprintf(`{"installation_id":%q,"version":"1.1.0","timestamp":%q,
		"metrics":{"features_used":["auto_indexing"],"indexes_created":3},"environment":{"os":"linux"}}`,
		installation, ts.UTC().Format(time.RFC3339))
}

// TestThreeProcessesBehindHAProxy is issue 18's test of many processes on
// one PostgreSQL: what one process changes, the others act on within a
// second; sessions are shared; rate limits add up across processes and
// count the client behind the proxy; a process killed mid-load loses
// nothing acknowledged and the rollups equal recompute; and the clients'
// addresses are in no table and no log.
func TestThreeProcessesBehindHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three serve processes and HAProxy")
	}
	c := startCluster(t)
	t.Run("erasure", c.erasure)
	t.Run("revocation", c.revocation)
	t.Run("sessions", c.sessions)
	t.Run("rate limits", c.rateLimits)
	t.Run("kill mid-load", c.killMidLoad)
	t.Run("no address kept", c.noAddressKept)
}

func (c *cluster) erasure(t *testing.T) {
	status, body := call(t, "POST", c.lb+"/api/v1/installations", "{}", "Content-Type", "application/json",
		"X-Forwarded-For", attackerAddr)
	if status != 201 {
		t.Fatalf("register: %d %s", status, body)
	}
	id, key := field(body, "installation_id"), field(body, "api_key")
	send := func(u string, ago time.Duration) int {
		s, _ := call(t, "POST", u+"/api/v1/telemetry", report(id, time.Now().Add(-ago)), "Content-Type", "application/json", "X-API-Key", key)
		return s
	}
	for i, u := range c.urls { // every process has the key cached
		if s := send(u, time.Duration(i)*time.Minute); s != 200 {
			t.Fatalf("report through process %d: %d", i+1, s)
		}
	}
	if s, b := call(t, "DELETE", c.urls[0]+"/api/v1/installations/me", "", "X-API-Key", key); s != 200 {
		t.Fatalf("erase through process 1: %d %s", s, b)
	}
	took := testkit.WaitFor(t, "processes 2 and 3 refusing the erased installation", time.Second, func() bool {
		return send(c.urls[1], time.Hour) == 401 && send(c.urls[2], time.Hour) == 401
	})
	t.Logf("erased through one process, refused by the others after %s", took)
	fleet := fleetKey(t, c.dsn)
	s, b := call(t, "POST", c.urls[2]+"/api/v1/telemetry", report(id, time.Now()), "Content-Type", "application/json", "X-API-Key", fleet)
	if s != 410 {
		t.Fatalf("a fleet report of the erased installation: %d %s, want 410", s, b)
	}
}

func (c *cluster) revocation(t *testing.T) {
	out, err := exec.Command(binary(t), "keys", "create", "--kind", "admin", "--database", c.dsn).Output()
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(out))
	stats := func(u string) int {
		s, _ := call(t, "GET", u+"/api/v1/dashboard/stats", "", "Authorization", "Bearer "+admin)
		return s
	}
	for i, u := range c.urls {
		if s := stats(u); s != 200 {
			t.Fatalf("admin key on process %d: %d", i+1, s)
		}
	}
	id := strings.Split(admin, "_")[1]
	if out, err := exec.Command(binary(t), "keys", "revoke", id, "--database", c.dsn).CombinedOutput(); err != nil {
		t.Fatalf("keys revoke: %v\n%s", err, out)
	}
	took := testkit.WaitFor(t, "all three refusing the revoked key", time.Second, func() bool {
		return stats(c.urls[0]) == 401 && stats(c.urls[1]) == 401 && stats(c.urls[2]) == 401
	})
	t.Logf("revoked, refused by all three after %s", took)
}

func (c *cluster) sessions(t *testing.T) {
	s, cookie := call(t, "POST", c.urls[0]+"/login", url.Values{"token": {clusterToken}}.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
	if s != http.StatusSeeOther || !strings.HasPrefix(cookie, "ipa_session=") {
		t.Fatalf("sign-in on process 1: %d %q", s, cookie)
	}
	page := func(u string) int {
		s, _ := call(t, "GET", u+"/api/v1/dashboard/stats", "", "Cookie", cookie)
		return s
	}
	for i, u := range append(c.urls, c.lb, c.lb, c.lb) {
		if s := page(u); s != 200 {
			t.Fatalf("the session on %s (%d): %d", u, i, s)
		}
	}
	if s, _ := call(t, "POST", c.urls[1]+"/logout", "", "Cookie", cookie); s != http.StatusSeeOther {
		t.Fatalf("sign-out on process 2: %d", s)
	}
	took := testkit.WaitFor(t, "the session ended everywhere", time.Second, func() bool {
		return page(c.urls[0]) == 401 && page(c.urls[1]) == 401 && page(c.urls[2]) == 401
	})
	t.Logf("signed out on one process, refused by all three after %s", took)
}

// rateLimits: through the proxy, one installation key gets its burst (30)
// in total from three processes, not three times it; a failed-token flood
// from one client address locks out that address only.
func (c *cluster) rateLimits(t *testing.T) {
	_, body := call(t, "POST", c.lb+"/api/v1/installations", "{}", "Content-Type", "application/json", "X-Forwarded-For", adminAddr)
	id, key := field(body, "installation_id"), field(body, "api_key")
	accepted := 0
	for i := range 45 {
		s, _ := call(t, "POST", c.lb+"/api/v1/telemetry", report(id, time.Now().Add(-time.Duration(i)*time.Minute)),
			"Content-Type", "application/json", "X-API-Key", key)
		if s == 200 {
			accepted++
		}
	}
	if accepted < 27 || accepted > 31 {
		t.Fatalf("%d of 45 reports accepted from one key through three processes; want its burst of 30", accepted)
	}
	t.Logf("one key through the proxy: %d of 45 accepted (burst 30)", accepted)

	signIn := func(token, from string) int {
		s, _ := call(t, "POST", c.lb+"/login", url.Values{"token": {token}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", from)
		return s
	}
	refused := 0
	for range 30 {
		if signIn("wrong-token-0123456789", attackerAddr) == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused < 30-20 {
		t.Fatalf("only %d of 30 failed sign-ins refused; the limit is 20 per address across processes", refused)
	}
	if s := signIn(clusterToken, attackerAddr); s != http.StatusTooManyRequests {
		t.Fatalf("the flooding address signing in: %d, want 429", s)
	}
	if s := signIn(clusterToken, adminAddr); s != http.StatusSeeOther {
		t.Fatalf("the admin at another address behind the same proxy: %d, want 303", s)
	}
}

func (c *cluster) killMidLoad(t *testing.T) {
	key := fleetKey(t, c.dsn)
	reports := crashReports(3000, 40)
	client := &http.Client{Timeout: 10 * time.Second}
	acked := sendAll(client, c.lb, key, reports, func(i int) {
		if i == len(reports)/2 {
			if err := c.procs[2].Process.Signal(syscall.SIGKILL); err != nil {
				t.Error(err)
			}
		}
	})
	if err := c.procs[2].Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("process 3 was not killed: %v", err)
	}
	if len(acked) == 0 {
		t.Fatal("no report acknowledged")
	}
	stored := storedKeys(t, c.dsn, 40)
	for id := range acked {
		if !stored[id] {
			t.Fatalf("acknowledged report %s lost after SIGKILL of one process", id)
		}
	}
	t.Logf("%d of %d acknowledged with process 3 killed halfway, %d stored", len(acked), len(reports), len(stored))
	// Every stored report (the earlier subtests' too) is counted once in
	// the rollups, which equal what recompute rebuilds.
	checkExact(t, c.dsn, countReports(t, c.dsn))
}

// countReports counts the stored reports.
func countReports(t *testing.T, dsn string) int {
	t.Helper()
	out, err := exec.Command("psql", "-XAtc", "SELECT count(*) FROM reports", dsn).Output()
	if err != nil {
		t.Fatalf("psql: %v", err)
	}
	var n int
	fmt.Sscan(string(out), &n)
	return n
}

// noAddressKept: the client addresses sent through the proxy are in no
// table (pg_dump of the whole database) and no log line (three services
// and HAProxy).
func (c *cluster) noAddressKept(t *testing.T) {
	dump, err := exec.Command("pg_dump", "--data-only", c.dsn).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if len(dump) < 10_000 {
		t.Fatalf("the dump is %d bytes: not the database", len(dump))
	}
	for _, addr := range []string{attackerAddr, adminAddr} {
		if bytes.Contains(dump, []byte(addr)) {
			t.Fatalf("%s is stored in the database", addr)
		}
		if strings.Contains(c.logs.String(), addr) {
			t.Fatalf("%s is in a log", addr)
		}
	}
	if !strings.Contains(c.logs.String(), "listening") {
		t.Fatal("no log was captured")
	}
}

// field takes a string field out of a JSON body.
func field(body, name string) string {
	_, rest, ok := strings.Cut(body, `"`+name+`": "`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
