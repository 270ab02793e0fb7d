package rollup

import (
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// versioned returns a row of day with installations nums in version v.
func versioned(day Day, v uint64, nums ...uint32) *Row {
	return &Row{Key: Key{Day: day, Dim: DimVersion, Key: "1.0.0"}, Installs: roaring.BitmapOf(nums...), Version: v}
}

// TestUnionsFollowRowVersions: a union kept is served only while the
// rows it was built from keep their versions; a changed past day, a new
// day or an unversioned row gives the union of the rows as read now.
func TestUnionsFollowRowVersions(t *testing.T) {
	u := &Unions{}
	u.SetMax(1 << 20)
	rows := []*Row{versioned(1, 10, 1), versioned(2, 20, 2), versioned(3, 30, 3), versioned(5, 50, 5)}
	check := func(what string, rows []*Row, want ...uint32) {
		t.Helper()
		for range 2 {
			if got := u.Union(DimVersion, "1.0.0", 1, 5, rows); !got.Equals(roaring.BitmapOf(want...)) {
				t.Fatalf("%s: %v, want %v", what, got.ToArray(), want)
			}
		}
	}
	check("first", rows, 1, 2, 3, 5)
	if u.Len() != 1 {
		t.Fatalf("%d unions kept, want 1", u.Len())
	}
	check("a late report to day 2", []*Row{rows[0], versioned(2, 21, 2, 7), rows[2], rows[3]}, 1, 2, 3, 5, 7)
	check("an erasure on day 1", []*Row{versioned(1, 11), versioned(2, 21, 2, 7), rows[2], rows[3]}, 2, 3, 5, 7)
	check("today changed", []*Row{versioned(1, 11), versioned(2, 21, 2, 7), rows[2], versioned(5, 51, 5, 9)}, 2, 3, 5, 7, 9)
	check("an unversioned row", []*Row{versioned(1, 0, 4), versioned(2, 21, 2, 7), rows[2]}, 2, 3, 4, 7)

	u.SetMax(0)
	if u.Len() != 0 {
		t.Fatalf("%d unions kept with no room", u.Len())
	}
	check("no room", rows, 1, 2, 3, 5)
	var none *Unions
	if got := none.Union(DimVersion, "1.0.0", 1, 5, rows); got.GetCardinality() != 4 {
		t.Fatalf("a nil cache: %v", got.ToArray())
	}
}

// TestUnionsStayWithinTheirBound: however many windows are read, the
// unions kept stay within the bound, the least recently used going first.
func TestUnionsStayWithinTheirBound(t *testing.T) {
	u := &Unions{}
	u.SetMax(4000)
	rows := []*Row{versioned(1, 10, 1, 2, 3), versioned(2, 20, 4), versioned(3, 30, 5)}
	for to := Day(5); to < 200; to++ {
		u.Union(DimVersion, "1.0.0", 1, to, rows)
		if u.size > u.max {
			t.Fatalf("window ending %d: %d bytes kept, bound %d", to, u.size, u.max)
		}
	}
	if _, ok := u.entries[unionKey{dim: DimVersion, key: "1.0.0", from: 1, to: 199}]; !ok {
		t.Fatal("the newest union was evicted")
	}
}
