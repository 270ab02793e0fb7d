package insights

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// PatternsAnswer is GET /api/v1/insights/patterns.
type PatternsAnswer struct {
	span
	MinSupport float64 `json:"min_support"`
	Patterns
}

// Patterns finds the feature combinations of w that q selects.
func (d *Decisions) Patterns(ctx context.Context, w Window, q PatternQuery) (*PatternsAnswer, error) {
	rows, err := d.Rollups.Rollups(ctx, store.RollupQuery{From: w.From, To: w.To,
		Dims: []string{rollup.DimAll, rollup.DimFeature}, Bitmaps: true})
	if err != nil {
		return nil, fmt.Errorf("insights: patterns: %w", err)
	}
	g := groupRows(rows)
	features := map[string]*roaring.Bitmap{}
	for _, name := range g.keys(rollup.DimFeature) {
		features[name] = g.union(rollup.DimFeature, name)
	}
	return &PatternsAnswer{span: spanOf(w), MinSupport: q.MinSupport,
		Patterns: FindPatterns(g.union(rollup.DimAll, ""), features, q)}, nil
}
