package dashboard

import "github.com/indexpilot/indexpilot-telemetry/internal/rollup"

// The measures that rollup counters give, each defined once: whichever
// reader shows an average improvement or an error rate computes it here,
// so that the same rows always give the same figure.

// Pct returns part as a percentage of whole; 0 when whole is 0.
func Pct(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole * 100
}

// AvgImprovement returns the mean performance improvement (%) of the
// reports counted in c that carried one; nil when none did.
func AvgImprovement(c rollup.Counters) *float64 {
	if c.PerfN == 0 {
		return nil
	}
	v := float64(c.PerfSum) / float64(c.PerfN) / rollup.PctScale
	return &v
}

// ErrorRatePct returns the share (%) of the reports counted in c that
// carried at least one error; nil without reports.
func ErrorRatePct(c rollup.Counters) *float64 {
	if c.Reports == 0 {
		return nil
	}
	v := Pct(float64(c.ErrorReports), float64(c.Reports))
	return &v
}

// DecisionRate returns an algorithm's decisions per use as a percentage;
// nil without uses.
func DecisionRate(uses, decisions int64) *float64 {
	if uses == 0 {
		return nil
	}
	v := Pct(float64(decisions), float64(uses))
	return &v
}

// MeanLatency returns the mean query latency percentiles (ms) of the
// reports counted in c that carried them, and how many did.
func MeanLatency(c rollup.Counters) (p50, p95, p99 float64, reports int64) {
	if c.LatN == 0 {
		return 0, 0, 0, 0
	}
	n := float64(c.LatN) * rollup.LatencyScale
	return float64(c.LatP50Sum) / n, float64(c.LatP95Sum) / n, float64(c.LatP99Sum) / n, c.LatN
}
