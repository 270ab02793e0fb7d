package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// DefaultBitmapCache is how many bytes of rollup rows a Store keeps in
// memory between reads unless SetBitmapCache says otherwise: about the
// 90 days of every dimension of a 10-million-report fleet.
const DefaultBitmapCache = 512 << 20

// bitmapCache keeps rollup rows as stored, their counters and the bytes of
// their installation bitmaps, so that a dashboard read fetches from
// PostgreSQL only the rows that changed since it last read them (today's,
// mostly), not every day's again: of the others it reads only their keys
// and versions (issue 18: at 10 million reports, moving the bitmaps out of
// PostgreSQL was most of a stats request, and then its 7,600 rows of
// counters were).
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

// cachedBitmap is one row version's counters and bitmap bytes.
type cachedBitmap struct {
	xmin      uint32
	installsN int64
	counters  rollup.Counters
	data      []byte // never modified: bitmaps decoded from it copy on write
}

// cachedSize is what an entry of data costs the cache: its bytes, and its
// counters and key.
func cachedSize(data []byte) int { return len(data) + int(unsafe.Sizeof(cachedBitmap{})) + 32 }

// SetBitmapCache sets how many bytes of rollup rows the store keeps in
// memory between reads (DefaultBitmapCache when not called): three
// quarters for the rows' bitmaps and counters, a quarter for the unions readers build
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

// get returns the cached entry of k's version (xmin, n).
func (c *bitmapCache) get(k rollup.Key, xmin uint32, n int64) (cachedBitmap, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.xmin != xmin || e.installsN != n {
		return cachedBitmap{}, false
	}
	return e, true
}

// put keeps e as k's, replacing an older version.
func (c *bitmapCache) put(k rollup.Key, e cachedBitmap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cachedSize(e.data) > c.max {
		return
	}
	if c.entries == nil {
		c.entries = map[rollup.Key]cachedBitmap{}
	}
	if old, ok := c.entries[k]; ok {
		c.size -= cachedSize(old.data)
	}
	c.entries[k] = e
	c.size += cachedSize(e.data)
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
		c.size -= cachedSize(c.entries[k].data)
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
// selectRollups does: the keys and versions of the rows, then, of the
// rows the cache does not hold in the snapshot's version, their counters
// and bitmaps.
func (s *Store) selectRollupsCached(ctx context.Context, tx pgx.Tx, q store.RollupQuery) ([]*rollup.Row, error) {
	// query: read-rollups-versions
	query, args := rollupsQuery("day, dim, key, xmin::text::bigint, installs_n", "rollups", q)
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read rollups: %w", err)
	}
	var out []*rollup.Row
	var xmins []uint32
	var data [][]byte
	var missing []rollup.Key
	at := map[rollup.Key]int{}
	var k rollup.Key
	var day int32
	var xmin, n int64
	_, err = pgx.ForEachRow(rows, []any{&day, &k.Dim, &k.Key, &xmin, &n}, func() error {
		k.Day = rollup.Day(day)
		r := &rollup.Row{Key: k, InstallsN: n}
		e, ok := s.bitmaps.get(k, uint32(xmin), n)
		if ok {
			r.Counters = e.counters
		} else {
			missing = append(missing, k)
			at[k] = len(out)
		}
		out, xmins, data = append(out, r), append(xmins, uint32(xmin)), append(data, e.data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read rollups: %w", err)
	}
	if err := s.fetchRollups(ctx, tx, missing, at, out, data); err != nil {
		return nil, err
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

// fetchRollups reads the counters and bitmaps of the rows of keys, which
// are out[at[key]], into those rows and data, and caches them.
func (s *Store) fetchRollups(ctx context.Context, tx pgx.Tx, keys []rollup.Key, at map[rollup.Key]int, out []*rollup.Row, data [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	days, dims, names := keyArrays(keys)
	// query: read-rollup-bitmaps-by-key
	rows, err := tx.Query(ctx, `SELECT `+rollupColumns+`, xmin::text::bigint, installs FROM rollups
		WHERE (day, dim, key) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))`, days, dims, names)
	if err != nil {
		return fmt.Errorf("postgres: read rollup bitmaps: %w", err)
	}
	err = scanRollupsWith(rows, func() []any { return []any{new(int64), new([]byte)} }, func(r *rollup.Row, extra []any) error {
		i, ok := at[r.Key]
		if !ok {
			return fmt.Errorf("postgres: read rollup bitmaps: unasked row %v", r.Key)
		}
		xmin, b := uint32(*extra[0].(*int64)), *extra[1].(*[]byte)
		out[i].Counters, data[i] = r.Counters, b
		s.bitmaps.put(r.Key, cachedBitmap{xmin: xmin, installsN: r.InstallsN, counters: r.Counters, data: b})
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: read rollup bitmaps: %w", err)
	}
	return nil
}
