package postgres

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// TestBitmapCacheEvictsOldestDaysInBulk: a full cache drops its oldest
// days down to nine tenths of its bound, keeps the newest, and stays within
// the bound however many entries arrive.
func TestBitmapCacheEvictsOldestDaysInBulk(t *testing.T) {
	entry := make([]byte, 100)
	unit := cachedSize(entry) // what one entry costs the cache
	c := &bitmapCache{max: 10 * unit}
	for day := 1; day <= 30; day++ {
		c.put(rollup.Key{Day: rollup.Day(day), Dim: "version", Key: "1.0.0"}, cachedBitmap{xmin: 7, installsN: 1, data: entry})
		if c.size > c.max {
			t.Fatalf("after day %d: %d bytes cached, bound %d", day, c.size, c.max)
		}
		if day == 11 && c.size != 9*unit { // evicted in bulk, not one entry per put
			t.Fatalf("after the first overflow: %d bytes cached, want %d", c.size, 9*unit)
		}
	}
	// Day 11 overflowed the bound: days 1 and 2 went (nine entries left),
	// and every second day since drops two more; day 29 left days 21-29,
	// and day 30 fits beside them.
	if c.size != 10*unit {
		t.Errorf("%d bytes cached, want %d", c.size, 10*unit)
	}
	for day := 1; day <= 30; day++ {
		_, got := c.get(rollup.Key{Day: rollup.Day(day), Dim: "version", Key: "1.0.0"}, 7, 1)
		if want := day >= 21; got != want {
			t.Errorf("day %d cached: %v, want %v", day, got, want)
		}
	}
}
