package insights

import (
	"context"
	"fmt"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// AlgorithmsAnswer is GET /api/v1/insights/algorithms.
type AlgorithmsAnswer struct {
	span
	Thresholds Thresholds `json:"thresholds"`
	Algorithms []Advice   `json:"algorithms"`
}

// Algorithms advises on every algorithm run over p.
func (d *Decisions) Algorithms(ctx context.Context, p dashboard.Period) (*AlgorithmsAnswer, error) {
	w, err := d.Model.Window(ctx, p, rollup.DimAlgorithm, rollup.DimDecision)
	if err != nil {
		return nil, fmt.Errorf("insights: algorithms: %w", err)
	}
	return &AlgorithmsAnswer{span: spanOf(p), Thresholds: d.Thresholds, Algorithms: Advise(algorithmUses(w), d.Thresholds)}, nil
}

// algorithmUses sums a window's algorithm and decision rows.
func algorithmUses(w *dashboard.Window) []AlgorithmUse {
	var out []AlgorithmUse
	for _, name := range w.Keys(rollup.DimAlgorithm) {
		decided := w.Sum(rollup.DimDecision, name)
		out = append(out, AlgorithmUse{Name: name, Uses: w.Sum(rollup.DimAlgorithm, name).Total, Decisions: decided.Total,
			Installations:         w.Installs(rollup.DimAlgorithm, name).GetCardinality(),
			DecidingInstallations: w.Installs(rollup.DimDecision, name).GetCardinality(),
			Improvement: Moments{SumPct: float64(decided.PerfSum) / rollup.PctScale, SumSqPct: float64(decided.PerfSumSq) / rollup.PerfSqScale,
				Reports: decided.PerfN, Squares: w.SquaresKept(rollup.DimDecision, name)}})
	}
	return out
}
