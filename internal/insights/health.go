package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Health answers release health, anomalies and new error groups. It reads
// the rollups through the dashboard's model (periods, windows, per-day
// counters, unions of installations), and the error groups' daily
// counters from the model's store.
type Health struct {
	Model     *dashboard.Service
	Release   ReleaseParams
	Anomaly   AnomalyParams
	NewGroups NewGroupParams
}

// NewHealth returns a Health on model with the documented parameters.
func NewHealth(model *dashboard.Service) *Health {
	return &Health{Model: model, Release: DefaultReleaseParams(), Anomaly: DefaultAnomalyParams(),
		NewGroups: DefaultNewGroupParams()}
}

// MaxDays bounds the days of the insights endpoints.
const MaxDays = 366

// Releases is the answer of GET /api/v1/insights/releases.
type Releases struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Releases []Release `json:"releases"`
}

// Anomalies is the answer of GET /api/v1/insights/anomalies.
type Anomalies struct {
	From string `json:"from"`
	To   string `json:"to"` // the last day judged: yesterday, the last whole UTC day
	// Anomalies are newest day first, high severity first within a day.
	Anomalies []Anomaly `json:"anomalies"`
}

func checkDays(days int) error {
	if days < 1 || days > MaxDays {
		return fmt.Errorf("insights: days must be between 1 and %d", MaxDays)
	}
	return nil
}

// counts reads the counters of dims over p through the model.
func (h *Health) counts(ctx context.Context, p dashboard.Period, dims ...string) (*dashboard.Window, error) {
	w, err := h.Model.Counts(ctx, p, dims...)
	if err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	return w, nil
}

// window reads the rows of dims over p, with their bitmaps.
func (h *Health) window(ctx context.Context, p dashboard.Period, dims ...string) (*dashboard.Window, error) {
	w, err := h.Model.Window(ctx, p, dims...)
	if err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	return w, nil
}

// today returns now's UTC day.
func today(now time.Time) rollup.Day { return rollup.DayOf(now) }
