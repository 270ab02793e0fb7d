package client

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestNoRetryOn4xx: a 400 is never retried and the report is set aside;
// a long Retry-After is remembered and respected by the next send.
func TestNoRetryOn4xx(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	e := newEnv(t, ts.url)
	c := e.clientOn()
	ts.setFault(func(n int) (int, bool) { return 400, false })
	res, err := c.Send(ctx)
	if err != nil || len(res.Rejected) != 1 || len(ts.received()) != 1 {
		t.Fatalf("400: err %v, result %+v, %d requests", err, res, len(ts.received()))
	}
	e.tick()
	ts.setFault(func(n int) (int, bool) { return 0, false })
	if _, err := c.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ts.received(); len(got) != 2 || bytes.Contains(got[1], []byte(res.Rejected[0].ID)) {
		t.Fatalf("the rejected report was sent again")
	}

	e.tick()
	ts.setFault(func(n int) (int, bool) { return 429, false })
	c.policy.maxRetryAfter = 0 // every Retry-After is too long to wait for
	if _, err := c.Send(ctx); err == nil {
		t.Fatal("a 429 was taken for a delivery")
	}
	n := len(ts.received())
	res, err = c.Send(ctx) // the clock has not moved past the Retry-After
	var rl *retryLater
	if !errors.As(err, &rl) || len(ts.received()) != n || res.Pending != 2 {
		t.Fatalf("after a 429 the next send contacted the server: err %v, %d requests, pending %d", err, len(ts.received())-n, res.Pending)
	}
}

// TestDeadline: against a server that accepts and never answers, each
// attempt ends at the client's deadline (the client hangs up), after the
// configured attempts Send gives up, and the report stays in the spool.
func TestDeadline(t *testing.T) {
	silent := newSilentServer(t)
	e := newEnv(t, silent.url())
	c := e.client()
	c.timeout, c.http = 200*time.Millisecond, defaultHTTPClient(200*time.Millisecond)
	c.policy.attempts = 2
	if _, err := c.SetMode(ctx, On, false); err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(ctx)
	if err == nil || res.Pending != 1 {
		t.Fatalf("err %v, pending %d", err, res.Pending)
	}
	silent.waitHungUp(t, int64(c.policy.attempts))
}
