package dashboard

import (
	"sort"
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

func (g grouped) latencyByVersion() []VersionLatency {
	var out []VersionLatency
	for _, v := range g.keys(rollup.DimVersion) {
		c := g.sum(rollup.DimVersion, v)
		if c.LatN == 0 {
			continue
		}
		n := float64(c.LatN) * rollup.LatencyScale
		out = append(out, VersionLatency{Version: v, Reports: c.LatN,
			P50MS: float64(c.LatP50Sum) / n, P95MS: float64(c.LatP95Sum) / n, P99MS: float64(c.LatP99Sum) / n})
	}
	sort.SliceStable(out, func(i, j int) bool { return report.CompareVersions(out[i].Version, out[j].Version) > 0 })
	return out
}

func (g grouped) abVariants() []ABVariant {
	var out []ABVariant
	for _, k := range g.keys(rollup.DimAB) {
		exp, variant, _ := strings.Cut(k, "/")
		c := g.sum(rollup.DimAB, k)
		n, mean, variance := rollup.ABStats(c)
		out = append(out, ABVariant{Experiment: exp, Variant: variant, Installations: g.union(rollup.DimAB, k).GetCardinality(),
			Reports: c.Reports, N: n, MeanMS: mean, VarianceMS2: variance})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].N > out[j].N })
	return out[:min(len(out), maxABVariants)]
}
