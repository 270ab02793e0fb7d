package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Health answers release health, anomalies and new error groups from a
// store's rollups and error counters.
type Health struct {
	Store store.Store
	// AggregateDays is how far back rollups are kept: release health looks
	// that far for each version's first day.
	AggregateDays int
	Release       ReleaseParams
	Anomaly       AnomalyParams
	NewGroups     NewGroupParams
}

// NewHealth returns a Health with the documented parameters.
func NewHealth(st store.Store, aggregateDays int) *Health {
	return &Health{Store: st, AggregateDays: aggregateDays, Release: DefaultReleaseParams(),
		Anomaly: DefaultAnomalyParams(), NewGroups: DefaultNewGroupParams()}
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

// historyStart is the first day release health looks at.
func (h *Health) historyStart(today rollup.Day) rollup.Day {
	days := h.AggregateDays
	if days <= 0 {
		days = 365
	}
	return today - rollup.Day(days) + 1
}

// rollups reads the rows of dims over from..to.
func (h *Health) rollups(ctx context.Context, from, to rollup.Day, bitmaps bool, dims ...string) ([]*rollup.Row, error) {
	rows, err := h.Store.Rollups(ctx, store.RollupQuery{From: from, To: to, Dims: dims, Bitmaps: bitmaps})
	if err != nil {
		return nil, fmt.Errorf("insights: read rollups: %w", err)
	}
	return rows, nil
}

// today returns now's UTC day.
func today(now time.Time) rollup.Day { return rollup.DayOf(now) }
