package client

import (
	"context"
	"math/rand/v2"
	"time"
)

// Run's timing.
const (
	recheck    = time.Hour       // how often Run looks at the settings while nothing is due
	firstRetry = 5 * time.Minute // after a failed upload; doubles per failure
	lastRetry  = 6 * time.Hour   // the longest wait between retries
	minWake    = time.Second     // never spin
)

// Run sends once a day at a randomised time, and when the server named
// one, at its next_collection, until ctx ends; it then returns nil.
// Reports that could not be delivered are retried with growing waits. It
// re-reads the settings each time it wakes, at least hourly, so `off` takes
// effect without a restart. Problems are written to stderr, one line
// each, and never end it.
func (c *Client) Run(ctx context.Context) error {
	r := &runner{c: c, first: true, retryAt: c.now()} // deliver what an earlier run left in the spool
	for {
		wait := r.step(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// runner is Run's memory between steps.
type runner struct {
	c         *Client
	first     bool
	failures  int
	retryAt   time.Time // when to retry the spool after a failure
	debugNext time.Time // debug mode writes nothing, so the schedule lives here
	lastProb  string    // the last problem logged, so a lasting one is logged once
}

// step does what is due and returns how long to sleep.
func (r *runner) step(ctx context.Context) time.Duration {
	c := r.c
	v := c.view()
	if err := v.err(); err != nil {
		r.problem(err.Error() + "; telemetry stays off until this is fixed")
		return recheck
	}
	if v.s.mode == Off {
		return recheck
	}
	now := c.now()
	due := v.st.NextReport
	if v.s.debug {
		due = r.debugNext
	}
	if !due.After(now) && r.first && c.runSpread > 0 { // a fleet that starts together spreads out
		r.first = false
		return minWake + rand.N(c.runSpread)
	}
	r.first = false
	switch {
	case !due.After(now):
		r.send(ctx, true)
		if v.s.debug {
			r.debugNext = c.daily()
		}
	case v.s.mode == On && !r.retryAt.IsZero() && !r.retryAt.After(now):
		r.send(ctx, false)
	}
	return r.sleep(ctx)
}

// send runs Send (or only the delivery) and keeps track of failures.
func (r *runner) send(ctx context.Context, build bool) {
	res, err := r.c.send(ctx, build)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		r.failures++
		wait := min(firstRetry<<min(r.failures-1, 10), lastRetry)
		r.retryAt = r.c.now().Add(wait)
		r.problem(err.Error())
		return
	}
	if res.Pending == 0 {
		r.failures, r.retryAt, r.lastProb = 0, time.Time{}, ""
	}
}

// sleep is the time until the next thing due: the next report, a retry,
// or the hourly look at the settings.
func (r *runner) sleep(ctx context.Context) time.Duration {
	c := r.c
	v := c.view()
	now := c.now()
	next := now.Add(recheck)
	due := v.st.NextReport
	if v.s.debug {
		due = r.debugNext
	}
	if !due.IsZero() && due.Before(next) {
		next = due
	}
	if !r.retryAt.IsZero() {
		at := r.retryAt
		if v.st.NotBefore.After(at) {
			at = v.st.NotBefore
		}
		if at.Before(next) {
			next = at
		}
	}
	return max(next.Sub(now), minWake)
}

// problem logs a problem once for as long as it lasts.
func (r *runner) problem(msg string) {
	if msg != r.lastProb {
		r.c.logf("%s", msg)
		r.lastProb = msg
	}
}
