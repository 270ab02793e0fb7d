package fleet

import (
	"math"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// trackedFeatures are the features IndexPilot counts with the Python
// package's track_feature_usage (metrics.feature_usage): how often each
// runs per square root of the queries analysed, and how often it succeeds
// on a typical installation.
var trackedFeatures = []struct {
	feature         int
	weight, success float64
}{
	{autoIndexing, 0.5, 0.97},
	{featureIndex("predictive_indexing"), 0.3, 0.93},
	{featureIndex("qpg"), 0.25, 0.95},
	{featureIndex("workload_analysis"), 0.15, 0.99},
	{featureIndex("auto_rollback"), 0.03, 0.85},
}

// usageFrom is the first release whose installations count feature
// usage: the one that ships the Python package.
const usageFrom = "1.1.0a8"

// featureUsage draws the day's uses and successes of the tracked features
// in use on day d, with q queries analysed, running release rel; nil
// before usageFrom. It draws from streams of its own, so that the rest of
// the report is what it was before the fleet counted feature usage.
//
// Each installation has a success rate of its own per feature (its
// workload suits a feature more or less), drawn once; the planted
// regression of 1.1.0a8 makes the auto-indexer fail more often.
func (p *profile) featureUsage(seed uint64, inst, d int, rel release, q int64) map[string]report.FeatureUse {
	if q == 0 || report.CompareVersions(rel.version, usageFrom) < 0 {
		return nil
	}
	own := stream(seed, kindUsage, inst, math.MinInt32) // the installation's rates, the same every day
	r := stream(seed, kindUsage, inst, d)
	var out map[string]report.FeatureUse
	for _, t := range trackedFeatures {
		rate := math.Min(0.999, math.Max(0.5, t.success+0.03*own.NormFloat64()))
		if !p.uses(t.feature, d) {
			continue
		}
		if t.feature == autoIndexing && rel.version == "1.1.0a8" {
			rate -= 0.08
		}
		uses := poisson(r, t.weight*math.Sqrt(float64(q)))
		if uses == 0 {
			continue
		}
		if out == nil {
			out = map[string]report.FeatureUse{}
		}
		out[features[t.feature].name] = report.FeatureUse{Uses: uses, Successes: binomial(r, uses, rate)}
	}
	return out
}
