package service

import (
	"log/slog"

	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// WeeklyOff, as Options.WeeklyHour, keeps the service from sending the
// weekly report.
const WeeklyOff = -1

// NewWeeklySender returns the weekly report's sender over a store, with
// the server's retention and insights settings, through the channels of
// c (the alerts').
func NewWeeklySender(st store.Store, cfg server.Config, c notify.Config, log *slog.Logger) *weekly.Sender {
	return &weekly.Sender{Builder: weekly.New(st, cfg.AggregateRetention, cfg.RawRetention, cfg.Insights),
		Ledger: st, Notifier: notify.New(c, nil, log)}
}
