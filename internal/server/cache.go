package server

import (
	"sync"
	"time"
)

// ttlCache remembers answers of the store (keys, sessions) for a short
// time, so that requests at thousands per second do not each query it.
//
// Other processes change what it holds (a key revoked, a session ended),
// so it is only trusted while the store's change feed is watched (see
// changes.go): an entry is dropped when its change arrives, and nothing
// is served from the cache while the feed is down. The TTL is a backstop.
//
// A lookup started before a change and finished after it must not put its
// stale answer back: put takes the generation read before the lookup and
// stores nothing if any drop happened since.
type ttlCache[V any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	gen     uint64
	trusted bool
	m       map[string]cached[V]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, m: map[string]cached[V]{}}
}

// get returns the cached answer for k, if the cache is trusted.
func (c *ttlCache[V]) get(k string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !c.trusted || now.After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// generation is what put needs: read it before asking the store.
func (c *ttlCache[V]) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put caches v for k unless something was dropped since gen was read.
func (c *ttlCache[V]) put(k string, v V, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.trusted {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = cached[V]{v: v, expires: now.Add(c.ttl)}
}

// drop forgets k.
func (c *ttlCache[V]) drop(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// reset forgets everything and says whether the cache may be trusted
// from now on.
func (c *ttlCache[V]) reset(trusted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.trusted = trusted
	clear(c.m)
}
