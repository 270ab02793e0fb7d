package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// retainFeedback deletes the feedback older than keep (docs/feedback.md),
// imported GitHub votes included: a later import brings back the issues
// still in its export.
func retainFeedback(ctx context.Context, st store.Store, keep time.Duration, now time.Time, log *slog.Logger) {
	if keep <= 0 { // unset: nothing is deleted, rather than everything
		return
	}
	n, err := st.RetainFeedback(ctx, now.Add(-keep))
	if err != nil {
		if ctx.Err() == nil {
			log.Error("feedback retention failed", "err", err)
		}
	} else if n > 0 {
		log.Info("retention deleted expired feedback", "feedback", n)
	}
}
