package server

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters holds one token bucket per key (an installation key id or a
// client address), forgetting keys idle for a while so memory stays
// bounded. Addresses live here, in memory, only as long as that.
//
// Buckets are per process. So that N processes behind a load balancer
// allow no more than the configured rate and burst in total, each process
// gets 1/N of them (burst rounded down, at least 1): a client spread over
// all processes (round robin) gets the whole limit, one pinned to a
// process 1/N of it, and none gets more, whatever the balancer does.
type limiters struct {
	mu     sync.Mutex
	every  rate.Limit
	burst  int
	m      map[string]*limiterEntry
	sweepN int
}

type limiterEntry struct {
	lim  *rate.Limiter
	last time.Time
}

// newLimiters returns the buckets of one process of processes (>= 1).
func newLimiters(perMinute float64, burst, processes int) *limiters {
	processes = max(processes, 1)
	return &limiters{every: rate.Limit(perMinute / 60 / float64(processes)), burst: max(burst/processes, 1),
		m: map[string]*limiterEntry{}}
}

// allow takes a token for key. When none is left it returns false and the
// whole seconds until one will be.
func (l *limiters) allow(key string, now time.Time) (bool, int) {
	a, wait := l.take(key, now)
	return a != nil, wait
}

// attempt is a token taken that may be given back.
type attempt struct {
	r   *rate.Reservation
	now time.Time
}

// refund gives the token back, for an attempt that should not count (a
// sign-in that succeeded).
func (a *attempt) refund() {
	if a.r != nil {
		a.r.CancelAt(a.now)
	}
}

// take takes a token for key. When none is left it returns nil and the
// whole seconds until one will be.
func (l *limiters) take(key string, now time.Time) (*attempt, int) {
	if l.every <= 0 {
		return &attempt{}, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e, ok := l.m[key]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(l.every, l.burst)}
		l.m[key] = e
	}
	e.last = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, int(math.Ceil(d.Seconds()))
	}
	return &attempt{r: r, now: now}, 0
}

// sweep drops idle entries every 1024 calls.
func (l *limiters) sweep(now time.Time) {
	if l.sweepN++; l.sweepN < 1024 {
		return
	}
	l.sweepN = 0
	idle := time.Duration(float64(l.burst)/float64(l.every)) * time.Second
	for k, e := range l.m {
		if now.Sub(e.last) > idle {
			delete(l.m, k)
		}
	}
}
