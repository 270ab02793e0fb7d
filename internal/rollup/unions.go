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

// unionEntry is what was derived from the rows of versions: a union, or
// counts (Newest).
type unionEntry struct {
	versions []rowVersion
	union    *roaring.Bitmap // shared by readers: never modified
	counts   []int64
	bytes    int
	used     uint64
}

// rowVersion is one row an entry was built from: its day, its key when
// the entry's rows have several, and its stored version.
type rowVersion struct {
	day     Day
	key     string
	version uint64
}

// newestDim names the entries of Newest, which no dimension is.
const newestDim = "\x00newest"

// versionsOf returns the versions of rows, with their keys if keyed.
func versionsOf(rows []*Row, keyed bool) []rowVersion {
	out := make([]rowVersion, len(rows))
	for i, r := range rows {
		out[i] = rowVersion{day: r.Day, version: r.Version}
		if keyed {
			out[i].key = r.Key.Key
		}
	}
	return out
}

// unversioned reports whether a row has no stored version.
func unversioned(rows []*Row) bool {
	return slices.ContainsFunc(rows, func(r *Row) bool { return r.Version == 0 })
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
	if u == nil || cut < 2 || !u.enabled() || unversioned(rows[:cut]) {
		return FastOrRows(rows)
	}
	k := unionKey{dim: dim, key: key, from: from, to: to}
	vs := versionsOf(rows[:cut], false)
	var settled *roaring.Bitmap
	if e := u.get(k, vs); e != nil {
		settled = e.union
	} else {
		settled = FastOrRows(rows[:cut])
		u.put(k, &unionEntry{versions: vs, union: settled, bytes: int(settled.GetSizeInBytes())})
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

// Newest returns, for one day's rows of versions (newest version first,
// each read with its bitmap), count(rows): how many of each row's
// installations are in no earlier row. It is kept between reads like a
// union, by the rows' stored versions.
func (u *Unions) Newest(rows []*Row, count func([]*Row) []int64) []int64 {
	if u == nil || len(rows) < 2 || !u.enabled() || unversioned(rows) {
		return count(rows)
	}
	k := unionKey{dim: newestDim, from: rows[0].Day, to: rows[0].Day}
	vs := versionsOf(rows, true)
	if e := u.get(k, vs); e != nil {
		return e.counts
	}
	counts := count(rows)
	u.put(k, &unionEntry{versions: vs, counts: counts, bytes: 8 * len(counts)})
	return counts
}

// get returns the entry of k if it was built from the rows of versions,
// or nil.
func (u *Unions) get(k unionKey, versions []rowVersion) *unionEntry {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.entries[k]
	if !ok || !slices.Equal(e.versions, versions) {
		return nil
	}
	u.tick++
	e.used = u.tick
	return e
}

// put keeps e as k's, replacing an older one; e.bytes counts what it
// derived, put adds its keys'.
func (u *Unions) put(k unionKey, e *unionEntry) {
	e.bytes += len(k.dim) + len(k.key) + 64
	for _, v := range e.versions {
		e.bytes += 32 + len(v.key)
	}
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
