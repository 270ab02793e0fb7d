package fleet

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// release is one IndexPilot version and how good it is. at places it on
// the simulated period: a negative value is a day before the period, 0 to
// 1 a share of the period, so short and long runs both see every rollout.
type release struct {
	version  string
	at       float64
	pre      bool    // only early adopters install it
	perf     float64 // mean performance_improvement_pct
	errRate  float64 // error rate multiplier
	coverage float64 // mean explain_coverage_pct

	// A Scenario's release: its adoption curve (see Release).
	extra                       bool
	lagMedian, lagSpread, share float64
}

// releases are in version order. 1.1.0a8 is the planted regression that
// insights should find: worse improvements and more errors than 1.0.1.
var releases = []release{
	{version: "1.0.0", at: -90, perf: 14, errRate: 1.0, coverage: 62},
	{version: "1.0.1", at: -12, perf: 16, errRate: 0.8, coverage: 66},
	{version: "1.1.0a8", at: 0.2, pre: true, perf: 11, errRate: 2.6, coverage: 70},
	{version: "1.1.0", at: 0.4, perf: 22, errRate: 0.7, coverage: 78},
	{version: "1.1.1", at: 0.7, perf: 24, errRate: 0.5, coverage: 81},
}

// day returns the day of the period (0 is its first) the release came out.
func (r release) day(days int) float64 {
	if r.at < 0 {
		return r.at
	}
	return math.Floor(r.at * float64(days))
}

// feature is one IndexPilot feature: the share of installations that ever
// turn it on, how many days after installing (or after upgrading to
// minVersion) they do on average, and the version that introduced it.
type feature struct {
	name       string
	share      float64
	rampDays   float64
	minVersion string
}

var features = []feature{
	{name: "auto_indexing", share: 0.9},
	{name: "stats_collection", share: 0.8, rampDays: 2},
	{name: "mutation_logging", share: 0.6, rampDays: 5},
	{name: "expression_checks", share: 0.5, rampDays: 8},
	{name: "workload_analysis", share: 0.45, rampDays: 10},
	{name: "auto_rollback", share: 0.4, rampDays: 14},
	{name: "approval_workflow", share: 0.3, rampDays: 14},
	{name: "qpg", share: 0.3, rampDays: 18},
	{name: "xgboost", share: 0.25, rampDays: 18},
	{name: "cortex", share: 0.2, rampDays: 21},
	{name: "predictive_indexing", share: 0.65, rampDays: 6, minVersion: "1.1.0a8"},
}

// featureIndex returns the index of the named feature in features.
func featureIndex(name string) int {
	for i, f := range features {
		if f.name == name {
			return i
		}
	}
	panic("fleet: unknown feature " + name)
}

var autoIndexing = featureIndex("auto_indexing")

// The auto-indexer runs in one of two modes, reported as a feature.
const (
	modeApply    = "auto_indexer_mode_apply"
	modeAdvisory = "auto_indexer_mode_advisory"
)

// algorithm is one of IndexPilot's algorithms. It runs when its feature is
// in use or, without one, on the share of installations that enabled it.
// weight scales its usage and decide is the share of its runs that end in
// a decision.
type algorithm struct {
	name    string
	feature int // index in features, or -1
	share   float64
	weight  float64
	decide  float64
}

var algorithms = []algorithm{
	{name: "predictive_indexing", feature: featureIndex("predictive_indexing"), weight: 3, decide: 0.4},
	{name: "constraint_optimizer", feature: -1, share: 0.6, weight: 2, decide: 0.7},
	{name: "xgboost_classifier", feature: featureIndex("xgboost"), weight: 2, decide: 0.5},
	{name: "cert", feature: -1, share: 0.35, weight: 1, decide: 0.8},
	{name: "cortex", feature: featureIndex("cortex"), weight: 1.5, decide: 0.3},
	{name: "radix_string_spline", feature: -1, share: 0.12, weight: 0.5, decide: 0.6},
	{name: "fractal_tree", feature: -1, share: 0.18, weight: 0.5, decide: 0.6},
	{name: "alex", feature: -1, share: 0.2, weight: 0.7, decide: 0.5},
	{name: "pgm_index", feature: -1, share: 0.25, weight: 0.8, decide: 0.5},
	{name: "idistance", feature: -1, share: 0.08, weight: 0.4, decide: 0.6},
	{name: "bx_tree", feature: -1, share: 0.1, weight: 0.4, decide: 0.6},
	{name: "qpg", feature: featureIndex("qpg"), weight: 2, decide: 0.9},
}

// profile is what stays the same about one installation over the period.
// Days are days of the period: 0 is its first, negative before it.
type profile struct {
	id          string
	join        int // first day it reports; negative: installed before the period
	churn       int // first day it no longer reports; past the period if never
	reliability float64
	hour        float64 // hour of the UTC day it reports at
	early       bool    // installs pre-releases
	releases    []release
	upgrade     []float64 // day each of releases reaches it
	adopt       []float64 // day each feature is turned on; +Inf never
	applyFrom   float64   // the auto-indexer applies indexes from then on, advises before
	algos       []bool    // algorithms without a feature that it runs
	scale       float64   // queries analyzed on a weekday
	perfOffset  float64
	covOffset   float64
	errBase     float64
	p50         float64 // typical median query latency, ms
	tenants     string
	experiment  string // HMAC of its A/B experiment, "" when none
	env         report.Environment
	planted     *planted // what Config.Structure changed; nil without it
}

// newProfile draws installation inst of the fleet, whose releases are
// rels (in version order).
func newProfile(seed uint64, days, inst int, rels []release) *profile {
	r := stream(seed, kindProfile, inst, 0)
	p := &profile{id: newUUID(r), churn: days, reliability: 0.8 + 0.2*r.Float64(), releases: rels}
	switch u := r.Float64(); {
	case u < 0.5: // installed before the period: a day in 1.0.0's lifetime
		p.join = -int(r.Float64() * 80)
	default: // adoption speeds up: the density of join days grows linearly
		p.join = int(float64(days) * math.Sqrt(r.Float64()))
		p.join = min(p.join, days-1)
	}
	if r.Float64() < 0.07 { // stops reporting after a few days at least
		first := max(p.join, 0) + 3
		p.churn = first + r.IntN(max(days-first, 1))
	}
	p.hour = 24 * r.Float64()
	p.early = r.Float64() < 0.12
	pinned := !p.early && r.Float64() < 0.08
	p.upgrade = make([]float64, len(rels))
	for i, rel := range rels {
		if !rel.extra {
			p.upgrade[i] = upgradeDay(r, rel.day(days), float64(p.join), rel.pre, p.early, pinned)
		}
	}
	for i, rel := range rels { // drawn after the built-in ones, which stay as without them
		if rel.extra {
			p.upgrade[i] = rel.extraUpgradeDay(r, days, float64(p.join), pinned)
		}
	}
	p.adopt = make([]float64, len(features))
	for i, f := range features {
		p.adopt[i] = math.Inf(1)
		if r.Float64() < f.share {
			from := math.Max(float64(p.join), p.since(f.minVersion))
			p.adopt[i] = from + r.ExpFloat64()*f.rampDays
		}
	}
	p.applyFrom = math.Inf(-1)
	if r.Float64() < 0.5 { // starts in advisory mode; some come to trust it
		p.applyFrom = math.Inf(1)
		if r.Float64() < 0.4 {
			p.applyFrom = p.adopt[autoIndexing] + 5 + r.ExpFloat64()*25
		}
	}
	p.algos = make([]bool, len(algorithms))
	for i, a := range algorithms {
		p.algos[i] = a.feature < 0 && r.Float64() < a.share
	}
	bucket := pickWeighted(r, []float64{40, 25, 20, 12, 3})
	p.tenants = report.TenantBuckets[bucket]
	p.scale = math.Exp(math.Log(3000) + 0.8*float64(bucket) + r.NormFloat64())
	p.perfOffset = 4 * r.NormFloat64()
	p.covOffset = 6 * r.NormFloat64()
	p.errBase = math.Exp(math.Log(0.3) + 0.8*r.NormFloat64())
	p.p50 = math.Exp(math.Log(4) + 0.7*r.NormFloat64())
	if r.Float64() < 0.1 {
		p.experiment = fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
	}
	p.env = newEnvironment(r)
	return p
}

// upgradeDay is the day a release reaches an installation, +Inf if never.
func upgradeDay(r *rand.Rand, released, join float64, pre, early, pinned bool) float64 {
	switch {
	case pre && !early:
		return math.Inf(1)
	case join >= released: // installed the newest release at hand
		return join
	case pinned:
		return math.Inf(1)
	case early:
		return released + 1.5*r.ExpFloat64()
	}
	return released + math.Exp(math.Log(4)+0.9*r.NormFloat64()) // median 4 days, a long tail
}

// release returns the release the installation runs on day d.
func (p *profile) release(d int) release {
	cur := 0
	for i := range p.releases {
		if p.upgrade[i] <= float64(d) {
			cur = i
		}
	}
	return p.releases[cur]
}

// since returns the first day the installation runs version v or newer.
func (p *profile) since(v string) float64 {
	if v == "" {
		return math.Inf(-1)
	}
	first := math.Inf(1)
	for i, rel := range p.releases {
		if report.CompareVersions(rel.version, v) >= 0 {
			first = math.Min(first, p.upgrade[i])
		}
	}
	return first
}

// uses reports whether feature f is on during day d.
func (p *profile) uses(f, d int) bool { return p.adopt[f] <= float64(d) }

// newEnvironment draws where an installation runs.
func newEnvironment(r *rand.Rand) report.Environment {
	var e report.Environment
	switch pickWeighted(r, []float64{85, 10, 5}) {
	case 0:
		e.OS, e.Arch = "linux", pick(r, []string{"x86_64", "x86_64", "x86_64", "arm64"})
		e.CPUCores = pick(r, []int{2, 4, 4, 8, 8, 16, 16, 32, 64})
	case 1:
		e.OS, e.Arch = "darwin", pick(r, []string{"arm64", "arm64", "arm64", "arm64", "x86_64"})
		e.CPUCores = pick(r, []int{8, 10, 12, 16})
	default:
		e.OS, e.Arch = "windows", "x86_64"
		e.CPUCores = pick(r, []int{4, 8, 12, 16})
	}
	minor := pickWeighted(r, []float64{15, 35, 35, 15}) // 3.10 to 3.13
	patch := []int{12, 5, 1, 0}[minor] + r.IntN([]int{5, 7, 8, 4}[minor])
	e.PythonVersion = fmt.Sprintf("3.%d.%d", 10+minor, patch)
	e.Runtime = "python " + e.PythonVersion
	major := pickWeighted(r, []float64{10, 20, 40, 30}) // PostgreSQL 14 to 17
	e.PostgreSQLVersion = fmt.Sprintf("%d.%d", 14+major, r.IntN([]int{16, 11, 7, 3}[major])+1)
	return e
}
