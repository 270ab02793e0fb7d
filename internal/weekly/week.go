package weekly

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// WeekError says why a week was refused: the field and the rule it
// breaks, for a 400 or a usage error.
type WeekError struct {
	Field, Rule, Message string
}

func (e *WeekError) Error() string { return e.Message }

var weekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeek reads an ISO 8601 week such as 2026-W48 and returns its days,
// Monday to Sunday. A week that has not ended before now's day is
// refused: its figures would still change.
func ParseWeek(s string, now time.Time) (dashboard.Period, error) {
	m := weekPattern.FindStringSubmatch(s)
	if m == nil {
		return dashboard.Period{}, &WeekError{Field: "week", Rule: "YYYY-Www",
			Message: fmt.Sprintf("week must be an ISO week such as 2026-W48, not %q", s)}
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	p := weekStarting(year, n)
	if y, w := p.ISOWeek(); n < 1 || y != year || w != n {
		return dashboard.Period{}, &WeekError{Field: "week", Rule: "1 <= week <= weeks in the year",
			Message: fmt.Sprintf("week %s does not exist: %d has %d ISO weeks", s, year, WeeksIn(year))}
	}
	if last := LastComplete(now); p.From > last.From {
		return dashboard.Period{}, &WeekError{Field: "week", Rule: "week <= " + Name(last),
			Message: fmt.Sprintf("week %s has not ended yet: the last complete week is %s", s, Name(last))}
	}
	return p, nil
}

// weekStarting returns week n of ISO year y, even when y has no week n
// (the caller checks by naming the result).
func weekStarting(y, n int) dashboard.Period {
	jan4 := rollup.DayOf(time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)) // always in week 1
	return dashboard.WeekOf(jan4 + rollup.Day(7*(n-1)))
}

// WeeksIn returns how many ISO weeks year y has: 52 or 53.
func WeeksIn(y int) int {
	_, w := time.Date(y, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek() // always in the last week
	return w
}

// Name writes week p as YYYY-Www, the ISO year first: 2026-W53 runs from
// 2026-12-28 to 2027-01-03.
func Name(p dashboard.Period) string {
	y, w := p.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// LastComplete returns the last week that ended before now's day: on a
// Monday, the week that ended the day before.
func LastComplete(now time.Time) dashboard.Period {
	return dashboard.WeekOf(rollup.DayOf(now)).Previous()
}
