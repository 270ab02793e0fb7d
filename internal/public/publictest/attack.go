// Package publictest checks public summaries the way an attacker would
// read them: every test of the public page (package public, the server's
// API) runs Attack on what it got, with the true cohorts it knows.
package publictest

import (
	"fmt"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/public"
)

// group is a set of installations the attacker knows the size of.
type group struct {
	what string
	set  *roaring.Bitmap
}

// Attack plays an attacker who has the summaries ss, published together
// (the periods of one day), and knows every set relation among their
// figures (which nest, which are disjoint). It derives every group that
// subtracting one figure from another, adding version cells and
// subtracting such sums from the total reveal, and fails t for any such
// group of 1 to k-1 installations (so for any group under k of the input,
// cs, that is published or revealed) and for a published number that is
// not the size of its group in cs, the true cohorts of each period.
func Attack(t testing.TB, cs []*dashboard.Cohorts, ss []*public.Summary) {
	t.Helper()
	k := uint64(ss[0].K)
	var published []group
	for i, s := range ss {
		pub, sums := publishedGroups(t, cs[i], s)
		published = append(published, pub...)
		for _, g := range append(sums, pub...) {
			if n := g.set.GetCardinality(); n > 0 && n < k {
				t.Fatalf("k=%d: %q reveals a group of %d installations", k, g.what, n)
			}
		}
	}
	for _, a := range published {
		na := a.set.GetCardinality()
		for _, b := range published {
			// a ⊆ b: b minus a is a group of |b| - |a|.
			if nb := b.set.GetCardinality(); nb > na && nb-na < k && a.set.AndCardinality(b.set) == na {
				t.Fatalf("k=%d: %q minus %q reveals a group of %d installations", k, b.what, a.what, nb-na)
			}
		}
	}
}

// publishedGroups checks that every number of s is the size of its group
// in c and returns the groups, and the sums of disjoint version cells and
// the total minus each.
func publishedGroups(t testing.TB, c *dashboard.Cohorts, s *public.Summary) (published, sums []group) {
	t.Helper()
	k := uint64(s.K)
	active := c.Active.GetCardinality()
	if s.ActiveInstallations == nil {
		if s.Withheld == "" || (active >= k && s.Withheld == public.WithheldFew) ||
			len(s.Versions)+len(s.Features)+len(s.Weekly) > 0 {
			t.Fatalf("%d days: withheld with %d active installations (%q), or something published anyway: %+v", s.Days, active, s.Withheld, s)
		}
		return nil, nil
	}
	if *s.ActiveInstallations != active {
		t.Fatalf("%d days: %d active installations published, %d true", s.Days, *s.ActiveInstallations, active)
	}
	period := fmt.Sprintf("%d days: ", s.Days)
	published = []group{{period + "total", c.Active}}
	var versionCells []*roaring.Bitmap
	for bi, bd := range []struct {
		b     public.Breakdown
		cells []dashboard.Cohort
	}{{s.Versions, c.Versions}, {s.Features, c.Features}, {s.Algorithms, c.Algorithms},
		{s.PostgresVersions, c.PostgresVersions}, {s.OperatingSystems, c.OperatingSystems}} {
		cells := breakdownGroups(t, c, bd.b, bd.cells, period)
		if bi == 0 {
			var sum uint64
			for _, g := range cells {
				versionCells = append(versionCells, g.set)
				sum += g.set.GetCardinality()
			}
			if sum != active {
				t.Fatalf("%sversions add up to %d, the total is %d", period, sum, active)
			}
		}
		published = append(published, cells...)
	}
	for i, w := range s.Weekly {
		if w.Installations != nil {
			set := roaring.And(c.Weeks[i].Installs, c.Active)
			if set.GetCardinality() != *w.Installations {
				t.Fatalf("%sweek %s: published %d, true %d", period, w.To, *w.Installations, set.GetCardinality())
			}
			published = append(published, group{period + "week " + w.To, set})
		}
	}
	// The version cells are disjoint: every sum of them, and the total
	// minus every sum.
	if n := len(versionCells); n <= 12 {
		for mask := 1; mask < 1<<n; mask++ {
			u := roaring.New()
			for i := range n {
				if mask&(1<<i) != 0 {
					u.Or(versionCells[i])
				}
			}
			sums = append(sums, group{fmt.Sprintf("%sversions %b", period, mask), u},
				group{fmt.Sprintf("%stotal minus versions %b", period, mask), roaring.AndNot(c.Active, u)})
		}
	}
	return published, sums
}

// breakdownGroups returns the groups of one published breakdown, checked
// against the true cohorts: each named cell's, and Other's (the active
// installations in no named cell), which must be published when not
// empty.
func breakdownGroups(t testing.TB, c *dashboard.Cohorts, b public.Breakdown, cohorts []dashboard.Cohort, period string) []group {
	t.Helper()
	var out []group
	union := roaring.New()
	for _, cell := range b {
		if cell.Other {
			continue
		}
		var set *roaring.Bitmap
		for _, co := range cohorts {
			if co.Name == cell.Name {
				set = roaring.And(co.Installs, c.Active)
			}
		}
		if set == nil || set.GetCardinality() != cell.Installations {
			t.Fatalf("%s%s: published %d, the cohort has %v", period, cell.Name, cell.Installations, set)
		}
		union.Or(set)
		out = append(out, group{period + cell.Name, set})
	}
	rest := roaring.AndNot(c.Active, union)
	last := len(b) - 1
	switch {
	case last >= 0 && b[last].Other:
		if b[last].Installations != rest.GetCardinality() {
			t.Fatalf("%sOther = %d, the rest is %d", period, b[last].Installations, rest.GetCardinality())
		}
		out = append(out, group{period + "other", rest})
	case !rest.IsEmpty():
		t.Fatalf("%s%d installations in no cell and no Other published", period, rest.GetCardinality())
	}
	return out
}
