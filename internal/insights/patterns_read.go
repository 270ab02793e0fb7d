package insights

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// PatternsAnswer is GET /api/v1/insights/patterns.
type PatternsAnswer struct {
	span
	MinSupport float64 `json:"min_support"`
	Patterns
}

// Patterns finds the feature combinations of p that q selects.
func (d *Decisions) Patterns(ctx context.Context, p dashboard.Period, q PatternQuery) (*PatternsAnswer, error) {
	w, err := d.Model.Window(ctx, p, rollup.DimAll, rollup.DimFeature)
	if err != nil {
		return nil, fmt.Errorf("insights: patterns: %w", err)
	}
	features := map[string]*roaring.Bitmap{}
	for _, c := range w.Cohorts(rollup.DimFeature) {
		features[c.Name] = c.Installs
	}
	return &PatternsAnswer{span: spanOf(p), MinSupport: q.MinSupport, Patterns: FindPatterns(w.Active(), features, q)}, nil
}
