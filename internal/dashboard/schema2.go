package dashboard

import (
	"slices"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// VersionLatency is the mean of the query latency percentiles that one
// version's reports carried.
type VersionLatency struct {
	Version string  `json:"version"`
	Reports int64   `json:"reports"` // reports with query_latency_ms
	P50MS   float64 `json:"p50_ms"`
	P95MS   float64 `json:"p95_ms"`
	P99MS   float64 `json:"p99_ms"`
}

// ABVariant is one variant of one A/B experiment over the window, pooled
// across its reports: enough for a significance test. Experiment is the
// installation's HMAC of the experiment's name.
type ABVariant struct {
	Experiment    string  `json:"experiment"`
	Variant       string  `json:"variant"`
	Installations uint64  `json:"installations"`
	Reports       int64   `json:"reports"`
	N             int64   `json:"n"`
	MeanMS        float64 `json:"mean_ms"`
	VarianceMS2   float64 `json:"variance_ms2"`
}

// maxABVariants bounds the A/B list of the stats: the largest experiments.
const maxABVariants = 50

func latencyByVersion(w *Window) []VersionLatency {
	var out []VersionLatency
	for _, v := range w.Keys(rollup.DimVersion) {
		p50, p95, p99, n := MeanLatency(w.Sum(rollup.DimVersion, v))
		if n > 0 {
			out = append(out, VersionLatency{Version: v, Reports: n, P50MS: p50, P95MS: p95, P99MS: p99})
		}
	}
	slices.SortStableFunc(out, func(a, b VersionLatency) int { return report.CompareVersions(b.Version, a.Version) })
	return out
}

// abVariants are the maxABVariants variants with the most observations;
// only theirs need the union of their installations.
// abVariants are the maxABVariants variants with the most observations;
// only theirs need the union of their installations.
func abVariants(w *Window) []ABVariant {
	type keyed struct {
		key string
		ABVariant
	}
	var all []keyed
	for _, k := range w.Keys(rollup.DimAB) {
		exp, variant, _ := strings.Cut(k, "/")
		c := w.Sum(rollup.DimAB, k)
		n, mean, variance := rollup.ABStats(c)
		all = append(all, keyed{k, ABVariant{Experiment: exp, Variant: variant, Reports: c.Reports, N: n, MeanMS: mean, VarianceMS2: variance}})
	}
	slices.SortStableFunc(all, func(a, b keyed) int { return cmpDesc(a.N, b.N) })
	var out []ABVariant
	for _, v := range all[:min(len(all), maxABVariants)] {
		v.Installations = w.Installs(rollup.DimAB, v.key).GetCardinality()
		out = append(out, v.ABVariant)
	}
	return out
}
