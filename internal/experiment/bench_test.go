package experiment

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// BenchmarkAnalyze20000 analyses 30 days of an experiment over 20,000
// installations (about 300,000 installation-days), history included: the
// work after the store's read (BENCHMARKS.md, "Experiments").
func BenchmarkAnalyze20000(b *testing.B) {
	sim := standard
	sim.installations = 20000
	rows := sim.rows(1)
	first := rollup.DayOf(simStart)
	e := sim.experiment(2)
	b.ReportMetric(float64(len(rows)), "rows")
	b.ResetTimer()
	for b.Loop() {
		DefaultMethod.Analyze(e, rows, first, first+29, simStart)
	}
}
