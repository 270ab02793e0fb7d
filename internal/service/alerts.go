package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/alerts"
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/notify"
	"github.com/indexpilot/indexpilot-telemetry/internal/periodic"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// AlertOptions configure the alerts the service delivers.
type AlertOptions struct {
	Notify notify.Config
	// Suppress is how long a delivered alert stays quiet
	// (alerts.DefaultSuppress when zero).
	Suppress time.Duration
}

// AlertEvery is how often the service evaluates alerts (and once at
// start).
const AlertEvery = time.Hour

// NewEvaluator returns the alert evaluator of a store, with the server's
// retention and the given delivery options.
func NewEvaluator(st store.Store, cfg server.Config, o AlertOptions, log *slog.Logger) *alerts.Evaluator {
	model := &dashboard.Service{Store: st, AggregateDays: int(cfg.AggregateRetention / (24 * time.Hour))}
	return &alerts.Evaluator{Health: insights.NewHealth(model), Ledger: st,
		Notifier: notify.New(o.Notify, nil, log), Suppress: o.Suppress}
}

// evaluateAlerts evaluates at start and every AlertEvery until ctx ends.
// It runs beside ingest, reading only, so a slow channel never delays a
// report.
func evaluateAlerts(ctx context.Context, ev *alerts.Evaluator, log *slog.Logger) {
	periodic.Every(ctx, AlertEvery, func(ctx context.Context) {
		res, err := ev.Run(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("alert evaluation failed", "err", err)
		case err == nil:
			sent := 0
			for _, d := range res.Deliveries {
				if d.Err == nil {
					sent += len(d.Keys)
				}
			}
			log.Info("alerts evaluated", "holding", len(res.Alerts), "delivered", sent)
		}
	})
}
