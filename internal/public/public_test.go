package public_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/public"
	"github.com/indexpilot/indexpilot-telemetry/internal/public/publictest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// fleet is a made-up period: each installation's newest version, its
// features, algorithms, PostgreSQL versions, OS and active weeks.
type fleet struct {
	n                       int
	version                 []string
	features, algos, pg, os [][]string
	weeks                   int
	activeWeeks             [][]int
}

// randomFleet draws a fleet with rare values (1 to 4 installations),
// near-universal ones, upgrades (two PostgreSQL versions) and quiet weeks.
func randomFleet(r *rand.Rand) fleet {
	f := fleet{n: 3 + r.IntN(120), weeks: 1 + r.IntN(13)}
	pick := func(common []string, rare string, rareP float64) string {
		if r.Float64() < rareP {
			return rare
		}
		return common[min(int(r.ExpFloat64()*1.2), len(common)-1)]
	}
	for i := range f.n {
		f.version = append(f.version, pick([]string{"1.2.0", "1.1.0", "1.0.3", "1.0.0", "0.9.1"}, "1.3.0a1", 0.03))
		var feats []string
		for j, p := range []float64{0.97, 0.6, 0.3, 0.04, 0.995} {
			if r.Float64() < p {
				feats = append(feats, fmt.Sprintf("feature_%d", j))
			}
		}
		f.features = append(f.features, feats)
		var algos []string
		for j, p := range []float64{0.9, 0.5, 0.05} {
			if r.Float64() < p {
				algos = append(algos, fmt.Sprintf("algo_%d", j))
			}
		}
		f.algos = append(f.algos, algos)
		pg := []string{pick([]string{"16", "15", "14", "13"}, "12", 0.03)}
		if r.Float64() < 0.05 {
			pg = append(pg, "17") // upgraded in the period
		}
		f.pg = append(f.pg, pg)
		f.os = append(f.os, []string{pick([]string{"linux", "darwin", "windows"}, "freebsd", 0.04)})
		var weeks []int
		for w := range f.weeks {
			if r.Float64() < 0.92 || w == i%f.weeks {
				weeks = append(weeks, w)
			}
		}
		f.activeWeeks = append(f.activeWeeks, weeks)
	}
	return f
}

// cohorts builds what dashboard.Cohorts would read for f's weeks from
// fromWeek on.
func (f fleet) cohorts(fromWeek int) *dashboard.Cohorts {
	to := rollup.Day(20000)
	day0 := to - rollup.Day(7*f.weeks) + 1
	c := &dashboard.Cohorts{Period: dashboard.Period{From: day0 + rollup.Day(7*fromWeek), To: to}, Active: roaring.New()}
	activeIn := func(i int) bool {
		for _, w := range f.activeWeeks[i] {
			if w >= fromWeek {
				return true
			}
		}
		return false
	}
	group := func(values func(i int) []string) []dashboard.Cohort {
		m := map[string]*roaring.Bitmap{}
		var names []string
		for i := range f.n {
			if !activeIn(i) {
				continue
			}
			for _, v := range values(i) {
				if m[v] == nil {
					m[v] = roaring.New()
					names = append(names, v)
				}
				m[v].Add(uint32(i))
			}
		}
		var out []dashboard.Cohort
		for _, name := range names {
			out = append(out, dashboard.Cohort{Name: name, Installs: m[name]})
		}
		return out
	}
	for i := range f.n {
		if activeIn(i) {
			c.Active.Add(uint32(i))
		}
	}
	c.Versions = group(func(i int) []string { return []string{f.version[i]} })
	c.Features = group(func(i int) []string { return f.features[i] })
	c.Algorithms = group(func(i int) []string { return f.algos[i] })
	c.PostgresVersions = group(func(i int) []string { return f.pg[i] })
	c.OperatingSystems = group(func(i int) []string { return f.os[i] })
	for w := fromWeek; w < f.weeks; w++ {
		wk := dashboard.WeekCohort{To: day0 + rollup.Day(7*w+6), Installs: roaring.New()}
		wk.From = wk.To - 6
		for i := range f.n {
			for _, a := range f.activeWeeks[i] {
				if a == w {
					wk.Installs.Add(uint32(i))
				}
			}
		}
		c.Weeks = append(c.Weeks, wk)
	}
	return c
}

// periods are f's cohorts over its last week, its last four weeks and
// all of it, as the page publishes three periods a day.
func (f fleet) periods() []*dashboard.Cohorts {
	return []*dashboard.Cohorts{f.cohorts(f.weeks - 1), f.cohorts(max(f.weeks-4, 0)), f.cohorts(0)}
}

// TestNoSubtractionRevealsASmallGroup runs the attack on many random
// fleets, for several k.
func TestNoSubtractionRevealsASmallGroup(t *testing.T) {
	hidden, withheld, published := 0, 0, 0
	for seed := range uint64(250) {
		f := randomFleet(rand.New(rand.NewPCG(seed, 16)))
		cs := f.periods()
		for _, k := range []int{3, 5, 8} {
			ss := public.PublishAll(cs, k)
			publictest.Attack(t, cs, ss)
			for _, s := range ss {
				if s.ActiveInstallations == nil {
					withheld++
					continue
				}
				published++
				for _, b := range []public.Breakdown{s.Versions, s.OperatingSystems} {
					if len(b) > 0 && b[len(b)-1].Other {
						hidden++
					}
				}
			}
		}
	}
	t.Logf("%d periods published, %d withheld; %d version or OS breakdowns with an Other", published, withheld, hidden)
	if hidden < 1000 || withheld < 100 || published < 1000 {
		t.Errorf("the fleets do not test the rule: %d published, %d withheld, %d breakdowns with an Other", published, withheld, hidden)
	}
}

// TestSmallVersionAndOSMergedIntoOther: a version run by 3 installations
// and an OS reported by 4 are not shown (k = 5) and land in Other, with
// enough others to reach k.
func TestSmallVersionAndOSMergedIntoOther(t *testing.T) {
	f := fleet{n: 40, weeks: 2}
	for i := range f.n {
		v, os := "1.2.0", "linux"
		switch {
		case i < 3:
			v = "1.3.0a1"
		case i < 10:
			v = "1.1.0"
		}
		if i >= 36 {
			os = "freebsd"
		} else if i >= 28 {
			os = "darwin"
		}
		f.version = append(f.version, v)
		f.os = append(f.os, []string{os})
		f.features = append(f.features, []string{"auto_indexing"})
		f.algos = append(f.algos, nil)
		f.pg = append(f.pg, []string{"16"})
		f.activeWeeks = append(f.activeWeeks, []int{0, 1})
	}
	c := f.cohorts(0)
	s := public.Publish(c, 5)
	publictest.Attack(t, []*dashboard.Cohorts{c}, []*public.Summary{s})
	// An Other of 3 or 4 would be under k too: the next smallest cell
	// (1.1.0 with 7, darwin with 8) joins it.
	want := map[string]string{"versions": "1.2.0=30 (other)=10", "os": "linux=28 (other)=12"}
	for name, b := range map[string]public.Breakdown{"versions": s.Versions, "os": s.OperatingSystems} {
		got := ""
		for i, cell := range b {
			if i > 0 {
				got += " "
			}
			got += fmt.Sprintf("%s=%d", cell.Name, cell.Installations)
		}
		if got != want[name] {
			t.Errorf("%s: %s, want %s", name, got, want[name])
		}
	}
	if s.Features[0].Name != "auto_indexing" || s.Features[0].Installations != 40 || len(s.Features) != 1 {
		t.Errorf("a feature all use is published whole: %+v", s.Features)
	}
}

// TestTooFewInstallationsPublishNothing: under k active installations,
// only the period is published.
func TestTooFewInstallationsPublishNothing(t *testing.T) {
	f := randomFleet(rand.New(rand.NewPCG(1, 2)))
	f.n = 4
	s := public.Publish(f.cohorts(0), 5)
	if s.ActiveInstallations != nil || len(s.Versions) != 0 || len(s.Weekly) != 0 || s.K != 5 || s.Withheld != public.WithheldFew {
		t.Fatalf("%+v", s)
	}
	if s := public.Publish(f.cohorts(0), 1); s.K != public.MinK || s.ActiveInstallations == nil {
		t.Fatalf("k below the minimum: %+v", s)
	}
}
