package weekly

import (
	"context"
	"log/slog"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/periodic"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// DefaultHour is the hour (UTC) on Monday from which the service sends
// the week that just ended.
const DefaultHour = 8

// CheckEvery is how often the service looks whether a report is due.
const CheckEvery = 10 * time.Minute

// Schedule sends the last complete week's report once it is due: from
// Monday at Hour (UTC) until the week's end, so a service down on Monday
// morning sends it when it comes back, and the ledger keeps it to once.
type Schedule struct {
	Sender *Sender
	Hour   int              // 0–23, UTC
	Now    func() time.Time // time.Now when nil
	Log    *slog.Logger
}

// Due returns the week whose report is due at now: the week before now's,
// from its Monday at hour.
func Due(now time.Time, hour int) (dashboard.Period, bool) {
	this := dashboard.WeekOf(rollup.DayOf(now))
	from := this.From.Time().Add(time.Duration(hour) * time.Hour)
	return this.Previous(), !now.Before(from)
}

// Tick sends the due week's report through the channels that have not had
// it, and returns what it did (nothing when no week is due).
func (s *Schedule) Tick(ctx context.Context) ([]Delivery, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	week, due := Due(now.UTC(), s.Hour)
	if !due {
		return nil, nil
	}
	return s.Sender.Send(ctx, week, now, false)
}

// Run ticks at start and every CheckEvery until ctx ends, logging what
// was sent. It only reads the rollups, beside ingest.
func (s *Schedule) Run(ctx context.Context) {
	periodic.Every(ctx, CheckEvery, func(ctx context.Context) {
		ds, err := s.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Error("weekly report failed", "err", err)
		case err == nil:
			for _, d := range ds {
				if !d.Skipped && d.Err == nil {
					s.Log.Info("weekly report sent", "week", d.Week, "channel", d.Channel, "target", d.Target)
				}
			}
		}
	})
}
