package weekly_test

import (
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// TestWeeksAroundNewYear: ISO weeks belong to the year of their
// Thursday, so a week's name and its days cross the turn of the year.
func TestWeeksAroundNewYear(t *testing.T) {
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ week, start, end string }{
		{"2026-W53", "2026-12-28", "2027-01-03"},
		{"2027-W01", "2027-01-04", "2027-01-10"},
		{"2026-W01", "2025-12-29", "2026-01-04"},
		{"2020-W53", "2020-12-28", "2021-01-03"},
		{"2028-W52", "2028-12-25", "2028-12-31"},
	} {
		p, err := weekly.ParseWeek(c.week, later)
		if err != nil {
			t.Errorf("%s: %v", c.week, err)
			continue
		}
		if p.From.String() != c.start || p.To.String() != c.end || weekly.Name(p) != c.week {
			t.Errorf("%s: %s to %s named %s, want %s to %s", c.week, p.From, p.To, weekly.Name(p), c.start, c.end)
		}
	}
	for y, n := range map[int]int{2020: 53, 2021: 52, 2026: 53, 2027: 52, 2032: 53} {
		if got := weekly.WeeksIn(y); got != n {
			t.Errorf("%d has %d ISO weeks, want %d", y, got, n)
		}
	}
}

// TestLastCompleteAndDue: the last complete week changes on Monday at
// midnight; the report is due from Monday at the hour.
func TestLastCompleteAndDue(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		week string
		due  bool
	}{
		{time.Date(2027, 1, 3, 23, 59, 0, 0, time.UTC), "2026-W52", true}, // Sunday: W53 still in progress
		{time.Date(2027, 1, 4, 7, 59, 0, 0, time.UTC), "2026-W53", false},
		{time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC), "2026-W53", true},
		{time.Date(2027, 1, 7, 3, 0, 0, 0, time.UTC), "2026-W53", true}, // later in the week: still due
	} {
		if got := weekly.Name(weekly.LastComplete(c.at)); got != c.week {
			t.Errorf("%s: last complete week %s, want %s", c.at, got, c.week)
		}
		p, due := weekly.Due(c.at, 8)
		if weekly.Name(p) != c.week || due != c.due {
			t.Errorf("%s: due %s %v, want %s %v", c.at, weekly.Name(p), due, c.week, c.due)
		}
	}
}
