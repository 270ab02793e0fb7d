package errorgroup

import (
	"cmp"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Group is one error group over a window of days: its sample, its counts
// in the window (exact distinct installations, from bitmaps), and its
// all-time counts.
type Group struct {
	Fingerprint           string         `json:"fingerprint"`
	ErrorType             string         `json:"error_type"`
	SQLState              string         `json:"sqlstate"`
	Message               string         `json:"message"` // the first report's, scrubbed
	Culprit               string         `json:"culprit"`
	FirstSeen             time.Time      `json:"first_seen"`
	LastSeen              time.Time      `json:"last_seen"`
	Count                 int64          `json:"count"`
	InstallationsAffected uint64         `json:"installations_affected"`
	TotalCount            int64          `json:"total_count"`
	TotalInstallations    uint64         `json:"total_installations_affected"`
	Versions              []VersionCount `json:"versions"` // newest version first
	Days                  []DayCount     `json:"days"`     // days with reports, oldest first
}

// VersionCount is a group's reports of one version in the window.
type VersionCount struct {
	Version       string `json:"version"`
	Count         int64  `json:"count"`
	Installations uint64 `json:"installations"`
}

// DayCount is a group's reports of one day.
type DayCount struct {
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

// Summarize returns the groups of w that have reports of version (every
// version when empty), the most frequent first.
func Summarize(w *store.ErrorWindow, version string) []Group {
	type acc struct {
		g        Group
		installs *roaring.Bitmap
		versions map[string]*roaring.Bitmap
		counts   map[string]int64
	}
	byFP := map[string]*acc{}
	var order []string
	for _, d := range w.Days {
		if version != "" && d.Version != version {
			continue
		}
		a, ok := byFP[d.Fingerprint]
		if !ok {
			a = &acc{installs: roaring.New(), versions: map[string]*roaring.Bitmap{}, counts: map[string]int64{}}
			byFP[d.Fingerprint] = a
			order = append(order, d.Fingerprint)
		}
		a.g.Count += d.Reports
		a.installs.Or(d.Installs)
		if a.versions[d.Version] == nil {
			a.versions[d.Version] = roaring.New()
		}
		a.versions[d.Version].Or(d.Installs)
		a.counts[d.Version] += d.Reports
		day := d.Day.String()
		if n := len(a.g.Days); n > 0 && a.g.Days[n-1].Day == day { // w.Days is in day order
			a.g.Days[n-1].Count += d.Reports
		} else {
			a.g.Days = append(a.g.Days, DayCount{Day: day, Count: d.Reports})
		}
	}
	out := make([]Group, 0, len(order))
	for _, fp := range order {
		a := byFP[fp]
		g := a.g
		g.Fingerprint, g.InstallationsAffected = fp, a.installs.GetCardinality()
		if s, ok := w.Groups[fp]; ok {
			g.ErrorType, g.SQLState, g.Message, g.Culprit = s.ErrorType, s.SQLState, s.Message, s.Culprit
			g.FirstSeen, g.LastSeen, g.TotalCount = s.FirstSeen, s.LastSeen, s.Reports
			g.TotalInstallations = s.Installs.GetCardinality()
		}
		for v, b := range a.versions {
			g.Versions = append(g.Versions, VersionCount{Version: v, Count: a.counts[v], Installations: b.GetCardinality()})
		}
		slices.SortFunc(g.Versions, func(x, y VersionCount) int {
			return cmp.Or(report.CompareVersions(y.Version, x.Version), cmp.Compare(x.Version, y.Version))
		})
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(x, y Group) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(y.InstallationsAffected, x.InstallationsAffected),
			cmp.Compare(x.Fingerprint, y.Fingerprint))
	})
	return out
}
