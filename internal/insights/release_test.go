package insights

import (
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

func TestPrerelease(t *testing.T) {
	for v, want := range map[string]bool{"1.1.0a8": true, "1.2.0rc1": true, "2.0.0-beta.1": true, "1.3.0.dev2": true,
		"1.2.0": false, "1.2.0+build5": false, "10": false} {
		if got := prerelease(v); got != want {
			t.Errorf("prerelease(%q) = %v, want %v", v, got, want)
		}
	}
}

// fakeHistory builds a release history by hand: installations run a
// version on a span of days, with a share of their days errored.
type fakeHistory struct{ h *ReleaseHistory }

func newFakeHistory(days int) *fakeHistory {
	return &fakeHistory{h: &ReleaseHistory{Start: 0, Last: rollup.Day(days - 1), Active: map[rollup.Day]int64{},
		Versions: map[string]map[rollup.Day]*VersionDay{}, Installations: map[string]uint64{}, Reports: map[string]int64{}}}
}

// run makes installations from..to-1 report version on days first..last,
// erring on a day when (installation+day) % every == 0.
func (f *fakeHistory) run(version string, from, to uint32, first, last rollup.Day, every uint32) {
	if f.h.Versions[version] == nil {
		f.h.Versions[version] = map[rollup.Day]*VersionDay{}
	}
	for d := first; d <= last; d++ {
		vd := f.h.Versions[version][d]
		if vd == nil {
			vd = &VersionDay{Day: d, Reported: roaring.New(), Errored: roaring.New(), ErrorTypes: map[string]int64{}}
			f.h.Versions[version][d] = vd
		}
		for i := from; i < to; i++ {
			vd.Reported.Add(i)
			vd.Counters.Reports++
			if (i+uint32(d))%every == 0 {
				vd.Errored.Add(i)
				vd.Counters.ErrorReports++
				vd.Counters.Errors++
				vd.ErrorTypes["OperationalError"]++
			}
			f.h.Active[d]++
		}
		vd.Installs = int64(vd.Reported.GetCardinality())
		f.h.Reports[version] += int64(to - from)
	}
	f.h.Installations[version] += uint64(to - from)
}

func evaluateFake(f *fakeHistory) map[string]Release {
	p := DefaultReleaseParams()
	out := map[string]Release{}
	for _, r := range p.Plan(f.h).Evaluate(f.h) {
		out[r.Version] = r
	}
	return out
}

// TestReleasePredecessors: a version is compared with the latest earlier
// adopted version not itself recommended for rollback — by age when both
// came out within the history, by calendar days otherwise — and a
// pre-release may be compared with a stable release but not the other
// way round.
func TestReleasePredecessors(t *testing.T) {
	f := newFakeHistory(60)
	// 1.0.0 came out before the history; 10 % of days errored. Its
	// installations move on to later versions.
	f.run("1.0.0", 0, 100, 0, 19, 10)
	f.run("1.0.0", 100, 160, 0, 39, 10)
	f.run("1.0.0", 160, 170, 0, 54, 10)
	f.run("1.0.0", 170, 200, 0, 59, 10)
	f.run("1.1.0", 0, 100, 20, 29, 2)      // 50 %: a rollback
	f.run("1.1.1", 0, 100, 30, 59, 10)     // fixed
	f.run("1.2.0", 100, 160, 40, 59, 10)   //
	f.run("1.3.0rc1", 160, 170, 55, 59, 2) // a bad pre-release on 10 installations
	rs := evaluateFake(f)
	want := []struct {
		version, stage, rec, baseline, alignment string
	}{
		{"1.0.0", StageAdopted, Continue, "", ""},
		{"1.1.0", StageReplaced, Rollback, "1.0.0", "calendar"},
		{"1.1.1", StageAdopted, Continue, "1.0.0", "calendar"},
		{"1.2.0", StageAdopted, Continue, "1.1.1", "age"},
		{"1.3.0rc1", StageNew, Monitor, "1.2.0", "age"},
	}
	for _, w := range want {
		r := rs[w.version]
		align := ""
		if r.Baseline != nil {
			align = r.Baseline.Alignment
		}
		if r.Stage != w.stage || r.Recommendation != w.rec || r.BaselineVersion != w.baseline || align != w.alignment {
			t.Errorf("%s: stage %s, %s against %q (%s); want %s, %s against %q (%s)\n%s", w.version, r.Stage, r.Recommendation,
				r.BaselineVersion, align, w.stage, w.rec, w.baseline, w.alignment, strings.Join(r.Reasons, "\n"))
		}
	}
	if r := rs["1.2.0"]; r.Baseline.From != "1970-01-31" || r.CompareFrom != "1970-02-10" || r.ComparedInstallations != 60 {
		t.Errorf("1.2.0 compared from %s with 1.1.1 from %s, %d installations; want days of age: 1970-02-10 and 1970-01-31, 60",
			r.CompareFrom, r.Baseline.From, r.ComparedInstallations)
	}
	if r := rs["1.3.0rc1"]; !strings.Contains(strings.Join(r.Reasons, " "), "only 10 installations") {
		t.Errorf("1.3.0rc1 looks worse on 10 installations; reasons: %v", r.Reasons)
	}
	if r := rs["1.1.0"]; r.ErrorFreeInstallations == nil || *r.ErrorFreeInstallations != 0 || r.ErrorsPerReport["OperationalError"] != 0.5 {
		t.Errorf("1.1.0: error-free installations %v, errors per report %v", r.ErrorFreeInstallations, r.ErrorsPerReport)
	}
	if r := rs["1.0.0"]; len(r.ByAge) != 0 || r.Adoption != 0.15 {
		t.Errorf("1.0.0, out before the history: %d days of age, adoption %v (want none and 0.15)", len(r.ByAge), r.Adoption)
	}
}

// TestReleasePromote: a version on few installations, no worse than its
// predecessor over enough days, is recommended for promotion; with too
// few days, monitoring says how much more it needs.
func TestReleasePromote(t *testing.T) {
	f := newFakeHistory(40)
	f.run("1.0.0", 0, 400, 0, 39, 10)
	f.run("1.1.0", 400, 430, 12, 39, 10) // 30 installations of 430: 7 %
	r := evaluateFake(f)["1.1.0"]
	if r.Stage != StageNew || r.Recommendation != Promote {
		t.Errorf("1.1.0: %s, %s; want new, promote\n%s", r.Stage, r.Recommendation, strings.Join(r.Reasons, "\n"))
	}
	f = newFakeHistory(40)
	f.run("1.0.0", 0, 400, 0, 39, 10)
	f.run("1.1.0", 400, 430, 38, 39, 10)
	r = evaluateFake(f)["1.1.0"]
	if r.Recommendation != Monitor || !strings.Contains(strings.Join(r.Reasons, " "), "more installation-days") {
		t.Errorf("1.1.0 after two days: %s; want monitor saying what more it needs\n%s", r.Recommendation, strings.Join(r.Reasons, "\n"))
	}
}

// A version no longer reported lately still gets its verdict (and no
// installations-a-day figure).
func TestReleaseNotReportedLately(t *testing.T) {
	f := newFakeHistory(40)
	f.run("1.0.0", 0, 400, 0, 39, 10)
	f.run("1.1.0", 400, 410, 30, 33, 10)
	r := evaluateFake(f)["1.1.0"]
	if r.Recommendation != Monitor || len(r.Reasons) < 2 || strings.Contains(strings.Join(r.Reasons, " "), "installations a day") {
		t.Errorf("1.1.0, last reported 6 days ago: %s\n%s", r.Recommendation, strings.Join(r.Reasons, "\n"))
	}
}

// improve gives the reports of version by installations from..to-1 on
// days first..last an improvement of mean plus the installation's own
// offset (−2 to +2 points), with the sums of squares the rollups keep.
func (f *fakeHistory) improve(version string, from, to uint32, first, last rollup.Day, mean float64) {
	for d := first; d <= last; d++ {
		vd := f.h.Versions[version][d]
		for i := from; i < to; i++ {
			x := mean + float64(int(i%5)-2)
			vd.Counters.PerfSum += int64(x * rollup.PctScale)
			vd.Counters.PerfN++
			vd.PerfSumSq += x * x
		}
	}
}

// TestReleaseImprovement: a version that improves queries 6 points less
// than its predecessor is recommended for rollback on that alone; without
// sums of squares (rollups older than that counter) the improvement is
// shown but not tested.
func TestReleaseImprovement(t *testing.T) {
	f := newFakeHistory(40)
	f.run("1.0.0", 0, 300, 0, 39, 10)
	f.run("1.1.0", 300, 400, 20, 39, 10) // the same error rate
	f.improve("1.0.0", 0, 300, 0, 39, 20)
	f.improve("1.1.0", 300, 400, 20, 39, 14)
	r := evaluateFake(f)["1.1.0"]
	if r.Recommendation != Rollback || r.Baseline.ImprovementDiff == nil || *r.Baseline.ImprovementDiff > -5.9 ||
		!strings.Contains(strings.Join(r.Reasons, " "), "improvement 2.0 points or more below") {
		t.Errorf("1.1.0, 6 points less improvement: %s\n%s", r.Recommendation, strings.Join(r.Reasons, "\n"))
	}
	for _, days := range f.h.Versions {
		for _, vd := range days {
			vd.PerfSumSq = 0
		}
	}
	r = evaluateFake(f)["1.1.0"]
	if r.Recommendation == Rollback || r.Baseline.ImprovementDiff != nil || r.AvgImprovementPct == nil || *r.AvgImprovementPct != 14 {
		t.Errorf("without sums of squares: %s, difference %v, average %v", r.Recommendation, r.Baseline.ImprovementDiff, r.AvgImprovementPct)
	}
}
