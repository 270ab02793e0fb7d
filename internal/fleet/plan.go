package fleet

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Planned is one report of the simulated fleet and how it is sent.
type Planned struct {
	// Report is the report as built. When Run registers installations
	// (Config.Key empty), it sends it under the installation id the server
	// assigned instead of Report.InstallationID.
	Report report.Report
	// Time is Report.Timestamp, parsed.
	Time time.Time
	// Installation is the installation's index in the fleet, from 0 to
	// Config.Installations-1.
	Installation int
	// Resend is set when the report is sent a second time, with the same
	// report_id, after the first delivery was acknowledged.
	Resend bool
	// Gzip is set when the body is sent with Content-Encoding: gzip, as
	// clients from 1.1.0a8 on do.
	Gzip bool
}

// Decoded returns the report as the service decodes it when received at
// now: from the JSON the fleet sends, under the contract's default
// retention.
func (p *Planned) Decoded(now time.Time) (*report.Decoded, error) {
	body, err := json.Marshal(&p.Report)
	if err != nil {
		return nil, fmt.Errorf("fleet: encode report %s: %w", p.Report.ReportID, err)
	}
	d, err := report.Decode(body, now, report.DefaultRetention)
	if err != nil {
		return nil, fmt.Errorf("fleet: report %s: %w", p.Report.ReportID, err)
	}
	return d, nil
}

// Generate returns every report of the fleet c describes, in the order Run
// sends them. It holds them all in memory: Run does not use it, tests and
// small fleets do. The result depends only on c's Installations, Days,
// Seed, RetryRate, Structure and Now (time.Now() when zero); Days above
// MaxDays counts as MaxDays.
func Generate(c Config) []Planned {
	return slices.Collect(Reports(c))
}

// plan is the simulated fleet: one profile per installation, and the
// reports they send, generated on demand. Its days are UTC calendar days:
// day 0 began days-1 days before the day of now, and the last day is
// today, cut at now.
type plan struct {
	seed      uint64
	days      int
	retryRate float64
	now       time.Time
	start     time.Time // midnight beginning day 0
	oldest    time.Time // no report is older: an hour's margin on the server's retention
	profiles  []*profile
	scenario  Scenario

	experiments []Experiment // experiments.go
}

func newPlan(c Config) *plan {
	p := &plan{seed: c.Seed, days: max(min(c.Days, MaxDays), 0), retryRate: c.RetryRate, now: c.Now, scenario: c.Scenario,
		experiments: c.Experiments}
	p.start = c.Now.Truncate(24 * time.Hour).Add(-time.Duration(p.days-1) * 24 * time.Hour)
	p.oldest = ceilMicro(c.Now.Add(-time.Duration(p.days)*24*time.Hour + time.Hour))
	p.profiles = make([]*profile, max(c.Installations, 0))
	rels := c.Scenario.planReleases()
	for i := range p.profiles {
		p.profiles[i] = newProfile(c.Seed, p.days, i, rels)
		if c.Structure {
			p.profiles[i].plant(c.Seed, i)
		}
	}
	return p
}

// active reports whether installation inst sends a report on day d. It
// does not on the last day when its time to report has not come yet.
func (p *plan) active(inst, d int) bool {
	pr := p.profiles[inst]
	return pr.join <= d && d < pr.churn &&
		chance(p.seed, kindActive, inst, d) < pr.reliability*p.scenario.activity(p.start.AddDate(0, 0, d).Weekday()) &&
		p.reportTime(inst, d).Before(p.now)
}

// count returns the number of reports in the plan, without building them.
func (p *plan) count() int {
	n := 0
	for d := range p.days {
		for inst := range p.profiles {
			if p.active(inst, d) {
				n++
			}
		}
	}
	return n
}

// reports yields the plan's reports day by day, in timestamp order within
// a day; only one day's reports are in memory at a time.
func (p *plan) reports() iter.Seq[Planned] {
	return func(yield func(Planned) bool) {
		var day []Planned
		for d := range p.days {
			day = day[:0]
			for inst := range p.profiles {
				if p.active(inst, d) {
					day = append(day, p.build(inst, d))
				}
			}
			slices.SortFunc(day, func(a, b Planned) int {
				return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Installation, b.Installation))
			})
			for _, pl := range day {
				if !yield(pl) {
					return
				}
			}
		}
	}
}

// build makes the report installation inst sends on day d.
func (p *plan) build(inst, d int) Planned {
	pr := p.profiles[inst]
	r := stream(p.seed, kindReport, inst, d)
	rel := pr.release(d)
	pl := Planned{Installation: inst, Time: p.reportTime(inst, d)}
	pl.Report = report.Report{
		SchemaVersion:  2,
		ReportID:       newUUID(r),
		InstallationID: pr.id,
		Version:        rel.version,
		Environment:    pr.env,
	}
	pl.Resend = r.Float64() < p.retryRate
	newClient := report.CompareVersions(rel.version, "1.1.0a8") >= 0
	pl.Gzip = newClient
	if newClient {
		pl.Report.Timestamp = pl.Time.Format(time.RFC3339Nano)
	} else { // the first client: Python's isoformat(), no offset, meaning UTC
		pl.Report.Timestamp = pl.Time.Format("2006-01-02T15:04:05.000000")
	}
	pl.Report.Metrics = pr.metrics(r, rel, d, pl.Time.Weekday(), func(typ string) float64 { return p.scenario.errorBoost(typ, d, p.days) })
	p.joinExperiments(&pl)
	if pl.Report.Metrics.FeatureUsage = pr.featureUsage(p.seed, inst, d, rel, pl.Report.Metrics.QueriesAnalyzed); pl.Report.Metrics.FeatureUsage != nil {
		pl.Report.SchemaVersion = 3
	}
	return pl
}

// reportTime is when installation inst reports on day d: at its usual hour
// give or take 20 minutes, kept within the day and not before p.oldest.
// It draws from a hash, not a stream, because active calls it too.
func (p *plan) reportTime(inst, d int) time.Time {
	dayStart := p.start.Add(time.Duration(d) * 24 * time.Hour)
	jitter := (chance(p.seed, kindJitter, inst, d) - 0.5) * float64(40*time.Minute)
	offset := time.Duration(p.profiles[inst].hour*float64(time.Hour) + jitter)
	offset = min(max(offset, -offset), 48*time.Hour-time.Microsecond-offset) // reflect into the day
	t := dayStart.Add(offset).Truncate(time.Microsecond)
	if t.Before(p.oldest) {
		return p.oldest
	}
	return t
}

// ceilMicro rounds t up to a whole microsecond, the precision of reports.
func ceilMicro(t time.Time) time.Time {
	if u := t.Truncate(time.Microsecond); u.Before(t) {
		return u.Add(time.Microsecond)
	}
	return t
}
