package insights

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Weights weigh the three parts of a feature's priority score.
type Weights struct {
	Usage       float64 `json:"usage"`
	Performance float64 `json:"performance"`
	Requests    float64 `json:"requests"`
}

// DefaultWeights are the seed design's: usage × 0.4 + performance × 0.3 +
// requests × 0.3.
func DefaultWeights() Weights { return Weights{Usage: 0.4, Performance: 0.3, Requests: 0.3} }

// String formats w as ParseWeights reads it.
func (w Weights) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return f(w.Usage) + "," + f(w.Performance) + "," + f(w.Requests)
}

// ParseWeights reads "usage,performance,requests", such as "0.4,0.3,0.3":
// three numbers, none negative, not all zero. The score divides by their
// sum, so "2,1,1" weighs as "0.5,0.25,0.25" and the total stays on 0–100.
func ParseWeights(s string) (Weights, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Weights{}, fmt.Errorf("insights: weights %q: want usage,performance,requests", s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return Weights{}, fmt.Errorf("insights: weights %q: %q is not a number ≥ 0", s, p)
		}
		v[i] = f
	}
	if v[0]+v[1]+v[2] == 0 {
		return Weights{}, errors.New("insights: weights must not all be zero")
	}
	return Weights{Usage: v[0], Performance: v[1], Requests: v[2]}, nil
}

// PerformanceFullScale is the difference in average improvement, in
// percentage points, that scores 100 on performance: a feature whose
// reports show 10 points more improvement than the others' scores 100,
// one with no difference or less scores 0.
const PerformanceFullScale = 10.0

// Improvement sums the performance_improvement_pct of some reports.
type Improvement struct {
	SumPct  float64 // sum of the reported percentages
	Reports int64   // reports that carried one
}

// Mean returns the average improvement, false without reports.
func (m Improvement) Mean() (float64, bool) {
	if m.Reports == 0 {
		return 0, false
	}
	return m.SumPct / float64(m.Reports), true
}

// FeatureUse is what the rollups tell of one feature over a window.
type FeatureUse struct {
	Name          string
	Installations uint64      // installations that reported it at least once
	Improvement   Improvement // of the reports that listed it
}

// PriorityInput is everything the priorities are computed from.
type PriorityInput struct {
	Active   uint64      // installations that reported in the window
	All      Improvement // of every report of the window
	Features []FeatureUse
	// Votes are the feature requests and votes of the window by feature;
	// nil when no feedback source is configured.
	Votes map[string]int64
}

// Priority is one feature's score and what it is made of.
type Priority struct {
	Feature       string    `json:"feature"`
	Score         float64   `json:"score"` // 0–100, the weighted total of the breakdown
	Breakdown     Breakdown `json:"breakdown"`
	Installations uint64    `json:"installations"`
	Votes         int64     `json:"votes"`
	// The average improvement of the reports that listed the feature and
	// of the others; null without such reports. Their difference is an
	// association, not an effect: installations that turn a feature on
	// differ in other ways too.
	ImprovementWithPct    *float64 `json:"avg_improvement_with_pct"`
	ImprovementWithoutPct *float64 `json:"avg_improvement_without_pct"`
}

// Breakdown holds the three scores, each 0–100.
type Breakdown struct {
	Usage       float64 `json:"usage"`       // share of active installations that used it, %
	Performance float64 `json:"performance"` // improvement difference over PerformanceFullScale, clamped
	Requests    float64 `json:"requests"`    // votes over the most-voted feature's
}

// Prioritize scores every feature of in, and every feature with votes,
// highest score first.
func Prioritize(in PriorityInput, w Weights) []Priority {
	byName := map[string]*Priority{}
	out := make([]*Priority, 0, len(in.Features)+len(in.Votes))
	get := func(name string) *Priority {
		if p, ok := byName[name]; ok {
			return p
		}
		p := &Priority{Feature: name}
		byName[name] = p
		out = append(out, p)
		return p
	}
	for _, f := range in.Features {
		p := get(f.Name)
		p.Installations = f.Installations
		p.Breakdown.Usage = share(f.Installations, in.Active)
		p.ImprovementWithPct, p.ImprovementWithoutPct, p.Breakdown.Performance = performance(f.Improvement, in.All)
	}
	var most int64
	for name, n := range in.Votes {
		get(name).Votes = n
		most = max(most, n)
	}
	total := w.Usage + w.Performance + w.Requests
	result := make([]Priority, len(out))
	for i, p := range out {
		if most > 0 {
			p.Breakdown.Requests = 100 * float64(p.Votes) / float64(most)
		}
		b := p.Breakdown
		p.Score = (w.Usage*b.Usage + w.Performance*b.Performance + w.Requests*b.Requests) / total
		result[i] = *p
	}
	slices.SortFunc(result, func(a, b Priority) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Installations, a.Installations), cmp.Compare(a.Feature, b.Feature))
	})
	return result
}

// performance compares the improvement of the reports that listed a
// feature with that of the others (all minus them).
func performance(with, all Improvement) (withPct, withoutPct *float64, score float64) {
	without := Improvement{SumPct: all.SumPct - with.SumPct, Reports: all.Reports - with.Reports}
	a, okA := with.Mean()
	b, okB := without.Mean()
	if okA {
		withPct = &a
	}
	if okB {
		withoutPct = &b
	}
	if okA && okB {
		score = math.Max(0, math.Min(100, 100*(a-b)/PerformanceFullScale))
	}
	return withPct, withoutPct, score
}

func share(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}
