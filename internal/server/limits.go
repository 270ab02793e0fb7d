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

func newLimiters(perMinute float64, burst int) *limiters {
	return &limiters{every: rate.Limit(perMinute / 60), burst: burst, m: map[string]*limiterEntry{}}
}

// allow takes a token for key. When none is left it returns false and the
// whole seconds until one will be.
func (l *limiters) allow(key string, now time.Time) (bool, int) {
	if l.every <= 0 {
		return true, 0
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
		return false, int(math.Ceil(d.Seconds()))
	}
	return true, 0
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
