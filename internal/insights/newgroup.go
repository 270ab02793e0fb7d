package insights

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// NewGroupParams say when an error group is new enough, and common
// enough, to announce (Sentry's most used alert: "a new issue").
type NewGroupParams struct {
	// Days: a group whose first report is within the last Days UTC days
	// (today included) is new.
	Days int
	// MinInstallations: a new group is announced once this many distinct
	// installations reported it within one UTC day; one installation's
	// odd failure is not news.
	MinInstallations int
}

// DefaultNewGroupParams returns the documented parameters.
func DefaultNewGroupParams() NewGroupParams { return NewGroupParams{Days: 2, MinInstallations: 3} }

// NewGroup is an error group never seen before the last days.
type NewGroup struct {
	Fingerprint string    `json:"fingerprint"`
	ErrorType   string    `json:"error_type"`
	Message     string    `json:"message"` // scrubbed, as stored
	Culprit     string    `json:"culprit"`
	FirstSeen   time.Time `json:"first_seen"`
	// Installations is the most installations that reported it on one
	// day; Reports counts its reports in the last days.
	Installations uint64   `json:"installations"`
	Reports       int64    `json:"reports"`
	Versions      []string `json:"versions"`
}

// NewErrorGroups returns the groups first seen in the last days that
// enough installations reported within a day, most installations first.
func (h *Health) NewErrorGroups(ctx context.Context, now time.Time) ([]NewGroup, error) {
	p := h.NewGroups
	to := today(now)
	from := to - rollup.Day(p.Days) + 1
	w, err := h.Model.Store.ErrorWindow(ctx, store.ErrorQuery{From: from, To: to, Groups: true})
	if err != nil {
		return nil, fmt.Errorf("insights: read error groups: %w", err)
	}
	type acc struct {
		byDay    map[rollup.Day]*roaring.Bitmap
		reports  int64
		versions map[string]bool
	}
	accs := map[string]*acc{}
	for _, d := range w.Days {
		g := w.Groups[d.Fingerprint]
		if g == nil || rollup.DayOf(g.FirstSeen) < from {
			continue
		}
		a := accs[d.Fingerprint]
		if a == nil {
			a = &acc{byDay: map[rollup.Day]*roaring.Bitmap{}, versions: map[string]bool{}}
			accs[d.Fingerprint] = a
		}
		if a.byDay[d.Day] == nil {
			a.byDay[d.Day] = roaring.New()
		}
		a.byDay[d.Day].Or(d.Installs)
		a.reports += d.Reports
		a.versions[d.Version] = true
	}
	out := []NewGroup{}
	for fp, a := range accs {
		var most uint64
		for _, b := range a.byDay {
			most = max(most, b.GetCardinality())
		}
		if most < uint64(p.MinInstallations) {
			continue
		}
		g := w.Groups[fp]
		out = append(out, NewGroup{Fingerprint: fp, ErrorType: g.ErrorType, Message: g.Message, Culprit: g.Culprit,
			FirstSeen: g.FirstSeen, Installations: most, Reports: a.reports, Versions: slices.Sorted(maps.Keys(a.versions))})
	}
	slices.SortFunc(out, func(a, b NewGroup) int {
		return cmp.Or(cmp.Compare(b.Installations, a.Installations), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	return out, nil
}
