package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// maxCachedNums bounds the installation numbers a store remembers (about
// 60 bytes each); a fuller cache is emptied and fills again.
const maxCachedNums = 200_000

// numCache remembers installation numbers (id → num), so that a batch
// whose installations are all known can be stored in one round trip
// (ingestKnown). An entry may be stale, when another process deleted the
// installation: the one-round-trip statement checks every pair it uses
// and refuses the batch if one is gone.
type numCache struct {
	mu     sync.Mutex
	nums   map[string]uint32
	loaded bool
}

// lookup returns the numbers of ids, or false if one is not cached. On
// first use it loads the newest installations.
func (c *numCache) lookup(ctx context.Context, q querier, ids []string) (map[string]uint32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		c.loaded = true
		// A failed load only means more batches take the longer path.
		c.load(ctx, q) //nolint:errcheck
	}
	out := make(map[string]uint32, len(ids))
	for _, id := range ids {
		num, ok := c.nums[id]
		if !ok {
			return nil, false
		}
		out[id] = num
	}
	return out, true
}

func (c *numCache) load(ctx context.Context, q querier) error {
	// query: newest-installation-nums
	rows, err := q.Query(ctx, `SELECT installation_id, num FROM installations ORDER BY num DESC LIMIT $1`, maxCachedNums)
	if err != nil {
		return fmt.Errorf("postgres: load installation numbers: %w", err)
	}
	var id string
	var num uint32
	c.nums = make(map[string]uint32)
	_, err = pgx.ForEachRow(rows, []any{&id, &num}, func() error { c.nums[id] = num; return nil })
	return err
}

// add remembers the numbers of a committed batch.
func (c *numCache) add(nums map[string]uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nums == nil || len(c.nums)+len(nums) > maxCachedNums {
		c.nums = make(map[string]uint32, len(nums))
	}
	for id, num := range nums {
		c.nums[id] = num
	}
}

// forget drops an installation, deleted by this process.
func (c *numCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.nums, id)
}
