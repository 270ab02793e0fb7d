package insights

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"sync"
)

// forecastCacheSize is how many answers the cache keeps.
const forecastCacheSize = 16

// forecastCache keeps the latest forecasts by their input. A forecast
// depends only on the history up to as_of, which changes only when late
// reports for those days arrive, and computing it costs tens of
// milliseconds, mostly the back-test's refits; so an answer is computed
// once per history, and any change to the history is a new key. Paths
// are drawn the first time they are asked for.
type forecastCache struct {
	mu      sync.Mutex
	entries map[[32]byte]*forecastEntry
	order   [][32]byte // oldest first
}

type forecastEntry struct {
	run       *forecastRun
	drawOnce  sync.Once
	withPaths *Forecasts
}

// answer is the entry's forecasts, with their paths when paths is true.
func (e *forecastEntry) answer(paths bool) *Forecasts {
	if !paths {
		return &e.run.figures
	}
	e.drawOnce.Do(func() {
		f := e.run.figures
		f.Paths = e.run.paths()
		e.withPaths = &f
	})
	return e.withPaths
}

// get returns the forecasts of h at horizons (with their paths when paths
// is true), computing them with compute when they are not kept.
// Concurrent misses may compute twice; both get the same answer.
func (c *forecastCache) get(h History, horizons []int, paths bool, compute func() *forecastRun) *Forecasts {
	key := h.key(horizons)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e.answer(paths)
	}
	e = &forecastEntry{run: compute()}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[[32]byte]*forecastEntry{}
	}
	if kept, ok := c.entries[key]; ok {
		e = kept
	} else {
		c.entries[key] = e
		c.order = append(c.order, key)
		if len(c.order) > forecastCacheSize {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	return e.answer(paths)
}

// key digests everything a forecast depends on.
func (h History) key(horizons []int) [32]byte {
	d := sha256.New()
	b := binary.AppendVarint(nil, int64(h.First))
	for _, x := range horizons {
		b = binary.AppendVarint(b, int64(x))
	}
	b = appendCounts(b, "", h.Active)
	for _, m := range []map[string][]int64{h.Versions, h.Features} {
		b = append(b, 0xff)
		for _, name := range slices.Sorted(maps.Keys(m)) {
			b = appendCounts(b, name, m[name])
		}
	}
	d.Write(b)
	return [32]byte(d.Sum(nil))
}

func appendCounts(b []byte, name string, counts []int64) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	b = binary.AppendUvarint(b, uint64(len(counts)))
	for _, c := range counts {
		b = binary.AppendVarint(b, c)
	}
	return b
}
