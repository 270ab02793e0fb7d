package weekly

import (
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// New returns a Builder over st with the server's settings: the rollup
// retention (all time), the insights' settings and the raw retention.
// The server builds its own from the readers it already holds.
func New(st store.Store, aggregate, raw time.Duration, s insights.Settings) *Builder {
	model := &dashboard.Service{Store: st, AggregateDays: int(aggregate.Hours() / 24)}
	return &Builder{Model: model, Decisions: &insights.Decisions{Model: model, Votes: st, Settings: s},
		Health: insights.NewHealth(model), RawRetention: raw}
}
