package fleet

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"

	"github.com/google/uuid"
)

// Kinds of random streams. Each (kind, installation, day) has its own
// stream, so a report does not depend on the order reports are generated
// in or on how many were generated before it.
const (
	kindProfile = iota + 1
	kindReport
	kindActive
	kindJitter
	kindStructure
	kindExperiment // experiments.go
	kindUsage      // feature usage counts (usage.go)
)

// mix is SplitMix64's finaliser: it spreads nearby inputs over 64 bits.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// stream returns the random stream of one kind, installation and day.
func stream(seed uint64, kind, inst, day int) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed^mix(uint64(kind))), mix(uint64(inst)<<32|uint64(uint32(day)))))
}

// chance returns a number in [0, 1) fixed by its arguments, for decisions
// that must be cheap to repeat (counting reports before sending them).
func chance(seed uint64, kind, inst, day int) float64 {
	x := mix(mix(seed^mix(uint64(kind))) ^ mix(uint64(inst)<<32|uint64(uint32(day))))
	return float64(x>>11) / (1 << 53)
}

// newUUID returns a version 4 UUID drawn from r.
func newUUID(r *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	id, err := uuid.NewRandomFromReader(bytes.NewReader(b[:]))
	if err != nil { // cannot happen: the reader holds 16 bytes
		panic(err)
	}
	return id.String()
}

// pick returns one element of list, uniformly.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// pickWeighted returns an index of weights with probability proportional
// to its weight.
func pickWeighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// poisson draws a Poisson count with mean lambda (Knuth's method, with a
// normal approximation for large means).
func poisson(r *rand.Rand, lambda float64) int64 {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return int64(max(0, math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	limit, k, prod := math.Exp(-lambda), int64(0), r.Float64()
	for prod > limit {
		k++
		prod *= r.Float64()
	}
	return k
}

// uniform returns a number in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// round2 rounds to two decimals, as IndexPilot reports percentages and
// latencies. Rounding is monotone, so p50 <= p95 <= p99 survives it.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
