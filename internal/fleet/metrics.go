package fleet

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// errorType is an error installations report, with its share of their
// errors.
type errorType struct {
	name  string
	share float64
}

// errorTypes are the errors installations report.
var errorTypes = []errorType{
	{"OperationalError", 0.4},
	{"CONNECTION_ERROR", 0.25},
	{"INDEX_CREATION_FAILED", 0.2},
	{"UniqueViolation", 0.15},
}

// metrics draws what the installation did on day d, a weekday wd, running
// release rel; boost multiplies the rate of an error type (a Scenario's
// spikes).
func (p *profile) metrics(r *rand.Rand, rel release, d int, wd time.Weekday, boost func(string) float64) report.Metrics {
	m := report.Metrics{TenantsBucket: p.tenants}
	for i, f := range features {
		if p.uses(i, d) {
			m.FeaturesUsed = append(m.FeaturesUsed, f.name)
		}
	}
	auto := p.uses(autoIndexing, d)
	apply := auto && p.applyFrom <= float64(d)
	switch {
	case apply:
		m.FeaturesUsed = append(m.FeaturesUsed, modeApply)
	case auto:
		m.FeaturesUsed = append(m.FeaturesUsed, modeAdvisory)
	}
	load := p.scale * uniform(r, 0.8, 1.25)
	if wd == time.Saturday || wd == time.Sunday {
		load *= 0.55
	}
	m.QueriesAnalyzed = int64(math.Round(load))
	q := float64(m.QueriesAnalyzed)
	m.AlgorithmUsage, m.AlgorithmDecisions = p.algorithmCounts(r, q, d)
	perf := 0.0
	if auto && q > 0 {
		m.IndexesRecommended = poisson(r, 1.2*math.Log10(q+1))
		if apply {
			m.IndexesCreated = binomial(r, m.IndexesRecommended, 0.7)
		}
		perf = math.Min(report.MaxImprovement, rel.perf+p.perfOffset+p.perfShift(d)+3*r.NormFloat64())
		m.PerformanceImprovementPct = report.Float(round2(perf))
	}
	if q > 0 {
		cov := math.Min(100, math.Max(0, rel.coverage+p.covOffset+2*r.NormFloat64()))
		m.ExplainCoveragePct = report.Float(round2(cov))
		m.QueryLatencyMS = p.latency(r, perf)
	}
	m.Errors = p.errorCounts(r, rel, q, boost)
	m.ABExperiments = p.abExperiments(r, rel, q)
	return m
}

// algorithmCounts draws how often each algorithm ran on day d, with q
// queries analyzed, and how many of those runs ended in a decision.
func (p *profile) algorithmCounts(r *rand.Rand, q float64, d int) (usage, decisions map[string]int64) {
	for i, a := range algorithms {
		if !p.algos[i] && (a.feature < 0 || !p.uses(a.feature, d)) {
			continue
		}
		n := int64(math.Round(a.weight * math.Sqrt(q) / 3 * uniform(r, 0.5, 1.5)))
		if n == 0 {
			continue
		}
		if usage == nil {
			usage, decisions = map[string]int64{}, map[string]int64{}
		}
		usage[a.name] = n
		decisions[a.name] = min(n, int64(math.Round(float64(n)*p.decideRate(a)*uniform(r, 0.7, 1))))
	}
	return usage, decisions
}

// latency draws the day's query latency percentiles; indexes that helped
// (perf, in percent) make queries faster.
func (p *profile) latency(r *rand.Rand, perf float64) *report.Latency {
	p50 := p.p50 * uniform(r, 0.85, 1.2) * (1 - math.Max(0, perf)/200)
	p95 := p50 * uniform(r, 2.5, 4.5)
	p99 := math.Min(report.MaxLatencyMS, p95*uniform(r, 1.4, 2.6))
	return &report.Latency{P50: round2(math.Min(p50, p99)), P95: round2(math.Min(p95, p99)), P99: round2(p99)}
}

// errorCounts draws the day's errors by type; nil when there were none.
func (p *profile) errorCounts(r *rand.Rand, rel release, q float64, boost func(string) float64) map[string]int64 {
	lambda := p.errBase * rel.errRate * (1 + math.Log10(q+1)/4)
	var out map[string]int64
	for _, e := range errorTypes {
		if n := poisson(r, lambda*e.share*boost(e.name)); n > 0 {
			if out == nil {
				out = map[string]int64{}
			}
			out[e.name] = n
		}
	}
	return out
}

// abExperiments draws the day's summary of the installation's A/B
// experiment, which IndexPilot runs from 1.1.0 on; nil without one.
func (p *profile) abExperiments(r *rand.Rand, rel release, q float64) []report.ABExperiment {
	if p.experiment == "" || q < 100 || report.CompareVersions(rel.version, "1.1.0") < 0 {
		return nil
	}
	control := p.p50 * 1.6 * uniform(r, 0.9, 1.1)
	means := map[string]float64{"control": control, "treatment": control * uniform(r, 0.8, 1.02)}
	var out []report.ABExperiment
	for _, v := range []string{"control", "treatment"} {
		mean := round2(means[v])
		out = append(out, report.ABExperiment{
			Experiment: p.experiment,
			Variant:    v,
			N:          int64(q / 20 * uniform(r, 0.9, 1.1)),
			MeanMS:     mean,
			VarianceMS: round2(mean * mean * 0.36),
		})
	}
	return out
}

// binomial draws how many of n trials succeed with probability prob.
func binomial(r *rand.Rand, n int64, prob float64) int64 {
	k := int64(0)
	for range n {
		if r.Float64() < prob {
			k++
		}
	}
	return k
}
