package dashboard

import (
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// ActiveWindow is the baseline design's "active installation" window, in days, and
// the default period of every view: the stats, the trends and the
// overview page.
const ActiveWindow = 30

// MaxTrendDays bounds the length of a period a reader may ask for: a year
// and a day, so that a year ending on any day fits.
const MaxTrendDays = 366

// MaxOverviewDays bounds the length of an overview period.
const MaxOverviewDays = MaxTrendDays

// Period is a span of whole UTC days, both ends included.
type Period struct {
	From, To rollup.Day
}

// LastDays returns the n days ending on now's day (today, in progress).
func LastDays(now time.Time, n int) Period {
	return EndingOn(rollup.DayOf(now), n)
}

// LastCompleteDays returns the n whole UTC days that end the day before
// now's: figures that do not change while today's reports arrive.
func LastCompleteDays(now time.Time, n int) Period {
	return EndingOn(rollup.DayOf(now)-1, n)
}

// EndingOn returns the n days ending on day to.
func EndingOn(to rollup.Day, n int) Period {
	return Period{From: to - rollup.Day(n) + 1, To: to}
}

// WeekOf returns the ISO 8601 week (Monday to Sunday, UTC) that holds d.
func WeekOf(d rollup.Day) Period {
	sinceMonday := (d + 3) % 7 // day 0, 1970-01-01, was a Thursday
	if sinceMonday < 0 {
		sinceMonday += 7
	}
	return Period{From: d - sinceMonday, To: d - sinceMonday + 6}
}

// ISOWeek returns the ISO 8601 year and week number of the week that
// starts p (as time.Time.ISOWeek gives them), for naming a WeekOf period.
func (p Period) ISOWeek() (year, week int) { return p.From.Time().ISOWeek() }

// Days returns the number of days in p.
func (p Period) Days() int { return int(p.To-p.From) + 1 }

// Previous returns the period of the same length that ends the day before p.
func (p Period) Previous() Period {
	n := rollup.Day(p.Days())
	return Period{From: p.From - n, To: p.To - n}
}

// Contains reports whether day d is in p.
func (p Period) Contains(d rollup.Day) bool { return d >= p.From && d <= p.To }

// Index returns the position of day d in p, from 0 for p.From: the index
// of d in every per-day series of p.
func (p Period) Index(d rollup.Day) int { return int(d - p.From) }

// DayNames returns every day of p as YYYY-MM-DD, oldest first: the x
// axis of its per-day series.
func (p Period) DayNames() []string {
	out := make([]string, 0, p.Days())
	for d := p.From; d <= p.To; d++ {
		out = append(out, d.String())
	}
	return out
}
