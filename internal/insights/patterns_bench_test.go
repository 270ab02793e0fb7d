package insights

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// BenchmarkFindPatterns searches 16 features of 20,000 installations, with
// shares like the simulated fleet's, at the lowest support the page offers.
func BenchmarkFindPatterns(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	active := roaring.New()
	active.AddRange(0, 20000)
	features := map[string]*roaring.Bitmap{}
	for i, share := range []float64{0.9, 0.8, 0.6, 0.5, 0.45, 0.4, 0.3, 0.3, 0.25, 0.2, 0.65, 0.55, 0.35, 0.1, 0.05, 0.02} {
		bm := roaring.New()
		for inst := range uint32(20000) {
			if r.Float64() < share {
				bm.Add(inst)
			}
		}
		features[fmt.Sprint("f", i)] = bm
	}
	q := PatternQuery{MinSupport: 0.01, MinSize: 2, MaxSize: 4, Limit: 50}
	for b.Loop() {
		FindPatterns(active, features, q)
	}
}
