package insights

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkForecastAll forecasts a fleet's history like the demo's: 90
// days, active installations and 20 shares.
func BenchmarkForecastAll(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	h := History{First: 20000, Active: activeCounts(r, 90, "steady"), Features: map[string][]int64{}}
	for i := range 20 {
		p0 := 0.05 + 0.8*r.Float64()
		h.Features[strconv.Itoa(i)] = shareCounts(r, h.Active, func(float64) float64 { return p0 })
	}
	for b.Loop() {
		ForecastAll(h, DefaultHorizons())
	}
}
