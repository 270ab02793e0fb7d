package dashboard

import (
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// day returns a rollup row of dim and key on day d with the installations
// nums, reports and a performance sum, as ingest would keep it.
func day(d rollup.Day, dim, key string, reports, perfSum, perfN int64, nums ...uint32) *rollup.Row {
	r := rollup.NewRow(rollup.Key{Day: d, Dim: dim, Key: key})
	r.Reports, r.PerfSum, r.PerfN = reports, perfSum, perfN
	r.Installs = roaring.BitmapOf(nums...)
	r.InstallsN = int64(len(nums))
	return r
}

func TestWeekOf(t *testing.T) {
	for _, c := range []struct{ day, monday string }{
		{"2026-11-20", "2026-11-16"}, // a Friday
		{"2026-11-16", "2026-11-16"}, // a Monday
		{"2026-11-22", "2026-11-16"}, // a Sunday ends the ISO week
		{"1970-01-01", "1969-12-29"}, // day 0, a Thursday
		{"1969-12-28", "1969-12-22"}, // a Sunday before day 0
		{"2021-01-03", "2020-12-28"}, // ISO week 53 of 2020
	} {
		d, _ := time.Parse(time.DateOnly, c.day)
		w := WeekOf(rollup.DayOf(d))
		if w.From.String() != c.monday || w.Days() != 7 {
			t.Errorf("WeekOf(%s) = %s to %s, want the week from %s", c.day, w.From, w.To, c.monday)
		}
	}
	d, _ := time.Parse(time.DateOnly, "2021-01-03")
	if y, n := WeekOf(rollup.DayOf(d)).ISOWeek(); y != 2020 || n != 53 {
		t.Errorf("ISOWeek = %d-W%d, want 2020-W53", y, n)
	}
}

func TestPeriods(t *testing.T) {
	now := time.Date(2026, 11, 20, 23, 59, 0, 0, time.UTC)
	today := rollup.DayOf(now)
	if p := LastDays(now, 7); p.From != today-6 || p.To != today || p.Days() != 7 {
		t.Errorf("LastDays = %+v", p)
	}
	if p := LastCompleteDays(now, 7); p.To != today-1 || p.Days() != 7 {
		t.Errorf("LastCompleteDays = %+v", p)
	}
	if p := (Period{From: 10, To: 16}).Previous(); p != (Period{From: 3, To: 9}) {
		t.Errorf("Previous = %+v", p)
	}
	if n := (Period{From: 10, To: 12}).DayNames(); len(n) != 3 || n[0] != rollup.Day(10).String() {
		t.Errorf("DayNames = %q", n)
	}
}

// TestWindow checks the window's unions, sums and series on rows worked
// out by hand: installations 1 and 2 on day 10, 2 and 3 on day 12, of a
// window of days 10 to 12.
func TestWindow(t *testing.T) {
	w := NewWindow(Period{From: 10, To: 12}, []*rollup.Row{
		day(12, rollup.DimAll, "", 3, 0, 0, 2, 3),
		day(10, rollup.DimAll, "", 2, 300_000, 2, 1, 2),
		day(9, rollup.DimAll, "", 5, 0, 0, 9), // before the window: left out
		day(10, rollup.DimFeature, "b", 1, 0, 0, 1),
		day(12, rollup.DimFeature, "a", 2, 0, 0, 2, 3),
		day(10, rollup.DimFeature, "a", 1, 0, 0, 2),
	})
	if got := w.Active().ToArray(); !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Errorf("Active = %v", got)
	}
	if c := w.Sum(rollup.DimAll, ""); c.Reports != 5 || c.PerfSum != 300_000 {
		t.Errorf("Sum = %+v", c)
	}
	if c := w.SumDuring(rollup.DimAll, "", Period{From: 12, To: 12}); c.Reports != 3 {
		t.Errorf("SumDuring = %+v", c)
	}
	if got := w.Installations(rollup.DimAll, ""); !slices.Equal(got, []int64{2, 0, 2}) {
		t.Errorf("Installations = %v", got)
	}
	if got := w.Counts(rollup.DimAll, ""); got[0].Reports != 2 || got[1].Reports != 0 || got[2].Reports != 3 {
		t.Errorf("Counts = %+v", got)
	}
	// Day 10: 1 of 2 installations used b, 1 of 2 used a; day 12: 2 of 2 a.
	if got := w.Shares(rollup.DimFeature, "a"); !slices.Equal(got, []float64{50, 0, 100}) {
		t.Errorf("Shares = %v", got)
	}
	if got := w.Improvement(rollup.DimAll, ""); got[0] == nil || *got[0] != 15 || got[1] != nil || got[2] != nil {
		t.Errorf("Improvement = %v", got)
	}
	// a: installations 2 and 3 of 3; b: installation 1.
	one, two, three := 1.0, 2.0, 3.0 // float64 arithmetic, as Pct does it
	want := []Adoption{{"a", 2, two / three * 100}, {"b", 1, one / three * 100}}
	if got := w.Adoption(rollup.DimFeature, 3); !slices.Equal(got, want) {
		t.Errorf("Adoption = %+v, want %+v", got, want)
	}
	if d, ok := w.FirstDay(rollup.DimFeature, "a"); !ok || d != 10 {
		t.Errorf("FirstDay = %v %v", d, ok)
	}
	// Installation 3 is new on day 12.
	if got := w.FirstIn(rollup.DimAll, "", Period{From: 11, To: 12}).ToArray(); !slices.Equal(got, []uint32{3}) {
		t.Errorf("FirstIn = %v", got)
	}
	// Seen from feature b's installation: it reported on day 10 only.
	within := w.Within(rollup.DimFeature, "b")
	if got := within.Installs(rollup.DimFeature, "a").ToArray(); len(got) != 0 {
		t.Errorf("Within(b): a's installations %v, want none (1 did not use a)", got)
	}
	if got := within.Installs(rollup.DimAll, "").ToArray(); !slices.Equal(got, []uint32{1}) {
		t.Errorf("Within(b): active %v", got)
	}
}

// TestVersions checks the version groups and the newest version per day:
// installation 1 runs 1.0 then upgrades to 1.1 on day 2 (reporting both),
// installation 2 runs 1.0, installation 3 runs 0.9.
func TestVersions(t *testing.T) {
	w := NewWindow(Period{From: 1, To: 2}, []*rollup.Row{
		day(1, rollup.DimAll, "", 3, 0, 0, 1, 2, 3),
		day(2, rollup.DimAll, "", 3, 0, 0, 1, 2),
		day(1, rollup.DimVersion, "1.0", 2, 0, 0, 1, 2),
		day(1, rollup.DimVersion, "0.9", 1, 0, 0, 3),
		day(2, rollup.DimVersion, "1.0", 2, 0, 0, 1, 2),
		day(2, rollup.DimVersion, "1.1", 1, 0, 0, 1),
	})
	if got := w.VersionsNewestFirst(); !slices.Equal(got, []string{"1.1", "1.0", "0.9"}) {
		t.Errorf("VersionsNewestFirst = %q", got)
	}
	var names []string
	for _, c := range w.NewestVersions() {
		names = append(names, c.Name+":"+c.Installs.String())
	}
	if !slices.Equal(names, []string{"1.1:{1}", "1.0:{2}", "0.9:{3}"}) {
		t.Errorf("NewestVersions = %q", names)
	}
	// 1.0 has 4 installation-days, 0.9 and 1.1 one each: with 2 named, 1.0
	// and 0.9 (the first of the tie in key order) by name.
	groups := w.VersionGroups(2)
	if len(groups) != 3 || groups[0].Name != "1.0" || groups[1].Name != "0.9" || groups[2].Name != OtherVersions ||
		!slices.Equal(groups[2].Versions, []string{"1.1"}) {
		t.Fatalf("VersionGroups = %+v", groups)
	}
	// Day 2: installation 1 counts under 1.1 (other versions), 2 under 1.0.
	if got := w.NewestByDay(groups); !slices.Equal(got[0], []int64{2, 1}) || !slices.Equal(got[1], []int64{1, 0}) ||
		!slices.Equal(got[2], []int64{0, 1}) {
		t.Errorf("NewestByDay = %v", got)
	}
}

// TestSquaresKept checks when a spread may be computed: cert's rows carry
// improvements with their squares (15 % and 5 %: 15² + 5² = 250), or no
// improvement; qpg's second day was written before the rollups kept
// squares.
func TestSquaresKept(t *testing.T) {
	cert := day(10, rollup.DimDecision, "cert", 2, 200_000, 2)
	cert.PerfSumSq = 250 * rollup.PerfSqScale
	qpg := day(10, rollup.DimDecision, "qpg", 1, 100_000, 1)
	qpg.PerfSumSq = 100 * rollup.PerfSqScale
	w := NewWindow(Period{From: 10, To: 11}, []*rollup.Row{
		cert, qpg,
		day(11, rollup.DimDecision, "cert", 1, 0, 0),      // no improvement reported: nothing to square
		day(11, rollup.DimDecision, "qpg", 1, 200_000, 1), // an improvement without its square
	})
	for _, c := range []struct {
		key  string
		want bool
	}{{"cert", true}, {"qpg", false}, {"absent", true}} {
		if got := w.SquaresKept(rollup.DimDecision, c.key); got != c.want {
			t.Errorf("SquaresKept(%s) = %v, want %v", c.key, got, c.want)
		}
	}
	if c := w.Sum(rollup.DimDecision, "cert"); c.PerfSumSq != 250*rollup.PerfSqScale || c.PerfN != 2 {
		t.Errorf("Sum(cert) = %+v", c)
	}
}
