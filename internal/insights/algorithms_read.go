package insights

import (
	"context"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// AlgorithmsAnswer is GET /api/v1/insights/algorithms.
type AlgorithmsAnswer struct {
	span
	Thresholds Thresholds `json:"thresholds"`
	Algorithms []Advice   `json:"algorithms"`
}

// Algorithms advises on every algorithm run over w.
func (d *Decisions) Algorithms(ctx context.Context, w Window) (*AlgorithmsAnswer, error) {
	rows, err := d.Rollups.Rollups(ctx, store.RollupQuery{From: w.From, To: w.To,
		Dims: []string{rollup.DimAlgorithm, rollup.DimDecision}, Bitmaps: true})
	if err != nil {
		return nil, fmt.Errorf("insights: algorithms: %w", err)
	}
	return &AlgorithmsAnswer{span: spanOf(w), Thresholds: d.Thresholds, Algorithms: Advise(algorithmUses(rows), d.Thresholds)}, nil
}

// algorithmUses sums a window's algorithm and decision rows.
func algorithmUses(rows []*rollup.Row) []AlgorithmUse {
	g := groupRows(rows)
	var out []AlgorithmUse
	for _, name := range g.keys(rollup.DimAlgorithm) {
		u := AlgorithmUse{Name: name, Installations: g.union(rollup.DimAlgorithm, name).GetCardinality(),
			DecidingInstallations: g.union(rollup.DimDecision, name).GetCardinality()}
		for _, r := range g.rows[rollup.DimAlgorithm][name] {
			u.Uses += r.Total
		}
		var sum, sq int64
		u.Improvement.Squares = true
		for _, r := range g.rows[rollup.DimDecision][name] {
			u.Decisions += r.Total
			sum, sq = sum+r.PerfSum, sq+r.PerfSumSq
			u.Improvement.Reports += r.PerfN
			// Rows written before the rollups kept squares hold none.
			u.Improvement.Squares = u.Improvement.Squares && (r.PerfN == 0 || r.PerfSumSq > 0)
		}
		u.Improvement.SumPct = float64(sum) / rollup.PctScale
		u.Improvement.SumSqPct = float64(sq) / rollup.PerfSqScale
		out = append(out, u)
	}
	return out
}
