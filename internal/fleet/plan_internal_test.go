package fleet

import (
	"testing"
	"time"
)

// TestCountMatchesReports: the progress bar's total is the number of
// reports Run sends.
func TestCountMatchesReports(t *testing.T) {
	c := Config{Installations: 50, Days: 30, Seed: 3, Now: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}.withDefaults()
	if got, want := newPlan(c).count(), len(Generate(c)); got != want {
		t.Fatalf("count %d, Generate %d", got, want)
	}
}

// TestReportTime: a report stays within its UTC day, before Now, and an
// hour younger than the retention limit, even at the edges of the day.
func TestReportTime(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 20, 23, 59, 0, 0, time.UTC), // day 0 begins a minute after the limit
		time.Date(2026, 11, 20, 0, 1, 0, 0, time.UTC),
	} {
		c := Config{Installations: 1, Days: MaxDays, Now: now}.withDefaults()
		p := newPlan(c)
		limit := now.Add(-time.Duration(c.Days)*24*time.Hour + time.Hour)
		for _, hour := range []float64{0, 0.05, 12, 23.95, 23.9999} {
			p.profiles[0].hour = hour
			for d := range p.days {
				dayStart := p.start.Add(time.Duration(d) * 24 * time.Hour)
				got := p.reportTime(0, d)
				if got.Before(dayStart) || !got.Before(dayStart.Add(24*time.Hour)) {
					t.Errorf("now %v, hour %v, day %d: %v is outside its day", now, hour, d, got)
				}
				if got.Before(limit) {
					t.Errorf("now %v, hour %v, day %d: %v is older than %v", now, hour, d, got, limit)
				}
			}
		}
	}
}
