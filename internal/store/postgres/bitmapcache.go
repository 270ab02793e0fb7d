package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// DefaultBitmapCache is how many bytes of rollup bitmaps a Store keeps in
// memory between reads unless SetBitmapCache says otherwise: about the
// 90 days of every dimension of a 10-million-report fleet.
const DefaultBitmapCache = 512 << 20

// bitmapCache keeps the stored bytes of rollup rows' installation bitmaps,
// so that a dashboard read fetches from PostgreSQL only the bitmaps that
// changed since it last read them (today's, mostly), not every day's
// again (issue 18: at 10 million reports, moving the bitmaps out of
// PostgreSQL was most of a stats request).
//
// It is exact, in this process and across processes sharing the
// database: an entry serves a row only if the row's version in the
// reading snapshot is the one cached, that is if its xmin (the
// transaction that wrote that version: every insert or update of a row,
// a compaction's, an erasure's, a Recompute's, writes a new one) and its
// installs_n are those of the entry. Nothing is invalidated by message;
// a row changed elsewhere simply is not served from here.
type bitmapCache struct {
	mu      sync.Mutex
	max     int // bytes; 0: no cache
	size    int
	entries map[rollup.Key]cachedBitmap
}

// cachedBitmap is one row version's bitmap bytes.
type cachedBitmap struct {
	xmin      uint32
	installsN int64
	data      []byte // never modified: bitmaps decoded from it copy on write
}

// SetBitmapCache sets how many bytes of rollup bitmaps the store keeps in
// memory between reads (DefaultBitmapCache when not called): three
// quarters for the rows' bitmaps, a quarter for the unions readers build
// from them (Unions). 0 turns both off and empties them.
func (s *Store) SetBitmapCache(bytes int) {
	bytes = max(bytes, 0)
	s.unions.SetMax(bytes / 4)
	c := &s.bitmaps
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = bytes - bytes/4
	c.evict()
}

// Unions returns the store's cache of unions of rollup bitmaps: exact
// across processes, since the rows it reads carry their stored version
// (rollup.Row.Version).
func (s *Store) Unions() *rollup.Unions { return &s.unions }

// get returns the cached bytes of k's version (xmin, n), or nil.
func (c *bitmapCache) get(k rollup.Key, xmin uint32, n int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.xmin != xmin || e.installsN != n {
		return nil
	}
	return e.data
}

// put keeps data as k's version (xmin, n), replacing an older one.
func (c *bitmapCache) put(k rollup.Key, xmin uint32, n int64, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(data) > c.max {
		return
	}
	if c.entries == nil {
		c.entries = map[rollup.Key]cachedBitmap{}
	}
	if old, ok := c.entries[k]; ok {
		c.size -= len(old.data)
	}
	c.entries[k] = cachedBitmap{xmin: xmin, installsN: n, data: data}
	c.size += len(data)
	c.evict()
}

// evict drops entries, oldest day first, until the cache holds at most
// nine tenths of its bound, so that a full cache sorts its keys once per
// tenth of its bound fetched, not at every put; c.mu is held.
func (c *bitmapCache) evict() {
	if c.size <= c.max {
		return
	}
	target := c.max - c.max/10
	keys := make([]rollup.Key, 0, len(c.entries))
	for k := range c.entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollup.Key) int { return int(a.Day) - int(b.Day) })
	for _, k := range keys {
		if c.size <= target {
			break
		}
		c.size -= len(c.entries[k].data)
		delete(c.entries, k)
	}
}

// enabled reports whether the cache may keep anything.
func (c *bitmapCache) enabled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max > 0
}

// selectRollupsCached reads the rollups q selects, with bitmaps, as
// selectRollups does, fetching only the bitmaps the cache does not hold
// in the snapshot's version.
func (s *Store) selectRollupsCached(ctx context.Context, tx pgx.Tx, q store.RollupQuery) ([]*rollup.Row, error) {
	// query: read-rollups-versions
	query, args := rollupsQuery(rollupColumns+", xmin::text::bigint", "rollups", q)
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read rollups: %w", err)
	}
	var out []*rollup.Row
	var xmins []uint32
	err = scanRollupsWith(rows, func() []any { return []any{new(int64)} }, func(r *rollup.Row, extra []any) error {
		out = append(out, r)
		xmins = append(xmins, uint32(*extra[0].(*int64)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	data := make([][]byte, len(out))
	var missing []rollup.Key
	at := map[rollup.Key]int{}
	for i, r := range out {
		if data[i] = s.bitmaps.get(r.Key, xmins[i], r.InstallsN); data[i] == nil {
			missing = append(missing, r.Key)
			at[r.Key] = i
		}
	}
	if len(missing) > 0 {
		days, dimsOf, names := keyArrays(missing)
		// query: read-rollup-bitmaps-by-key
		rows, err := tx.Query(ctx, `SELECT day, dim, key, xmin::text::bigint, installs_n, installs FROM rollups
			WHERE (day, dim, key) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))`, days, dimsOf, names)
		if err != nil {
			return nil, fmt.Errorf("postgres: read rollup bitmaps: %w", err)
		}
		var k rollup.Key
		var day int32
		var xmin, n int64
		var b []byte
		_, err = pgx.ForEachRow(rows, []any{&day, &k.Dim, &k.Key, &xmin, &n, &b}, func() error {
			k.Day = rollup.Day(day)
			i, ok := at[k]
			if !ok {
				return fmt.Errorf("postgres: read rollup bitmaps: unasked row %v", k)
			}
			data[i] = b
			s.bitmaps.put(k, uint32(xmin), n, b)
			b = nil // the next row scans into a new slice
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("postgres: read rollup bitmaps: %w", err)
		}
	}
	for i, r := range out {
		if data[i] == nil {
			return nil, fmt.Errorf("postgres: read rollup bitmaps: %v has none", r.Key)
		}
		// Decoded without a copy: the bitmap shares the cached bytes, and
		// roaring marks such containers copy-on-write, so a reader that
		// modifies its rows (MergePending does) copies what it changes and
		// the cached bytes stay as read.
		if r.Installs, err = rollup.BitmapOf(data[i]); err != nil {
			return nil, fmt.Errorf("postgres: decode bitmap of %v: %w", r.Key, err)
		}
		r.Version = uint64(xmins[i])<<32 | uint64(uint32(r.InstallsN))
	}
	return out, nil
}
