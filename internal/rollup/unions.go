package rollup

import (
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// Unions keeps, between reads, the unions of one key's installation
// bitmaps over the settled days of a period (all but its last two, where
// today's reports land), so that a reader ORs those once a day instead of
// at every request (issue 18: the unions were half of a cached stats or
// overview call).
//
// It is exact: an entry is used only when the rows it was built from are
// the rows read now, day by day and in the same stored version
// (Row.Version, which a store sets only on rows it read unchanged). A row
// written since (a late report, a compaction, an erasure, a Recompute, in
// this process or another) has a new version, so the entry is rebuilt,
// never served. A nil *Unions keeps nothing.
type Unions struct {
	mu      sync.Mutex
	max     int // bytes; 0: keep nothing
	size    int
	tick    uint64
	entries map[unionKey]*unionEntry
}

// unionKey names one union: a dimension's key over a period.
type unionKey struct {
	dim, key string
	from, to Day
}

// unionEntry is the union of the rows of versions.
type unionEntry struct {
	versions []dayVersion
	union    *roaring.Bitmap // shared by readers: never modified
	bytes    int
	used     uint64
}

// dayVersion is one row of a union: its day and stored version.
type dayVersion struct {
	day     Day
	version uint64
}

// unionSettled is how many days at a period's end are ORed at each read
// and not kept: today's row changes at every compaction, yesterday's with
// late reports.
const unionSettled = 2

// SetMax sets how many bytes of unions u keeps; 0 keeps none and empties it.
func (u *Unions) SetMax(bytes int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.max = max(bytes, 0)
	u.evict()
}

// Union returns the union of rows' bitmaps: rows of dim and key, oldest
// day first, within the period from–to. The result may be shared with
// other readers: the caller must not modify it.
func (u *Unions) Union(dim, key string, from, to Day, rows []*Row) *roaring.Bitmap {
	cut := len(rows)
	for cut > 0 && rows[cut-1].Day > to-unionSettled {
		cut--
	}
	if u == nil || cut < 2 || !u.enabled() || slices.ContainsFunc(rows[:cut], func(r *Row) bool { return r.Version == 0 }) {
		return FastOrRows(rows)
	}
	k := unionKey{dim: dim, key: key, from: from, to: to}
	settled := u.get(k, rows[:cut])
	if settled == nil {
		settled = FastOrRows(rows[:cut])
		u.put(k, rows[:cut], settled)
	}
	if cut == len(rows) {
		return settled
	}
	parts := []*roaring.Bitmap{settled}
	for _, r := range rows[cut:] {
		parts = append(parts, r.Installs)
	}
	return roaring.FastOr(parts...)
}

// FastOrRows returns the union of rows' bitmaps, a new bitmap.
func FastOrRows(rows []*Row) *roaring.Bitmap {
	parts := make([]*roaring.Bitmap, len(rows))
	for i, r := range rows {
		parts[i] = r.Installs
	}
	return roaring.FastOr(parts...)
}

func (u *Unions) enabled() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.max > 0
}

// get returns the union of k if it was built from rows' versions, or nil.
func (u *Unions) get(k unionKey, rows []*Row) *roaring.Bitmap {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.entries[k]
	if !ok || len(e.versions) != len(rows) {
		return nil
	}
	for i, r := range rows {
		if e.versions[i] != (dayVersion{r.Day, r.Version}) {
			return nil
		}
	}
	u.tick++
	e.used = u.tick
	return e.union
}

// put keeps union as k's, built from rows, replacing an older one.
func (u *Unions) put(k unionKey, rows []*Row, union *roaring.Bitmap) {
	e := &unionEntry{union: union, versions: make([]dayVersion, len(rows))}
	for i, r := range rows {
		e.versions[i] = dayVersion{r.Day, r.Version}
	}
	e.bytes = int(union.GetSizeInBytes()) + 16*len(rows) + len(k.dim) + len(k.key) + 64
	u.mu.Lock()
	defer u.mu.Unlock()
	if e.bytes > u.max {
		return
	}
	if u.entries == nil {
		u.entries = map[unionKey]*unionEntry{}
	}
	if old, ok := u.entries[k]; ok {
		u.size -= old.bytes
	}
	u.tick++
	e.used = u.tick
	u.entries[k] = e
	u.size += e.bytes
	u.evict()
}

// evict drops the least recently used entries until u holds at most nine
// tenths of its bound; u.mu is held.
func (u *Unions) evict() {
	if u.size <= u.max {
		return
	}
	target := u.max - u.max/10
	keys := make([]unionKey, 0, len(u.entries))
	for k := range u.entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b unionKey) int {
		x, y := u.entries[a].used, u.entries[b].used
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	for _, k := range keys {
		if u.size <= target {
			break
		}
		u.size -= u.entries[k].bytes
		delete(u.entries, k)
	}
}

// Len returns how many unions u keeps.
func (u *Unions) Len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.entries)
}
