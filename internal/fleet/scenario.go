package fleet

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Scenario plants events in the simulated fleet, for the demo and for
// tests of insights: a release of a chosen quality and adoption curve, a
// spike of one error type, a weekly rhythm of activity. The zero Scenario
// plants nothing: the fleet is exactly the one without it.
type Scenario struct {
	// Releases are extra releases, placed among the built-in ones
	// (1.0.0 … 1.1.1) by version order.
	Releases []Release
	// Spikes multiply the rate of one error type for some days.
	Spikes []ErrorSpike
	// WeekendActivity is the share of installations that report on a
	// Saturday or a Sunday, relative to a weekday (0.6: 40 % fewer); 0
	// or 1 keeps every day alike.
	WeekendActivity float64
}

// Release is an extra release and its adoption curve.
type Release struct {
	Version string
	// At places it: a share of the period (0 its first day, 1 its
	// last) or, negative, that many days before the period.
	At float64
	// ErrorMultiplier scales its installations' error rates, relative to
	// 1.0.0 (the built-in releases range from 2.6 for 1.1.0a8 to 0.5 for
	// 1.1.1); 0 means 1.
	ErrorMultiplier float64
	// Improvement is its mean performance_improvement_pct; 0: that of the
	// release before it.
	Improvement float64
	// MedianLagDays: half of the installations that take it have it this
	// many days after its release (a lognormal lag, as the built-in
	// releases' 4 days); LagSpread is the lognormal's sigma (0: 0.9).
	MedianLagDays, LagSpread float64
	// Share is the share of installations that ever take it (0: all but
	// the few that pin their version).
	Share float64
}

// ErrorSpike multiplies the rate of one error type for Days days from
// Day, a day of the period (0 its first; negative counts back from its
// last day, -1).
type ErrorSpike struct {
	Type       string
	Day, Days  int
	Multiplier float64
}

// validate checks s against a period of days days.
func (s Scenario) validate() error {
	for _, r := range s.Releases {
		if !validVersion(r.Version) {
			return fmt.Errorf("fleet: scenario release %q is not a version", r.Version)
		}
		if slices.ContainsFunc(releases, func(b release) bool { return b.version == r.Version }) {
			return fmt.Errorf("fleet: scenario release %s is a built-in release", r.Version)
		}
		if r.At > 1 || r.ErrorMultiplier < 0 || r.Share < 0 || r.Share > 1 || r.MedianLagDays < 0 {
			return fmt.Errorf("fleet: scenario release %s: at ≤ 1, error multiplier ≥ 0, 0 ≤ share ≤ 1, lag ≥ 0", r.Version)
		}
	}
	for _, sp := range s.Spikes {
		if !slices.ContainsFunc(errorTypes, func(e errorType) bool { return e.name == sp.Type }) {
			return fmt.Errorf("fleet: scenario spike of %q: not one of the simulated error types", sp.Type)
		}
		if sp.Days < 1 || sp.Multiplier < 0 {
			return errors.New("fleet: scenario spike: days ≥ 1 and multiplier ≥ 0")
		}
	}
	if s.WeekendActivity < 0 || s.WeekendActivity > 1 {
		return errors.New("fleet: scenario weekend activity must be between 0 and 1")
	}
	return nil
}

// planReleases returns the built-in releases and s's, in version order.
func (s Scenario) planReleases() []release {
	rels := slices.Clone(releases)
	for _, r := range s.Releases {
		rel := release{version: r.Version, at: r.At, extra: true, errRate: r.ErrorMultiplier, perf: r.Improvement,
			coverage: 70, lagMedian: r.MedianLagDays, lagSpread: r.LagSpread, share: r.Share}
		if rel.errRate == 0 {
			rel.errRate = 1
		}
		rels = append(rels, rel)
	}
	slices.SortStableFunc(rels, func(a, b release) int { return report.CompareVersions(a.version, b.version) })
	for i := range rels {
		if rels[i].extra && rels[i].perf == 0 && i > 0 {
			rels[i].perf, rels[i].coverage = rels[i-1].perf, rels[i-1].coverage
		}
	}
	return rels
}

// extraUpgradeDay is the day an extra release reaches an installation,
// +Inf if never.
func (rel release) extraUpgradeDay(r *rand.Rand, days int, join float64, pinned bool) float64 {
	share, median, spread := rel.share, rel.lagMedian, rel.lagSpread
	if share == 0 {
		share = 1
	}
	if median == 0 {
		median = 4
	}
	if spread == 0 {
		spread = 0.9
	}
	released := rel.day(days)
	switch {
	case r.Float64() >= share:
		return math.Inf(1)
	case join >= released:
		return join
	case pinned:
		return math.Inf(1)
	}
	return released + math.Exp(math.Log(median)+spread*r.NormFloat64())
}

// errorBoost is the multiplier of error type typ on day d of a period of
// days days.
func (s *Scenario) errorBoost(typ string, d, days int) float64 {
	m := 1.0
	for _, sp := range s.Spikes {
		from := sp.Day
		if from < 0 {
			from += days
		}
		if sp.Type == typ && d >= from && d < from+sp.Days {
			m *= sp.Multiplier
		}
	}
	return m
}

// activity is the share of installations that report on a day of the
// given weekday, relative to a weekday.
func (s *Scenario) activity(wd time.Weekday) float64 {
	if s.WeekendActivity > 0 && (wd == time.Saturday || wd == time.Sunday) {
		return s.WeekendActivity
	}
	return 1
}

// validVersion checks v against the contract's version pattern,
// ^[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$, so that every report stays valid.
func validVersion(v string) bool {
	if v == "" || len(v) > 32 {
		return false
	}
	for i, c := range v {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune(".+_-", c)) {
			return false
		}
	}
	return true
}
