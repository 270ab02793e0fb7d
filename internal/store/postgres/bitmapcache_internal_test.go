package postgres

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// TestBitmapCacheEvictsOldestDaysInBulk: a full cache drops its oldest
// days down to nine tenths of its bound, keeps the newest, and stays within
// the bound however many entries arrive.
func TestBitmapCacheEvictsOldestDaysInBulk(t *testing.T) {
	c := &bitmapCache{max: 1000}
	entry := make([]byte, 100)
	for day := 1; day <= 30; day++ {
		c.put(rollup.Key{Day: rollup.Day(day), Dim: "version", Key: "1.0.0"}, 7, 1, entry)
		if c.size > c.max {
			t.Fatalf("after day %d: %d bytes cached, bound %d", day, c.size, c.max)
		}
		if day == 11 && c.size != 900 { // evicted in bulk, not one entry per put
			t.Fatalf("after the first overflow: %d bytes cached, want 900", c.size)
		}
	}
	// Day 11 overflowed the bound: days 1 and 2 went (900 bytes left),
	// and every second day since drops two more; day 29 left days 21-29,
	// and day 30 fits beside them.
	if c.size != 1000 {
		t.Errorf("%d bytes cached, want 1000", c.size)
	}
	for day := 1; day <= 30; day++ {
		got := c.get(rollup.Key{Day: rollup.Day(day), Dim: "version", Key: "1.0.0"}, 7, 1) != nil
		if want := day >= 21; got != want {
			t.Errorf("day %d cached: %v, want %v", day, got, want)
		}
	}
}
