package fleet

import (
	"math"
	"math/rand/v2"
)

// What Config.Structure plants, so that the Insights page of a demo says
// something true (each is a fact of the simulation the page should find):
//
//   - a weak algorithm: every algorithm decides on about 85 % of its runs
//     except weakAlgorithm, at about 25 % (improve);
//   - an algorithm that decides but does not help: the installations that
//     run lowGainAlgorithm improve lowGainPenalty points less (optimize);
//   - a feature with value: reports while valuableFeature is on show
//     valuableGain points more improvement (its performance score);
//   - a popular combination: pairedFeature follows partnerFeature (it is
//     turned on by pairedShare of partnerFeature's users, pairedElse of the
//     others), so the pair's lift is well above 1;
//   - growing adoption: slowFeature is turned on slowRampDays after it
//     could be on average, so its share still grows at the end of 90 days.
const (
	weakAlgorithm    = "cortex"
	lowGainAlgorithm = "fractal_tree"
	lowGainPenalty   = 20.0
	valuableFeature  = "workload_analysis"
	valuableGain     = 6.0
	partnerFeature   = "workload_analysis"
	pairedFeature    = "auto_rollback"
	pairedShare      = 0.85
	pairedElse       = 0.08
	slowFeature      = "approval_workflow"
	slowRampDays     = 70.0
	// plantedDecide is the decide factor of every algorithm but the weak
	// one (runs decide at decide × U(0.7, 1), 0.85 on average).
	plantedDecide = 1.0
)

// planted is what Config.Structure changed in one profile.
type planted struct {
	lowGain bool // runs lowGainAlgorithm
}

// plant applies the structure to p, drawing from a stream of its own so
// that everything else about the installation stays as without it.
func (p *profile) plant(seed uint64, inst int) {
	r := stream(seed, kindStructure, inst, 0)
	p.planted = &planted{lowGain: p.algos[algorithmIndex(lowGainAlgorithm)]}
	partner, paired, slow := featureIndex(partnerFeature), featureIndex(pairedFeature), featureIndex(slowFeature)
	share := pairedElse
	if !math.IsInf(p.adopt[partner], 1) {
		share = pairedShare
	}
	p.adopt[paired] = p.adoptAfter(r, share, math.Max(p.adopt[partner], float64(p.join)), features[paired].rampDays)
	p.adopt[slow] = p.adoptAfter(r, features[slow].share, p.featureFrom(slow), slowRampDays)
}

// adoptAfter draws the day a feature is turned on: with probability share,
// an exponential delay of mean ramp days after from; never otherwise.
func (p *profile) adoptAfter(r *rand.Rand, share, from, ramp float64) float64 {
	if r.Float64() >= share || math.IsInf(from, 1) {
		return math.Inf(1)
	}
	return from + r.ExpFloat64()*ramp
}

// featureFrom is the first day feature f can be on for the installation.
func (p *profile) featureFrom(f int) float64 {
	return math.Max(float64(p.join), p.since(features[f].minVersion))
}

// decideRate is the decide factor of algorithm a for the installation.
func (p *profile) decideRate(a algorithm) float64 {
	if p.planted == nil || a.name == weakAlgorithm {
		return a.decide
	}
	return plantedDecide
}

// perfShift is what the structure adds to the day's improvement.
func (p *profile) perfShift(d int) float64 {
	if p.planted == nil {
		return 0
	}
	shift := 0.0
	if p.uses(featureIndex(valuableFeature), d) {
		shift += valuableGain
	}
	if p.planted.lowGain {
		shift -= lowGainPenalty
	}
	return shift
}

// algorithmIndex returns the index of the named algorithm in algorithms.
func algorithmIndex(name string) int {
	for i, a := range algorithms {
		if a.name == name {
			return i
		}
	}
	panic("fleet: unknown algorithm " + name)
}
